"""Nothing lost, nothing overwritten: every command's output goes through one path (maturity.io.output), which
refuses an output that is one of the inputs (however it is spelt), a folder where a file is meant, and turns
every failure to write into a located problem and a non-zero exit, leaving no empty or temporary file behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from maturity.cli import app
from maturity.io.loader import read_document
from maturity.io.output import file_output, folder_output
from maturity.model.problems import MaturityError, UsageError

from .hostile_support import GOOD, OTHER, leftovers, maturity, no_traceback, nobody_runner, shared_folder, small_disk

runner = CliRunner()


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """An answers file in JSON, whose name is also a report's (.json), so only its identity can protect it."""
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(read_document(GOOD).data, default=str), encoding="utf-8")
    return path


def _spelling(answers: Path, how: str) -> Path:
    """Another name for the same file."""
    if how == "same":
        return answers
    if how == "dotted":
        return answers.parent / "." / answers.name
    other = answers.parent / f"{how}-{answers.name}"
    if how == "symlink":
        other.symlink_to(answers)
    else:
        os.link(answers, other)
    return other


COMMANDS: list[tuple[str, Callable[[Path, Path], list[str]]]] = [
    ("report", lambda inp, out: ["report", str(inp), "--out", str(out)]),
    ("compare-new", lambda inp, out: ["compare", str(OTHER), str(inp), "--out", str(out)]),
    ("compare-old", lambda inp, out: ["compare", str(inp), str(OTHER), "--format", "json", "--out", str(out)]),
    ("compare-target", lambda inp, out: ["compare", str(OTHER), str(OTHER), "--target", str(inp), "--out", str(out)]),
    ("migrate", lambda inp, out: ["migrate", str(inp), "--out", str(out)]),
]


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink"])
@pytest.mark.parametrize(("command", "args"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_an_output_that_is_one_of_the_inputs_is_refused_however_it_is_spelt(
    answers: Path, how: str, command: str, args: Callable[[Path, Path], list[str]]
) -> None:
    before = answers.read_bytes()
    result = runner.invoke(app, args(answers, _spelling(answers, how)))
    assert result.exit_code == 2, result.output
    assert "MQ020" in result.stderr and "one of this command's inputs" in result.stderr
    assert answers.read_bytes() == before
    assert leftovers(answers.parent) == []


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink"])
def test_a_summary_over_an_answers_file_is_refused_and_the_file_kept(tmp_path: Path, how: str) -> None:
    """`score a.json b.json --summary a.json` used to say it left out a.json, then write the summary over it."""
    first = tmp_path / "a.json"
    first.write_text(
        '{"kind": "answers", "questionnaire": {"id": "outsourcing-lifecycle", "version": "2.0.0"}, '
        '"assessment": {"organisation": "O", "service": "S"}, "answers": {}}\n',
        encoding="utf-8",
    )
    before = first.read_bytes()
    summary = _spelling(first, how)
    result = runner.invoke(app, ["score", str(first), str(GOOD), "--summary", str(summary)])
    assert result.exit_code == 2, result.output
    assert "MQ020" in result.stderr and result.stdout == ""  # refused before anything was scored
    assert first.read_bytes() == before


@pytest.mark.parametrize(
    ("named", "args"),
    [
        ("a.result.json", ["score", "{a}", "{x}", "--out", "{dir}"]),
        ("a.report.json", ["score", "{a}", "{x}", "--out", "{dir}", "--report", "json"]),
        ("a.report.json", ["portfolio", "{a}", "{x}", "--out", "{dir}/p.md", "--reports", "{dir}"]),
        ("a.result.json", ["score", "{dir}", "--out", "{dir}"]),
    ],
)
def test_an_answers_file_named_as_a_result_is_an_input_and_never_written_over(
    tmp_path: Path, answers: Path, named: str, args: list[str]
) -> None:
    """An answers file in JSON called a.result.json (or a.report.json) in the results folder was taken for an
    earlier run's output: left out without a word, then replaced by a.yaml's result."""
    first = tmp_path / "a.yaml"
    first.write_bytes(GOOD.read_bytes())
    other = tmp_path / named
    other.write_bytes(answers.read_bytes())
    before = other.read_bytes()
    result = runner.invoke(app, [a.format(a=first, x=other, dir=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert f"{other}: MQ020" in result.stderr, result.stderr
    assert other.read_bytes() == before


def test_a_summary_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "notes.csv"
    mine.write_text("my own spreadsheet\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(GOOD), "--summary", str(mine)])
    assert result.exit_code == 2 and "not a summary an earlier run wrote" in result.stderr
    assert mine.read_text(encoding="utf-8") == "my own spreadsheet\n"
    again = tmp_path / "s.csv"
    assert runner.invoke(app, ["score", str(GOOD), "--summary", str(again)]).exit_code == 0
    assert runner.invoke(app, ["score", str(GOOD), "--summary", str(again)]).exit_code == 0  # its own: replaced


def test_standard_output_redirected_into_an_input_is_refused(answers: Path) -> None:
    before = answers.read_bytes()
    with open(answers, "a", encoding="utf-8") as appended:  # as `maturity report a.yaml >> a.yaml`
        result = maturity("report", answers, stdout=appended, stderr=subprocess.PIPE)
    assert result.returncode == 2 and "MQ020" in result.stderr
    assert answers.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "{good}", "--out", "{tmp}/folder.md"], "this is a folder"),
        (["report", "{good}", "--format", "md", "--out", "."], "this is a folder"),
        (["compare", "{good}", "{other}", "--out", "{tmp}/folder.md"], "this is a folder"),
        (["score", "{good}", "--summary", "{tmp}/folder.csv"], "this is a folder"),
        (["score", "{good}", "--out", "{tmp}/file.txt"], "this is a file"),
        (["schema", "--out", "{tmp}/file.txt"], "this is a file"),
        (["report", "{good}", "--out", "{tmp}/file.txt/report.md"], "is a file, so it cannot hold"),
        (["schema", "--out", "{tmp}/file.txt/schemas"], "a part of this path is a file"),
    ],
)
def test_a_folder_where_a_file_is_meant_and_the_reverse_are_refused(
    tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "file.txt").write_text("keep me\n", encoding="utf-8")
    filled = [a.format(tmp=tmp_path, good=GOOD, other=OTHER) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert "MQ021" in result.stderr and message in result.stderr
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "keep me\n"
    assert leftovers(tmp_path) == []


def test_missing_folders_are_created_and_named(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "report.md"
    result = runner.invoke(app, ["report", str(GOOD), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"created the folder {tmp_path / 'new'}" in result.stderr
    assert f"created the folder {tmp_path / 'new' / 'deeper'}" in result.stderr
    assert "# Kestrel Vale Borough Council" in out.read_text(encoding="utf-8")
    schemas = tmp_path / "schemas" / "v1"
    assert runner.invoke(app, ["schema", "--out", str(schemas)]).exit_code == 0
    assert sorted(p.name for p in schemas.iterdir()) == [
        "answers.schema.json",
        "questionnaire.schema.json",
        "rule_cases.schema.json",
        "scoring_rules.schema.json",
        "validate_output.schema.json",
    ]


def test_a_link_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert runner.invoke(app, ["report", str(GOOD), "--out", str(link)]).exit_code == 0
    assert link.is_symlink() and "# Kestrel Vale Borough Council" in real.read_text(encoding="utf-8")


def test_devices_and_pipes_are_written_in_place(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(GOOD), "--format", "md", "--out", os.devnull])
    assert result.exit_code == 0 and Path(os.devnull).exists() and not Path(os.devnull).is_file()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    start = time.monotonic()
    lonely = maturity("report", GOOD, "--format", "md", "--out", pipe, timeout=60)  # nobody reads it: no wait
    assert lonely.returncode == 1 and "MQ022" in lonely.stderr and "no program is reading" in lonely.stderr
    no_traceback(lonely)
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE)
    time.sleep(0.2)
    read = maturity("report", GOOD, "--format", "md", "--out", pipe, timeout=60)
    text, _ = reader.communicate(timeout=60)
    assert read.returncode == 0, read.stderr
    assert "# Kestrel Vale Borough Council" in text.decode() and time.monotonic() - start < 120


# --------------------------------------------------------------------------------------- standard output


STDOUT_COMMANDS = [
    ["validate"],
    ["validate", "--format", "json"],
    ["schema", "answers"],
    ["report", str(GOOD)],
    ["report", str(GOOD), "--format", "html"],
    ["compare", str(GOOD), str(OTHER)],
    ["score", str(GOOD), str(OTHER)],
    ["score", str(GOOD), "--explain"],
    ["score", str(GOOD), "--format", "json"],
    ["test"],
]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", STDOUT_COMMANDS, ids=[" ".join(a[:2]) for a in STDOUT_COMMANDS])
def test_standard_output_on_a_full_device_is_a_problem_not_a_traceback(args: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = maturity(*args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1, result.stderr
    assert "<stdout>: MQ022 error:" in result.stderr and "full" in result.stderr
    no_traceback(result)
    assert "Exception ignored" not in result.stderr


@pytest.mark.parametrize(
    "args", [["report", str(GOOD), "--format", "html"], ["schema", "scoring_rules"]], ids=["report", "schema"]
)
def test_a_reader_that_goes_away_is_a_problem_not_a_traceback(args: list[str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "maturity", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before a byte is read: the output (over 64 KiB, a pipe's buffer) cannot all go
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 1, errors
    assert "MQ022" in errors and "broken pipe" in errors and "Traceback" not in errors


# ------------------------------------------------------------------------------------------ the library


def test_the_checks_come_before_any_work_and_name_the_problem(tmp_path: Path, answers: Path) -> None:
    with pytest.raises(UsageError) as caught:
        file_output(answers, [answers])
    [problem] = caught.value.problems
    assert (problem.code, problem.file) == ("MQ020", str(answers))
    target = file_output(tmp_path / "a" / "b" / "r.md", [answers])
    assert not (tmp_path / "a").exists()  # nothing is made until it is written
    target.write("text\x1b[2J with an escape\n")
    assert (tmp_path / "a" / "b" / "r.md").read_text(encoding="utf-8") == "text with an escape\n"
    assert target.created == [tmp_path / "a", tmp_path / "a" / "b"]
    with pytest.raises(UsageError):
        folder_output(answers)
    gone = tmp_path / "gone"
    gone.mkdir()
    later = file_output(gone / "r.md")
    gone.rmdir()  # the folder went away between the check and the write
    later.missing = []
    with pytest.raises(MaturityError) as failed:
        later.write("text")
    assert failed.value.problems[0].code == "MQ022" and "does not exist" in failed.value.problems[0].message


# ------------------------------------------------------------------------- as a user who may not write there


@pytest.fixture
def as_nobody() -> Iterator[Any]:
    with nobody_runner() as run:
        yield run


@pytest.fixture
def shared() -> Iterator[Path]:
    with shared_folder() as folder:
        locked = folder / "locked"  # root's, and closed to others
        locked.mkdir(mode=0o755)
        (folder / "open").mkdir(mode=0o777)
        (folder / "open").chmod(0o777)
        (folder / "answers.yaml").write_bytes(GOOD.read_bytes())
        (folder / "answers.yaml").chmod(0o644)
        (folder / "theirs.md").write_text("root's report\n", encoding="utf-8")
        (folder / "theirs.md").chmod(0o644)
        (folder / "secret.yaml").write_bytes(GOOD.read_bytes())
        (folder / "secret.yaml").chmod(0o600)
        yield folder


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "answers.yaml", "--out", "locked/r.md"], "permission denied"),
        (["report", "answers.yaml", "--out", "locked/new/r.md"], "permission denied"),
        (["report", "answers.yaml", "--out", "theirs.md"], "read-only"),
        (["compare", "answers.yaml", "answers.yaml", "--out", "locked/c.md"], "permission denied"),
        (["schema", "--out", "locked/schemas"], "permission denied"),
        (["schema", "--out", "locked"], "permission denied"),
        (["score", "answers.yaml", "--summary", "locked/s.csv"], "permission denied"),
        (["score", "answers.yaml", "--out", "locked/results"], "permission denied"),
        (["assess", "--plain", "--answers", "locked/mine.answers.yaml"], "permission denied"),
    ],
)
def test_an_unprivileged_user_gets_a_located_problem_and_nothing_is_left(
    as_nobody: Any, shared: Path, args: list[str], message: str
) -> None:
    result = as_nobody(*args, cwd=shared)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert message in result.stderr and ("MQ022" in result.stderr or "MQ001" in result.stderr)
    no_traceback(result)
    assert result.stdout == ""  # refused before any work
    assert list((shared / "locked").iterdir()) == [] and leftovers(shared) == []
    assert (shared / "theirs.md").read_text(encoding="utf-8") == "root's report\n"


def test_an_input_the_user_may_not_read_is_a_located_problem(as_nobody: Any, shared: Path) -> None:
    result = as_nobody("score", "secret.yaml", cwd=shared)
    assert (
        result.returncode == 1 and "secret.yaml: MQ001 error: cannot read the file: Permission denied" in result.stderr
    )
    no_traceback(result)


def test_an_unprivileged_user_writes_where_allowed(as_nobody: Any, shared: Path) -> None:
    result = as_nobody("report", "answers.yaml", "--out", "open/sub/r.html", cwd=shared)
    assert result.returncode == 0, result.stderr
    assert (shared / "open" / "sub" / "r.html").stat().st_uid != 0


# ----------------------------------------------------------------------------------------------- a full disk


@pytest.fixture
def full(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path) as folder:
        yield folder


def test_a_full_disk_keeps_the_old_report_and_leaves_nothing_behind(full: Path) -> None:
    old = full / "report.html"
    old.write_text("yesterday's report\n", encoding="utf-8")
    result = maturity("report", GOOD, "--out", old)
    assert result.returncode == 1, result.stderr
    assert f"{old}: MQ022 error: the disk is full" in result.stderr
    no_traceback(result)
    assert old.read_text(encoding="utf-8") == "yesterday's report\n"
    assert sorted(p.name for p in full.iterdir()) == ["filler", "report.html"]


def test_a_full_disk_under_schema_leaves_no_empty_file(full: Path) -> None:
    result = maturity("schema", "--out", full / "schemas")
    assert result.returncode == 1 and "the disk is full" in result.stderr
    no_traceback(result)
    for written in (full / "schemas").glob("*"):
        assert written.stat().st_size > 0 and not written.name.startswith(".")


def test_a_full_disk_under_a_batch_keeps_the_old_summary(full: Path, tmp_path: Path) -> None:
    summary = full / "s.csv"
    summary.write_bytes(b"file,status,\r\n")
    files = []
    for i in range(60):
        copy = tmp_path / f"a{i:02d}.yaml"
        copy.write_bytes(GOOD.read_bytes())
        files.append(copy)
    result = maturity("score", *files, "--summary", summary)
    assert result.returncode == 1 and "the disk is full" in result.stderr
    no_traceback(result)
    assert summary.read_bytes() == b"file,status,\r\n"
    assert leftovers(full) == []
    results = maturity("score", *files[:5], "--out", full / "results", "--summary", tmp_path / "s.json")
    assert results.returncode == 1 and "MQ022" in results.stderr  # rows failed: the disk is full
    no_traceback(results)
    assert leftovers(full) == [] and (tmp_path / "s.json").exists()
