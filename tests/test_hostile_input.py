"""Hostile input: special files are refused before they are opened, every fault has a line and a column (from
the byte offset when the parser gives no more), and locating problems costs time linear in the file, however
many problems there are, with a file's list capped at 100 and the rest counted."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.batch import score_file
from maturity.app.catalogue import Catalogue
from maturity.cli import app
from maturity.io.loader import parse_text, read_document
from maturity.model.problems import MAX_PROBLEMS_PER_FILE, DefinitionError

from .conftest import FIXTURES
from .hostile_support import GOOD, maturity, no_traceback

runner = CliRunner()
VALID = FIXTURES / "valid"
# the version of the bundled questionnaire the examples answer (answers to an older one would be carried forward)
VERSION = re.search(r"questionnaire: \{id: outsourcing-lifecycle, version: ([0-9.]+)\}", GOOD.read_text())[1]  # type: ignore[index]
HEAD = (
    f"kind: answers\nquestionnaire: {{id: outsourcing-lifecycle, version: {VERSION}}}\n"
    "assessment: {organisation: O, service: S}\nanswers:\n"
)


# ----------------------------------------------------------------------------------------------- special files


def _special(kind: str, folder: Path) -> Path:
    """A named pipe, a socket or a character device, under a name every command would take for a definition."""
    path = folder / f"special-{kind}.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()  # the socket file stays
    else:
        path.symlink_to("/dev/zero")  # endless: reading it would never end either
    return path


SPECIAL_COMMANDS = [
    ("fifo", ["report", "{x}"]),
    ("fifo", ["compare", "{x}", str(GOOD)]),
    ("fifo", ["compare", str(GOOD), str(GOOD), "--target", "{x}"]),
    ("fifo", ["score", "{x}"]),
    ("fifo", ["score", "{dir}"]),
    ("fifo", ["validate", "{x}"]),
    ("fifo", ["validate", "{dir}"]),
    ("fifo", ["test", "{x}"]),
    ("fifo", ["assess", "--resume", "{x}", "--plain"]),
    ("fifo", ["assess", "{x}", "--plain"]),
    ("fifo", ["score", str(GOOD), "--definitions", "{dir}"]),
    ("fifo", ["migrate", "{x}"]),
    ("socket", ["report", "{x}"]),
    ("socket", ["score", "{dir}"]),
    ("device", ["validate", "{x}"]),
    ("device", ["score", "{dir}"]),
    ("fifo", ["score", str(GOOD), "--config", "{x}"]),
    ("device", ["validate", str(GOOD), "--config", "{x}"]),
]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="named pipes, sockets and devices as POSIX has them")
@pytest.mark.parametrize(
    ("kind", "args"), SPECIAL_COMMANDS, ids=[f"{k} {' '.join(a[:2])}" for k, a in SPECIAL_COMMANDS]
)
def test_a_special_file_is_refused_at_once_with_a_reason(tmp_path: Path, kind: str, args: list[str]) -> None:
    special = _special(kind, tmp_path)
    filled = [a.format(x=special, dir=special.parent) for a in args]
    with open(os.devnull, encoding="utf-8") as nothing:
        result = maturity(*filled, timeout=60, stdin=nothing)  # a read that blocked would time out here
    no_traceback(result)
    said = result.stdout + result.stderr  # validate and test report problems on stdout, the rest on stderr
    assert "MQ006" in said, said
    assert "not a file" in said and str(special) in said
    if "--definitions" not in args:  # a definition folder's unusable file is a warning; everything else fails
        assert result.returncode != 0


# ---------------------------------------------------------------------------------------- line and column


@pytest.mark.parametrize(
    ("name", "content", "code", "line", "column"),
    [
        ("escape.yaml", b'kind: answers\nnote: "a \x1b[2J b"\n', "MQ010", 2, 10),
        ("bell.yaml", "kind: answers\nnote: café \x07\n".encode(), "MQ010", 2, 12),
        ("c1.yaml", "kind: answers\nnote: a\u009bb\n".encode(), "MQ010", 2, 8),
        ("late-nul.yaml", b"kind: answers\n" + b"# padding\n" * 1000 + b"note: a\x00b\n", "MQ004", 1002, 8),
        ("early-nul.yaml", b"kind: answers\n\x00\n", "MQ004", 2, 1),
        ("latin-1.yaml", "kind: answers\nnote: déjà\n".encode("latin-1"), "MQ003", 2, 8),
        # a byte-order mark of UTF-16 or UTF-32 says which encoding it is, rather than "binary data"
        ("utf-16.yaml", "kind: answers\n".encode("utf-16"), "MQ004", 1, 1),
        ("utf-16be.json", b"\xfe\xff" + '{"kind": "answers"}'.encode("utf-16-be"), "MQ004", 1, 1),
        ("utf-32.json", '{"kind": "answers"}'.encode("utf-32"), "MQ004", 1, 1),
    ],
)
def test_faults_the_parser_cannot_place_get_a_line_and_column(
    tmp_path: Path, name: str, content: bytes, code: str, line: int, column: int
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DefinitionError) as caught:
        read_document(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == (code, line, column), str(problem)


@pytest.mark.parametrize(
    ("spelt", "where"),
    [
        ('"organisation": "K\\ud800V", "service": "S"', "assessment.organisation"),
        ('"organisation": "O", "service": "\\udfff"', "assessment.service"),
        ('"organisation": "O", "service": "S", "notes": "a \\udbff b"', "assessment.notes"),
    ],
)
def test_half_a_surrogate_pair_in_json_is_named_in_plain_words_where_written(
    tmp_path: Path, spelt: str, where: str
) -> None:
    """It was pydantic's 'Input should be a valid string, unable to parse raw data as a unicode string'."""
    text = (
        '{"kind": "answers",\n"questionnaire": {"id": "demo", "version": "1.2.0"},\n'
        f'"assessment": {{{spelt}}},\n"answers": {{}}}}\n'
    )
    path = tmp_path / "half.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), "-d", str(VALID)])
    assert result.exit_code == 1, result.output
    assert f"{path}:3:" in result.stderr and "MQ104" in result.stderr, result.stderr
    assert f"{where} holds half of a UTF-16 surrogate pair" in result.stderr, result.stderr


def test_a_c1_character_pasted_into_json_still_locates_its_schema_problem(tmp_path: Path) -> None:
    data = {
        "kind": "answers",
        "questionnaire": {"id": "demo", "version": "1.2.0"},
        "assessment": {"organisation": "Acme\u009b\u202e", "service": "S", "unknown": 1},
        "answers": {},
    }
    path = tmp_path / "c1.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    outcome = score_file(path, Catalogue.from_folders([VALID]))
    [problem] = outcome.problems
    assert (problem.code, problem.line, problem.column) == ("MQ101", 10, 5), str(problem)


def test_resume_of_answers_for_a_missing_version_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "old.answers.yaml"
    text = GOOD.read_text(encoding="utf-8").replace(f"version: {VERSION}}}", "version: 0.0.9}")
    path.write_text(text, encoding="utf-8")
    resumed = runner.invoke(app, ["assess", "--resume", str(path), "--plain"], input="")
    scored = runner.invoke(app, ["score", str(path)])
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "version: 0.0.9" in t)
    where = f"{path}:{line}:44: MQ603"
    assert where in resumed.stderr and where in scored.stderr


# -------------------------------------------------------------------------------------------- linear time


def _unknown_ids(count: int) -> str:
    return HEAD + "".join(f"  X-{i}: 3\n" for i in range(count))


def test_a_file_of_many_unknown_ids_lists_the_first_hundred_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(_unknown_ids(50_000), encoding="utf-8")
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if ": MQ6" in line or ": MQ009" in line]
    assert len(lines) == MAX_PROBLEMS_PER_FILE + 1
    assert lines[0] == f"{path}:5:3: MQ601 error: there is no question 'X-0' in 'outsourcing-lifecycle'"
    assert lines[-1].startswith(f"{path}:105:3: MQ009 error: 49,900 more problems in this file are not listed")
    validated = runner.invoke(app, ["validate", str(path)])
    assert "50000 errors, 0 warnings in 1 file" in validated.stderr  # the count still counts them all
    assert len(validated.stdout.splitlines()) == MAX_PROBLEMS_PER_FILE + 1
    summary = tmp_path / "s.csv"
    runner.invoke(app, ["score", str(path), "--summary", str(summary)])
    row = summary.read_text(encoding="utf-8").splitlines()[1]
    assert "line 5, column 3: there is no question 'X-0' in 'outsourcing-lifecycle' (and 49,999 more)" in row


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_locating_reads_the_file_a_bounded_number_of_times_however_many_problems(suffix: str) -> None:
    """Behaviour, not a stopwatch: asked for 20,000 locations one by one, the locator reads the text at most
    PASSES_BEFORE_ALL + 1 times (after a few partial passes it records every path in one full pass)."""
    count = 20_000
    if suffix == ".json":
        text = json.dumps({"kind": "answers", "answers": {f"X-{i}": {"value": i} for i in range(count)}}, indent=1)
    else:
        text = "kind: answers\nanswers:\n" + "".join(f"  X-{i}: {{value: {i}}}\n" for i in range(count))
    document = parse_text(text, f"many{suffix}")
    locator = document.locator
    places = [document.locate(("answers", f"X-{i}", "value")) for i in reversed(range(count))]
    assert locator.passes <= locator.PASSES_BEFORE_ALL + 1  # type: ignore[attr-defined]
    first = places[-1]
    assert first == ((5, 4) if suffix == ".json" else (3, 9))
    assert len(set(places)) == count  # each in its own place
    assert document.locate_many([("answers", "X-5"), ("answers", "nope", "deeper")])[1] == document.locate(("answers",))


def test_problems_asked_for_together_cost_one_early_stopping_pass() -> None:
    text = "kind: answers\nanswers:\n" + "".join(f"  X-{i}: 1\n" for i in range(100_000))
    document = parse_text(text, "big.yaml")
    assert document.locate_many([("answers", "X-0"), ("answers", "X-1")]) == [(3, 3), (4, 3)]
    assert document.locator.passes == 1  # type: ignore[attr-defined]
    assert len(document.locator.found) < 10  # type: ignore[attr-defined]  # it stopped once it had them


# ------------------------------------------------------------------------------------- standard input closed


@pytest.mark.skipif(os.name != "posix", reason="a process started with its standard input closed, as POSIX has it")
@pytest.mark.parametrize(
    "args", [["validate", "-"], ["report", "-"], ["score", "-"], ["report", "-", "--format", "json"]]
)
def test_a_closed_standard_input_is_a_located_problem(args: list[str]) -> None:
    """`maturity report - <&-` was an AttributeError traceback (standard input is None in such a process)."""
    result = maturity(*args, preexec_fn=lambda: os.close(0))
    no_traceback(result)
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "<stdin>: MQ001 error: cannot read standard input: standard input is closed" in said, said
