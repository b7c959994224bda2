"""A property-based fuzz test: the bundled answers files and definitions, mutated at random (bytes, lines and
values), go through validate, score, report and compare, and each either succeeds or says what is wrong and
where, never with a traceback, and within a time bound per file (hypothesis deadlines).

The suite tries a few dozen mutations; MATURITY_FUZZ_EXAMPLES=500 tries more, for a deeper search."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from maturity.cli import app
from maturity.io.loader import dump_yaml, parse_text

from .conftest import ROOT

runner = CliRunner()
ANSWERS = sorted((ROOT / "examples").glob("*.yaml"))
DEFINITIONS = sorted([*(ROOT / "questionnaires").glob("*.yaml"), *(ROOT / "scoring_rules").glob("*.yaml")])
# A problem line: FILE:LINE:COL: CODE severity: message, or, for a fault of the whole file, FILE: CODE ...
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): (?P<code>MQ\d{3}) (error|warning): ")
WHOLE_FILE = re.compile(r"^(?P<file>.+?): (?P<code>MQ\d{3}) (error|warning): ")
# faults that belong to a whole file, not a place in it: it cannot be read, is too large or empty, is no file,
# names a questionnaire or rules that cannot be found, hides another definition, or (compare) answers another
# questionnaire than the file it is compared with
WHOLE_FILE_CODES = {"MQ001", "MQ002", "MQ005", "MQ006", "MQ311", "MQ503", "MQ603"}
# per example, for all the commands run on it: a few seconds here, so only a hang or a blow-up (a cost that grows
# with the square of the file) could reach it
TIME_BOUND = dt.timedelta(seconds=60)

# Characters and fragments that break parsers, escape output or start trouble.
NASTY = [
    "\x00",
    "\x1b[2J",
    "\x1b]0;t\x07",
    "\x9b",
    "\u202e",
    "\u2066",
    "\r",
    "\n",
    "\t",
    "\ufeff",
    "\ud800",
    ":",
    "- ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "<<: ",
    "---\n",
    "...",
    "'",
    '"',
    "#",
    "%YAML 1.1\n",
    ".nan",
    ".inf",
    "-.inf",
    "1e400",
    "9" * 5000,
    "0x",
    "~",
    "yes",
    "No",
    "=1+1",
    "{{ 7*7 }}",
    "<script>",
    "é",
    "\U0001f600",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.text(alphabet=st.sampled_from([*NASTY, "x", " "]), max_size=20),
    st.just("N" * 30_000),
)


def _walk(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the data (mapping keys and list indexes), the top level first."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _walk(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _walk(value, (*path, i))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@st.composite
def mutated(draw: st.DrawFn, source: Path) -> tuple[str, str]:
    """(file name, text): the file changed at random, a few times over, in its text or in its data."""
    text = source.read_text(encoding="utf-8")
    name = source.name
    if draw(st.booleans()):  # as data: a value replaced, removed, or wrapped, then written as YAML or JSON
        data = parse_text(text, name).data
        paths = _walk(data)
        for _ in range(draw(st.integers(1, 4))):
            path = draw(st.sampled_from(paths))
            how = draw(st.sampled_from(["value", "delete", "list", "mapping", "key"]))
            try:
                if how == "delete" and path:
                    data = _set(data, path, None, delete=True)
                elif how == "list":
                    data = _set(data, path, [draw(SCALARS)], delete=False)
                elif how == "mapping":
                    data = _set(data, path, {draw(st.text(max_size=8)): draw(SCALARS)}, delete=False)
                elif how == "key" and path:
                    parent = data
                    for part in path[:-1]:
                        parent = parent[part]
                    if isinstance(parent, dict):
                        parent[draw(st.sampled_from([*NASTY, "levles", "X-999", "kind"]))] = draw(SCALARS)
                else:
                    data = _set(data, path, draw(SCALARS), delete=False)
            except (KeyError, IndexError, TypeError):
                continue  # the path went away with an earlier change
            paths = _walk(data)
        if draw(st.booleans()):
            return source.stem + ".json", json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True)
        try:
            return name, dump_yaml(data)
        except Exception:  # what the YAML writer cannot write (a lone surrogate) is written as JSON
            return source.stem + ".json", json.dumps(data)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):  # as text: characters in, lines out, lines moved or repeated
        how = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "truncate", "indent"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [draw(st.sampled_from(NASTY))]
        elif how == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(NASTY)) + lines[i][at:]
        elif how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "truncate":
            lines = lines[:i]
        else:
            lines[i] = draw(st.sampled_from([" ", "\t", "    "])) + lines[i]
    return name, "".join(lines)


_counter = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Imports, the bundled catalogue and the templates, loaded once before the clock of any example starts."""
    runner.invoke(app, ["report", str(ANSWERS[0]), "--format", "html"])
    runner.invoke(app, ["compare", str(ANSWERS[0]), str(ANSWERS[0])])


def _fresh(tmp_path: Path) -> Path:
    """A folder of its own for each example (catalogues are cached by folder)."""
    folder = tmp_path / f"example-{next(_counter)}"
    folder.mkdir()
    return folder


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # lone surrogates reach the file as bad UTF-8
    return path


def _check(result: Result, command: list[str]) -> None:
    """Success, or problems that say where they are; never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, (command, output[-2000:])
    assert result.exit_code in (0, 1, 2), (command, result.exit_code, output[-2000:])
    if result.exit_code == 0:
        return
    problems = [line for line in output.splitlines() if re.search(r"\bMQ\d{3} (error|warning):", line)]
    assert problems or "Usage:" in output, (command, output[-2000:])  # an exit of 1 always says why
    for line in problems:
        line = line.removeprefix("ERROR ").removeprefix("  ! ")
        located = LOCATED.match(line)
        if located is None:
            whole = WHOLE_FILE.match(line)
            assert whole is not None and whole["code"] in WHOLE_FILE_CODES, (command, line)


EXAMPLES = int(os.environ.get("MATURITY_FUZZ_EXAMPLES", "20"))
SLOW = settings(
    deadline=TIME_BOUND,
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    derandomize=False,
)


@SLOW
@given(data=st.data(), source=st.sampled_from(ANSWERS))
def test_a_mutated_answers_file_is_scored_reported_and_compared_or_located(
    tmp_path: Path, data: st.DataObject, source: Path
) -> None:
    name, text = data.draw(mutated(source))
    path = _write(_fresh(tmp_path), name, text)
    explain = data.draw(st.booleans())
    for command in (
        ["validate", str(path)],
        ["score", str(path), *(["--explain"] if explain else ["--summary", str(path.parent / "summary.csv")])],
        ["report", str(path), "--format", data.draw(st.sampled_from(["terminal", "md", "html", "json"]))],
        ["compare", str(source), str(path), "--format", data.draw(st.sampled_from(["terminal", "json"]))],
    ):
        _check(runner.invoke(app, command), command)


@settings(SLOW, max_examples=max(EXAMPLES * 3 // 5, 1))
@given(data=st.data(), source=st.sampled_from(DEFINITIONS))
def test_mutated_definitions_are_validated_and_used_or_located(
    tmp_path: Path, data: st.DataObject, source: Path
) -> None:
    folder = _fresh(tmp_path)
    name, text = data.draw(mutated(source))
    for definition in DEFINITIONS:  # the set of bundled definitions, one of them mutated
        if definition != source:
            (folder / definition.name).write_bytes(definition.read_bytes())
    _write(folder, name, text)
    answers = str(ROOT / "examples" / data.draw(st.sampled_from([a.name for a in ANSWERS])))
    for command in (
        ["validate", str(folder)],
        ["score", answers, "--definitions", str(folder)],
        ["report", answers, "--format", "md", "--definitions", str(folder)],
    ):
        _check(runner.invoke(app, command), command)
