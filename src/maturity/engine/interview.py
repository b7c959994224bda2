"""The interview: which question comes next, going back, and what each keystroke means. No terminal code.

The order is the questionnaire's (context first, then stage by stage); a question whose condition is false is
not asked, and because conditions are re-read after every answer, questions appear or disappear as earlier
answers change, going back included. A `Prompter` does the talking (a rich terminal, a plain screen-reader mode,
a script in tests); this module decides what to ask and records what was said, with when and by whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from maturity.checks.answers import answer_problem
from maturity.checks.index import QuestionInfo, index_questionnaire
from maturity.engine.asking import answer_facts
from maturity.model.definitions import (
    Answer,
    AnswersFile,
    AssessmentDetails,
    Question,
    Questionnaire,
    QuestionnaireRef,
    Stage,
)

COMMANDS = {"?": "help", "b": "back", "s": "skip", "d": "dont_know", "n": "not_applicable", "e": "note", "q": "quit"}
Command = Literal["answer", "help", "back", "skip", "dont_know", "not_applicable", "note", "quit", "keep"]


@dataclass(frozen=True)
class Action:
    """What the person asked for at one prompt: an answer (with its value) or a command."""

    command: Command
    value: Any = None
    text: str = ""


@dataclass(frozen=True)
class Step:
    """Where the interview stands, for the prompter to show."""

    question: Question
    stage: Stage | None  # None for the context questions
    stage_number: int  # 1-based; 0 for context
    stage_count: int
    number_in_stage: int  # 1-based among the questions asked in this stage
    asked_in_stage: int
    position: int  # 1-based among all questions asked
    asked_total: int
    answered_total: int
    current: Answer | None  # the answer already given, when going back or reviewing
    allow_back: bool


class Prompter(Protocol):
    """The talking side of the interview. Every method may raise KeyboardInterrupt."""

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails: ...

    def stage_intro(self, stage: Stage, number: int, count: int) -> None: ...

    def ask(self, step: Step, error: str | None) -> str | None:
        """The raw text typed at the prompt; None when input has ended."""
        ...

    def help(self, question: Question) -> None: ...

    def note(self, question: Question, current: str | None) -> str | None: ...

    def say(self, text: str) -> None: ...


class InputEnded(Exception):
    """Input ran out before every question was answered (a script that stopped early)."""

    def __init__(self, question: Question) -> None:
        super().__init__(f"input ended before question {question.id} was answered")
        self.question = question


def parse_input(question: Question, info: QuestionInfo, text: str, current: Answer | None) -> Action | str:
    """Turn what was typed into an Action, or say what was wrong with it (a string)."""
    raw = text.strip()
    lowered = raw.lower()
    if raw == "" and current is not None:
        return Action("keep")
    if lowered in COMMANDS:
        command = COMMANDS[lowered]
        if command == "dont_know" and not info.allow_dont_know:
            return "this question does not allow 'don't know'"
        if command == "not_applicable" and not info.allow_not_applicable:
            return "this question does not allow 'not applicable'"
        return Action(command)  # type: ignore[arg-type]
    if raw == "":
        return "type an answer, or ? for help"
    kind = question.kind
    value: Any
    if kind == "scale":
        value = int(raw) if raw.lstrip("-").isdigit() else None
        if value is None:
            return f"type a level number, {info.levels[0]} to {info.levels[-1]}"
    elif kind == "single":
        value = _option(raw, info.options)
        if value is None:
            return f"type an option number, 1 to {len(info.options)}"
    elif kind == "multiple":
        chosen = [_option(part, info.options) for part in raw.replace(",", " ").split()]
        if None in chosen:
            return f"type option numbers from 1 to {len(info.options)}, separated by commas"
        value = list(dict.fromkeys(chosen))
    elif kind == "yes_no":
        words = {"yes": True, "y": True, "1": True, "no": False, "2": False}
        if lowered not in words:
            return "type yes or no (or 1 for yes, 2 for no)"
        value = words[lowered]
    elif kind == "number":
        try:
            value = float(raw.replace(",", "")) if any(c in raw for c in ".eE") else int(raw.replace(",", ""))
        except ValueError:
            return "type a number" + (f" in {question.unit}" if question.unit else "")
    else:
        value = raw
    problem = answer_problem(info, value, None)
    return problem if problem else Action("answer", value)


def _option(text: str, options: list[str]) -> str | None:
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return text if text in options else None


@dataclass
class Interview:
    """The state of one interview: the answers so far and the way back through them."""

    questionnaire: Questionnaire
    details: AssessmentDetails | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    digest: str | None = None
    history: list[str] = field(default_factory=list)
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.timezone.utc).replace(microsecond=0))

    def __post_init__(self) -> None:
        self.index = index_questionnaire(self.questionnaire)
        self.order = self.questionnaire.questions()
        self.position = {q.id: i for i, q in enumerate(self.order)}
        stages = {s.id: s for s in self.questionnaire.stages}
        self.stage_of: dict[str, Stage | None] = {
            qid: stages.get(info.stage) if info.stage is not None else None
            for qid, info in self.index.questions.items()
        }

    @classmethod
    def resume(cls, questionnaire: Questionnaire, answers: AnswersFile, digest: str | None = None) -> Interview:
        return cls(questionnaire, answers.assessment, dict(answers.answers), digest)

    # ------------------------------------------------------------------------------------------ order

    def asked(self) -> list[Question]:
        """The questions asked given the answers so far, in order."""
        facts = answer_facts(self.order, self.answers)
        return [q for q in self.order if facts.statuses.get(q.id) != "not_asked"]

    def next_after(self, question_id: str | None) -> Question | None:
        start = -1 if question_id is None else self.position[question_id]
        return next((q for q in self.asked() if self.position[q.id] > start), None)

    def first_unanswered(self) -> Question | None:
        """Where a resumed interview carries on: the first question asked that has no answer (skips count)."""
        return next(
            (q for q in self.asked() if q.id not in self.answers or self.answers[q.id].status == "skipped"), None
        )

    def step(self, question: Question) -> Step:
        asked = self.asked()
        stage = self.stage_of[question.id]
        in_stage = [q for q in asked if self.stage_of[q.id] is stage]
        stages = self.questionnaire.stages
        return Step(
            question=question,
            stage=stage,
            stage_number=0 if stage is None else stages.index(stage) + 1,
            stage_count=len(stages),
            number_in_stage=next((i for i, q in enumerate(in_stage, 1) if q.id == question.id), 1),
            asked_in_stage=len(in_stage),
            position=next((i for i, q in enumerate(asked, 1) if q.id == question.id), 1),
            asked_total=len(asked),
            answered_total=sum(1 for q in asked if q.id in self.answers and self.answers[q.id].status != "skipped"),
            current=self.answers.get(question.id),
            allow_back=bool(self.history),
        )

    # ---------------------------------------------------------------------------------------- answers

    def record(self, question: Question, action: Action) -> None:
        """Keep an answer (with when it was given and by whom); a note given earlier stays with it."""
        previous = self.answers.get(question.id)
        note = previous.note if previous else None
        evidence = previous.evidence if previous else []
        by = self.details.assessor if self.details else None
        when = self.clock()
        if action.command == "answer":
            answer = Answer(value=action.value, note=note, evidence=evidence, answered_at=when, answered_by=by)
        elif action.command in ("dont_know", "not_applicable", "skip"):
            status = "skipped" if action.command == "skip" else action.command
            answer = Answer(status=status, note=note, evidence=evidence, answered_at=when, answered_by=by)
        else:
            raise ValueError(f"not an answer: {action.command}")
        self.answers[question.id] = answer

    def set_note(self, question: Question, note: str | None) -> None:
        previous = self.answers.get(question.id)
        if previous is None:  # a note before an answer: keep it until the answer comes
            self.answers[question.id] = Answer(status="skipped", note=note or None)
        else:
            self.answers[question.id] = previous.model_copy(update={"note": note or None})

    def to_file(self) -> AnswersFile:
        """The answers file as it stands; only answers to known questions, in questionnaire order."""
        assert self.details is not None
        ordered = {q.id: self.answers[q.id] for q in self.order if q.id in self.answers}
        return AnswersFile(
            kind="answers",
            questionnaire=QuestionnaireRef(
                id=self.questionnaire.id, version=self.questionnaire.version, digest=self.digest
            ),
            assessment=self.details,
            answers=ordered,
        )


def answers_data(answers: AnswersFile) -> dict[str, Any]:
    """An answers file as plain data for writing: nothing that is empty or a default, ids in asking order."""
    return answers.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)


Outcome = Literal["finished", "quit"]


def run(
    interview: Interview,
    prompter: Prompter,
    save: Callable[[Interview], None],
    start: Question | None = None,
    review: bool = False,
) -> Outcome:
    """Ask until every question asked has an answer (or, reviewing, until the last one), saving after each.

    `save` is called after every change, so that an interruption at any prompt loses nothing already said.
    """
    if interview.details is None:
        interview.details = prompter.details(None)
        save(interview)
    question = start if start is not None else (interview.next_after(None) if review else interview.first_unanswered())
    shown_stage: Stage | None = None
    error: str | None = None
    while question is not None:
        stage = interview.stage_of[question.id]
        if stage is not None and stage is not shown_stage:
            step = interview.step(question)
            prompter.stage_intro(stage, step.stage_number, step.stage_count)
            shown_stage = stage
        step = interview.step(question)
        text = prompter.ask(step, error)
        if text is None:
            raise InputEnded(question)
        parsed = parse_input(question, interview.index.questions[question.id], text, step.current)
        if isinstance(parsed, str):
            error = parsed
            continue
        error = None
        if parsed.command == "help":
            prompter.help(question)
            continue
        if parsed.command == "note":
            current = interview.answers.get(question.id)
            interview.set_note(question, prompter.note(question, current.note if current else None))
            save(interview)
            continue
        if parsed.command == "quit":
            save(interview)
            return "quit"
        if parsed.command == "back":
            if not interview.history:
                error = "this is the first question"
                continue
            back_to = interview.history.pop()
            question = next(q for q in interview.order if q.id == back_to)
            continue
        if parsed.command != "keep":
            interview.record(question, parsed)
            save(interview)
        interview.history.append(question.id)
        # forward: every question when reviewing; otherwise the next one still without an answer, so that going
        # back to change one answer does not walk through all the others again
        question = interview.next_after(question.id) if review else _next_open(interview, question.id)
    return "finished"


def _next_open(interview: Interview, after: str) -> Question | None:
    start = interview.position[after]
    return next(
        (
            q
            for q in interview.asked()
            if interview.position[q.id] > start
            and (q.id not in interview.answers or interview.answers[q.id].status == "skipped")
        ),
        None,
    )
