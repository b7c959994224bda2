"""Condition semantics, one table per subject, plus which questions are asked."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from maturity.engine.asking import answer_facts, asked_questions, is_asked
from maturity.engine.conditions import Facts, describe, describe_hit, evaluate, explain, triggers
from maturity.model.definitions import Answer, Condition, Questionnaire
from maturity.model.vocabulary import number


def cond(data: dict[str, Any]) -> Condition:
    return Condition.model_validate(data)


# Every question state the engine knows, with a value where answered.
FACTS = Facts(
    statuses={
        "scale": "answered",
        "yn": "answered",
        "yn_no": "answered",
        "multi": "answered",
        "num": "answered",
        "single": "answered",
        "txt": "answered",
        "dk": "dont_know",
        "na": "not_applicable",
        "skip": "unanswered",
        "hidden": "not_asked",
        "empty": "answered",
    },
    values={
        "scale": 3,
        "yn": True,
        "yn_no": False,
        "multi": ["monthly", "annual"],
        "num": 2.5,
        "single": "some",
        "txt": "hello",
        "empty": [],
    },
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # scale answers compare by level number
        ({"question": "scale", "equals": 3}, True),
        ({"question": "scale", "equals": 2}, False),
        ({"question": "scale", "not_equals": 2}, True),
        ({"question": "scale", "in": [1, 3]}, True),
        ({"question": "scale", "not_in": [1, 3]}, False),
        ({"question": "scale", "at_least": 3}, True),  # inclusive
        ({"question": "scale", "at_least": 3.5}, False),
        ({"question": "scale", "at_most": 3}, True),  # inclusive
        ({"question": "scale", "at_most": 2}, False),
        ({"question": "scale", "at_least": 2, "at_most": 3}, True),
        ({"question": "scale", "at_least": 1, "at_most": 2}, False),
        # yes/no answers are booleans; "yes"/"no" stand for them, in any case
        ({"question": "yn", "equals": True}, True),
        ({"question": "yn", "equals": "yes"}, True),
        ({"question": "yn", "equals": "YES"}, True),
        ({"question": "yn", "equals": "no"}, False),
        ({"question": "yn_no", "equals": "no"}, True),
        ({"question": "yn_no", "equals": False}, True),
        ({"question": "yn", "not_equals": "no"}, True),
        ({"question": "yn", "equals": 1}, False),  # True is not the number 1
        ({"question": "yn", "at_least": 0}, False),  # and not a number at all
        # multiple choice answers are lists
        ({"question": "multi", "includes": "monthly"}, True),
        ({"question": "multi", "includes": "quarterly"}, False),
        ({"question": "multi", "equals": "annual"}, True),
        ({"question": "multi", "in": ["quarterly", "annual"]}, True),
        ({"question": "multi", "not_in": ["quarterly"]}, True),
        ({"question": "empty", "includes": "monthly"}, False),
        # numbers
        ({"question": "num", "equals": 2.5}, True),
        ({"question": "num", "at_least": 2.5}, True),
        ({"question": "num", "at_most": 2.49}, False),
        ({"question": "num", "equals": "2.5"}, False),
        # single choice and text compare as strings
        ({"question": "single", "equals": "some"}, True),
        ({"question": "single", "in": ["all", "some"]}, True),
        ({"question": "single", "not_equals": "all"}, True),
        ({"question": "single", "at_least": 1}, False),
        ({"question": "txt", "equals": "hello"}, True),
        ({"question": "txt", "includes": "hello"}, True),
    ],
)
def test_comparisons_on_answered_questions(data: dict[str, Any], expected: bool) -> None:
    assert evaluate(cond(data), FACTS) is expected


UNKNOWN = ["dk", "na", "skip", "hidden", "nowhere"]  # nowhere: not in the facts at all (counts as not asked)


@pytest.mark.parametrize("qid", UNKNOWN)
@pytest.mark.parametrize(
    "test",
    [
        {"equals": 3},
        {"not_equals": 3},
        {"in": [1, 2]},
        {"not_in": [1, 2]},
        {"includes": "x"},
        {"at_least": 0},
        {"at_most": 100},
        {"equals": "yes"},
        {"not_equals": "no"},
    ],
)
def test_every_comparison_on_an_unknown_answer_is_false(qid: str, test: dict[str, Any]) -> None:
    # not_equals / not_in included: unknown is not "different"
    assert evaluate(cond({"question": qid, **test}), FACTS) is False


@pytest.mark.parametrize(
    ("qid", "state", "expected"),
    [
        ("scale", "answered", True),
        ("dk", "answered", False),
        ("hidden", "answered", False),
        ("dk", "dont_know", True),
        ("scale", "dont_know", False),
        ("na", "dont_know", False),
        ("na", "not_applicable", True),
        ("dk", "not_applicable", False),
        ("skip", "unanswered", True),
        ("hidden", "unanswered", False),
        ("nowhere", "unanswered", False),
        ("dk", "unanswered", False),
        ("scale", "unanswered", False),
        ("scale", "known", True),
        ("na", "known", True),
        ("dk", "known", False),
        ("skip", "known", False),
        ("hidden", "known", False),
        ("dk", "gap", True),
        ("skip", "gap", True),
        ("scale", "gap", False),
        ("na", "gap", False),
        ("hidden", "gap", False),
        ("nowhere", "gap", False),  # not asked is never a gap
        ("scale", "fired", False),
    ],
)
def test_is_tests_the_state_of_an_answer(qid: str, state: str, expected: bool) -> None:
    assert evaluate(cond({"question": qid, "is": state}), FACTS) is expected


NODES = Facts(
    scores={"strategy": 2.5, "manage": None, "overall": 3.0},
    levels={"strategy": 2, "manage": None, "overall": 3},
    ratings={"i1": "red", "i2": "amber", "i3": "red", "i4": "green"},
    tiers={"i1": "core", "i2": "core", "i3": "minor", "i4": "minor"},
    fired=frozenset({"pp-one"}),
    verdict_points=7.0,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"score": "strategy", "at_least": 2.5}, True),
        ({"score": "strategy", "at_most": 2.4}, False),
        ({"score": "strategy", "equals": 2.5}, True),
        ({"score": "overall", "in": [3, 4]}, True),
        ({"score": "manage", "at_least": 0}, False),  # no score: every comparison fails
        ({"score": "manage", "not_equals": 1}, False),
        ({"score": "missing", "at_most": 100}, False),
        ({"score": "verdict", "at_least": 7}, True),
        ({"score": "verdict", "at_least": 7.5}, False),
        ({"level": "strategy", "equals": 2}, True),
        ({"level": "overall", "at_most": 2}, False),
        ({"level": "manage", "at_most": 5}, False),
        ({"indicator": "i1", "equals": "red"}, True),
        ({"indicator": "i2", "in": ["red", "amber"]}, True),
        ({"indicator": "i4", "not_equals": "green"}, False),
        ({"indicator": "nope", "not_equals": "green"}, False),
        ({"count": {"rated": "red"}, "at_least": 2}, True),
        ({"count": {"rated": "red"}, "at_least": 3}, False),
        ({"count": {"rated": "red", "tier": "core"}, "equals": 1}, True),
        ({"count": {"rated": "amber", "tier": "minor"}, "equals": 0}, True),
        ({"count": {"rated": "green"}, "at_most": 1}, True),
        ({"pain_point": "pp-one", "is": "fired"}, True),
        ({"pain_point": "pp-two", "is": "fired"}, False),
    ],
)
def test_scores_levels_indicators_counts_and_pain_points(data: dict[str, Any], expected: bool) -> None:
    assert evaluate(cond(data), NODES) is expected


def test_counts_are_false_before_any_indicator_is_rated() -> None:
    assert evaluate(cond({"count": {"rated": "red"}, "at_most": 5}), Facts()) is False


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"all": [{"question": "scale", "equals": 3}, {"question": "yn", "equals": "yes"}]}, True),
        ({"all": [{"question": "scale", "equals": 3}, {"question": "yn", "equals": "no"}]}, False),
        ({"any": [{"question": "scale", "equals": 1}, {"question": "yn", "equals": "yes"}]}, True),
        ({"any": [{"question": "scale", "equals": 1}, {"question": "dk", "equals": 1}]}, False),
        ({"not": {"question": "dk", "equals": 1}}, True),  # not (unknown comparison) is true
        ({"not": {"question": "scale", "equals": 3}}, False),
        (
            {
                "all": [
                    {"any": [{"question": "dk", "is": "dont_know"}, {"question": "scale", "at_most": 1}]},
                    {"not": {"question": "hidden", "is": "answered"}},
                ]
            },
            True,
        ),
        ({"all": []}, True),
        ({"any": []}, False),
    ],
)
def test_logic(data: dict[str, Any], expected: bool) -> None:
    assert evaluate(cond(data), FACTS) is expected


def test_no_condition_is_always_true() -> None:
    assert evaluate(None, Facts()) is True
    assert explain(None, Facts()) == (True, [])


def test_triggers_are_the_true_leaves_of_the_branch_that_held() -> None:
    condition = cond(
        {
            "any": [
                {"question": "scale", "at_most": 2},
                {"question": "dk", "is": "dont_know"},
                {"all": [{"question": "yn", "equals": "yes"}, {"question": "num", "at_least": 2}]},
            ]
        }
    )
    hits = triggers(condition, FACTS)
    assert [(h.subject, h.id, h.test, h.actual, h.held) for h in hits] == [
        ("question", "dk", "is don't know", "don't know", True),
        ("question", "yn", "equals yes", "yes", True),
        ("question", "num", "is at least 2", "2.5", True),
    ]


def test_triggers_under_not_are_the_leaves_that_failed() -> None:
    hits = triggers(cond({"not": {"question": "scale", "at_least": 4}}), FACTS)
    assert [(h.id, h.held, h.actual) for h in hits] == [("scale", False, "3")]


def test_no_triggers_when_false() -> None:
    assert triggers(cond({"question": "scale", "equals": 1}), FACTS) == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"question": "STR-1", "at_most": 2}, "STR-1 is at most 2"),
        (
            {"any": [{"question": "STR-1", "at_most": 2}, {"question": "STR-1", "is": "dont_know"}]},
            "STR-1 is at most 2 or STR-1 is don't know",
        ),
        (
            {
                "all": [
                    {"question": "A", "equals": "yes"},
                    {"any": [{"question": "B", "in": [1, 2]}, {"question": "C", "includes": "x"}]},
                ]
            },
            "A equals yes and (B is one of 1, 2 or C includes x)",
        ),
        ({"not": {"level": "overall", "at_least": 3}}, "not (level of overall is at least 3)"),
        ({"score": "verdict", "at_least": 21}, "verdict points is at least 21"),
        (
            {"count": {"rated": "red", "tier": "core"}, "at_least": 1},
            "number of core indicators rated red is at least 1",
        ),
        ({"indicator": "OAP-1", "equals": "red"}, "indicator OAP-1 equals red"),
        ({"pain_point": "pp-x", "is": "fired"}, "pain point pp-x has fired"),
        ({"question": "Q", "at_least": 1, "at_most": 3}, "Q is between 1 and 3"),
    ],
)
def test_describe(data: dict[str, Any], words: str) -> None:
    assert describe(cond(data)) == words


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        (True, None),
        ("3", None),
        (float("nan"), None),
        (float("inf"), None),
        (10**400, None),
    ],
)
def test_number(value: Any, expected: float | None) -> None:
    assert number(value) == expected


# ------------------------------------------------------------------------------------------- which are asked


def chain_questionnaire() -> Questionnaire:
    """situation -> PILOT (asked for first-time) -> PILOT-DETAIL (asked when PILOT is yes) -> LAST (when not dk)."""
    return Questionnaire.model_validate(
        {
            "kind": "questionnaire",
            "id": "chain",
            "version": "1.0.0",
            "title": "Chain",
            "context": [
                {
                    "id": "situation",
                    "text": "Which?",
                    "kind": "single",
                    "options": [{"id": "first-time", "label": "First"}, {"id": "live", "label": "Live"}],
                }
            ],
            "stages": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [
                        {
                            "id": "PILOT",
                            "text": "Pilot?",
                            "kind": "yes_no",
                            "when": {"question": "situation", "equals": "first-time"},
                        },
                        {
                            "id": "PILOT-DETAIL",
                            "text": "How long?",
                            "kind": "number",
                            "when": {"question": "PILOT", "equals": "yes"},
                        },
                        {
                            "id": "NOT-PILOT",
                            "text": "Why not?",
                            "kind": "text",
                            "when": {"not": {"question": "PILOT", "is": "answered"}},
                        },
                        {
                            "id": "GAP",
                            "text": "Gap?",
                            "kind": "text",
                            "when": {"question": "PILOT", "is": "unanswered"},
                        },
                    ],
                }
            ],
        }
    )


def answers(data: dict[str, Any]) -> dict[str, Answer]:
    # the short form (`STR-1: 3`) belongs to the answers file; a single Answer is always a mapping
    return {k: Answer.model_validate(v if isinstance(v, dict) else {"value": v}) for k, v in data.items()}


@pytest.mark.parametrize(
    ("given", "statuses"),
    [
        # first-time and a yes: the detail is asked
        (
            {"situation": "first-time", "PILOT": "yes", "PILOT-DETAIL": 3},
            {
                "situation": "answered",
                "PILOT": "answered",
                "PILOT-DETAIL": "answered",
                "NOT-PILOT": "not_asked",
                "GAP": "not_asked",
            },
        ),
        # "yes" given as a boolean works the same
        (
            {"situation": "first-time", "PILOT": True},
            {"PILOT": "answered", "PILOT-DETAIL": "unanswered", "NOT-PILOT": "not_asked"},
        ),
        # a live contract: PILOT is not asked even though the file holds an answer, so its dependants see "not asked"
        (
            {"situation": "live", "PILOT": "yes", "PILOT-DETAIL": 3},
            {"PILOT": "not_asked", "PILOT-DETAIL": "not_asked", "NOT-PILOT": "unanswered", "GAP": "not_asked"},
        ),
        # PILOT asked but skipped: is unanswered
        (
            {"situation": "first-time", "PILOT": {"status": "skipped"}},
            {"PILOT": "unanswered", "PILOT-DETAIL": "not_asked", "NOT-PILOT": "unanswered", "GAP": "unanswered"},
        ),
        # no situation at all: nothing depending on it is asked
        ({}, {"situation": "unanswered", "PILOT": "not_asked", "PILOT-DETAIL": "not_asked", "NOT-PILOT": "unanswered"}),
        ({"situation": {"status": "dont_know"}}, {"situation": "dont_know", "PILOT": "not_asked"}),
    ],
)
def test_answer_facts_decide_which_questions_are_asked(given: dict[str, Any], statuses: dict[str, str]) -> None:
    facts = answer_facts(chain_questionnaire(), answers(given))
    assert {k: facts.status(k) for k in statuses} == statuses


def test_not_asked_values_are_not_facts() -> None:
    facts = answer_facts(chain_questionnaire(), answers({"situation": "live", "PILOT": "yes"}))
    assert "PILOT" not in facts.values
    assert facts.values == {"situation": "live"}


def test_yes_no_answers_are_normalised_to_booleans() -> None:
    facts = answer_facts(chain_questionnaire(), answers({"situation": "first-time", "PILOT": "No"}))
    assert facts.values["PILOT"] is False


def test_asked_questions_and_is_asked() -> None:
    q = chain_questionnaire()
    given = answers({"situation": "first-time", "PILOT": "no"})
    facts = answer_facts(q, given)
    detail = q.stages[0].questions[1]  # type: ignore[index]
    assert detail.id == "PILOT-DETAIL"
    assert is_asked(detail, facts) is False
    assert asked_questions(q, given) == ["situation", "PILOT"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"question": "scale", "at_least": 3}, "scale is at least 3 (found 3)"),
        ({"question": "dk", "is": "dont_know"}, "dk is don't know (found don't know)"),
        # a leaf that failed says so
        (
            {"count": {"rated": "red", "tier": "core"}, "at_least": 1},
            "not: number of core indicators rated red is at least 1 (found 0)",
        ),
        ({"count": {"rated": "green"}, "at_least": 1}, "number of indicators rated green is at least 1 (found 1)"),
        ({"score": "verdict", "at_least": 1}, "verdict points is at least 1 (found 7)"),
    ],
)
def test_describe_hit(data: dict[str, Any], words: str) -> None:
    facts = Facts(FACTS.statuses, FACTS.values, ratings={"i": "green"}, tiers={"i": "core"}, verdict_points=7.0)
    _, hits = explain(cond(data), facts)
    assert describe_hit(hits[0]) == words


# ------------------------------------------------------------------------- compiled tests against the rules
#
# `evaluate` runs conditions compiled into closures, with shortcuts for the common leaves; `explain` walks them
# with `_leaf`, the plain statement of the semantics. Any facts and any condition must get the same answer from
# both, including awkward values (huge integers, infinities, booleans, lists, numbers written as text).

_IDS = ["a", "b", "c"]
_NODES = ["n1", "n2", "verdict"]
_VALUES = st.one_of(
    st.integers(-3, 6),
    st.sampled_from([10**400, -(10**400), 2.5, float("inf"), float("nan"), True, False]),
    st.sampled_from(["yes", "no", "x", "3", "some"]),
    st.lists(st.sampled_from(["x", "some", "3"]), max_size=2),
    st.lists(st.integers(1, 3), max_size=2),
    st.none(),
)
_SCALARS = st.one_of(st.integers(-1, 5), st.sampled_from([2.5, True, False, "yes", "x", "3", "red", "amber"]))
_BOUNDS = st.one_of(st.none(), st.sampled_from([-1.0, 0.0, 1.0, 2.0, 2.5, 3.0, 5.0]))


@st.composite
def _facts(draw: st.DrawFn) -> Facts:
    statuses = {
        q: draw(st.sampled_from(["answered", "dont_know", "not_applicable", "unanswered", "not_asked"]))
        for q in draw(st.lists(st.sampled_from(_IDS), unique=True))
    }
    values = {q: draw(_VALUES) for q in statuses if statuses[q] == "answered" or draw(st.booleans())}
    numbers_ = st.one_of(st.none(), st.integers(0, 5), st.sampled_from([2.5, float("inf"), True, 10**400]))
    return Facts(
        statuses,
        values,
        scores={n: draw(numbers_) for n in draw(st.lists(st.sampled_from(_NODES)))},
        levels={n: draw(numbers_) for n in draw(st.lists(st.sampled_from(_NODES)))},
        ratings={
            i: draw(st.sampled_from(["red", "amber", "green"])) for i in draw(st.lists(st.sampled_from(["i1", "i2"])))
        },
        tiers={"i1": "core", "i2": "minor"},
        fired=frozenset(draw(st.lists(st.sampled_from(["pp-a", "pp-b"])))),
        verdict_points=draw(st.one_of(st.none(), st.floats(0, 30))),
    )


@st.composite
def _leaf_data(draw: st.DrawFn) -> dict[str, Any]:
    subject = draw(st.sampled_from(["question", "score", "level", "indicator", "count", "pain_point"]))
    if subject == "count":
        data: dict[str, Any] = {"count": {"rated": draw(st.sampled_from(["red", "amber"]))}}
    else:
        pool = {
            "question": _IDS,
            "score": _NODES,
            "level": _NODES,
            "indicator": ["i1", "i2"],
            "pain_point": ["pp-a", "pp-b"],
        }[subject]
        data = {subject: draw(st.sampled_from(pool))}
    test = draw(st.sampled_from(["equals", "not_equals", "in", "not_in", "includes", "range", "is"]))
    if test == "range":
        low, high = draw(_BOUNDS), draw(_BOUNDS)
        data.update({k: v for k, v in (("at_least", low), ("at_most", high)) if v is not None} or {"at_least": 1.0})
    elif test == "is":
        data["is"] = draw(
            st.sampled_from(["answered", "unanswered", "dont_know", "not_applicable", "known", "gap", "fired"])
        )
    elif test in ("in", "not_in"):
        data[test] = draw(st.lists(_SCALARS, min_size=1, max_size=3))
    elif test == "includes":
        data[test] = draw(st.sampled_from(["x", "some"]))
    else:
        data[test] = draw(_SCALARS)
    return data


def _conditions() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        _leaf_data(),
        lambda inner: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=5,
    )


@settings(max_examples=400, deadline=None)
@given(_conditions(), _facts())
def test_compiled_conditions_agree_with_the_plain_rules(data: dict[str, Any], facts: Facts) -> None:
    try:
        condition = cond(data)
    except ValidationError:
        assume(False)
        return
    assert evaluate(condition, facts) is explain(condition, facts)[0]


_AWKWARD = [
    0,
    1,
    2,
    3,
    10**400,
    2.5,
    2.0,
    float("inf"),
    float("nan"),
    True,
    False,
    "yes",
    "no",
    "3",
    "x",
    ["x"],
    [2],
    [],
    None,
]
_TESTS = (
    [{"equals": v} for v in (2, 2.0, 2.5, True, "yes", "x", "3")]
    + [{"not_equals": v} for v in (2, "x", False)]
    + [{"in": [2, "x"]}, {"not_in": [3, True]}, {"includes": "x"}]
    + [{"in": ["x", "some"]}, {"in": ["x", "YES"]}, {"in": ["no", "3"]}, {"equals": "No"}, {"not_in": ["x"]}]
    + [{"at_least": 2.0}, {"at_most": 2.0}, {"at_least": 1.0, "at_most": 2.0}, {"at_least": 3.0, "at_most": 3.0}]
    + [{"is": s} for s in ("answered", "unanswered", "dont_know", "not_applicable", "known", "gap", "fired")]
)


@pytest.mark.parametrize("test", _TESTS, ids=str)
def test_every_compiled_leaf_agrees_with_the_plain_rules_on_awkward_values(test: dict[str, Any]) -> None:
    for value in _AWKWARD:
        for status in ("answered", "dont_know", "unanswered", "not_asked"):
            facts = Facts(
                {"a": status},
                {"a": value} if status == "answered" else {},
                scores={"n": value},
                levels={"n": value},
                ratings={"i": value},
            )  # type: ignore[dict-item]
            for subject in (
                {"question": "a"},
                {"score": "n"},
                {"level": "n"},
                {"indicator": "i"},
                {"score": "verdict"},
            ):
                condition = cond({**subject, **test})
                assert evaluate(condition, facts) is explain(condition, facts)[0], (subject, test, value, status)
