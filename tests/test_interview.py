"""The interview's logic through a scripted prompter: order, conditions, going back, notes, skipping, saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from maturity.checks.validation import load_questionnaire
from maturity.engine.interview import Action, InputEnded, Interview, Step, parse_input, run
from maturity.model.definitions import AssessmentDetails, Question, Stage

from .conftest import FIXTURES

QUESTIONNAIRE = load_questionnaire(FIXTURES / "valid" / "demo.questionnaire.yaml").model
DETAILS = AssessmentDetails(organisation="Org", service="Svc", assessor="Ana", date=dt.date(2026, 11, 21))


@dataclass
class Script:
    """Answers typed in turn; records what it was asked, so tests can check the order."""

    lines: list[str]
    asked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    intros: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails:
        return DETAILS

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        self.intros.append(stage.id)

    def ask(self, step: Step, error: str | None) -> str | None:
        self.asked.append(step.question.id)
        if error:
            self.errors.append(error)
        return self.lines.pop(0) if self.lines else None

    def help(self, question: Question) -> None:
        self.asked.append(f"help:{question.id}")

    def note(self, question: Question, current: str | None) -> str | None:
        return self.notes.pop(0)

    def evidence(self, question: Question, current: Sequence[str]) -> str | None:
        return self.notes.pop(0)

    def choose(self, text: str, options: Sequence[tuple[str, str]], default: str) -> str | None:
        self.asked.append(f"choose:{text}")
        return self.lines.pop(0) if self.lines else None

    def say(self, text: str) -> None:
        self.said.append(text)


def interview() -> Interview:
    return Interview(QUESTIONNAIRE, clock=lambda: dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc))


def test_whole_interview_in_order_saving_after_every_answer() -> None:
    saves: list[int] = []
    i = interview()
    script = Script(["1", "3", "yes", "2", "2", "1,2", "1", "Nothing more"])
    assert run(i, script, lambda it: saves.append(len(it.answers))) == "finished"
    assert script.asked == ["situation", "STR-1", "STR-2", "STR-3", "MGT-1", "MGT-2", "MGT-3", "MGT-4"]
    assert script.intros == ["strategy", "manage"]
    assert saves == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    answers = i.to_file().answers
    assert answers["MGT-2"].value == ["monthly", "quarterly"]
    assert answers["STR-2"].value is True and answers["STR-3"].value == "some"
    assert answers["MGT-4"].answered_by == "Ana"
    assert answers["MGT-4"].answered_at == dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc)


def test_conditional_question_disappears_and_reappears_going_back() -> None:
    i = interview()
    # live contract: STR-2 (pilot) is not asked; go back to the context question, choose first-time: it appears,
    # and the interview carries on there, past STR-1 which already has its answer
    script = Script(["2", "3", "b", "b", "1", "yes", "d", "q"])
    assert run(i, script, lambda it: None) == "quit"
    assert script.asked == ["situation", "STR-1", "STR-3", "STR-1", "situation", "STR-2", "STR-3", "MGT-1"]
    assert i.answers["situation"].value == "first-time"
    assert i.answers["STR-3"].status == "dont_know"


def test_invalid_input_is_reprompted_with_the_reason() -> None:
    i = interview()
    script = Script(["9", "first-time", "0", "6", "three", "3", "maybe", "no", "q"])
    run(i, script, lambda it: None)
    assert script.errors == [
        "type an option number, 1 to 2",
        "there is no level 0; choose 1 to 5",
        "there is no level 6; choose 1 to 5",
        "type a level number, 1 to 5",
        "type yes or no (or 1 for yes, 2 for no)",
    ]
    assert i.answers["STR-2"].value is False


@pytest.mark.parametrize(
    ("qid", "text", "expected"),
    [
        ("STR-1", "4", Action("answer", 4)),
        ("STR-1", " d ", Action("dont_know")),
        ("STR-1", "n", "this question does not allow 'not applicable'"),
        ("MGT-3", "n", Action("not_applicable")),
        ("situation", "d", "this question does not allow 'don't know'"),
        ("situation", "2", Action("answer", "live")),
        ("situation", "live", Action("answer", "live")),
        ("MGT-2", "3, 1", Action("answer", ["annual", "monthly"])),
        ("MGT-2", "1,9", "type option numbers from 1 to 3, separated by commas"),
        ("MGT-1", "12", Action("answer", 12)),
        ("MGT-1", "2.5", "answer with a whole number, not 2.5"),
        ("MGT-1", "600", "600 is above the largest allowed answer, 500"),
        ("MGT-1", "lots", "type a number"),
        ("MGT-4", "All fine", Action("answer", "All fine")),
        ("MGT-4", "", "type an answer, or ? for help"),
        ("STR-2", "Y", Action("answer", True)),
        ("STR-2", "?", Action("help")),
        ("STR-2", "q", Action("quit")),
    ],
)
def test_parse_input(qid: str, text: str, expected: object) -> None:
    i = interview()
    question = next(q for q in QUESTIONNAIRE.questions() if q.id == qid)
    assert parse_input(question, i.index.questions[qid], text, None) == expected


def test_skip_note_and_resume_at_the_first_unanswered() -> None:
    i = interview()
    script = Script(["1", "e", "s", "yes", "q"])
    script.notes = ["Paper to cabinet in June"]
    run(i, script, lambda it: None)
    assert i.answers["STR-1"].status == "skipped" and i.answers["STR-1"].note == "Paper to cabinet in June"
    resumed = Interview.resume(QUESTIONNAIRE, i.to_file())
    assert resumed.first_unanswered() is not None and resumed.first_unanswered().id == "STR-1"  # type: ignore[union-attr]
    script = Script(["4", "2", "q"])
    run(resumed, script, lambda it: None)
    assert script.asked == ["STR-1", "STR-3", "MGT-1"]
    assert resumed.answers["STR-1"].value == 4 and resumed.answers["STR-1"].note == "Paper to cabinet in June"


def test_review_walks_every_answer_and_enter_keeps_it() -> None:
    i = interview()
    run(i, Script(["1", "3", "yes", "2", "2", "1", "1", "Fine"]), lambda it: None)
    script = Script(["", "4", "", "", "", "", "3"])
    # MGT-3 at 3 means MGT-4 (asked only when data is never checked) disappears, so the review ends there
    assert run(i, script, lambda it: None, review=True) == "finished"
    assert script.asked == ["situation", "STR-1", "STR-2", "STR-3", "MGT-1", "MGT-2", "MGT-3"]
    assert i.answers["STR-1"].value == 4 and i.answers["MGT-3"].value == 3


def test_input_ending_early_is_an_error_not_a_default() -> None:
    i = interview()
    with pytest.raises(InputEnded) as caught:
        run(i, Script(["1", "3"]), lambda it: None)
    assert caught.value.question.id == "STR-2"
    assert set(i.answers) == {"situation", "STR-1"}


def test_answers_file_round_trips_through_the_loader(tmp_path: Path) -> None:
    from maturity.engine.interview import answers_data
    from maturity.io import loader

    i = interview()
    i.details = DETAILS
    run(i, Script(["1", "3", "yes", "d", "2", "1", "n", "q"]), lambda it: None)
    path = tmp_path / "a.yaml"
    path.write_text(loader.dump_yaml(answers_data(i.to_file())), encoding="utf-8")
    again = loader.load_answers_file(path).model
    assert again == i.to_file()
