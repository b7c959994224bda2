"""`maturity assess` end to end: scripted input, a real pseudo-terminal with Ctrl-C and resume, and SIGKILL."""

from __future__ import annotations

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
FULL = ["Example Council", "Parks", "Ana", "1", "3", "yes", "2", "2", "1,2", "1", "All fine"]


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
    answers = tmp_path / "example-council-parks-{}.answers.yaml".format(time.strftime("%Y-%m-%d"))
    assert answers.is_file()
    model = load_answers_file(answers).model
    assert model.answers["MGT-4"].value == "All fine" and model.answers["STR-1"].value == 3
    assert model.questionnaire.digest and model.questionnaire.digest.startswith("sha256:")
    lines = result.stdout.splitlines()
    verdict = next(i for i, line in enumerate(lines) if line.startswith("Verdict:"))
    assert lines[verdict] == "Verdict: AT RISK (amber): Outsourcing a problem"
    assert lines[verdict + 1].startswith("Overall maturity: level 3 Defined")
    assert "Reports:" in result.stdout
    assert answers.with_name(answers.name.replace(".answers.yaml", ".report.html")).is_file()


def test_missing_answer_in_a_script_is_an_error_and_keeps_what_was_given(tmp_path: Path) -> None:
    result = _assess(tmp_path, FULL[:6], "--answers", "a.yaml")
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
    stopped = _assess(tmp_path, [*FULL[:5], "q"], "--answers", "a.yaml")
    assert stopped.exit_code == 130
    assert "Carry on with: maturity assess --resume a.yaml" in stopped.stderr
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
        for line in FULL[:3]:
            process.stdin.write(line + "\n")
        process.stdin.flush()
        for given, line in enumerate(FULL[3:7], 1):
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
    process.stdin.write("\n".join(FULL[:5]) + "\n")
    process.stdin.flush()
    _wait_for(answers, 2)
    process.send_signal(getattr(signal, signame))
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert f"maturity assess --resume {answers}" in stderr
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
    assert report.startswith("# Demo readiness check: Example Council, Parks")
