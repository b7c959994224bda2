"""The interview in a real pseudo-terminal (pexpect), one test per fix of issue 16: a stable progress total with
the context said up front, a note that leaves the answer alone, answers shown by their labels, notes in --review,
a resume that says where it carries on and why, the don't knows and skips offered at the end, and default file
names that carry the questionnaire. Each step waits for its prompt; the timeouts are generous (coverage is slow).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from maturity.io.loader import load_answers_file

from .conftest import FIXTURES

pexpect = pytest.importorskip("pexpect")

VALID = FIXTURES / "valid"
QUESTIONNAIRE = str(VALID / "demo.questionnaire.yaml")
DETAILS = (
    ("Organisation", "Example Council"),
    ("Service", "Parks"),
    ("assessor", "Ana"),
    ("report is for", ""),
    ("marking", ""),
)


def _spawn(tmp_path: Path, *args: str) -> Any:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "110", "LINES": "40"}
    env.pop("ACCESSIBLE", None)
    command = [sys.executable, "-m", "maturity", "assess", QUESTIONNAIRE, "-d", str(VALID), *args]
    return pexpect.spawn(
        command[0], command[1:], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(40, 110)
    )


def _words(text: str) -> str:
    """A pattern for `text` that allows the terminal to wrap it at any space."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _steps(child: Any, steps: tuple[tuple[str, str], ...]) -> None:
    for prompt, reply in steps:
        child.expect(prompt)
        child.sendline(reply)


def _end(child: Any) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


def test_progress_total_stays_put_and_the_context_is_said_first(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--answers", "a.yaml")
    _steps(child, DETAILS)
    child.expect(
        _words("First, 1 question about the situation; your answers decide which of the questions in the 2 stages")
    )
    child.expect("option number")
    child.sendline("1")
    totals = []
    for prompt, reply in (
        ("level number", "3"),
        ("yes or no", "yes"),
        ("option number", "2"),
        ("a number", "2"),
        ("separated by commas", "1"),
        ("level number", "1"),
    ):
        child.expect(r"(\d+) of (\d+) answered")
        totals.append(int(child.match.group(2)))
        child.expect(prompt)
        child.sendline(reply)
    # MGT-4 is asked only when MGT-3 is at most 1: it was counted from the start, so the total never moved
    assert totals == [7] * 6
    child.expect("answer")
    child.sendline("Nothing more")
    child.expect("Verdict: ")
    assert _end(child) == 0


def test_a_note_before_answering_leaves_the_answer_alone_and_answers_show_their_labels(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--answers", "a.yaml")
    _steps(child, (*DETAILS, ("option number", "1")))
    child.expect("level number")
    child.sendline("e")
    child.expect("Note")
    child.sendline("Options paper to cabinet in June")
    child.expect("Note: Options paper to cabinet in June")
    child.expect("level number")
    assert "Current answer" not in child.before
    child.sendline("")  # Enter has no answer to keep: the question is still open
    child.expect("Not accepted: type an answer")
    child.sendline("3")
    child.expect("yes or no")
    child.sendline("b")
    child.expect("Current answer: 3 Appraised")  # by its label, not a bare number
    child.expect("level number")
    child.sendline("")
    child.expect("yes or no")
    child.sendline("q")
    assert _end(child) == 130
    saved = load_answers_file(tmp_path / "a.yaml").model.answers
    assert saved["STR-1"].value == 3 and saved["STR-1"].note == "Options paper to cabinet in June"
    assert saved["situation"].value == "first-time" and "STR-2" not in saved

    child = _spawn(tmp_path, "--resume", "a.yaml", "--review")
    child.expect("Current answer: First-time outsourcing")
    child.sendline("")
    child.expect("Note: Options paper to cabinet in June")  # --review shows the notes already given
    child.expect("level number")
    child.sendline("q")
    assert _end(child) == 130


def test_resume_says_where_it_carries_on_and_offers_the_place_you_stopped(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--answers", "a.yaml")
    _steps(child, (*DETAILS, ("option number", "1"), ("level number", "s"), ("yes or no", "yes")))
    _steps(child, (("option number", "2"), ("a number", "q")))
    assert _end(child) == 130

    child = _spawn(tmp_path, "--resume", "a.yaml")
    child.expect(_words("You stopped at STR-3 (answered at"))
    child.expect(_words("carrying on at MGT-1, the next question without an answer"))
    child.expect(_words("Before it, 1 still open: STR-1 (skipped)"))
    child.expect("Where do you want to carry on")
    child.expect(r"Type c or f")
    child.sendline("")  # the default: where you stopped, not the first skipped question
    child.expect("MGT-1")
    child.expect("a number")
    child.sendline("q")
    assert _end(child) == 130

    child = _spawn(tmp_path, "--resume", "a.yaml")
    child.expect(r"Type c or f")
    child.sendline("f")
    child.expect("STR-1")
    child.expect("level number")
    child.sendline("q")
    assert _end(child) == 130


def test_the_end_lists_dont_knows_and_skips_and_offers_to_revisit_them(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    _steps(child, (*DETAILS, ("option number", "1"), ("level number", "d"), ("yes or no", "s")))
    _steps(child, (("option number", "2"), ("a number", "3"), ("separated by commas", "1"), ("level number", "3")))
    child.expect(_words("Still open: 1 don't know (STR-1) and 1 skipped or not answered (STR-2)"))
    child.expect("Go back over them now")
    child.expect("Type r or f")
    child.sendline("r")
    child.expect("Going back over it")
    child.expect("Current answer: don't know")
    child.expect("level number")
    child.sendline("4")
    child.expect("Going back over it")
    child.expect("yes or no")
    child.sendline("yes")
    child.expect("Every question now has an answer")
    child.expect(r"Answers: (\S+\.answers\.yaml)")
    name = child.match.group(1)
    assert _end(child) == 0
    # the default name says which questionnaire was answered
    assert re.fullmatch(r"example-council-parks-demo-\d{4}-\d\d-\d\d\.answers\.yaml", name)
    saved = load_answers_file(tmp_path / name).model.answers
    assert saved["STR-1"].value == 4 and saved["STR-2"].value is True


def test_a_second_interview_on_the_same_file_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    first = _spawn(tmp_path, "--answers", "a.yaml")
    _steps(first, (*DETAILS, ("option number", "1")))
    first.expect("level number")
    second = _spawn(tmp_path, "--resume", "a.yaml")
    second.expect(_words("a.yaml is being answered in another interview"))
    second.expect(r"process\s+\d+\),\s+since\s+\d\d:\d\d\s+UTC")
    assert _end(second) == 1
    first.sendline("q")
    assert _end(first) == 130
    assert not (tmp_path / ".a.yaml.lock").exists()  # released, and its file removed
    again = _spawn(tmp_path, "--resume", "a.yaml")  # and the file can be resumed once the first has ended
    again.expect("STR-1")
    again.sendline("q")
    assert _end(again) == 130
