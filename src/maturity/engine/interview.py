"""The interview: which question comes next, going back, and what each keystroke means. No terminal code.

The order is the questionnaire's (context first, then stage by stage); a question whose condition is false is
not asked, and because conditions are re-read after every answer, questions appear or disappear as earlier
answers change, going back included. A `Prompter` does the talking (a rich terminal, a plain screen-reader mode,
a script in tests); this module decides what to ask and records what was said, with when and by whom.

Three ways of working share the one walk: answering afresh, answering only some parts (`parts`: stages or
questions, for colleagues who each answer their own), and going through an earlier assessment (`prefill`), where
each earlier answer is the default and is recorded as confirmed, changed or left as it was.

Nothing typed is kept until it fits the answers format: a value is checked against its question, and a note,
an evidence reference or a detail against the format's limits, so that every save can be read back.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from maturity.checks.answers import answer_problem
from maturity.checks.index import QuestionInfo, index_questionnaire
from maturity.engine.asking import answer_facts
from maturity.model.definitions import (
    Answer,
    AnswersFile,
    AssessmentDetails,
    Condition,
    Prefilled,
    Question,
    Questionnaire,
    QuestionnaireRef,
    Stage,
)
from maturity.model.text import one_line
from maturity.model.vocabulary import STATUS_WORDS, format_value

COMMANDS = {
    "?": "help",
    "b": "back",
    "s": "skip",
    "d": "dont_know",
    "n": "not_applicable",
    "e": "note",
    "v": "evidence",
    "q": "quit",
}
Command = Literal["answer", "help", "back", "skip", "dont_know", "not_applicable", "note", "evidence", "quit", "keep"]


@dataclass(frozen=True)
class Action:
    """What the person asked for at one prompt: an answer (with its value) or a command."""

    command: Command
    value: Any = None
    text: str = ""


@dataclass(frozen=True)
class Step:
    """Where the interview stands, for the prompter to show.

    Context questions are counted apart from the stages' questions: they come first and decide which of the
    others are asked, so the stage total is known (and stays put) once they are answered.
    """

    question: Question
    stage: Stage | None  # None for the context questions
    stage_number: int  # 1-based; 0 for context
    stage_count: int
    number_in_stage: int  # 1-based among the questions asked in this stage (or among the context questions)
    asked_in_stage: int  # in a stage, or the context questions that can be asked
    position: int  # 1-based among the stage questions asked (0 for a context question)
    total: int  # the stage questions asked, counting those that still may be, as conditions stand
    answered: int  # stage questions with an answer (don't know and not applicable included; skips not)
    total_change: int  # how the total moved since the question before (an answer made questions appear or go)
    current: Answer | None  # the answer already given (None when there is none, or only a note)
    note: str | None
    evidence: tuple[str, ...]
    earlier: bool  # the current answer comes from the earlier assessment and is not yet confirmed
    allow_back: bool
    revisiting: bool = False  # going back over the don't knows and skips at the end


class Prompter(Protocol):
    """The talking side of the interview. Every method may raise KeyboardInterrupt."""

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails: ...

    def stage_intro(self, stage: Stage, number: int, count: int) -> None: ...

    def ask(self, step: Step, error: str | None) -> str | None:
        """The raw text typed at the prompt; None when input has ended."""
        ...

    def help(self, question: Question) -> None: ...

    def note(self, question: Question, current: str | None) -> str | None:
        """The note typed (Enter: keep the current one, '-': remove it); None when input has ended."""
        ...

    def evidence(self, question: Question, current: Sequence[str]) -> str | None:
        """Evidence references typed, separated by ';' (Enter: keep, '-': remove); None when input has ended."""
        ...

    def choose(self, text: str, options: Sequence[tuple[str, str]], default: str) -> str | None:
        """One of the option keys (Enter gives `default`); None when input has ended."""
        ...

    def say(self, text: str) -> None: ...


class InputEnded(Exception):
    """Input ran out before every question was answered (a script that stopped early)."""

    def __init__(self, question: Question) -> None:
        super().__init__(f"input ended before question {question.id} was answered")
        self.question = question


# ------------------------------------------------------------------------------------------------ typed input

_LEVEL = re.compile(r"[0-9]{1,9}", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)


def typed(text: str) -> str:
    """What was typed, as it may be kept: on one line, without control characters or escape sequences, and
    without characters no file can hold (half a surrogate pair, from undecodable input)."""
    cleaned = one_line(text).strip()
    return cleaned.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(cleaned) else cleaned


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_input(question: Question, info: QuestionInfo, text: str, current: Answer | None) -> Action | str:
    """Turn what was typed into an Action, or say what was wrong with it (a string). Never raises."""
    raw = typed(text)
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
        value = int(raw) if _LEVEL.fullmatch(raw) else None
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
        parsed = _number(raw)
        if isinstance(parsed, str):
            return parsed + (f" in {question.unit}" if question.unit else "")
        value = parsed
    else:
        value = raw
    problem = answer_problem(info, value, None)
    return problem if problem else Action("answer", value)


def _number(raw: str) -> int | float | str:
    """A number as people type it (1,250 or 2.5 or 1e3, in ASCII digits), or why it is not one."""
    text = raw.replace(",", "").replace(" ", "")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else "that number is too large; type a number"
    return "type a number"


def _option(text: str, options: list[str]) -> str | None:
    if _LEVEL.fullmatch(text) and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return text if text in options else None


def limit_problem(model: type[BaseModel], name: str, value: Any, what: str) -> str | None:
    """Why `value` cannot be kept in field `name` of `model` (with the limit the answers format sets), or None.

    The format's own model decides, so the interview can never keep what the file will not read back."""
    try:
        _field_adapter(model, name).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        limit = (error.get("ctx") or {}).get("max_length")
        if error["type"] == "string_too_long" and limit is not None:
            bad = value if isinstance(value, str) else next((v for v in value if len(v) > limit), "")
            return f"the {what} is {len(bad):,} characters long; the limit is {limit:,}"
        return f"the {what} cannot be kept: {error['msg'].lower()}"
    return None


@functools.lru_cache(maxsize=32)
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator for one field of a model, constraints included (they sit in the field's metadata)."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    for constraint in info.metadata:
        annotation = Annotated[annotation, constraint]
    return TypeAdapter(annotation)


def detail_problem(name: str, value: str) -> str | None:
    """Why a typed assessment detail (organisation, service, assessor) cannot be kept, or None."""
    return limit_problem(AssessmentDetails, name, value, name)


def split_evidence(text: str) -> list[str]:
    """Evidence references typed on one line, separated by ';'."""
    return [part.strip() for part in text.split(";") if part.strip()]


# --------------------------------------------------------------------------------------------------- parts


def resolve_parts(questionnaire: Questionnaire, given: Iterable[str]) -> tuple[list[str], list[str]]:
    """The stages or questions named (stage ids, question ids, or the prefix of a stage's question ids such as
    STR for STR-1, STR-2...), as stage and question ids; and what was not understood, with a suggestion."""
    stages = {s.id.lower(): s for s in questionnaire.stages}
    ids = {q.id.lower(): q.id for q in questionnaire.questions()}
    resolved: list[str] = []
    unknown: list[str] = []
    for token in given:
        name = token.strip()
        if not name:
            continue
        key = name.lower()
        if key in stages:
            resolved.append(stages[key].id)
        elif key in ids:
            resolved.append(ids[key])
        else:
            prefixed = [s for s in questionnaire.stages if _prefix_of(s) == key]
            if prefixed:
                resolved.extend(s.id for s in prefixed)
            else:
                unknown.append(name)
    return list(dict.fromkeys(resolved)), unknown


def part_names(questionnaire: Questionnaire) -> list[str]:
    """How each stage can be named for `resolve_parts`: its id, and the prefix its questions share."""
    return [s.id + (f" ({_prefix_of(s).upper()})" if _prefix_of(s) else "") for s in questionnaire.stages]


def _prefix_of(stage: Stage) -> str:
    """The prefix every question id of a stage shares before a '-' (STR for STR-1...), lower case, or ''."""
    heads = {q.id.rsplit("-", 1)[0].lower() for q in _stage_questions(stage) if "-" in q.id}
    questions = list(_stage_questions(stage))
    if len(heads) == 1 and all("-" in q.id for q in questions):
        return heads.pop()
    return ""


def _stage_questions(stage: Stage) -> Iterable[Question]:
    if stage.groups is not None:
        for group in stage.groups:
            yield from group.questions
    else:
        yield from stage.questions or []


def questions_read(condition: Condition | None) -> set[str]:
    """The question ids a condition reads."""
    if condition is None:
        return set()
    found = {condition.question} if condition.question is not None else set()
    for part in [*(condition.all or []), *(condition.any or []), *([condition.not_] if condition.not_ else [])]:
        found |= questions_read(part)
    return found


# -------------------------------------------------------------------------------------------------- state


def _clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass
class Interview:
    """The state of one interview: the answers so far and the way back through them."""

    questionnaire: Questionnaire
    details: AssessmentDetails | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    digest: str | None = None
    history: list[str] = field(default_factory=list)
    clock: Callable[[], dt.datetime] = field(default=_clock)
    parts: list[str] = field(default_factory=list)  # stage or question ids; empty: the whole questionnaire
    prefilled: Prefilled | None = None  # where the earlier answers came from, and what became of them
    earlier: dict[str, Answer] = field(default_factory=dict)  # the earlier assessment's answers, as given
    earlier_details: AssessmentDetails | None = None  # whose they were: the defaults for this one's details

    def __post_init__(self) -> None:
        self.index = index_questionnaire(self.questionnaire)
        self.order = [q for q in self.questionnaire.questions() if self.index.questions[q.id].question is q]
        self.position = {q.id: i for i, q in enumerate(self.order)}
        stages = {s.id: s for s in self.questionnaire.stages}
        self.stage_of: dict[str, Stage | None] = {
            qid: stages.get(info.stage) if info.stage is not None else None
            for qid, info in self.index.questions.items()
        }
        self.reads = {q.id: questions_read(q.when) for q in self.order}
        self.chosen = self._chosen(self.parts)
        self.passed: set[str] = set()  # earlier answers gone past in this session without confirming them
        self._last_total: int | None = None
        if self.prefilled is not None and not self.earlier:
            self.earlier = {q: a for q, a in self.answers.items() if q in self.prefilled.left}

    def _chosen(self, parts: list[str]) -> frozenset[str] | None:
        """The questions a part-answer is asked: those named, those in the stages named, the context questions,
        and every question their conditions read (whether to ask them depends on it)."""
        if not parts:
            return None
        wanted = set(parts)
        chosen = {
            q.id
            for q in self.order
            if q.id in wanted or self.index.questions[q.id].stage in wanted or self.stage_of[q.id] is None
        }
        for q in reversed(self.order):
            if q.id in chosen:
                chosen |= self.reads[q.id]
        return frozenset(chosen)

    @classmethod
    def resume(cls, questionnaire: Questionnaire, answers: AnswersFile, digest: str | None = None) -> Interview:
        details = answers.assessment
        return cls(
            questionnaire,
            details,
            dict(answers.answers),
            digest,
            parts=list(details.parts),
            prefilled=details.prefilled,
        )

    @classmethod
    def prefill(
        cls,
        questionnaire: Questionnaire,
        earlier: AnswersFile,
        source: str,
        digest: str | None = None,
        parts: Sequence[str] = (),
    ) -> Interview:
        """An interview that starts from an earlier assessment: every earlier answer is the default."""
        kept = {qid: a for qid, a in earlier.answers.items() if a.status != "skipped" or a.note}
        prefilled = Prefilled(
            source=source[:500] or "earlier answers",
            date=earlier.assessment.date,
            left=[q.id for q in questionnaire.questions() if q.id in kept and kept[q.id].status != "skipped"],
        )
        return cls(
            questionnaire,
            None,
            dict(kept),
            digest,
            parts=list(parts),
            prefilled=prefilled,
            earlier=kept,
            earlier_details=earlier.assessment,
        )

    # ------------------------------------------------------------------------------------------ order

    def asked(self) -> list[Question]:
        """The questions asked given the answers so far, in order (only the chosen parts, if any)."""
        facts = answer_facts(self.order, self.answers)
        chosen = self.chosen
        return [q for q in self.order if facts.statuses.get(q.id) != "not_asked" and (chosen is None or q.id in chosen)]

    def _possible(self) -> list[Question]:
        """The questions asked, and those whose condition still waits on a question not yet reached: what the
        progress total counts, so that it does not grow as the conditions are decided."""
        facts = answer_facts(self.order, self.answers)
        chosen = self.chosen
        possible: list[Question] = []
        maybe: set[str] = set()
        for q in self.order:
            if chosen is not None and q.id not in chosen:
                continue
            if facts.statuses.get(q.id) != "not_asked":
                possible.append(q)
                if self._unreached(q.id):
                    maybe.add(q.id)
            elif self.reads[q.id] & maybe:
                possible.append(q)
                maybe.add(q.id)
        return possible

    def _unreached(self, qid: str) -> bool:
        """Nothing has been said to this question yet (a note alone does not count)."""
        answer = self.answers.get(qid)
        return answer is None or _note_only(answer)

    def is_open(self, qid: str) -> bool:
        """Still to be answered in this walk: no answer, only a note, a skip, or an earlier answer not yet
        confirmed or changed (and not passed over in this session)."""
        answer = self.answers.get(qid)
        if answer is None or answer.status == "skipped":
            return True
        return self.prefilled is not None and qid in self.prefilled.left and qid not in self.passed

    def next_after(self, question_id: str | None) -> Question | None:
        start = -1 if question_id is None else self.position[question_id]
        return next((q for q in self.asked() if self.position[q.id] > start), None)

    def next_open(self, after: str | None) -> Question | None:
        start = -1 if after is None else self.position[after]
        return next((q for q in self.asked() if self.position[q.id] > start and self.is_open(q.id)), None)

    def first_unanswered(self) -> Question | None:
        """The first question asked that is still open (skips count as open)."""
        return self.next_open(None)

    def stopped_at(self) -> Question | None:
        """The question answered last (by the time recorded with it; the furthest one when none has a time)."""
        asked = [q for q in self.asked() if q.id in self.answers and not _note_only(self.answers[q.id])]
        if self.prefilled is not None:
            asked = [q for q in asked if q.id not in self.prefilled.left]
        if not asked:
            return None
        oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)

        def when(q: Question) -> tuple[dt.datetime, int]:
            at = self.answers[q.id].answered_at
            if at is not None and at.tzinfo is None:
                at = at.replace(tzinfo=dt.timezone.utc)
            return (at or oldest, self.position[q.id])

        return max(asked, key=when)

    def gaps(self) -> list[Question]:
        """The questions asked that are don't know, skipped or not answered: what the end offers to revisit."""
        return [
            q for q in self.asked() if q.id not in self.answers or self.answers[q.id].status in ("dont_know", "skipped")
        ]

    def step(self, question: Question, revisiting: bool = False) -> Step:
        possible = self._possible()
        stage = self.stage_of[question.id]
        in_stage = [q for q in possible if self.stage_of[q.id] is stage]
        stage_questions = [q for q in possible if self.stage_of[q.id] is not None]
        stages = self.questionnaire.stages
        total = len(stage_questions)
        change = 0
        if stage is not None:
            change = 0 if self._last_total is None else total - self._last_total
            self._last_total = total
        answer = self.answers.get(question.id)
        current = None if answer is None or _note_only(answer) else answer
        return Step(
            question=question,
            stage=stage,
            stage_number=0 if stage is None else stages.index(stage) + 1,
            stage_count=len(stages),
            number_in_stage=next((i for i, q in enumerate(in_stage, 1) if q.id == question.id), 1),
            asked_in_stage=len(in_stage),
            position=next((i for i, q in enumerate(stage_questions, 1) if q.id == question.id), 0),
            total=total,
            answered=sum(1 for q in stage_questions if self._answered(q.id)),
            total_change=change,
            current=current,
            note=answer.note if answer else None,
            evidence=tuple(answer.evidence) if answer else (),
            earlier=self.prefilled is not None and question.id in self.prefilled.left and current is not None,
            allow_back=bool(self.history),
            revisiting=revisiting,
        )

    def _answered(self, qid: str) -> bool:
        answer = self.answers.get(qid)
        return answer is not None and answer.status != "skipped"

    def context_count(self) -> int:
        """How many context questions can come first, as the answers stand."""
        return sum(1 for q in self._possible() if self.stage_of[q.id] is None)

    # ---------------------------------------------------------------------------------------- answers

    def record(self, question: Question, action: Action) -> None:
        """Keep an answer (with when it was given and by whom); a note and evidence given earlier stay with it."""
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
        if self.prefilled is not None and question.id in self.earlier and action.command == "skip":
            self.passed.add(question.id)  # passing over an earlier answer leaves it as it was
            return
        self.answers[question.id] = answer
        self._settle(question.id)

    def confirm(self, question: Question) -> None:
        """Enter on an earlier answer: it stands, now confirmed by whoever is answering."""
        answer = self.answers.get(question.id)
        if self.prefilled is None or answer is None or question.id not in self.prefilled.left:
            return
        by = self.details.assessor if self.details else None
        self.answers[question.id] = answer.model_copy(update={"answered_at": self.clock(), "answered_by": by})
        self._settle(question.id)

    def _settle(self, qid: str) -> None:
        """Move a question between the prefill's lists: confirmed when the answer is the earlier one, changed
        when it differs."""
        if self.prefilled is None or qid not in self.earlier:
            return
        before, now = self.earlier[qid], self.answers[qid]
        same = (before.value, before.status) == (now.value, now.status)
        lists = {
            "confirmed": [q for q in self.prefilled.confirmed if q != qid],
            "changed": [q for q in self.prefilled.changed if q != qid],
            "left": [q for q in self.prefilled.left if q != qid],
        }
        lists["confirmed" if same else "changed"].append(qid)
        order = self.position
        self.prefilled = self.prefilled.model_copy(
            update={k: sorted(v, key=lambda q: order.get(q, len(order))) for k, v in lists.items()}
        )

    def set_note(self, question: Question, text: str | None) -> str | None:
        """Apply what was typed at the note prompt (Enter keeps, '-' removes); the answer is left as it is.
        Returns why the note cannot be kept (too long, say), or None."""
        if text is None or not typed(text):
            return None
        cleaned = typed(text)
        note = None if cleaned == "-" else cleaned
        if note is not None:
            problem = limit_problem(Answer, "note", note, "note")
            if problem:
                return problem
        previous = self.answers.get(question.id)
        if previous is None:  # a note before an answer: kept (saved as a skip with no time) until the answer comes
            if note is not None:
                self.answers[question.id] = Answer(status="skipped", note=note)
        else:
            self.answers[question.id] = previous.model_copy(update={"note": note})
        return None

    def set_evidence(self, question: Question, text: str | None) -> str | None:
        """Apply what was typed at the evidence prompt (references separated by ';', Enter keeps, '-' removes).
        Returns why it cannot be kept, or None."""
        if text is None or not typed(text):
            return None
        cleaned = typed(text)
        references = [] if cleaned == "-" else split_evidence(cleaned)
        problem = limit_problem(Answer, "evidence", references, "evidence reference")
        if problem:
            return problem
        previous = self.answers.get(question.id)
        if previous is None:
            if references:
                self.answers[question.id] = Answer(status="skipped", evidence=references)
        else:
            self.answers[question.id] = previous.model_copy(update={"evidence": references})
        return None

    def to_file(self) -> AnswersFile:
        """The answers file as it stands; only answers to known questions, in questionnaire order."""
        assert self.details is not None
        ordered = {q.id: self.answers[q.id] for q in self.order if q.id in self.answers}
        details = self.details.model_copy(update={"parts": list(self.parts), "prefilled": self.prefilled})
        return AnswersFile(
            kind="answers",
            questionnaire=QuestionnaireRef(
                id=self.questionnaire.id, version=self.questionnaire.version, digest=self.digest
            ),
            assessment=details,
            answers=ordered,
        )


def _note_only(answer: Answer) -> bool:
    """A note or evidence given before any answer: kept as a skip with no time, which is not an answer."""
    return answer.status == "skipped" and answer.answered_at is None


def answers_data(answers: AnswersFile) -> dict[str, Any]:
    """An answers file as plain data for writing: nothing that is empty or a default, ids in asking order."""
    return answers.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)


def answer_words(questionnaire: Questionnaire, question: Question, answer: Answer | None) -> str:
    """An answer as the person chose it: the level or option label with its number, yes or no, the status."""
    if answer is None:
        return STATUS_WORDS["unanswered"]
    if answer.status is not None:
        return STATUS_WORDS[answer.status]
    return value_words(questionnaire, question, answer.value)


def value_words(questionnaire: Questionnaire, question: Question, value: Any) -> str:
    """A value in the words of its question: '3 Appraised', 'Some of it', 'yes', '12 staff'."""
    if question.kind == "scale":
        label = next((lv.label for lv in questionnaire.levels_of(question) if lv.level == value), None)
        return f"{value} {label}" if label else format_value(value)
    if question.kind in ("single", "multiple"):
        return questionnaire.answer_label(question, value) or format_value([])
    if question.kind == "number" and question.unit:
        return f"{format_value(value)} {question.unit}"
    return format_value(value)


# ----------------------------------------------------------------------------------------------------- run

Ending = Literal["finished", "quit"]


def run(
    interview: Interview,
    prompter: Prompter,
    save: Callable[[Interview], None],
    start: Question | None = None,
    review: bool = False,
    resuming: bool = False,
) -> Ending:
    """Ask until every question asked has an answer (or, reviewing, until the last one), saving after each;
    then offer to go back over the don't knows and skips.

    `save` is called after every change, so that an interruption at any prompt loses nothing already said.
    Resuming, the walk carries on after the question answered last, and says so.
    """
    if interview.details is None:
        interview.details = prompter.details(interview.earlier_details)
        save(interview)
    if start is None:
        if review:
            start = interview.next_after(None)
        elif resuming:
            start = _resume_point(interview, prompter)
        else:
            start = interview.first_unanswered()
    if _walk(interview, prompter, save, start, review) == "quit":
        return "quit"
    return _offer_gaps(interview, prompter, save)


def _resume_point(interview: Interview, prompter: Prompter) -> Question | None:
    """Where a resumed interview carries on: after the question answered last, saying so; when open questions
    lie before it, the person may start with those instead."""
    stopped = interview.stopped_at()
    first = interview.first_unanswered()
    if stopped is None:
        if first is not None:
            prompter.say(f"Nothing is answered yet in this file; starting at {first.id}.")
        return first
    after = interview.next_open(stopped.id)
    earlier = [
        q
        for q in interview.asked()
        if interview.is_open(q.id) and interview.position[q.id] < interview.position[stopped.id]
    ]
    when = interview.answers[stopped.id].answered_at
    at = f" (answered at {when:%H:%M} UTC on {when.day} {when:%B %Y})" if when else ""
    if after is None and first is None:
        return None
    if after is None:
        assert first is not None
        prompter.say(
            f"You stopped at {stopped.id}{at}, and every question after it has an answer; carrying on with the "
            f"first open one, {first.id} ({_open_words(interview, first)})."
        )
        return first
    said = f"You stopped at {stopped.id}{at}: carrying on at {after.id}, the next question without an answer."
    if not earlier:
        prompter.say(said)
        return after
    shown = ", ".join(f"{q.id} ({_open_words(interview, q)})" for q in earlier[:6])
    more = f" and {len(earlier) - 6} more" if len(earlier) > 6 else ""
    them = "it is" if len(earlier) == 1 else "they are"
    prompter.say(f"{said} Before it, {len(earlier)} still open: {shown}{more}; {them} offered again at the end.")
    choice = prompter.choose(
        "Where do you want to carry on?",
        [("c", f"carry on at {after.id}, where you stopped"), ("f", f"start with the first open one, {earlier[0].id}")],
        "c",
    )
    return earlier[0] if choice == "f" else after


def _open_words(interview: Interview, question: Question) -> str:
    answer = interview.answers.get(question.id)
    if answer is None or _note_only(answer):
        return "not answered yet"
    if answer.status == "skipped":
        return "skipped"
    return "earlier answer not yet confirmed"


def _offer_gaps(interview: Interview, prompter: Prompter, save: Callable[[Interview], None]) -> Ending:
    """At the end: how many answers are don't know or skipped, which, and an offer to go back over them now."""
    gaps = interview.gaps()
    if not gaps:
        return "finished"
    prompter.say(_gap_summary(interview, gaps))
    choice = prompter.choose(
        "Go back over them now?", [("r", "revisit them now"), ("f", "finish now; they stay as they are")], "f"
    )
    if choice != "r":
        return "finished"
    ids = [q.id for q in gaps]

    def following(after: str) -> Question | None:
        asked = {q.id: q for q in interview.asked()}
        later = ids[ids.index(after) + 1 :] if after in ids else []
        return next((asked[q] for q in later if q in asked), None)

    if _walk(interview, prompter, save, gaps[0], True, following, revisiting=True) == "quit":
        return "quit"
    still = interview.gaps()
    prompter.say(_gap_summary(interview, still) if still else "Every question now has an answer.")
    return "finished"


def _gap_summary(interview: Interview, gaps: Sequence[Question]) -> str:
    def status(q: Question) -> str:
        answer = interview.answers.get(q.id)
        return "skipped" if answer is None or answer.status == "skipped" else "dont_know"

    dont_know = [q.id for q in gaps if status(q) == "dont_know"]
    skipped = [q.id for q in gaps if status(q) == "skipped"]
    parts = []
    if dont_know:
        parts.append(f"{len(dont_know)} don't know ({', '.join(dont_know)})")
    if skipped:
        parts.append(f"{len(skipped)} skipped or not answered ({', '.join(skipped)})")
    return "Still open: " + " and ".join(parts) + "."


def _walk(
    interview: Interview,
    prompter: Prompter,
    save: Callable[[Interview], None],
    question: Question | None,
    review: bool,
    following: Callable[[str], Question | None] | None = None,
    revisiting: bool = False,
) -> Ending:
    """Ask from `question` on; forward is the next question still open, or (reviewing) the next one, or
    whatever `following` says."""
    shown_stage: Stage | None = None
    error: str | None = None
    while question is not None:
        stage = interview.stage_of[question.id]
        if stage is not None and stage is not shown_stage:
            number = interview.questionnaire.stages.index(stage) + 1
            prompter.stage_intro(stage, number, len(interview.questionnaire.stages))
            shown_stage = stage
        step = interview.step(question, revisiting)
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
        if parsed.command in ("note", "evidence"):
            error = _annotate(interview, prompter, question, parsed.command)
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
        if parsed.command == "keep":
            interview.confirm(question)
        else:
            interview.record(question, parsed)
        save(interview)
        interview.history.append(question.id)
        # forward: every question when reviewing; otherwise the next one still open, so that going back to change
        # one answer does not walk through all the others again
        if following is not None:
            question = following(question.id)
        elif review:
            question = interview.next_after(question.id)
        else:
            question = interview.next_open(question.id)
    return "finished"


def _annotate(interview: Interview, prompter: Prompter, question: Question, what: str) -> str | None:
    """Ask for a note or evidence until it can be kept (or is left as it was); the answer is untouched."""
    while True:
        current = interview.answers.get(question.id)
        if what == "note":
            problem = interview.set_note(question, prompter.note(question, current.note if current else None))
        else:
            problem = interview.set_evidence(question, prompter.evidence(question, current.evidence if current else []))
        if problem is None:
            return None
        prompter.say(f"Not kept: {problem}. Type a shorter one, or press Enter to leave it as it was.")
