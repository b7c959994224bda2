"""`maturity assess` end to end: scripted input, a real pseudo-terminal with Ctrl-C and resume, and SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app
from maturity.io.loader import load_answers_file

from .conftest import FIXTURES

VALID = FIXTURES / "valid"
QUESTIONNAIRE = str(VALID / "demo.questionnaire.yaml")
runner = CliRunner()
# who and what: organisation, service, assessor, who the report is for, marking (Enter: OFFICIAL)
DETAILS = ["Example Council", "Parks", "Ana", "Cabinet", ""]
D = len(DETAILS)
FULL = [*DETAILS, "1", "3", "yes", "2", "2", "1,2", "1", "All fine"]


def _assess(tmp_path: Path, lines: list[str], *args: str):  # type: ignore[no-untyped-def]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return runner.invoke(app, ["assess", QUESTIONNAIRE, "-d", str(VALID), *args], input="\n".join(lines) + "\n")
    finally:
        os.chdir(cwd)


def test_scripted_interview_writes_answers_and_reports(tmp_path: Path) -> None:
    result = _assess(tmp_path, FULL)
    assert result.exit_code == 0, result.output
    answers = tmp_path / "example-council-parks-demo-{}.answers.yaml".format(time.strftime("%Y-%m-%d"))
    assert answers.is_file()
    model = load_answers_file(answers).model
    assert model.answers["MGT-4"].value == "All fine" and model.answers["STR-1"].value == 3
    assert model.assessment.prepared_for == "Cabinet" and model.assessment.marking == "OFFICIAL"
    assert model.questionnaire.digest and model.questionnaire.digest.startswith("sha256:")
    lines = result.stdout.splitlines()
    verdict = next(i for i, line in enumerate(lines) if line.startswith("Verdict:"))
    assert lines[verdict].startswith("Verdict: At risk (Amber). ")
    overall = next(i for i, line in enumerate(lines) if line.startswith("Overall maturity:"))
    assert lines[overall].startswith("Overall maturity: level 3 Defined") and overall > verdict
    assert any(line.startswith("Answers: ") and "don't know" in line for line in lines)
    assert "Reports:" in result.stdout
    assert answers.with_name(answers.name.replace(".answers.yaml", ".report.html")).is_file()


def test_missing_answer_in_a_script_is_an_error_and_keeps_what_was_given(tmp_path: Path) -> None:
    result = _assess(tmp_path, FULL[: D + 3], "--answers", "a.yaml")
    assert result.exit_code == 1
    assert "Input ended: input ended before question STR-3 was answered" in result.stderr
    saved = load_answers_file(tmp_path / "a.yaml").model
    assert list(saved.answers) == ["situation", "STR-1", "STR-2"]


def test_never_overwrites_another_assessment(tmp_path: Path) -> None:
    first = _assess(tmp_path, FULL)
    second = _assess(tmp_path, FULL)
    assert first.exit_code == second.exit_code == 0
    assert len(list(tmp_path.glob("*.answers.yaml"))) == 2


def test_an_existing_answers_file_is_not_overwritten_without_asking(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kept", encoding="utf-8")
    result = _assess(tmp_path, FULL, "--answers", "a.yaml")
    assert result.exit_code == 2
    assert "already exists and was left as it is" in result.stderr
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "kept"


def test_resume_carries_on_at_the_first_unanswered(tmp_path: Path) -> None:
    stopped = _assess(tmp_path, [*FULL[: D + 2], "q"], "--answers", "a.yaml")
    assert stopped.exit_code == 130
    assert "Carry on with: " in stopped.stderr and stopped.stderr.rstrip().endswith(" assess --resume a.yaml")
    result = _assess(tmp_path, ["yes", "2", "2", "1", "3"], "--resume", "a.yaml")
    assert result.exit_code == 0, result.output
    assert "STR-2: Is there a pilot plan?" in result.stdout
    assert "STR-1: How was" not in result.stdout
    saved = load_answers_file(tmp_path / "a.yaml").model
    assert saved.answers["MGT-3"].value == 3 and "MGT-4" not in saved.answers


def test_review_needs_resume_and_bad_resume_file_is_located(tmp_path: Path) -> None:
    assert runner.invoke(app, ["assess", "--review"]).exit_code == 2
    (tmp_path / "bad.yaml").write_text("kind: answers\nanswers: {\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--resume", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "bad.yaml:3:1: MQ010" in result.stderr


def _wait_for(path: Path, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            try:
                if len(load_answers_file(path).model.answers) >= count:
                    return
            except Exception:  # an atomic write never shows a half file, but be patient anyway
                pass
        time.sleep(0.05)
    raise AssertionError(f"{path} never held {count} answers")


def test_sigkill_between_answers_loses_nothing_already_given(tmp_path: Path) -> None:
    answers = tmp_path / "k.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), "--answers", str(answers)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None
    try:
        for line in FULL[:D]:
            process.stdin.write(line + "\n")
        process.stdin.flush()
        for given, line in enumerate(FULL[D : D + 4], 1):
            process.stdin.write(line + "\n")
            process.stdin.flush()
            _wait_for(answers, given)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    saved = load_answers_file(answers).model
    assert [(k, v.value) for k, v in saved.answers.items()] == [
        ("situation", "first-time"),
        ("STR-1", 3),
        ("STR-2", True),
        ("STR-3", "some"),
    ]
    assert not list(tmp_path.glob(".k.yaml.*.tmp"))


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_save_and_exit_130(tmp_path: Path, signame: str) -> None:
    answers = tmp_path / "t.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), "--answers", str(answers)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write("\n".join(FULL[: D + 2]) + "\n")
    process.stdin.flush()
    _wait_for(answers, 2)
    process.send_signal(getattr(signal, signame))
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert f"-m maturity assess --resume {answers}" in stderr  # started as python -m maturity: said so
    assert list(load_answers_file(answers).model.answers) == ["situation", "STR-1"]


def test_real_terminal_back_ctrl_c_resume_and_report(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "110", "LINES": "40"}
    env.pop("ACCESSIBLE", None)
    answers = tmp_path / "p.yaml"
    command = [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), "--answers", str(answers)]
    child = pexpect.spawn(
        command[0], command[1:], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(40, 110)
    )
    for prompt, reply in (
        ("Organisation", "Example Council"),
        ("Service", "Parks"),
        ("assessor", "Ana"),
        ("report is for", "Cabinet"),
        ("marking", ""),
        ("option number", "1"),
        ("level number", "3"),
        ("yes or no", "b"),
    ):
        child.expect(prompt)
        child.sendline(reply)
    child.expect("Current answer: 3")  # back at STR-1, inside its panel
    child.expect("level number")
    child.sendline("4")
    child.expect("yes or no")
    child.sendline("yes")
    child.expect("option number")
    child.sendintr()  # Ctrl-C while STR-3 is being asked
    child.expect("maturity assess --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = load_answers_file(answers).model
    assert saved.answers["STR-1"].value == 4 and saved.answers["STR-2"].value is True and "STR-3" not in saved.answers

    child = pexpect.spawn(
        command[0],
        [*command[1:4], "-d", str(VALID), "--resume", str(answers)],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 110),
    )
    for prompt, reply in (("STR-3", "3"), ("number", "4"), ("separated by commas", "1,2,3"), ("level number", "3")):
        child.expect(prompt)
        child.sendline(reply)
    child.expect("Verdict: ")
    child.expect("Reports: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    report = answers.with_name("p.report.md").read_text(encoding="utf-8")
    assert report.startswith("**OFFICIAL**\n\n# Example Council: Parks\n")


def test_the_resume_line_is_quoted_and_runs_as_printed(tmp_path: Path) -> None:
    """A path with a space and a quote survives the shell, and the program is named so that the line runs even
    when `maturity` is not on PATH (here it was started as `python -m maturity`)."""
    import shlex

    name = "it's my answers.yaml"
    env = {**os.environ, "PATH": os.defpath}

    def run(argv: list[str], lines: list[str]) -> subprocess.CompletedProcess[str]:
        given = "\n".join(lines) + "\n"
        return subprocess.run(argv, input=given, capture_output=True, text=True, cwd=tmp_path, env=env, check=False)

    started = run(
        [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), "--answers", name],
        [*FULL[: D + 2], "q"],
    )
    assert started.returncode == 130, started.stderr
    line = started.stderr.strip().splitlines()[-1].split("Carry on with: ", 1)[1]
    argv = shlex.split(line)
    assert argv[-2:] == ["--resume", name]
    resumed = run([*argv, "-d", str(VALID)], FULL[D + 2 :])
    assert resumed.returncode == 0, resumed.stderr
    assert "Verdict:" in resumed.stdout


def test_a_misspelt_questionnaire_id_gets_a_suggestion(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "outsourcing-a-problm"])
    assert result.exit_code == 1
    assert "did you mean 'outsourcing-a-problem'?" in result.stderr


def test_answers_written_by_assess_carry_a_modeline_that_resolves(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result = _assess(tmp_path, FULL, "--answers", "m.yaml")
    assert result.exit_code == 0, result.output
    first = (tmp_path / "m.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=file://")
    from urllib.parse import unquote, urlparse

    schema_path = Path(unquote(urlparse(first.split("$schema=", 1)[1]).path))
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    data = load_answers_file(tmp_path / "m.yaml").document.data
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []


@pytest.mark.parametrize("on_path", [True, False])
def test_the_resume_line_names_the_script_by_its_path_when_it_is_not_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_path: bool
) -> None:
    import shlex

    from maturity.ui.assess import resume_command

    script = tmp_path / "my venv" / "bin" / "maturity"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "assess"])
    monkeypatch.setenv("PATH", str(script.parent) if on_path else os.defpath)
    line = resume_command(Path("a b.yaml"))
    expected = ["maturity"] if on_path else [str(script)]
    assert shlex.split(line) == [*expected, "assess", "--resume", "a b.yaml"]


# ----------------------------------------------------------------------------- parts, prefill, faults (issue 16, 17)


def test_stages_asks_only_those_parts_and_records_them(tmp_path: Path) -> None:
    result = _assess(tmp_path, [*DETAILS, "1", "3", "yes", "2"], "--stages", "STR")
    assert result.exit_code == 0, result.output
    (saved,) = tmp_path.glob("*.answers.yaml")
    assert saved.name.startswith("example-council-parks-demo-strategy-")
    model = load_answers_file(saved).model
    assert list(model.answers) == ["situation", "STR-1", "STR-2", "STR-3"]
    assert model.assessment.parts == ["strategy"]
    assert "MGT-1" not in result.stdout
    unknown = _assess(tmp_path, [], "--stages", "FIN,strategy")
    assert unknown.exit_code == 2
    assert "FIN names no stage or question of 'demo'. Stages: strategy (STR), manage (MGT)" in unknown.stderr


def test_prefill_starts_from_earlier_answers_and_records_what_became_of_them(tmp_path: Path) -> None:
    earlier = tmp_path / "last-year.yaml"
    assert _assess(tmp_path, FULL, "--answers", str(earlier)).exit_code == 0
    lines = ["", "", "Ben", "", "", "", "4", "", "", "", "", "3"]
    result = _assess(tmp_path, lines, "--prefill", str(earlier), "--answers", "now.yaml")
    assert result.exit_code == 0, result.output
    assert "Starting from the answers in" in result.stdout and "Earlier answer: 3 Appraised" in result.stdout
    model = load_answers_file(tmp_path / "now.yaml").model
    assert model.assessment.organisation == "Example Council" and model.assessment.assessor == "Ben"
    prefilled = model.assessment.prefilled
    assert prefilled is not None and prefilled.source == str(earlier)
    assert prefilled.changed == ["STR-1", "MGT-3"] and "STR-2" in prefilled.confirmed
    assert prefilled.left == ["MGT-4"]  # no longer asked (MGT-3 is now 3): carried over as it was
    assert model.answers["STR-1"].value == 4 and model.answers["STR-2"].answered_by == "Ben"


def test_prefill_refuses_answers_of_another_questionnaire(tmp_path: Path) -> None:
    from maturity.io.resources import bundled_dir

    other = next(sorted(bundled_dir("examples").glob("*.yaml")).__iter__())
    result = _assess(tmp_path, [], "--prefill", str(other))
    assert result.exit_code == 1 and "MQ603" in result.stderr and f"{other}:" in result.stderr


def test_resume_with_answers_asks_before_replacing_another_file(tmp_path: Path) -> None:
    assert _assess(tmp_path, [*FULL[: D + 2], "q"], "--answers", "a.yaml").exit_code == 130
    (tmp_path / "other.yaml").write_text("kept", encoding="utf-8")
    result = _assess(tmp_path, ["yes"], "--resume", "a.yaml", "--answers", "other.yaml")
    assert result.exit_code == 2 and "other.yaml already exists and was left as it is" in result.stderr
    assert (tmp_path / "other.yaml").read_text(encoding="utf-8") == "kept"


def test_a_failed_save_keeps_the_interview_going_and_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from maturity.ui import assess

    real = assess.write_atomic
    calls = {"n": 0}

    def full_disk(path: object, text: str) -> None:
        calls["n"] += 1
        if 3 <= calls["n"] <= 4:  # the disk is full for two saves, then space is freed
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, text)  # type: ignore[arg-type]

    monkeypatch.setattr(assess, "write_atomic", full_disk)
    result = _assess(tmp_path, FULL, "--answers", "a.yaml")
    assert result.exit_code == 0, result.output
    assert "Could not save your answers to a.yaml: No space left on device" in result.stdout
    assert "kept in memory" in result.stdout
    saved = load_answers_file(tmp_path / "a.yaml").model
    assert saved.answers["MGT-4"].value == "All fine" and saved.answers["STR-2"].value is True


def test_a_save_that_never_succeeds_leaves_a_copy_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    from maturity.ui import assess

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "rescue"))
    (tmp_path / "rescue").mkdir()
    real = assess.write_atomic

    def read_only(path: object, text: str) -> None:
        if "rescue" not in str(path):
            raise OSError(errno.EROFS, "Read-only file system")
        real(path, text)  # type: ignore[arg-type]

    monkeypatch.setattr(assess, "write_atomic", read_only)
    result = _assess(tmp_path, [*FULL[: D + 2], "q"], "--answers", "a.yaml")
    assert result.exit_code == 1
    assert "could not be saved" in result.stderr and "a copy is in" in result.stderr
    (copy,) = (tmp_path / "rescue").glob("maturity-unsaved-*")
    assert load_answers_file(copy).model.answers["STR-1"].value == 3


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["x" * 501, "Example Council", "Parks", "", "", "", "q"],
            "the organisation is 501 characters long; the limit is 500",
        ),
        (["Example Council", "Parks", "", "", "", "²", "1", "--3", "q"], "type a level number, 1 to 5"),
    ],
)
def test_odd_input_gets_a_message_never_a_traceback(tmp_path: Path, lines: list[str], message: str) -> None:
    result = _assess(tmp_path, lines, "--answers", "a.yaml")
    assert result.exit_code == 130, result.output
    assert message in result.stdout
    assert "Traceback" not in result.output


def test_a_closed_stdin_is_input_ended_not_a_crash(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), "--answers", "a.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert process.returncode == 1, process.stderr
    assert "Input ended" in process.stderr and "Traceback" not in process.stderr
