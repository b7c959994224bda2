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


# ------------------------------------------------------------------------------------ issue 16 and 17 (item 2)


def _question(qid: str) -> Question:
    return next(q for q in QUESTIONNAIRE.questions() if q.id == qid)


@pytest.mark.parametrize(
    ("qid", "text", "expected"),
    [
        ("STR-1", "²", "type a level number, 1 to 5"),  # a superscript passes isdigit() and then breaks int()
        ("STR-1", "--3", "type a level number, 1 to 5"),
        ("STR-1", "３", "type a level number, 1 to 5"),  # a full-width digit: int() would read it
        ("STR-1", "9" * 5000, "type a level number, 1 to 5"),
        ("situation", "²", "type an option number, 1 to 2"),
        ("MGT-2", "1,²", "type option numbers from 1 to 3, separated by commas"),
        ("MGT-1", "--3", "type a number"),
        ("MGT-1", "nan", "type a number"),
        ("MGT-1", "1e999", "that number is too large; type a number"),
        ("MGT-1", "9" * 5000, "type a number"),
        ("MGT-1", "1,250", "1250 is above the largest allowed answer, 500"),
        ("MGT-1", "+3", Action("answer", 3)),
        ("MGT-4", "tab\tand \x1b[2J escape", Action("answer", "tab and  escape")),  # the whole sequence goes
        ("MGT-4", "x" * 2001, "the answer is 2001 characters long; the limit is 2000"),
    ],
)
def test_parse_input_never_raises_on_odd_input(qid: str, text: str, expected: object) -> None:
    i = interview()
    assert parse_input(_question(qid), i.index.questions[qid], text, None) == expected


def test_a_note_before_answering_is_not_an_answer() -> None:
    i = interview()
    script = Script(["1", "e", "", "3", "q"])
    script.notes = ["Paper to cabinet"]
    run(i, script, lambda it: None)
    assert script.errors == ["type an answer, or ? for help"]  # Enter had no answer to keep
    assert i.answers["STR-1"].value == 3 and i.answers["STR-1"].note == "Paper to cabinet"


def test_a_note_over_the_format_limit_is_refused_at_the_prompt_with_the_limit() -> None:
    i = interview()
    script = Script(["1", "e", "3", "q"])
    script.notes = ["x" * 20_001, "Short enough"]
    run(i, script, lambda it: None)
    assert any("the note is 20,001 characters long; the limit is 20,000" in said for said in script.said)
    assert i.answers["STR-1"].note == "Short enough"
    i.details = DETAILS
    assert i.to_file().answers["STR-1"].note == "Short enough"


def test_evidence_is_kept_with_the_answer_and_refused_over_its_limit() -> None:
    i = interview()
    script = Script(["1", "v", "3", "q"])
    script.notes = [f"ok; {'y' * 501}", "Business case v3; cabinet minutes"]
    run(i, script, lambda it: None)
    assert any("is 501 characters long; the limit is 500" in said for said in script.said)
    assert i.answers["STR-1"].evidence == ["Business case v3", "cabinet minutes"]
    assert i.answers["STR-1"].value == 3


def test_progress_total_counts_questions_that_may_still_be_asked() -> None:
    i = interview()
    totals: list[tuple[str, int, int]] = []

    class Watch(Script):
        def ask(self, step: Step, error: str | None) -> str | None:
            totals.append((step.question.id, step.total, step.total_change))
            return super().ask(step, error)

    run(i, Watch(["2", "3", "2", "2", "1", "3"]), lambda it: None)
    # live contract: STR-2 is not asked (it was counted while the context was open: the prompters show no total
    # there), and MGT-4 may be until MGT-3 is answered: the stages' total stays at 6
    assert totals == [("situation", 7, 0), *((q, 6, 0) for q in ("STR-1", "STR-3", "MGT-1", "MGT-2", "MGT-3"))]
    assert i.context_count() == 1


def test_resume_carries_on_after_the_question_answered_last() -> None:
    times = iter(dt.datetime(2026, 11, 21, 12, m, tzinfo=dt.timezone.utc) for m in range(60))
    i = Interview(QUESTIONNAIRE, clock=lambda: next(times))
    run(i, Script(["1", "s", "yes", "2", "q"]), lambda it: None)
    resumed = Interview.resume(QUESTIONNAIRE, i.to_file())
    script = Script(["", "3", "q"])
    run(resumed, script, lambda it: None, resuming=True)
    assert script.asked[:2] == ["choose:Where do you want to carry on?", "MGT-1"]
    assert "You stopped at STR-3" in script.said[0] and "STR-1 (skipped)" in script.said[0]
    script = Script(["f", "4", "q"])
    run(Interview.resume(QUESTIONNAIRE, resumed.to_file()), script, lambda it: None, resuming=True)
    assert script.asked[1] == "STR-1"


def test_the_end_offers_the_dont_knows_and_skips() -> None:
    i = interview()
    script = Script(["1", "d", "s", "2", "2", "1", "3", "r", "4", "no"])
    assert run(i, script, lambda it: None) == "finished"
    assert script.said[-2] == "Still open: 1 don't know (STR-1) and 1 skipped or not answered (STR-2)."
    assert script.said[-1] == "Every question now has an answer."
    assert i.answers["STR-1"].value == 4 and i.answers["STR-2"].value is False
    finished = Script(["1", "d", "s", "2", "2", "1", "3"])  # input ends at the offer: finish, keep them open
    assert run(interview(), finished, lambda it: None) == "finished"


def test_parts_ask_only_their_questions_with_the_context_and_what_their_conditions_read() -> None:
    from maturity.engine.interview import resolve_parts

    assert resolve_parts(QUESTIONNAIRE, ["STR", "mgt-4", "nothing"]) == (["strategy", "MGT-4"], ["nothing"])
    i = Interview(QUESTIONNAIRE, parts=["MGT-4"])
    script = Script(["1", "1", "Data never checked"])
    run(i, script, lambda it: None)
    assert script.asked == ["situation", "MGT-3", "MGT-4"]  # MGT-3 decides whether MGT-4 is asked
    i.details = DETAILS
    assert i.to_file().assessment.parts == ["MGT-4"]


def test_prefill_records_confirmed_changed_and_left_answers() -> None:
    earlier = interview()
    earlier.details = DETAILS
    run(earlier, Script(["1", "3", "yes", "2", "2", "1", "1", "Old news"]), lambda it: None)
    i = Interview.prefill(QUESTIONNAIRE, earlier.to_file(), "last-year.yaml")
    script = Script(["", "4", "no", "", "q"])
    run(i, script, lambda it: None)
    assert script.asked == ["situation", "STR-1", "STR-2", "STR-3", "MGT-1"]
    i.details = DETAILS
    prefilled = i.to_file().assessment.prefilled
    assert prefilled is not None and prefilled.source == "last-year.yaml"
    assert prefilled.confirmed == ["situation", "STR-3"]
    assert prefilled.changed == ["STR-1", "STR-2"]
    assert prefilled.left == ["MGT-1", "MGT-2", "MGT-3", "MGT-4"]
    assert i.answers["MGT-1"].value == 2  # left as it was
    resumed = Interview.resume(QUESTIONNAIRE, i.to_file())
    assert resumed.first_unanswered() is not None and resumed.first_unanswered().id == "MGT-1"  # type: ignore[union-attr]
