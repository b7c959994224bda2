"""Pure evaluation of declarative conditions against the facts of one assessment.

A condition never raises and never runs code: it reads facts (answers and their statuses, roll-up scores and
levels, verdict indicator ratings, fired pain points) and says true or false. The semantics, which the
questionnaire author relies on, are:

* A comparison (`equals`, `not_equals`, `in`, `not_in`, `includes`, `at_least`, `at_most`) on a question is true
  only when the question is *answered*. On a question that is don't know, not applicable, unanswered or not asked
  every comparison is false, `not_equals` and `not_in` included: an unknown answer is not "different", it is
  unknown. Test the state itself with `is`.
* `is: answered | dont_know | not_applicable` test the status; `is: known` is answered or not applicable;
  `is: unanswered` covers skipped and missing answers, but not a question that was not asked (a question whose
  `when` was false was never put to anyone, so it is not a gap).
* Scale answers compare by level number; yes/no answers are booleans and the strings "yes"/"no" in a condition
  stand for True/False; multiple-choice answers are lists, tested with `includes` (`equals`/`in` on a list are
  true when the list includes the value); numbers compare numerically; single choice and text compare as strings.
* `at_least` and `at_most` may be given together: both must hold (a closed range).
* `score`/`level` read a roll-up node (`score: verdict` is the verdict's weighted indicator points); a node with
  no score fails every comparison. `indicator` reads a rating; `count` counts indicators with a rating (and tier);
  `pain_point` with `is: fired` is true when that pain point fired.

Which questions are asked, and the facts of an answers file, are worked out in `engine.asking`, by these same
conditions, so that the interview and the scoring engine can never disagree about it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from maturity.model.definitions import Condition
from maturity.model.vocabulary import (
    GAP_STATUSES,
    STATUS_WORDS,
    VERDICT_POINTS,
    YES_NO,
    Status,
    format_value,
    hit_words,
    number,
)


@dataclass(frozen=True)
class Facts:
    """Everything a condition may read. Missing entries mean "not known": every comparison on them is false.

    `statuses`/`values` hold each question's status and, for answered questions, its value (a yes/no answer as a
    boolean). A question absent from `statuses` counts as not asked. `numbers` holds the answered values that
    are finite numbers, as floats (found from `values` when not given), so that a range test is one lookup.
    """

    statuses: Mapping[str, Status] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    scores: Mapping[str, float | None] = field(default_factory=dict)
    levels: Mapping[str, int | None] = field(default_factory=dict)
    ratings: Mapping[str, str] = field(default_factory=dict)
    tiers: Mapping[str, str] = field(default_factory=dict)
    fired: AbstractSet[str] = field(default_factory=frozenset)
    verdict_points: float | None = None
    numbers: Mapping[str, float] = field(default=None)  # type: ignore[arg-type]  # None: found in __post_init__
    evidenced: AbstractSet[str] = field(default_factory=frozenset)  # answered questions that cite evidence
    unknown: AbstractSet[str] = field(default_factory=frozenset)  # indicators rated from missing answers

    def __post_init__(self) -> None:
        if self.numbers is None:
            found = {
                qid: n
                for qid, value in self.values.items()
                if self.statuses.get(qid) == "answered" and (n := number(value)) is not None
            }
            object.__setattr__(self, "numbers", found)

    def status(self, question_id: str) -> Status:
        return self.statuses.get(question_id, "not_asked")


class Hit(NamedTuple):
    """One leaf test and what it found: the trail from a condition back to the facts that decided it."""

    subject: str  # question, score, level, indicator, count or pain_point
    id: str  # the question, node, indicator or pain point id; for a count, "red", "core/red", ...
    test: str  # the test in words, e.g. "at most 2"
    actual: str  # what was found, e.g. "2", "don't know", "no score"
    held: bool  # whether this leaf was true


# ------------------------------------------------------------------------------------------------ values


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return YES_NO.get(value.lower())
    return None


def _same(value: Any, wanted: Any) -> bool:
    """Equality that does not let True equal 1, and reads "yes"/"no" as booleans when a boolean is involved."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        a, b = _as_bool(value), _as_bool(wanted)
        return a is not None and a == b
    a_num, b_num = number(value), number(wanted)
    if a_num is not None or b_num is not None:
        return a_num is not None and a_num == b_num
    return isinstance(value, str) and isinstance(wanted, str) and value == wanted


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(value, list):
        return any(_same(v, wanted) for v in value)
    return _same(value, wanted)


# --------------------------------------------------------------------------------------------- evaluation


def _compare(value: Any, leaf: Condition) -> bool:
    """The comparisons of a leaf on a known value (an answer, a score, a level, a rating or a count)."""
    if leaf.equals is not None:
        return _matches(value, leaf.equals)
    if leaf.not_equals is not None:
        return not _matches(value, leaf.not_equals)
    if leaf.in_ is not None:
        return any(_matches(value, v) for v in leaf.in_)
    if leaf.not_in is not None:
        return not any(_matches(value, v) for v in leaf.not_in)
    if leaf.includes is not None:
        return _matches(value, leaf.includes)
    if leaf.at_least is not None or leaf.at_most is not None:
        n = number(value)
        if n is None:
            return False
        if leaf.at_least is not None and n < leaf.at_least:
            return False
        return not (leaf.at_most is not None and n > leaf.at_most)
    return False


def _count(leaf: Condition, facts: Facts) -> int | None:
    counted = leaf.count
    if counted is None or not facts.ratings:
        return None
    return sum(
        1
        for iid, rating in facts.ratings.items()
        if rating == counted.rated and (counted.tier is None or facts.tiers.get(iid) == counted.tier)
    )


def _node_value(leaf: Condition, facts: Facts) -> float | int | None:
    if leaf.score is not None:
        if leaf.score == VERDICT_POINTS and leaf.score not in facts.scores:
            return facts.verdict_points
        return facts.scores.get(leaf.score)
    assert leaf.level is not None
    return facts.levels.get(leaf.level)


Test = Callable[[Facts], bool]
# Compiled tests by the identity of their (frozen) condition; the condition is kept so its id stays unique.
_compiled: dict[int, tuple[Condition, Test]] = {}
_COMPILED_LIMIT = 100_000


def _compile_leaf(leaf: Condition) -> Test:
    """The test for one leaf, with its branches decided up front. This is the only place a leaf's meaning is
    written: `evaluate` and `explain` both run what it returns."""
    if leaf.question is not None:
        return _question_test(leaf, leaf.question)
    if leaf.score is not None or leaf.level is not None:
        return _node_test(leaf)
    indicator = leaf.indicator
    if indicator is not None:
        if leaf.is_ == "gap":
            return lambda facts: indicator in facts.unknown
        if leaf.is_ == "known":
            return lambda facts: indicator in facts.ratings and indicator not in facts.unknown
        if leaf.is_ is not None:
            return _never
        if isinstance(leaf.equals, str) and leaf.in_ is None:
            rating = leaf.equals
            return lambda facts: facts.ratings.get(indicator) == rating

        def rated(facts: Facts) -> bool:
            found = facts.ratings.get(indicator)
            return found is not None and _compare(found, leaf)

        return rated
    if leaf.count is not None:
        if leaf.is_ is not None:
            return _never

        def counted(facts: Facts) -> bool:
            n = _count(leaf, facts)
            return n is not None and _compare(n, leaf)

        return counted
    pain = leaf.pain_point
    if pain is not None and leaf.is_ == "fired":
        return lambda facts: pain in facts.fired
    return _never


def _never(facts: Facts) -> bool:
    return False


def _ranged(leaf: Condition) -> bool:
    """A leaf whose only comparisons are at_least and/or at_most."""
    return (leaf.at_least is not None or leaf.at_most is not None) and all(
        v is None for v in (leaf.equals, leaf.not_equals, leaf.in_, leaf.not_in, leaf.includes)
    )


def _question_test(leaf: Condition, qid: str) -> Test:
    """A test on an answer. Comparisons hold only for an answered question; `is` tests its state."""
    test = leaf.is_
    if test == "known":
        return lambda facts: facts.statuses.get(qid, "not_asked") in ("answered", "not_applicable")
    if test == "gap":
        return lambda facts: facts.statuses.get(qid, "not_asked") in GAP_STATUSES
    if test == "evidenced":
        return lambda facts: qid in facts.evidenced and facts.statuses.get(qid) == "answered"
    if test == "fired":
        return _never
    if test is not None:
        return lambda facts: facts.statuses.get(qid, "not_asked") == test
    if _ranged(leaf):
        return _range_test(lambda facts: facts.numbers.get(qid), leaf.at_least, leaf.at_most)
    wanted = leaf.equals
    if wanted.__class__ is str and leaf.in_ is None:
        return _text_test(qid, {str(wanted)}, leaf)
    if leaf.in_ is not None and leaf.equals is None and all(v.__class__ is str for v in leaf.in_):
        return _text_test(qid, {str(v) for v in leaf.in_}, leaf)
    if wanted is not None and wanted.__class__ in (int, float) and leaf.in_ is None:
        target = number(wanted)

        def equals_number(facts: Facts) -> bool:
            n = facts.numbers.get(qid)
            if n is not None:
                return n == target
            # a list (multiple choice) equals a value it includes
            value = facts.values.get(qid)
            return isinstance(value, list) and facts.statuses.get(qid) == "answered" and _matches(value, wanted)

        return equals_number

    def compared(facts: Facts) -> bool:
        return facts.statuses.get(qid) == "answered" and _compare(facts.values.get(qid), leaf)

    return compared


def _node_test(leaf: Condition) -> Test:
    """A test on a roll-up node's score or level (`score: verdict` is the verdict's points)."""
    if leaf.is_ is not None:
        if leaf.is_ not in ("known", "answered"):
            return _never
        return lambda facts: _node_value(leaf, facts) is not None
    node = leaf.score if leaf.score is not None else leaf.level
    if _ranged(leaf) and node is not None and leaf.score != VERDICT_POINTS:
        if leaf.level is not None:
            return _range_test(lambda facts: number(facts.levels.get(node)), leaf.at_least, leaf.at_most)
        return _range_test(lambda facts: number(facts.scores.get(node)), leaf.at_least, leaf.at_most)

    def on_node(facts: Facts) -> bool:
        found = _node_value(leaf, facts)
        return found is not None and _compare(found, leaf)

    return on_node


def _text_test(qid: str, wanted: set[str], leaf: Condition) -> Test:
    """`equals` one text, or `in` a list of texts, on an answer: a single choice compares as text, a yes/no
    answer as a boolean against "yes"/"no" in any case, anything else as `_compare` says."""
    as_bool = {YES_NO[w.lower()] for w in wanted if w.lower() in YES_NO}

    def text(facts: Facts) -> bool:
        if facts.statuses.get(qid) != "answered":
            return False
        value = facts.values.get(qid)
        cls = value.__class__
        if cls is str:
            return value in wanted
        if cls is bool:
            return value in as_bool
        return _compare(value, leaf)

    return text


def _range_test(read: Callable[[Facts], float | None], low: float | None, high: float | None) -> Test:
    """Whether `read(facts)`, a finite number or None (as `number` gives), lies within [low, high]."""
    if high is None:

        def at_least(facts: Facts) -> bool:
            n = read(facts)
            return n is not None and n >= low  # type: ignore[operator]

        return at_least
    if low is None:

        def at_most(facts: Facts) -> bool:
            n = read(facts)
            return n is not None and n <= high

        return at_most

    def between(facts: Facts) -> bool:
        n = read(facts)
        return n is not None and low <= n <= high

    return between


def _any(parts: list[Test]) -> Test:
    if len(parts) == 2:
        first, second = parts
        return lambda facts: first(facts) or second(facts)

    def any_of(facts: Facts) -> bool:
        for part in parts:  # noqa: SIM110 - any() over a generator costs more on this hot path
            if part(facts):
                return True
        return False

    return any_of


def _all(parts: list[Test]) -> Test:
    if len(parts) == 2:
        first, second = parts
        return lambda facts: first(facts) and second(facts)

    def all_of(facts: Facts) -> bool:
        for part in parts:  # noqa: SIM110 - all() over a generator costs more on this hot path
            if not part(facts):
                return False
        return True

    return all_of


def compile_condition(condition: Condition) -> Test:
    """Turn a condition into a test, once: the tree is walked when it is compiled, not on every evaluation.

    This is not code generation: it only picks which of this module's own functions to call, so nothing from a
    definition file is ever run as code.
    """
    found = _compiled.get(id(condition))
    if found is not None and found[0] is condition:
        return found[1]
    compiled: Test
    if condition.all is not None:
        compiled = _all([compile_condition(c) for c in condition.all])
    elif condition.any is not None:
        compiled = _any([compile_condition(c) for c in condition.any])
    elif condition.not_ is not None:
        inner = compile_condition(condition.not_)
        compiled = lambda facts: not inner(facts)  # noqa: E731
    else:
        compiled = _compile_leaf(condition)
    if len(_compiled) >= _COMPILED_LIMIT:
        _compiled.clear()
    _compiled[id(condition)] = (condition, compiled)
    return compiled


def evaluate(condition: Condition | None, facts: Facts) -> bool:
    """Is the condition true? A missing condition (None) is true: no `when` means always."""
    if condition is None:
        return True
    return compile_condition(condition)(facts)


def explain(condition: Condition | None, facts: Facts) -> tuple[bool, list[Hit]]:
    """The condition's value and the leaves that support it.

    For a true `all`, every leaf; for a true `any`, the leaves of the branches that held; under a `not`, the
    leaves that were false (their `held` says so). So for a fired pain point these are the answers and scores
    that made it fire.
    """
    if condition is None:
        return True, []
    if condition.all is not None or condition.any is not None:
        is_all = condition.all is not None
        parts = [explain(c, facts) for c in (condition.all if is_all else condition.any) or []]
        value = all(v for v, _ in parts) if is_all else any(v for v, _ in parts)
        # Support for the result: the children that agree with it (all of them when every child agrees).
        chosen = [hits for v, hits in parts if v == value]
        return value, [h for hits in chosen for h in hits]
    if condition.not_ is not None:
        inner, hits = explain(condition.not_, facts)
        return not inner, hits
    value = compile_condition(condition)(facts)
    return value, [_hit(condition, facts, value)]


def triggers(condition: Condition | None, facts: Facts) -> list[Hit]:
    """The hits that made a true condition true (empty when it is false)."""
    value, hits = explain(condition, facts)
    return hits if value else []


def _hit(leaf: Condition, facts: Facts, held: bool) -> Hit:
    test = describe_test(leaf)
    if leaf.question is not None:
        qid = leaf.question
        status = facts.status(qid)
        actual = format_value(facts.values.get(qid)) if status == "answered" else STATUS_WORDS[status]
        if leaf.is_ == "evidenced" and status == "answered":
            actual += ", with evidence" if qid in facts.evidenced else ", with no evidence cited"
        return Hit("question", qid, test, actual, held)
    if leaf.score is not None or leaf.level is not None:
        subject = "score" if leaf.score is not None else "level"
        found = _node_value(leaf, facts)
        actual = format_value(found) if found is not None else f"no {subject}"
        return Hit(subject, leaf.score or leaf.level or "", test, actual, held)
    if leaf.indicator is not None:
        rating = facts.ratings.get(leaf.indicator, "not rated")
        if leaf.indicator in facts.unknown:
            rating += ", from missing answers"
        return Hit("indicator", leaf.indicator, test, rating, held)
    if leaf.count is not None:
        n = _count(leaf, facts)
        label = f"{leaf.count.tier}/{leaf.count.rated}" if leaf.count.tier else leaf.count.rated
        return Hit("count", label, test, "no ratings" if n is None else str(n), held)
    pid = leaf.pain_point or ""
    return Hit("pain_point", pid, test, "fired" if pid in facts.fired else "not fired", held)


# ------------------------------------------------------------------------------------------------- words


def describe_test(leaf: Condition) -> str:
    """A leaf's comparison in words: "equals 3", "is at least 2 and at most 4", "is don't know"."""
    if leaf.equals is not None:
        return f"equals {format_value(leaf.equals)}"
    if leaf.not_equals is not None:
        return f"does not equal {format_value(leaf.not_equals)}"
    if leaf.in_ is not None:
        return f"is one of {', '.join(format_value(v) for v in leaf.in_)}"
    if leaf.not_in is not None:
        return f"is none of {', '.join(format_value(v) for v in leaf.not_in)}"
    if leaf.includes is not None:
        return f"includes {leaf.includes}"
    if leaf.at_least is not None and leaf.at_most is not None:
        return f"is between {leaf.at_least:g} and {leaf.at_most:g}"
    if leaf.at_least is not None:
        return f"is at least {leaf.at_least:g}"
    if leaf.at_most is not None:
        return f"is at most {leaf.at_most:g}"
    if leaf.is_ is not None:
        return f"is {STATUS_WORDS.get(leaf.is_, leaf.is_)}"
    return "is tested"


def describe(condition: Condition | None) -> str:
    """A whole condition in words, for explanations: "STR-1 is at most 2 or STR-1 is don't know"."""
    if condition is None:
        return "always"
    if condition.all is not None or condition.any is not None:
        parts = condition.all if condition.all is not None else condition.any or []
        joiner = " and " if condition.all is not None else " or "
        words = [describe(c) for c in parts]
        return joiner.join(f"({w})" if (" and " in w or " or " in w) else w for w in words)
    if condition.not_ is not None:
        return f"not ({describe(condition.not_)})"
    test = describe_test(condition)
    if condition.question is not None:
        return f"{condition.question} {test}"
    if condition.score is not None:
        subject = "verdict points" if condition.score == VERDICT_POINTS else f"score of {condition.score}"
        return f"{subject} {test}"
    if condition.level is not None:
        return f"level of {condition.level} {test}"
    if condition.indicator is not None:
        return f"indicator {condition.indicator} {test}"
    if condition.count is not None:
        tier = f"{condition.count.tier} " if condition.count.tier else ""
        return f"number of {tier}indicators rated {condition.count.rated} {test}"
    return f"pain point {condition.pain_point} has fired"


def describe_hit(hit: Hit) -> str:
    """One hit in words: "STR-1 is at most 2 (found 2)"."""
    return hit_words(hit.subject, hit.id, hit.test, hit.actual, hit.held)
