"""Several respondents' answers to one questionnaire, combined into one answers file. Pure: no files.

Real assessments are answered by several people (finance the cost questions, the service manager the
performance ones), or by several people each answering everything before a workshop. Combining them keeps who
said what wherever they disagree, so the workshop can talk about it:

- a disagreement is a scale answered more than one level apart, different choices, numbers or yes/no, or a
  don't know (or not applicable) beside an answer. Answers one level apart are not: they are combined quietly;
- the policy says what the combined answer is: the lowest, the median (the lower of the two middle answers when
  there is an even number, so that combining never flatters), or, for disagreements, left open (a skip, which
  `maturity assess --resume` goes back to) for the workshop to settle. Answers close enough to agree are combined
  by the median under `open`;
- "lowest" and "median" order a choice question by the points the rules give its options; where there are no
  points (a context question, say) a strict majority decides, and without one the question is left open;
- a don't know or not applicable beside an answer is set aside in favour of the answer (someone knew), and a
  respondent who skipped a question, or was not asked it, has no view on it;
- text answers are kept side by side with their authors' names, and so are notes; evidence is pooled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from maturity.model.definitions import (
    Answer,
    AnswersFile,
    AssessmentDetails,
    Combined,
    Disagreement,
    Question,
    Questionnaire,
    Respondent,
    RespondentAnswer,
    Rules,
)
from maturity.model.vocabulary import COMBINE_POLICIES, CombinePolicy

NOTE_LIMIT = 20_000
SHORT_LIMIT = 500
Order = Callable[[Question, Any], "float | None"]


@dataclass(frozen=True)
class Response:
    """One respondent's answers, under the name the combined file shows."""

    name: str
    answers: AnswersFile
    file: str | None = None


@dataclass
class Merged:
    answers: AnswersFile
    disagreements: list[Disagreement] = field(default_factory=list)


def respondent_names(files: Sequence[tuple[str | None, str]]) -> list[str]:
    """A name per respondent: the assessor, else the file's name; a name given twice is told apart by file."""
    names = [assessor or stem for assessor, stem in files]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [f"{name} ({stem})" if seen[name] > 1 else name for name, (_, stem) in zip(names, files, strict=True)]


def points_order(questionnaire: Questionnaire, rules: Rules | None) -> Order:
    """How much an answer is worth by the rules (levels are worth their number unless mapped), for ordering
    the answers of a choice question; None where the rules say nothing."""
    points = rules.points if rules is not None else None

    def worth(question: Question, value: Any) -> float | None:
        mapping: dict[str, float] | None = None
        if points is not None:
            given = points.questions.get(question.id)
            if given is not None and given.map is not None:
                mapping = dict(given.map)
            elif question.answer_set is not None:
                mapping = points.answer_sets.get(question.answer_set)
        key = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        if mapping is not None and key in mapping:
            return float(mapping[key])
        if question.kind == "scale" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return None

    return worth


def merge(
    questionnaire: Questionnaire, responses: Sequence[Response], policy: CombinePolicy, order: Order | None = None
) -> Merged:
    """The combined answers file: every question any respondent answered, combined by `policy`, with the
    disagreements (who said what) recorded in `assessment.combined`."""
    order = order or points_order(questionnaire, None)
    answers: dict[str, Answer] = {}
    disagreements: list[Disagreement] = []
    for question in questionnaire.questions():
        if question.id in answers:
            continue
        given = [(r.name, r.answers.answers[question.id]) for r in responses if question.id in r.answers.answers]
        if not given:
            continue
        answer, disagreement = _combine(questionnaire, question, given, policy, order)
        if answer is not None:
            answers[question.id] = answer
        if disagreement is not None:
            disagreements.append(disagreement)
    details = _details(responses, policy, disagreements)
    first = responses[0].answers
    combined = AnswersFile(kind="answers", questionnaire=first.questionnaire, assessment=details, answers=answers)
    return Merged(combined, disagreements)


def _details(
    responses: Sequence[Response], policy: CombinePolicy, disagreements: list[Disagreement]
) -> AssessmentDetails:
    first = responses[0].answers.assessment
    names = [r.name for r in responses]
    assessor = ", ".join(names[:-1]) + f" and {names[-1]}"
    if len(assessor) > SHORT_LIMIT:
        assessor = f"{names[0]} and {len(names) - 1} others"
    dates = [r.answers.assessment.date for r in responses if r.answers.assessment.date is not None]
    notes = [f"{r.name}: {r.answers.assessment.notes}" for r in responses if r.answers.assessment.notes]
    respondents = [
        Respondent(
            name=shorten_to(r.name, SHORT_LIMIT),
            file=shorten_to(r.file, SHORT_LIMIT) if r.file else None,
            date=r.answers.assessment.date,
            parts=list(r.answers.assessment.parts),
        )
        for r in responses
    ]
    return AssessmentDetails(
        organisation=first.organisation,
        service=first.service,
        assessor=shorten_to(assessor, SHORT_LIMIT),
        date=max(dates) if dates else None,
        notes=shorten_to("\n".join(notes), NOTE_LIMIT) if notes else None,
        combined=Combined(policy=policy, respondents=respondents, disagreements=disagreements),
    )


def _view(answer: Answer) -> bool:
    """The respondent said something to the question (an answer, don't know or not applicable)."""
    return answer.value is not None or answer.status in ("dont_know", "not_applicable")


def _combine(
    questionnaire: Questionnaire,
    question: Question,
    given: list[tuple[str, Answer]],
    policy: CombinePolicy,
    order: Order,
) -> tuple[Answer | None, Disagreement | None]:
    views = [(name, a) for name, a in given if _view(a)]
    note = _notes(given)
    evidence = list(dict.fromkeys(e for _, a in given for e in a.evidence))
    times = [a.answered_at for _, a in views if a.answered_at is not None]
    when = max(times, key=_utc) if times else None
    if not views:
        return (Answer(status="skipped", note=note, evidence=evidence) if note or evidence else None), None
    values = [(name, a.value) for name, a in views if a.value is not None]
    statuses: list[str] = sorted({str(a.status) for _, a in views if a.status is not None})
    value, reason, disagree = _decide(questionnaire, question, values, statuses, policy, order)
    disagreement = None
    if disagree:
        disagreement = Disagreement(
            question=question.id,
            answers=[
                RespondentAnswer(
                    respondent=shorten_to(name, SHORT_LIMIT), value=a.value, status=_status(a), note=a.note
                )
                for name, a in views
            ],
            combined=value,
            reason=shorten_to(reason, SHORT_LIMIT),
        )
    if value is None and (disagree or not statuses):  # left open: a skip, which --resume goes back to
        return Answer(status="skipped", note=note, evidence=evidence, answered_at=when), disagreement
    by = _by(views, value, statuses)
    if value is None:
        status = "dont_know" if "dont_know" in statuses else "not_applicable"
        return Answer(status=status, note=note, evidence=evidence, answered_at=when, answered_by=by), disagreement
    return Answer(value=value, note=note, evidence=evidence, answered_at=when, answered_by=by), disagreement


def _status(answer: Answer) -> Any:
    return answer.status if answer.status in ("dont_know", "not_applicable") else None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def _by(views: list[tuple[str, Answer]], value: Any, statuses: list[str]) -> str:
    """Whose answer the combined one is: one respondent's name, or 'combined (N respondents)'."""
    if value is None:
        names = [name for name, a in views if a.status is not None]
    else:
        names = [name for name, a in views if a.value == value]
    if len(names) == 1:
        return shorten_to(names[0], SHORT_LIMIT)
    return f"combined ({len(views)} respondents)"


def _notes(given: list[tuple[str, Answer]]) -> str | None:
    """Every respondent's note, each under its author's name; one note alone keeps its author too."""
    notes = [(name, a.note) for name, a in given if a.note]
    if not notes:
        return None
    distinct = list(dict.fromkeys(notes))
    return shorten_to("\n".join(f"{name}: {note}" for name, note in distinct), NOTE_LIMIT)


def _decide(
    questionnaire: Questionnaire,
    question: Question,
    values: list[tuple[str, Any]],
    statuses: list[str],
    policy: CombinePolicy,
    order: Order,
) -> tuple[Any, str, bool]:
    """(the combined value or None, why, whether it is a disagreement)."""
    how = COMBINE_POLICIES[policy]
    if not values:
        if len(statuses) > 1:
            return (
                None,
                f"don't know beside not applicable; {'left open' if policy == 'open' else 'taken as dont know'}",
                True,
            )
        return None, "", False
    if statuses:
        said = " and ".join("don't know" if s == "dont_know" else "not applicable" for s in statuses)
        if policy == "open":
            return None, f"{said} beside an answer: left open for discussion", True
        value, why = _pick(questionnaire, question, [v for _, v in values], policy, order)
        taken = f"{how['short']}, {why}" if why else how["short"]
        return value, f"{said} beside an answer: set aside for the answer given, {taken}", True
    distinct = _distinct([v for _, v in values])
    if len(distinct) == 1:
        return distinct[0], "", False
    if question.kind == "text":
        text = "\n".join(f"{name}: {value}" for name, value in values)
        return shorten_to(text, NOTE_LIMIT), "", False
    spread = _spread(questionnaire, question, [v for _, v in values])
    close = spread is not None and spread <= 1
    if policy == "open" and not close:
        apart = f"{spread} levels apart" if spread is not None else "different answers"
        return None, f"{apart}: left open for discussion", True
    chosen = "median" if policy == "open" else policy
    value, why = _pick(questionnaire, question, [v for _, v in values], chosen, order)
    if close:
        return value, "", False
    apart = f"{spread} levels apart" if spread is not None else "different answers"
    if value is None:
        return None, f"{apart}: {why}", True
    return value, f"{apart}: {how['short']}, {why}" if why else f"{apart}: {how['short']}", True


def _distinct(values: list[Any]) -> list[Any]:
    """The different answers among `values` (a multiple choice compared as a set; True is not 1)."""
    seen: dict[tuple[str, Any], Any] = {}
    for value in values:
        key = (type(value).__name__, tuple(sorted(value)) if isinstance(value, list) else value)
        seen.setdefault(key, value)
    return list(seen.values())


def shorten_to(text: str, limit: int) -> str:
    """At most `limit` characters, cut with an ellipsis: a combined note or name must still fit the format."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _spread(questionnaire: Questionnaire, question: Question, values: list[Any]) -> int | None:
    """How many levels apart scale answers are (by position on the scale); None for other kinds."""
    if question.kind != "scale":
        return None
    levels = [lv.level for lv in questionnaire.levels_of(question)]
    places = [levels.index(v) for v in values if v in levels]
    return max(places) - min(places) if places else None


def _pick(
    questionnaire: Questionnaire, question: Question, values: list[Any], policy: str, order: Order
) -> tuple[Any, str]:
    """The lowest or the (lower) median of the values, and in what order they were taken ('' when plain)."""
    kind = question.kind
    if kind == "multiple":
        sets = [set(v) for v in values]
        options = [o.id for o in questionnaire.options_of(question)]
        if policy == "lowest":
            return [o for o in options if all(o in s for s in sets)], "only what everyone chose"
        return [o for o in options if sum(o in s for s in sets) * 2 > len(sets)], "what most chose"
    if kind in ("scale", "number"):
        ranked = sorted(values, key=lambda v: (order(question, v) if kind == "scale" else v) or 0)
        return (ranked[0] if policy == "lowest" else ranked[(len(ranked) - 1) // 2]), ""
    worths = [order(question, v) for v in values]
    if all(w is not None for w in worths):
        ranked = [v for _, v in sorted(zip(worths, values, strict=True), key=lambda pair: pair[0])]  # type: ignore[arg-type,return-value]
        return (ranked[0] if policy == "lowest" else ranked[(len(ranked) - 1) // 2]), "by the points the rules give"
    counts: dict[Any, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts, key=lambda v: counts[v])
    if counts[best] * 2 > len(values):
        return best, "the rules give these answers no points, so the majority answer"
    return None, "the rules give these answers no points and there is no majority: left open"
