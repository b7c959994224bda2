"""Checks of a condition where it is written: that it names real questions, options, nodes and indicators, that
it compares like with like, and that it can be true at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from maturity.checks.index import Index, QuestionInfo
from maturity.model.definitions import Condition
from maturity.model.document import Loc
from maturity.model.vocabulary import OVERALL, RAG_ORDER, VERDICT_POINTS, YES_NO


@dataclass
class ConditionScope:
    """What a condition in one place may refer to."""

    index: Index
    subjects: frozenset[str]
    where: str  # for messages: "a question's condition", "a pain point"
    nodes: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    tiers: set[str] = field(default_factory=set)
    pain_points: list[str] = field(default_factory=list)  # those that may be referred to (defined earlier)


def iter_conditions(condition: Condition, loc: Loc) -> Iterator[tuple[Condition, tuple[str | int, ...]]]:
    """Every leaf test in a condition, with its path."""
    base = tuple(loc)
    if condition.all is not None or condition.any is not None:
        key = "all" if condition.all is not None else "any"
        for i, child in enumerate(condition.all if condition.all is not None else condition.any or []):
            yield from iter_conditions(child, (*base, key, i))
    elif condition.not_ is not None:
        yield from iter_conditions(condition.not_, (*base, "not"))
    else:
        yield condition, base


def question_refs(condition: Condition | None) -> list[str]:
    if condition is None:
        return []
    return [c.question for c, _ in iter_conditions(condition, ()) if c.question is not None]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_condition(
    condition: Condition, loc: Loc, scope: ConditionScope, emit: Callable[[str, str, Loc], None]
) -> None:
    for leaf, where in iter_conditions(condition, loc):
        subject = leaf.subject()
        kind = subject[0] if subject else "count"
        if kind not in scope.subjects:
            allowed = ", ".join(sorted(scope.subjects))
            emit("MQ211", f"{scope.where} cannot test '{kind}'; it can test: {allowed}", (*where, kind))
            continue
        if leaf.question is not None:
            _check_answer_test(leaf, where, scope, emit)
        elif leaf.score is not None or leaf.level is not None:
            target = leaf.score if leaf.score is not None else leaf.level
            assert target is not None
            key = "score" if leaf.score is not None else "level"
            known = (
                target in scope.nodes
                or target == OVERALL
                or (key == "score" and target == VERDICT_POINTS and "indicator" in scope.subjects)
            )
            if not known:
                emit("MQ303", f"'{target}' is not a stage, group, roll-up node or 'overall'", (*where, key))
            _check_numeric_only(leaf, where, f"a {key}", emit)
        elif leaf.indicator is not None:
            if leaf.indicator not in scope.indicators:
                emit("MQ309", f"'{leaf.indicator}' is not a verdict indicator", (*where, "indicator"))
            for value in _compared_values(leaf):
                if value not in RAG_ORDER:
                    emit("MQ204", f"an indicator is rated red, amber or green, not {value!r}", (*where, "equals"))
            if leaf.at_least is not None or leaf.at_most is not None or leaf.includes is not None:
                emit("MQ204", "compare an indicator with equals or in (red, amber, green)", where)
            if leaf.is_ is not None and leaf.is_ not in ("gap", "known"):
                emit(
                    "MQ204",
                    f"an indicator is tested with 'is: gap' (rated from missing answers) or 'is: known', not "
                    f"'is: {leaf.is_}'",
                    (*where, "is"),
                )
        elif leaf.count is not None:
            if leaf.count.tier is not None and leaf.count.tier not in scope.tiers:
                emit("MQ309", f"'{leaf.count.tier}' is not a verdict tier", (*where, "count", "tier"))
            _check_numeric_only(leaf, where, "a count", emit)
        elif leaf.pain_point is not None:
            if leaf.pain_point not in scope.pain_points:
                emit(
                    "MQ309", f"'{leaf.pain_point}' is not a pain point defined before this one", (*where, "pain_point")
                )
            if leaf.is_ != "fired":
                emit("MQ204", "test a pain point with 'is: fired'", where)
        if leaf.at_least is not None and leaf.at_most is not None and leaf.at_least > leaf.at_most:
            emit("MQ205", f"at_least {leaf.at_least} is above at_most {leaf.at_most}: this can never be true", where)


def _compared_values(leaf: Condition) -> list[Any]:
    values: list[Any] = []
    for single in (leaf.equals, leaf.not_equals):
        if single is not None:
            values.append(single)
    for many in (leaf.in_, leaf.not_in):
        if many is not None:
            values.extend(many)
    return values


def _check_numeric_only(leaf: Condition, where: Loc, what: str, emit: Callable[[str, str, Loc], None]) -> None:
    if leaf.is_ is not None or leaf.includes is not None:
        emit("MQ204", f"{what} is a number: compare it with at_least, at_most, equals or in", where)
    for value in _compared_values(leaf):
        if not is_number(value):
            emit("MQ204", f"{what} is a number, but it is compared with {value!r}", where)


Emit = Callable[[str, str, Loc], None]


def _check_answer_test(leaf: Condition, where: Loc, scope: ConditionScope, emit: Emit) -> None:
    qid = leaf.question
    assert qid is not None
    info = scope.index.questions.get(qid)
    if info is None:
        emit("MQ202", f"there is no question '{qid}'", (*where, "question"))
        return
    kind = info.question.kind
    if leaf.is_ == "dont_know" and not info.allow_dont_know:
        emit("MQ205", f"question '{qid}' does not allow 'don't know', so this can never be true", (*where, "is"))
    if leaf.is_ == "not_applicable" and not info.allow_not_applicable:
        emit("MQ205", f"question '{qid}' does not allow 'not applicable', so this can never be true", (*where, "is"))
    if leaf.is_ == "fired":
        emit(
            "MQ204",
            "'is: fired' is for pain points; for an answer use answered, unanswered, dont_know, "
            "not_applicable, known, gap or evidenced",
            (*where, "is"),
        )
    if leaf.includes is not None:
        if kind != "multiple":
            emit(
                "MQ204",
                f"'includes' is for multiple-choice questions; '{qid}' is a {kind} question",
                (*where, "includes"),
            )
        elif leaf.includes not in info.options:
            emit("MQ203", f"question '{qid}' has no option '{leaf.includes}'", (*where, "includes"))
    _BY_KIND[kind](leaf, info, _compared_values(leaf), where, emit)


def _scale_test(leaf: Condition, info: QuestionInfo, values: list[Any], where: Loc, emit: Emit) -> None:
    qid = info.question.id
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool):
            emit("MQ204", f"question '{qid}' is answered with a level number, not {value!r}", where)
        elif value not in info.levels:
            emit("MQ203", f"question '{qid}' has no level {value} (levels: {info.levels})", where)
    if info.levels and leaf.at_least is not None and leaf.at_least > max(info.levels):
        emit(
            "MQ205",
            f"question '{qid}' goes up to level {max(info.levels)}, so at_least {leaf.at_least} can never be true",
            (*where, "at_least"),
        )
    if info.levels and leaf.at_most is not None and leaf.at_most < min(info.levels):
        emit(
            "MQ205",
            f"question '{qid}' starts at level {min(info.levels)}, so at_most {leaf.at_most} can never be true",
            (*where, "at_most"),
        )


def _choice_test(leaf: Condition, info: QuestionInfo, values: list[Any], where: Loc, emit: Emit) -> None:
    qid = info.question.id
    if leaf.at_least is not None or leaf.at_most is not None:
        emit("MQ204", f"question '{qid}' has options, not numbers: use equals, in or includes", where)
    if info.question.kind == "multiple" and values:
        emit("MQ204", f"question '{qid}' is multiple choice: test it with 'includes'", where)
    for value in values:
        if not isinstance(value, str):
            emit("MQ204", f"question '{qid}' is answered with an option id, not {value!r}", where)
        elif value not in info.options:
            hint = f" (options: {', '.join(info.options)})" if len(info.options) <= 12 else ""
            emit("MQ203", f"question '{qid}' has no option '{value}'{hint}", where)


def _yes_no_test(leaf: Condition, info: QuestionInfo, values: list[Any], where: Loc, emit: Emit) -> None:
    qid = info.question.id
    if leaf.at_least is not None or leaf.at_most is not None:
        emit("MQ204", f"question '{qid}' is yes or no: use equals", where)
    for value in values:
        if not isinstance(value, bool) and str(value).lower() not in YES_NO:
            emit("MQ204", f"question '{qid}' is answered yes or no, not {value!r}", where)


def _number_test(leaf: Condition, info: QuestionInfo, values: list[Any], where: Loc, emit: Emit) -> None:
    q = info.question
    for value in values:
        if not is_number(value):
            emit("MQ204", f"question '{q.id}' is answered with a number, not {value!r}", where)
    if q.maximum is not None and leaf.at_least is not None and leaf.at_least > q.maximum:
        emit(
            "MQ205",
            f"answers to '{q.id}' are at most {q.maximum}, so at_least {leaf.at_least} can never be true",
            (*where, "at_least"),
        )
    if q.minimum is not None and leaf.at_most is not None and leaf.at_most < q.minimum:
        emit(
            "MQ205",
            f"answers to '{q.id}' are at least {q.minimum}, so at_most {leaf.at_most} can never be true",
            (*where, "at_most"),
        )


def _text_test(leaf: Condition, info: QuestionInfo, values: list[Any], where: Loc, emit: Emit) -> None:
    qid = info.question.id
    if leaf.at_least is not None or leaf.at_most is not None:
        emit("MQ204", f"question '{qid}' is answered with text, not a number", where)
    for value in values:
        if not isinstance(value, str):
            emit("MQ204", f"question '{qid}' is answered with text, not {value!r}", where)


_BY_KIND: dict[str, Callable[[Condition, QuestionInfo, list[Any], Loc, Emit], None]] = {
    "scale": _scale_test,
    "single": _choice_test,
    "multiple": _choice_test,
    "yes_no": _yes_no_test,
    "number": _number_test,
    "text": _text_test,
}
