"""The scoring engine: tables of cases for points, methods, exclusions, bands, caps, RAG, pain points and verdict.

Definitions are built from Python dicts with the models' own validation, so these tests do not depend on the
loader. Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from maturity.engine.scoring import ScoringPlan, plan_for, score, score_with
from maturity.model.assessment import Assessment
from maturity.model.definitions import AnswersFile, Condition, Questionnaire, Rules
from maturity.model.problems import MaturityError

VALID = Path(__file__).parent / "fixtures" / "valid"

LEVELS_1_5 = [{"level": i, "label": f"Level {i}"} for i in range(1, 6)]
STANDARD_BANDS = [
    {"level": 1, "name": "Ad hoc", "from": 0, "to": 2},
    {"level": 2, "name": "Developing", "from": 2, "to": 3},
    {"level": 3, "name": "Defined", "from": 3, "to": 4},
    {"level": 4, "name": "Managed", "from": 4, "to": 5},
    {"level": 5, "name": "Optimised", "from": 5, "to": 5},
]
RAG = {
    "bands": [
        {"rag": "red", "from": 0, "to": 2},
        {"rag": "amber", "from": 2, "to": 3},
        {"rag": "green", "from": 3, "to": 5},
    ]
}


def scale(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "text": f"How mature is {qid}?", "kind": "scale", "levels": LEVELS_1_5, **extra}


def make_questionnaire(stages: list[dict[str, Any]], **extra: Any) -> Questionnaire:
    return Questionnaire.model_validate(
        {"kind": "questionnaire", "id": "t", "version": "1.0.0", "title": "Test", "stages": stages, **extra}
    )


def make_rules(**extra: Any) -> Rules:
    data: dict[str, Any] = {
        "kind": "scoring_rules",
        "id": "t-rules",
        "version": "1.0.0",
        "title": "Test rules",
        "questionnaire": {"id": "t", "version": "1.0.0"},
        "levels": STANDARD_BANDS,
    }
    data.update(extra)
    return Rules.model_validate(data)


def make_answers(given: dict[str, Any], qid: str = "t", version: str = "1.0.0") -> AnswersFile:
    return AnswersFile.model_validate(
        {
            "kind": "answers",
            "questionnaire": {"id": qid, "version": version},
            "assessment": {"organisation": "Org", "service": "Service", "assessor": "Ann", "date": "2026-01-31"},
            "answers": given,
        }
    )


def one_stage(*questions: dict[str, Any]) -> Questionnaire:
    return make_questionnaire([{"id": "s", "title": "Stage", "questions": list(questions)}])


def contributions(result: Assessment, node: str) -> dict[str, tuple[bool, float | None]]:
    return {c.id: (c.counted, c.contribution) for c in result.node(node).explanation.children}


# ------------------------------------------------------------------------------------------------- methods

THREE = one_stage(scale("Q1"), scale("Q2", weight=2), scale("Q3"))
ANSWERS_124 = make_answers({"Q1": 1, "Q2": 2, "Q3": 4})


@pytest.mark.parametrize(
    ("rule", "expected", "shares"),
    [
        ({"method": "mean"}, 2.333333333, {"Q1": 1 / 3, "Q2": 2 / 3, "Q3": 4 / 3}),  # (1+2+4)/3
        ({"method": "sum"}, 7.0, {"Q1": 1, "Q2": 2, "Q3": 4}),
        ({"method": "min"}, 1.0, {"Q1": 1, "Q2": None, "Q3": None}),
        ({"method": "max"}, 4.0, {"Q1": None, "Q2": None, "Q3": 4}),
        # question weights: (1*1 + 2*2 + 1*4) / (1+2+1) = 9/4
        ({"method": "weighted"}, 2.25, {"Q1": 0.25, "Q2": 1.0, "Q3": 1.0}),
        # a node weight beats the question's: (3*1 + 2*2 + 1*4) / (3+2+1) = 11/6
        ({"method": "weighted", "weights": {"Q1": 3}}, 1.833333333, {"Q1": 0.5, "Q2": 4 / 6, "Q3": 4 / 6}),
    ],
)
def test_methods(rule: dict[str, Any], expected: float, shares: dict[str, float | None]) -> None:
    result = score(THREE, make_rules(rollup={"stage": rule}), ANSWERS_124)
    stage = result.node("s")
    assert stage.score == pytest.approx(expected, abs=1e-9)
    got = contributions(result, "s")
    for qid, share in shares.items():
        assert got[qid][0] is True
        assert got[qid][1] == (None if share is None else pytest.approx(share))
    assert stage.explanation.method == rule["method"]
    assert stage.explanation.counted == 3


def test_weights_are_recorded_with_their_source() -> None:
    result = score(THREE, make_rules(rollup={"stage": {"method": "weighted", "weights": {"Q1": 3}}}), ANSWERS_124)
    children = {c.id: (c.weight, c.weight_from) for c in result.node("s").explanation.children}
    assert children == {"Q1": (3.0, "node"), "Q2": (2.0, "question"), "Q3": (1.0, "question")}


# -------------------------------------------------------------------------------------------- exclusions

EXCLUDING = one_stage(
    scale("Q1"),
    scale("Q2", allow_not_applicable=True),
    scale("Q3", when={"question": "Q1", "at_most": 2}),  # never asked here: Q1 is 4
)


@pytest.mark.parametrize(
    ("q2", "points", "expected", "q2_points", "q2_status"),
    [
        ({"status": "dont_know"}, {"dont_know": 1}, 2.5, 1.0, "dont_know"),  # (4+1)/2
        ({"status": "dont_know"}, {"dont_know": 0}, 2.0, 0.0, "dont_know"),  # (4+0)/2
        ({"status": "dont_know"}, {"dont_know": "exclude"}, 4.0, None, "dont_know"),
        ({"status": "not_applicable"}, {"unanswered": 0}, 4.0, None, "not_applicable"),  # never a zero
        ({"status": "skipped"}, {"unanswered": 0}, 2.0, 0.0, "unanswered"),
        ({"status": "skipped"}, {"unanswered": "exclude"}, 4.0, None, "unanswered"),
        (None, {"unanswered": 0}, 2.0, 0.0, "unanswered"),  # missing is unanswered too
        (None, {}, 4.0, None, "unanswered"),  # the default is to exclude
        (2, {"unanswered": 0}, 3.0, 2.0, "answered"),
    ],
)
def test_dont_know_not_applicable_unanswered(
    q2: Any, points: dict[str, Any], expected: float, q2_points: float | None, q2_status: str
) -> None:
    given: dict[str, Any] = {"Q1": 4, "Q3": 1}  # Q3 holds a value but is not asked: it never counts
    if q2 is not None:
        given["Q2"] = q2
    result = score(EXCLUDING, make_rules(points=points), make_answers(given))
    assert result.node("s").score == expected
    assert result.question("Q2").points == q2_points
    assert result.question("Q2").status == q2_status
    q3 = result.question("Q3")
    assert (q3.status, q3.points, q3.value) == ("not_asked", None, 1)
    assert q3.no_points is not None and q3.no_points.startswith("not asked (Q1 is at most 2 is false)")
    assert contributions(result, "s")["Q3"] == (False, None)


def test_not_asked_never_counts_even_with_unanswered_points() -> None:
    # unanswered = 1 would count a *skipped* question; a question not asked is not a gap and never counts
    result = score(EXCLUDING, make_rules(points={"unanswered": 1}), make_answers({"Q1": 4, "Q2": 4}))
    assert result.node("s").score == 4.0  # (4+4)/2, Q3 left out
    assert result.question("Q3").status == "not_asked"
    assert all(g.unanswered == () for g in result.evidence_gaps)
    # the explanation says once, in words, why it does not count
    [line] = [line for line in result.explain_lines() if line.startswith("    Q3:")]
    assert line == "    Q3: not asked (Q1 is at most 2 is false); it never counts"


def test_node_with_nothing_counted_has_no_score_and_says_why() -> None:
    q = make_questionnaire(
        [
            {"id": "a", "title": "A", "questions": [scale("Q1", allow_not_applicable=True)]},
            {"id": "b", "title": "B", "questions": [scale("Q2")]},
        ]
    )
    result = score(q, make_rules(rag=RAG), make_answers({"Q1": {"status": "not_applicable"}, "Q2": 3}))
    a = result.node("a")
    assert (a.score, a.level, a.level_name, a.rag) == (None, None, None, None)
    assert a.explanation.counted == 0
    assert "no part of it counted, so it has no score and no level" in a.explanation.notes
    overall = result.overall
    assert overall.score == 3.0  # only b counts
    assert contributions(result, "overall") == {"a": (False, None), "b": (True, 3.0)}
    assert overall.explanation.children[0].excluded == "stage 'a' has no score"


# ------------------------------------------------------------------------------------------------- points

POINTS_Q = make_questionnaire(
    [
        {
            "id": "s",
            "title": "S",
            "questions": [
                {"id": "SINGLE", "text": "Coverage?", "kind": "single", "answer_set": "coverage"},
                {"id": "OVERRIDE", "text": "Coverage again?", "kind": "single", "answer_set": "coverage"},
                {
                    "id": "PLAIN",
                    "text": "Which colour?",
                    "kind": "single",
                    "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}],
                },
                {"id": "MAPPED-SCALE", "text": "Scale with a map?", "kind": "scale", "answer_set": "four"},
                {
                    "id": "MULTI",
                    "text": "Which reviews?",
                    "kind": "multiple",
                    "options": [
                        {"id": "monthly", "label": "M"},
                        {"id": "quarterly", "label": "Q"},
                        {"id": "annual", "label": "A"},
                    ],
                },
                {"id": "YN", "text": "Pilot?", "kind": "yes_no"},
                {"id": "YN-PLAIN", "text": "Unmapped yes/no?", "kind": "yes_no"},
                {"id": "NUM", "text": "How many?", "kind": "number", "minimum": -10, "maximum": 100},
                {"id": "TXT", "text": "Anything else?", "kind": "text"},
            ],
        }
    ],
    answer_sets=[
        {
            "id": "coverage",
            "kind": "single",
            "options": [{"id": "none", "label": "No"}, {"id": "some", "label": "Some"}, {"id": "all", "label": "All"}],
        },
        {"id": "four", "kind": "scale", "levels": [{"level": i, "label": f"L{i}"} for i in range(4)]},
    ],
)


def points_rules(combine: str = "sum") -> Rules:
    return make_rules(
        points={
            "answer_sets": {"coverage": {"none": 1, "some": 3, "all": 5}, "four": {"0": 0, "1": 0.25, "3": 1}},
            "questions": {
                "OVERRIDE": {"map": {"none": 0, "some": 10}},
                "MULTI": {"map": {"monthly": 2, "quarterly": 2, "annual": 1}, "combine": combine},
                "YN": {"map": {"yes": 5, "no": 1}},
                "NUM": {
                    "bands": [
                        {"below": 1, "points": 1},
                        {"at_least": 1, "below": 3, "points": 3},
                        {"at_least": 3, "below": 50, "points": 5},
                    ]
                },
            },
        }
    )


@pytest.mark.parametrize(
    ("qid", "value", "combine", "points", "rule_or_reason"),
    [
        ("SINGLE", "some", "sum", 3.0, "answer set 'coverage': some -> 3"),
        ("SINGLE", "all", "sum", 5.0, "answer set 'coverage': all -> 5"),
        ("OVERRIDE", "some", "sum", 10.0, "points for OVERRIDE: some -> 10"),  # per-question map wins
        ("OVERRIDE", "all", "sum", None, "option 'all' has no points in points for OVERRIDE"),
        ("PLAIN", "red", "sum", None, "the rules give this question no points"),
        ("MAPPED-SCALE", 1, "sum", 0.25, "answer set 'four': level 1 -> 0.25"),
        ("MAPPED-SCALE", 2, "sum", 2.0, "level 2"),  # not in the map: a scale falls back to its level number
        ("MULTI", ["monthly", "annual"], "sum", 3.0, "sum of monthly 2, annual 1 (points for MULTI) -> 3"),
        ("MULTI", ["monthly", "annual"], "max", 2.0, "max of monthly 2, annual 1 (points for MULTI) -> 2"),
        ("MULTI", ["monthly", "annual"], "mean", 1.5, "mean of monthly 2, annual 1 (points for MULTI) -> 1.5"),
        ("MULTI", [], "sum", 0.0, "nothing chosen -> 0"),
        ("YN", "yes", "sum", 5.0, "points for YN: yes -> 5"),
        ("YN", "No", "sum", 1.0, "points for YN: no -> 1"),
        ("YN", False, "sum", 1.0, "points for YN: no -> 1"),
        ("YN-PLAIN", True, "sum", None, "the rules give this question no points"),
        ("NUM", 0, "sum", 1.0, "band 0 < 1 -> 1"),
        ("NUM", -10, "sum", 1.0, "band -10 < 1 -> 1"),
        ("NUM", 1, "sum", 3.0, "band 1 <= 1 < 3 -> 3"),  # at_least is inclusive
        ("NUM", 2.999, "sum", 3.0, "band 1 <= 2.999 < 3 -> 3"),
        ("NUM", 3, "sum", 5.0, "band 3 <= 3 < 50 -> 5"),  # below is exclusive
        ("NUM", 50, "sum", None, "50 falls in no band of the rules"),
        ("TXT", "free text", "sum", None, "text answers have no points"),
    ],
)
def test_points(qid: str, value: Any, combine: str, points: float | None, rule_or_reason: str) -> None:
    result = score(POINTS_Q, points_rules(combine), make_answers({qid: value}))
    q = result.question(qid)
    assert q.points == points
    assert (q.points_rule if points is not None else q.no_points) == rule_or_reason
    assert q.status == "answered"
    assert q.value == value


def test_dont_know_on_a_question_without_points_stays_without_points() -> None:
    result = score(POINTS_Q, points_rules(), make_answers({"PLAIN": {"status": "dont_know"}, "SINGLE": "all"}))
    assert result.question("PLAIN").points is None
    assert result.node("s").score == 5.0


# -------------------------------------------------------------------------------------------------- bands

BAND_Q = one_stage(scale("Q1"))


@pytest.mark.parametrize(
    ("value", "level", "name", "note"),
    [
        (0, 1, "Ad hoc", None),
        (1.999, 1, "Ad hoc", None),
        (2, 2, "Developing", None),  # exactly on a boundary: `from` is inclusive
        (2.5, 2, "Developing", None),
        (2.9999999999, 3, "Defined", None),  # rounded to 9 decimals: float noise cannot hide a boundary
        (4.999, 4, "Managed", None),
        (5, 5, "Optimised", None),  # the last band includes its `to`
        (-1, 1, "Ad hoc", "below the first band"),  # clamped, and said
        (6, 5, "Optimised", "above the last band"),
    ],
)
def test_band_edges(value: float, level: int, name: str, note: str | None) -> None:
    rules = make_rules(points={"questions": {"Q1": {"map": {"1": value}}}})
    stage = score(BAND_Q, rules, make_answers({"Q1": 1})).node("s")
    assert (stage.level, stage.level_name) == (level, name)
    band = stage.explanation.band
    assert band is not None and band.level == level
    if note is None:
        assert band.note is None
    else:
        assert band.note is not None and note in band.note


def test_gap_between_bands_uses_the_band_below() -> None:
    levels = [{"level": 1, "name": "Low", "from": 0, "to": 2}, {"level": 2, "name": "High", "from": 3, "to": 5}]
    stage = score(BAND_Q, make_rules(levels=levels), make_answers({"Q1": 2})).node("s")
    assert stage.level == 1
    assert stage.explanation.band is not None and "between bands" in (stage.explanation.band.note or "")


# --------------------------------------------------------------------------------------------------- caps

CAP_Q = make_questionnaire(
    [
        {"id": "s1", "title": "One", "questions": [scale("Q1", allow_not_applicable=True), scale("Q2"), scale("Q3")]},
        {"id": "s2", "title": "Two", "questions": [scale("Q4")]},
    ]
)


@pytest.mark.parametrize(
    ("rollup", "given", "node", "level", "caps"),
    [
        # mean (1+5+5)/3 = 3.67 -> level 3; critical Q1 = 1, +1 = 2 -> level 2
        (
            {"stage": {"caps": [{"lowest": "critical_questions", "plus": 1}]}},
            {"Q1": 1, "Q2": 5, "Q3": 5},
            "s1",
            2,
            [(True, 2, "Q1")],
        ),
        # +3 = 4: level 3 already within it
        (
            {"stage": {"caps": [{"lowest": "critical_questions", "plus": 3}]}},
            {"Q1": 1, "Q2": 5, "Q3": 5},
            "s1",
            3,
            [(False, 4, "Q1")],
        ),
        # critical question not applicable: nothing to cap with
        (
            {"stage": {"caps": [{"lowest": "critical_questions"}]}},
            {"Q1": {"status": "not_applicable"}, "Q2": 5, "Q3": 5},
            "s1",
            5,
            [(False, None, None)],
        ),
        # mean (5+5+2)/3 = 4 -> level 4; lowest question Q3 = 2 -> level 2
        ({"stage": {"caps": [{"lowest": "questions"}]}}, {"Q1": 5, "Q2": 5, "Q3": 2}, "s1", 2, [(True, 2, "Q3")]),
        # 2 + 0.5 = 2.5: floor -> 2
        (
            {"stage": {"caps": [{"lowest": "questions", "plus": 0.5}]}},
            {"Q1": 5, "Q2": 5, "Q3": 2},
            "s1",
            2,
            [(True, 2, "Q3")],
        ),
        # two caps, both recorded; the tighter one wins. mean (2+5+5)/3 = 4 -> level 4; lowest question 2 -> level 2;
        # critical Q1 2 + 1 = 3 no longer lowers anything
        (
            {"stage": {"caps": [{"lowest": "questions"}, {"lowest": "critical_questions", "plus": 1}]}},
            {"Q1": 2, "Q2": 5, "Q3": 5},
            "s1",
            2,
            [(True, 2, "Q1"), (False, 3, "Q1")],
        ),
        # overall: mean(5, 2) = 3.5 -> level 3; lowest child level 2, +1 = 3: within it
        (
            {"overall": {"caps": [{"lowest": "children", "plus": 1}]}},
            {"Q1": 5, "Q2": 5, "Q3": 5, "Q4": 2},
            "overall",
            3,
            [(False, 3, "s2")],
        ),
        # overall: mean(5, 1) = 3 -> level 3; lowest child level 1, +1 = 2 -> level 2
        (
            {"overall": {"caps": [{"lowest": "children", "plus": 1}]}},
            {"Q1": 5, "Q2": 5, "Q3": 5, "Q4": 1},
            "overall",
            2,
            [(True, 2, "s2")],
        ),
        # children's *capped* levels count: s1 = mean(1,5,5) = 3.67 capped to 1 (critical + 0); s2 = 5.
        # overall mean(3.67, 5) = 4.33 -> level 4; lowest child level 1, +1 = 2 -> level 2
        (
            {
                "stage": {"caps": [{"lowest": "critical_questions"}]},
                "overall": {"caps": [{"lowest": "children", "plus": 1}]},
            },
            {"Q1": 1, "Q2": 5, "Q3": 5, "Q4": 5},
            "overall",
            2,
            [(True, 2, "s1")],
        ),
        # lowest: questions reaches through stages to every descendant question: mean(4, 1) = 2.5 -> level 2;
        # Q4 = 1 under s2 -> level 1
        (
            {"overall": {"caps": [{"lowest": "questions"}]}},
            {"Q1": 4, "Q2": 4, "Q3": 4, "Q4": 1},
            "overall",
            1,
            [(True, 1, "Q4")],
        ),
    ],
)
def test_caps(
    rollup: dict[str, Any],
    given: dict[str, Any],
    node: str,
    level: int,
    caps: list[tuple[bool, int | None, str | None]],
) -> None:
    result = score(CAP_Q, make_rules(rollup=rollup, critical_questions=["Q1"]), make_answers(given))
    got = result.node(node)
    assert got.level == level
    assert got.level_name == STANDARD_BANDS[level - 1]["name"]
    assert [(c.applied, c.limit, c.basis) for c in got.explanation.caps] == caps


@pytest.mark.parametrize(
    ("q1", "points", "cap_gaps", "level", "basis_words"),
    [
        # skipped critical Q1 (excluded from the mean): mean (5+5)/2 = 5 -> level 5; the gap counts as level 1,
        # + 1 = 2 -> level 2: leaving it blank lifts nothing
        ({"status": "skipped"}, {}, "lowest", 2, "Q1, unanswered: a gap counts as the lowest level"),
        (None, {}, "lowest", 2, "Q1, unanswered: a gap counts as the lowest level"),  # missing is unanswered too
        ({"status": "dont_know"}, {"dont_know": "exclude"}, "lowest", 2, "Q1, don't know: a gap counts"),
        # don't know worth 1 point is not a gap: its points cap it, 1 + 1 = 2
        ({"status": "dont_know"}, {"dont_know": 1}, "lowest", 2, "(Q1);"),
        # the rules may choose to leave gaps out of caps: nothing to cap with, level 5
        ({"status": "skipped"}, {}, "ignore", 5, None),
        # not applicable is not a gap: it never caps
        ({"status": "not_applicable"}, {}, "lowest", 5, None),
        # an answer above the gap's value: 4 + 1 = 5, within it; mean (4+5+5)/3 = 4.67 -> level 4
        (4, {}, "lowest", 4, "(Q1);"),
    ],
)
def test_a_gap_in_a_critical_question_caps_as_the_lowest_level(
    q1: Any, points: dict[str, Any], cap_gaps: str, level: int, basis_words: str | None
) -> None:
    rules = make_rules(
        points=points,
        critical_questions=["Q1"],
        rollup={"stage": {"caps": [{"lowest": "critical_questions", "plus": 1}]}, "cap_gaps": cap_gaps},
    )
    given: dict[str, Any] = {"Q2": 5, "Q3": 5} | ({"Q1": q1} if q1 is not None else {})
    stage = score(CAP_Q, rules, make_answers(given)).node("s1")
    assert stage.level == level
    [cap] = stage.explanation.caps
    if basis_words is None:
        assert cap.basis is None and not cap.applied
    else:
        assert cap.basis == "Q1" and basis_words in cap.detail, cap.detail


@pytest.mark.parametrize(
    "unscored",
    [
        {"id": "T", "text": "Anything to add?", "kind": "text"},
        {
            "id": "T",
            "text": "Which team?",
            "kind": "single",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        },
    ],
)
def test_a_blank_question_that_cannot_score_never_caps(unscored: dict[str, Any]) -> None:
    q = one_stage(scale("Q1"), scale("Q2"), unscored)
    for lowest, critical in (("questions", []), ("critical_questions", ["T", "Q1"])):
        rules = make_rules(rollup={"stage": {"caps": [{"lowest": lowest, "plus": 1}]}}, critical_questions=critical)
        blank = score(q, rules, make_answers({"Q1": 5, "Q2": 5}))
        answered = score(q, rules, make_answers({"Q1": 5, "Q2": 5, "T": "a"}))
        assert blank.node("s").level == answered.node("s").level == 5, lowest


def test_cap_below_the_lowest_level_clamps_to_it() -> None:
    rules = make_rules(
        points={"questions": {"Q1": {"map": {"1": 0}}}},
        critical_questions=["Q1"],
        rollup={"stage": {"caps": [{"lowest": "critical_questions"}]}},
    )
    stage = score(CAP_Q, rules, make_answers({"Q1": 1, "Q2": 5, "Q3": 5})).node("s1")
    # mean (0+5+5)/3 = 3.33 -> level 3; cap floor(0) = 0 is below level 1, so level 1
    assert stage.level == 1
    cap = stage.explanation.caps[0]
    assert cap.applied and cap.limit == 1 and "below the lowest level" in cap.detail
    assert stage.explanation.level_before_caps == 3


# ------------------------------------------------------------------------------------------ custom roll-ups


def test_nodes_override_groups_and_stages_and_add_intermediate_nodes() -> None:
    q = make_questionnaire(
        [
            {
                "id": "s",
                "title": "S",
                "groups": [
                    {"id": "g1", "title": "G1", "questions": [scale("A1"), scale("A2")]},
                    {"id": "g2", "title": "G2", "questions": [scale("B1"), scale("B2")]},
                ],
            },
            {"id": "t", "title": "T", "questions": [scale("C1"), scale("C2")]},
        ]
    )
    rules = make_rules(
        rollup={
            "nodes": [
                {"id": "g1", "of": ["A1", "A2"], "method": "min"},  # a group rule
                {"id": "pair", "title": "A pair", "of": ["B1", "C1"], "method": "sum"},  # a new node
                {"id": "t", "of": ["pair", "C2"], "method": "max"},  # a stage with new children
                {"id": "overall", "of": ["s", "t"], "method": "weighted", "weights": {"t": 3}},
            ]
        }
    )
    result = score(q, rules, make_answers({"A1": 2, "A2": 4, "B1": 1, "B2": 3, "C1": 2, "C2": 2}))
    assert result.node("g1").score == 2.0  # min(2, 4)
    assert result.node("g2").score == 2.0  # mean(1, 3)
    assert result.node("s").score == 2.0  # mean(2, 2)
    assert result.node("pair").score == 3.0  # B1 + C1 = 1 + 2
    assert (result.node("pair").kind, result.node("pair").title) == ("node", "A pair")
    assert result.node("t").score == 3.0  # max(pair 3, C2 2)
    assert result.overall.score == 2.75  # (1*2 + 3*3) / 4
    assert [n.id for n in result.nodes] == ["overall", "s", "g1", "g2", "t", "pair"]
    assert [n.kind for n in result.nodes] == ["overall", "stage", "group", "group", "stage", "node"]


# ---------------------------------------------------------------------------------------------- OWASP SAMM
# Shaped like OWASP SAMM v2 with our own wording: 5 business functions (stages) x 3 practices (groups) x 2 streams
# (roll-up nodes) x 3 questions. Stream = sum of its 3 answers (0..3), practice = mean of its 2 streams, function =
# mean of its 3 practices, overall = mean of the 5 functions. Answers are worth 0, 0.25, 0.5 or 1; unanswered = 0.

WORTH = {"none": 0.0, "some": 0.25, "most": 0.5, "all": 1.0}


def samm_like() -> tuple[Questionnaire, Rules]:
    stages: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    for f in range(1, 6):
        groups = []
        for p in range(1, 4):
            questions = []
            streams = []
            for s in "AB":
                stream = f"F{f}-P{p}-{s}"
                ids = [f"{stream}-{k}" for k in range(1, 4)]
                questions += [
                    {
                        "id": qid,
                        "text": f"To what extent is activity {qid} done?",
                        "kind": "single",
                        "answer_set": "extent",
                    }
                    for qid in ids
                ]
                nodes.append({"id": stream, "title": f"Stream {stream}", "of": ids, "method": "sum"})
                streams.append(stream)
            groups.append({"id": f"F{f}-P{p}", "title": f"Practice {f}.{p}", "questions": questions})
            nodes.append({"id": f"F{f}-P{p}", "of": streams, "method": "mean"})
        stages.append({"id": f"F{f}", "title": f"Function {f}", "groups": groups})
    q = make_questionnaire(
        stages,
        answer_sets=[{"id": "extent", "kind": "single", "options": [{"id": k, "label": f"Extent {k}"} for k in WORTH]}],
    )
    rules = make_rules(
        points={"answer_sets": {"extent": WORTH}, "unanswered": 0, "dont_know": 0},
        rollup={"nodes": nodes},
        levels=[
            {"level": 0, "name": "None", "from": 0, "to": 1},
            {"level": 1, "name": "Initial", "from": 1, "to": 2},
            {"level": 2, "name": "Managed", "from": 2, "to": 3},
            {"level": 3, "name": "Optimised", "from": 3, "to": 3},
        ],
    )
    return q, rules


def samm_answers() -> dict[str, Any]:
    given: dict[str, Any] = {}

    def stream(name: str, values: list[str | None]) -> None:
        for k, value in enumerate(values, start=1):
            if value is not None:
                given[f"{name}-{k}"] = value

    for p in range(1, 4):
        # F1: everything in place: each stream 1+1+1 = 3, each practice 3, the function 3
        stream(f"F1-P{p}-A", ["all"] * 3)
        stream(f"F1-P{p}-B", ["all"] * 3)
        # F2: nothing answered: unanswered counts 0, so every stream, practice and the function are 0
        # F3: stream A 1 + 0.5 + 0.25 = 1.75, stream B 0.5 + 0.5 + 0 = 1; each practice (1.75+1)/2 = 1.375
        stream(f"F3-P{p}-A", ["all", "most", "some"])
        stream(f"F3-P{p}-B", ["most", "most", "none"])
        # F5: one answer per stream at 0.5, two left blank: each stream 0.5, each practice 0.5, the function 0.5
        stream(f"F5-P{p}-A", ["most", None, None])
        stream(f"F5-P{p}-B", [None, "most", None])
    # F4: practice 1 all 1 (3), practice 2 all 0.25 (each stream 0.75, practice 0.75), practice 3 blank (0)
    #     function (3 + 0.75 + 0) / 3 = 1.25
    for s in "AB":
        stream(f"F4-P1-{s}", ["all"] * 3)
        stream(f"F4-P2-{s}", ["some"] * 3)
    return given


def test_samm_shaped_model() -> None:
    q, rules = samm_like()
    assert len(q.questions()) == 90
    result = score(q, rules, make_answers(samm_answers()))
    assert result.node("F1-P2-A").score == 3.0
    assert result.node("F3-P1-A").score == 1.75
    assert result.node("F3-P1-B").score == 1.0
    assert result.node("F3-P3").score == 1.375
    assert result.node("F4-P2").score == 0.75
    assert result.node("F4-P3").score == 0.0
    assert result.node("F5-P2-B").score == 0.5
    functions = {f"F{f}": result.node(f"F{f}").score for f in range(1, 6)}
    assert functions == {"F1": 3.0, "F2": 0.0, "F3": 1.375, "F4": 1.25, "F5": 0.5}
    # overall (3 + 0 + 1.375 + 1.25 + 0.5) / 5 = 6.125 / 5 = 1.225
    assert result.overall.score == 1.225
    assert (result.overall.level, result.overall.level_name) == (1, "Initial")
    assert result.node("F1").level == 3  # 3.0 is the top band's inclusive end
    assert result.node("F2").level == 0
    assert result.node("F1-P1-A").kind == "node" and result.node("F1-P1").kind == "group"
    # every blank question is reported as a gap, by function
    gaps = {g.stage: len(g.unanswered) for g in result.evidence_gaps}
    assert gaps == {"F2": 18, "F4": 6, "F5": 12}


# -------------------------------------------------------------------------------------- RAG and pain points

RAG_Q = make_questionnaire(
    [
        {"id": "s", "title": "S", "questions": [scale("Q1"), scale("Q2")]},
        {"id": "t", "title": "T", "questions": [scale("Q3")]},
    ]
)


def rag_rules() -> Rules:
    return make_rules(
        rag={
            **RAG,
            "overrides": [
                {"pain_points": {"severity": "high", "at_least": 1}, "at_most": "amber", "reason": "a high pain point"},
                {"pain_points": {"severity": "high", "at_least": 2}, "at_most": "red"},
            ],
        },
        pain_points=[
            {
                "id": "pp-medium",
                "title": "Medium",
                "severity": "medium",
                "stage": "s",
                "when": {"question": "Q2", "at_least": 1},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-one",
                "title": "One",
                "severity": "high",
                "stage": "s",
                "when": {"question": "Q1", "at_least": 4},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-two",
                "title": "Two",
                "severity": "high",
                "stage": "s",
                "when": {"question": "Q1", "equals": 5},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-low",
                "title": "Low",
                "severity": "low",
                "stage": "s",
                "when": {"question": "Q1", "at_most": 1},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-elsewhere",
                "title": "Elsewhere",
                "severity": "high",
                "stage": "t",
                "when": {"question": "Q1", "at_most": 1},
                "why": "w",
                "action": "a",
            },
        ],
    )


@pytest.mark.parametrize(
    ("q1", "band", "rag", "overrides"),
    [
        (3, "green", "green", []),  # mean(3, 3) = 3: green, no high pain point
        (4, "green", "amber", ["amber"]),  # one high pain point: no better than amber
        (5, "green", "red", ["amber", "red"]),  # two: red
        (1, "amber", "amber", []),  # mean(1, 3) = 2: amber; pp-elsewhere belongs to stage t
    ],
)
def test_rag_bands_and_overrides(q1: int, band: str, rag: str, overrides: list[str]) -> None:
    result = score(RAG_Q, rag_rules(), make_answers({"Q1": q1, "Q2": 3, "Q3": 5}))
    stage = result.node("s")
    assert (stage.explanation.rag_band, stage.rag) == (band, rag)
    assert [o.at_most for o in stage.explanation.rag_overrides] == overrides
    assert result.overall.rag is not None


def test_override_never_improves_a_rag() -> None:
    # t scores 1 (red); pp-elsewhere (high) fires; "no better than amber" leaves it red
    result = score(RAG_Q, rag_rules(), make_answers({"Q1": 1, "Q2": 3, "Q3": 1}))
    t = result.node("t")
    assert (t.explanation.rag_band, t.rag) == ("red", "red")
    assert [o.pain_points for o in t.explanation.rag_overrides] == [("pp-elsewhere",)]
    assert result.node("s").rag == "amber"


def test_groups_and_nodes_have_no_rag() -> None:
    q = make_questionnaire(
        [{"id": "s", "title": "S", "groups": [{"id": "g", "title": "G", "questions": [scale("Q1")]}]}]
    )
    result = score(q, make_rules(rag=RAG), make_answers({"Q1": 4}))
    assert (result.node("g").rag, result.node("s").rag, result.overall.rag) == (None, "green", "green")


def test_pain_points_in_report_order_with_triggers() -> None:
    result = score(RAG_Q, rag_rules(), make_answers({"Q1": 1, "Q2": 3, "Q3": 5}))
    # high first (stage s has no high one here; t's does), then medium, then low
    assert [p.id for p in result.pain_points] == ["pp-elsewhere", "pp-medium", "pp-low"]
    low = result.pain_points[2]
    assert [(t.subject, t.id, t.test, t.actual) for t in low.triggered_by] == [("question", "Q1", "is at most 1", "1")]
    assert low.condition == "Q1 is at most 1"
    result = score(RAG_Q, rag_rules(), make_answers({"Q1": 5, "Q2": 3, "Q3": 5}))
    assert [p.id for p in result.pain_points] == ["pp-one", "pp-two", "pp-medium"]  # rules order within a tie


def test_pain_points_on_scores_levels_indicators_and_other_pain_points() -> None:
    rules = make_rules(
        pain_points=[
            {
                "id": "pp-low-stage",
                "title": "Low",
                "severity": "high",
                "stage": "s",
                "when": {"all": [{"level": "s", "at_most": 2}, {"score": "overall", "at_least": 2}]},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-follow",
                "title": "Follow-up",
                "severity": "medium",
                "when": {"pain_point": "pp-low-stage", "is": "fired"},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-red-indicator",
                "title": "Red indicator",
                "severity": "low",
                "when": {"indicator": "ind", "equals": "red"},
                "why": "w",
                "action": "a",
            },
            {
                "id": "pp-never",
                "title": "Never",
                "severity": "low",
                "when": {"pain_point": "pp-red-indicator", "is": "fired"},
                "why": "w",
                "action": "a",
            },
        ],
        verdict={
            "tiers": {"core": 1},
            "indicators": [
                {
                    "id": "ind",
                    "title": "Ind",
                    "tier": "core",
                    "questions": ["Q3"],
                    "rate": [{"rating": "green", "when": {"question": "Q3", "at_least": 4}}],
                }
            ],
            "outcomes": [{"id": "ok", "label": "OK", "rag": "green"}],
        },
    )
    # s = mean(2, 2) = 2 (level 2); t = 4; overall = 3
    result = score(RAG_Q, rules, make_answers({"Q1": 2, "Q2": 2, "Q3": 4}))
    fired = {p.id: p for p in result.pain_points}
    assert set(fired) == {"pp-low-stage", "pp-follow"}
    assert [(t.subject, t.id, t.actual) for t in fired["pp-low-stage"].triggered_by] == [
        ("level", "s", "2"),
        ("score", "overall", "3"),
    ]
    assert [(t.subject, t.id) for t in fired["pp-follow"].triggered_by] == [("pain_point", "pp-low-stage")]
    result = score(RAG_Q, rules, make_answers({"Q1": 4, "Q2": 4, "Q3": 1}))
    assert {p.id for p in result.pain_points} == {"pp-red-indicator", "pp-never"}


# ------------------------------------------------------------------------------------------------ verdict
# DOMAIN.md section 4: 11 indicators (3 core x3, 4 major x2, 4 minor x1) rated G 0 / A 1 / R 2. A core red vetoes;
# otherwise >= 21 points or 3+ major reds is "outsourcing a problem"; a core amber or >= 9 points is "at risk".

TIERS = ["core"] * 3 + ["major"] * 4 + ["minor"] * 4
RATING_TO_LEVEL = {"G": 3, "A": 2, "R": 1}


def oap() -> tuple[Questionnaire, Rules]:
    q = make_questionnaire(
        [
            {
                "id": "readiness",
                "title": "Readiness",
                "questions": [
                    {
                        "id": f"RDY-{i}",
                        "text": f"Indicator question {i}?",
                        "kind": "scale",
                        "levels": [
                            {"level": 1, "label": "Red"},
                            {"level": 2, "label": "Amber"},
                            {"level": 3, "label": "Green"},
                        ],
                    }
                    for i in range(1, 12)
                ],
            }
        ]
    )
    rules = make_rules(
        verdict={
            "tiers": {"core": 3, "major": 2, "minor": 1},
            "indicators": [
                {
                    "id": f"OAP-{i}",
                    "title": f"Indicator {i}",
                    "tier": TIERS[i - 1],
                    "questions": [f"RDY-{i}"],
                    "rate": [
                        {"rating": "green", "when": {"question": f"RDY-{i}", "equals": 3}},
                        {"rating": "amber", "when": {"question": f"RDY-{i}", "equals": 2}},
                    ],
                    "evidence": f"Evidence for indicator {i}.",
                }
                for i in range(1, 12)
            ],
            "vetoes": [
                {
                    "when": {"count": {"rated": "red", "tier": "core"}, "at_least": 1},
                    "outcome": "problem",
                    "reason": "A core indicator is red",
                }
            ],
            "outcomes": [
                {
                    "id": "problem",
                    "label": "Outsourcing a problem",
                    "rag": "red",
                    "when": {
                        "any": [
                            {"score": "verdict", "at_least": 21},
                            {"count": {"rated": "red", "tier": "major"}, "at_least": 3},
                        ]
                    },
                },
                {
                    "id": "at-risk",
                    "label": "At risk",
                    "rag": "amber",
                    "when": {
                        "any": [
                            {"count": {"rated": "amber", "tier": "core"}, "at_least": 1},
                            {"score": "verdict", "at_least": 9},
                        ]
                    },
                },
                {"id": "clear", "label": "Clear", "rag": "green"},
            ],
            "low_confidence": {"unknown_more_than": 3},
        }
    )
    return q, rules


def oap_answers(ratings: str) -> AnswersFile:
    """`ratings`: 11 letters, G/A/R, or ? for don't know, - for unanswered."""
    given: dict[str, Any] = {}
    for i, letter in enumerate(ratings, start=1):
        if letter == "?":
            given[f"RDY-{i}"] = {"status": "dont_know"}
        elif letter != "-":
            given[f"RDY-{i}"] = RATING_TO_LEVEL[letter]
    return make_answers(given)


@pytest.mark.parametrize(
    ("ratings", "outcome", "points", "vetoed", "low_confidence"),
    [
        # the worked example: 3*(1+1+1) + 2*(1+0+1+1) + 1*(1+1+1+1) = 9 + 6 + 4 = 19 -> at risk
        ("AAAAGAAAAAA", "at-risk", 19, False, False),
        ("GGGGGGGGGGG", "clear", 0, False, False),
        # all core green, 8 points is still clear: 2*(1+1+1+1) = 8
        ("GGGAAAAGGGG", "clear", 8, False, False),
        # 9 points is at risk: 8 + 1
        ("GGGAAAAAGGG", "at-risk", 9, False, False),
        # a core amber alone is at risk
        ("AGGGGGGGGGG", "at-risk", 3, False, False),
        # a core red vetoes, whatever else: 3*2 = 6 points only
        ("RGGGGGGGGGG", "problem", 6, True, False),
        # three major reds: 2*(2+2+2) = 12 points, but 3+ major reds is a problem
        ("GGGRRRGGGGG", "problem", 12, False, False),
        # 21 points: 3*3 + 2*(2+2+1+1) = 9 + 12 = 21
        ("AAARRAAGGGG", "problem", 21, False, False),
        # unknown counts as red (a core one vetoes), and more than 3 unknown is low confidence
        # 3*2 (RDY-1) + 2*2 (RDY-4) + 2*2 (RDY-5) + 1*2 (RDY-11) = 16
        ("?GG-?GGGGG-", "problem", 16, True, True),
        # exactly 3 unknown is not "more than 3"; minor reds 3*2 = 6 -> clear
        ("GGGGGGGG???", "clear", 6, False, False),
    ],
)
def test_verdict(ratings: str, outcome: str, points: float, vetoed: bool, low_confidence: bool) -> None:
    q, rules = oap()
    verdict = score(q, rules, oap_answers(ratings)).verdict
    assert verdict.assessed
    assert verdict.outcome == outcome
    assert verdict.points == points
    assert verdict.max_points == 42  # 2 * (3*3 + 4*2 + 4*1)
    assert (verdict.vetoed_by is not None) is vetoed
    assert verdict.low_confidence is low_confidence
    assert verdict.low_confidence_message == (
        "Low confidence: too many indicators rest on missing evidence." if low_confidence else None
    )
    letters = {"G": "green", "A": "amber", "R": "red", "?": "red", "-": "red"}
    assert [i.rating for i in verdict.indicators] == [letters[x] for x in ratings]
    assert [i.unknown for i in verdict.indicators] == [x in "?-" for x in ratings]


def test_verdict_explains_itself() -> None:
    q, rules = oap()
    verdict = score(q, rules, oap_answers("AAAAGAAAAAA")).verdict
    assert verdict.label == "At risk" and verdict.rag == "amber"
    assert verdict.decided_by == ("number of core indicators rated amber is at least 1 or verdict points is at least 9")
    assert [(t.subject, t.id, t.actual) for t in verdict.triggered_by] == [
        ("count", "core/amber", "3"),
        ("score", "verdict", "19"),
    ]
    first = verdict.indicators[0]
    assert (first.rule, first.points, first.evidence) == (
        "rule 2: RDY-1 equals 2: rated amber",
        3.0,
        "Evidence for indicator 1.",
    )
    assert [(a.question, a.status, a.value) for a in first.answers] == [("RDY-1", "answered", 2)]
    assert first.triggered_by[0].id == "RDY-1"


def test_veto_and_unknown_explained() -> None:
    q, rules = oap()
    verdict = score(q, rules, oap_answers("-GGGGGGGGGG")).verdict
    assert verdict.vetoed_by is not None
    assert (verdict.vetoed_by.reason, verdict.vetoed_by.outcome) == ("A core indicator is red", "problem")
    assert verdict.vetoed_by.condition == "number of core indicators rated red is at least 1"
    first = verdict.indicators[0]
    assert first.unknown and first.rating == "red"
    assert first.rule == "unknown (RDY-1 is unanswered): rated red"
    assert [(a.question, a.status, a.value) for a in first.answers] == [("RDY-1", "unanswered", None)]


def test_otherwise_and_unknown_all() -> None:
    q = one_stage(scale("Q1"), scale("Q2"))
    rules = make_rules(
        verdict={
            "tiers": {"core": 1},
            "indicators": [
                {
                    "id": "any",
                    "title": "Any",
                    "tier": "core",
                    "questions": ["Q1", "Q2"],
                    "unknown_rating": "amber",
                    "rate": [{"rating": "green", "when": {"question": "Q1", "at_least": 4}}],
                },
                {
                    "id": "all",
                    "title": "All",
                    "tier": "core",
                    "questions": ["Q1", "Q2"],
                    "unknown": "all",
                    "otherwise": "amber",
                    "rate": [{"rating": "green", "when": {"question": "Q1", "at_least": 4}}],
                },
            ],
            "outcomes": [{"id": "ok", "label": "OK", "rag": "green"}],
        }
    )
    by_id = {i.id: i for i in score(q, rules, make_answers({"Q1": 2})).verdict.indicators}
    assert (by_id["any"].rating, by_id["any"].unknown) == ("amber", True)  # Q2 unanswered, any -> unknown
    assert (by_id["all"].rating, by_id["all"].unknown) == ("amber", False)  # not all unknown -> rules -> otherwise
    assert by_id["all"].rule == "no rule matched: rated amber (otherwise)"
    by_id = {i.id: i for i in score(q, rules, make_answers({})).verdict.indicators}
    assert (by_id["all"].rating, by_id["all"].unknown) == ("red", True)


def test_not_assessed_when_it_does_not_apply() -> None:
    q, rules = oap()
    verdict_rules = rules.verdict
    assert verdict_rules is not None
    rules = rules.model_copy(
        update={
            "verdict": verdict_rules.model_copy(
                update={"applies_when": Condition.model_validate({"question": "RDY-1", "is": "answered"})}
            )
        }
    )
    verdict = score(q, rules, oap_answers("-GGGGGGGGGG")).verdict
    assert (verdict.assessed, verdict.outcome, verdict.indicators) == (False, "not_assessed", ())
    assert verdict.not_assessed_reason == "it applies only when RDY-1 is answered"
    assert score(q, rules, oap_answers("GGGGGGGGGGG")).verdict.outcome == "clear"


def test_no_verdict_rules() -> None:
    result = score(THREE, make_rules(), ANSWERS_124)
    assert (result.verdict.assessed, result.verdict.outcome) == (False, "not_assessed")
    assert result.verdict.not_assessed_reason == "the scoring rules define no verdict"


# ----------------------------------------------------------------------------------------------- demo files


def demo() -> tuple[Questionnaire, Rules, AnswersFile]:
    def read(name: str) -> Any:
        return yaml.safe_load((VALID / name).read_text(encoding="utf-8"))

    return (
        Questionnaire.model_validate(read("demo.questionnaire.yaml")),
        Rules.model_validate(read("demo.rules.yaml")),
        AnswersFile.model_validate(read("demo.answers.yaml")),
    )


def test_demo_scores() -> None:
    q, rules, answers = demo()
    result = score(q, rules, answers)
    # strategy: mean(STR-1 level 3, STR-2 yes -> 5, STR-3 some -> 3) = 11/3 = 3.667 -> level 3, green
    assert result.node("strategy").score == 3.666666667
    # people: mean(MGT-1 2 -> band 3, MGT-2 monthly 2 + quarterly 2 = 4) = 3.5
    # data: min(MGT-3 don't know = 1; MGT-4 is text) = 1; manage: mean(3.5, 1) = 2.25 -> level 2, amber
    assert (result.node("people").score, result.node("data").score) == (3.5, 1.0)
    assert (result.node("manage").score, result.node("manage").level, result.node("manage").rag) == (2.25, 2, "amber")
    # overall weighted: (2 * 3.667 + 1 * 2.25) / 3 = 3.194 -> level 3; lowest child level 2 + 1 = 3 caps nothing
    assert result.overall.score == pytest.approx(3.194444444)
    assert result.overall.level == 3
    assert result.overall.explanation.caps[0].applied is False
    # verdict: options-compared amber (3 x 1) + baseline amber (1 x 1) = 4 < 5; one amber -> at risk
    assert (result.verdict.outcome, result.verdict.points) == ("at-risk", 4.0)
    assert result.pain_points == ()
    assert [(g.stage, g.dont_know, g.unanswered) for g in result.evidence_gaps] == [("manage", ("MGT-3",), ())]
    assert result.question("STR-1").note == "Options paper went to cabinet in June."
    assert result.question("STR-1").evidence == ("cabinet-paper-2026-06.pdf",)
    assert result.details.organisation == "Example Borough Council"
    assert (result.questionnaire.id, result.questionnaire.version, result.rules.id) == ("demo", "1.2.0", "demo-rules")


def test_json_is_stable_and_the_result_frozen() -> None:
    q, rules, answers = demo()
    first = json.dumps(score(q, rules, answers).model_dump(mode="json"))
    again = json.dumps(score_with(ScoringPlan(q, rules), answers).model_dump(mode="json"))
    assert first == again
    data = json.loads(first)
    assert data["details"]["date"] == "2026-11-01"
    assert [n["id"] for n in data["nodes"]] == ["overall", "strategy", "manage", "people", "data"]
    result = score(q, rules, answers)
    with pytest.raises(ValidationError):
        result.verdict = result.verdict  # type: ignore[misc]


def test_explain_lines() -> None:
    q, rules, answers = demo()
    lines = score(q, rules, answers).explain_lines()
    assert all(isinstance(line, str) and "\x1b" not in line for line in lines)
    assert (
        lines[0] == "Assessment of Example Borough Council, Grounds maintenance; assessed by A. Assessor; on 2026-11-01"
    )
    assert "Verdict (Outsourcing a problem): At risk (amber), 4 of 8 points" in lines
    assert "Stage strategy 'Strategy': score 3.667, level 3 Defined, RAG green" in lines
    assert "    STR-2: yes -> 5 points (points for STR-2: yes -> 5); adds 1.667" in lines
    assert "    MGT-3: don't know -> 1 point (don't know, as the rules set); is the min 1" in lines
    assert any(
        line.startswith("  cap (children + 1): the lowest level (or score) among its counted children is 2 (manage)")
        for line in lines
    )
    assert "    to move it to green: An independently challenged options appraisal." in lines
    assert "    don't know: MGT-3" in lines


def test_plan_is_reused() -> None:
    q, rules, _ = demo()
    assert plan_for(q, rules) is plan_for(q, rules)


# ------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"NOPE": 3}, "MQ601"),
        ({"STR-1": 9}, "MQ602"),
        ({"STR-1": "three"}, "MQ602"),
        ({"MGT-1": 2.5}, "MQ602"),  # integer only
        ({"MGT-1": 10**400}, "MQ602"),  # too large to be a number at all
        ({"STR-2": "maybe"}, "MQ602"),
        ({"situation": {"status": "dont_know"}}, "MQ605"),
        ({"STR-1": {"status": "not_applicable"}}, "MQ605"),
    ],
)
def test_answers_that_do_not_fit_are_refused(given: dict[str, Any], code: str) -> None:
    q, rules, _ = demo()
    answers = AnswersFile.model_validate(
        {
            "kind": "answers",
            "questionnaire": {"id": "demo", "version": "1.2.0"},
            "assessment": {"organisation": "O", "service": "S"},
            "answers": given,
        }
    )
    with pytest.raises(MaturityError) as caught:
        score(q, rules, answers)
    assert [p.code for p in caught.value.problems] == [code]


@pytest.mark.parametrize(
    ("ref", "code"), [({"id": "other", "version": "1.2.0"}, "MQ603"), ({"id": "demo", "version": "9.9.9"}, "MQ604")]
)
def test_answers_for_another_questionnaire(ref: dict[str, str], code: str) -> None:
    q, rules, _ = demo()
    answers = make_answers({}, ref["id"], ref["version"])
    with pytest.raises(MaturityError) as caught:
        score(q, rules, answers)
    assert caught.value.problems[0].code == code


@pytest.mark.parametrize(
    ("rollup", "code"),
    [
        ({"nodes": [{"id": "a", "of": ["b"]}, {"id": "b", "of": ["a"]}]}, "MQ304"),
        ({"nodes": [{"id": "a", "of": ["Q1", "nowhere"]}]}, "MQ303"),
        ({"nodes": [{"id": "s", "of": ["overall"]}]}, "MQ303"),
    ],
)
def test_broken_rollups_are_refused(rollup: dict[str, Any], code: str) -> None:
    with pytest.raises(MaturityError) as caught:
        score(THREE, make_rules(rollup=rollup), ANSWERS_124)
    assert caught.value.problems[0].code == code


def test_rules_for_another_questionnaire() -> None:
    rules = make_rules(questionnaire={"id": "t", "version": "2.0.0"})
    with pytest.raises(MaturityError) as caught:
        score(THREE, rules, ANSWERS_124)
    assert caught.value.problems[0].code == "MQ302"


# ------------------------------------------------------------------------------------------------ property

DEMO_Q, DEMO_RULES, _ = demo()
DEMO_IDS = [q.id for q in DEMO_Q.questions()]
values = st.one_of(
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["yes", "no", "No", "first-time", "live", "some", "all", "monthly", ""]),
    st.text(max_size=30),
    st.lists(st.sampled_from(["monthly", "quarterly", "annual", "weekly"]), max_size=4),
    st.integers(min_value=-1, max_value=6),
)
# Values that fit each demo question, so that most examples score and the invariants below get exercised.
FITTING: dict[str, st.SearchStrategy[Any]] = {
    "situation": st.sampled_from(["first-time", "live"]),
    "STR-1": st.integers(1, 5),
    "STR-2": st.sampled_from(["yes", "no", "Yes", True, False]),
    "STR-3": st.sampled_from(["no", "some", "all"]),
    "MGT-1": st.integers(0, 500),
    "MGT-2": st.lists(st.sampled_from(["monthly", "quarterly", "annual"]), unique=True),
    "MGT-3": st.integers(1, 3),
    "MGT-4": st.text(min_size=1, max_size=20),
}
statuses = st.sampled_from(["dont_know", "not_applicable", "skipped"]).map(lambda s: {"status": s})


def one_answer(qid: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        FITTING[qid].map(lambda v: {"value": v}),
        FITTING[qid].map(lambda v: {"value": v}),
        statuses,
        values.map(lambda v: {"value": v}),
    )


def demo_answers(given_answers: dict[str, Any]) -> AnswersFile:
    return AnswersFile.model_validate(
        {
            "kind": "answers",
            "questionnaire": {"id": "demo", "version": "1.2.0"},
            "assessment": {"organisation": "O", "service": "S"},
            "answers": given_answers,
        }
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={qid: one_answer(qid) for qid in DEMO_IDS}))
@example({"STR-3": {"value": "No"}, "STR-1": {"value": "appraised"}})  # labels, not ids: found by a CI run
def test_any_answers_either_score_or_raise_maturity_error(given_answers: dict[str, Any]) -> None:
    try:
        answers = demo_answers(given_answers)
    except ValidationError:
        assume(False)
        raise
    try:
        result = score(DEMO_Q, DEMO_RULES, answers)
    except MaturityError as error:
        # only the answers can be at fault here, and each fault is named with an answers-file code
        assert error.problems and all(p.code in ("MQ601", "MQ602", "MQ605") for p in error.problems)
        return
    check_invariants(result, given_answers)


def fitting_answer(qid: str) -> st.SearchStrategy[dict[str, Any]]:
    allowed = (
        ["skipped"] + (["dont_know"] if qid != "situation" else []) + (["not_applicable"] if qid == "MGT-3" else [])
    )
    return st.one_of(FITTING[qid].map(lambda v: {"value": v}), st.sampled_from(allowed).map(lambda s: {"status": s}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={qid: fitting_answer(qid) for qid in DEMO_IDS}))
def test_answers_that_fit_always_score(given_answers: dict[str, Any]) -> None:
    check_invariants(score(DEMO_Q, DEMO_RULES, demo_answers(given_answers)), given_answers)


def meant(qid: str, given: Any) -> Any:
    """What an answer means: a file may name an option or level by its label, in any case, and the result then
    holds the option's id or the level's number (an id that is itself a word is kept as it is)."""
    question = next(q for q in DEMO_Q.questions() if q.id == qid)
    if question.kind == "scale":
        labels: dict[str, Any] = {lv.label.casefold(): lv.level for lv in DEMO_Q.levels_of(question)}
        ids: set[Any] = set()
    elif question.kind in ("single", "multiple"):
        options = DEMO_Q.options_of(question)
        labels = {o.label.casefold(): o.id for o in options}
        ids = {o.id for o in options}
    else:
        return given

    def one(value: Any) -> Any:
        if isinstance(value, str) and value not in ids:
            return labels.get(value.casefold(), value)
        return value

    if isinstance(given, list) and question.kind == "multiple":
        return [one(v) for v in given]
    return one(given)


def check_invariants(result: Assessment, given_answers: dict[str, Any]) -> None:
    assert [r.id for r in result.questions] == DEMO_IDS
    for r in result.questions:
        if r.status in ("not_asked", "not_applicable") or r.kind == "text":
            assert r.points is None
        if r.status == "answered":
            assert r.value == meant(r.id, given_answers[r.id]["value"])
        if r.status == "dont_know" and r.kind != "text":
            assert r.points == 1.0  # the demo rules' dont_know
    str2 = result.question("STR-2")
    assert (str2.status == "not_asked") == (given_answers.get("situation") != {"value": "first-time"})
    levels = {b.level for b in DEMO_RULES.levels}
    for node in result.nodes:
        assert (node.score is None) == (node.level is None)
        assert node.level is None or node.level in levels
        counted = [c.value for c in node.explanation.children if c.counted and c.value is not None]
        assert node.explanation.counted == len(counted)
        if node.score is not None:
            assert min(counted) - 1e-9 <= node.score <= max(counted) + 1e-9  # mean, min and weighted stay within
            shares = [c.contribution for c in node.explanation.children if c.contribution is not None]
            if node.explanation.method in ("min", "max"):
                assert shares == [node.score]  # the one child that decided it
            else:
                assert sum(shares) == pytest.approx(node.score, abs=1e-6)  # the parts add up to the score
    assert result.verdict.outcome in {"problem", "at-risk", "clear"}
    assert result.verdict.points == sum(i.points for i in result.verdict.indicators)
    gaps = {q for g in result.evidence_gaps for q in (*g.dont_know, *g.unanswered)}
    assert gaps == {r.id for r in result.questions if r.status in ("dont_know", "unanswered")}
    assert json.loads(json.dumps(result.model_dump(mode="json")))["verdict"]["outcome"] == result.verdict.outcome
