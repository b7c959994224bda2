"""`summarise` (the numbers only, for batch summaries) against `score` (the full explained Assessment).

The two share the engine's arithmetic, but `summarise` never builds the result models, so anything that read a
number from an explanation, or a change to one half only, would show up here as a disagreement. Every test
compares the whole `Summary` with one derived from the Assessment, so float figures must agree exactly.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from maturity.engine.scoring import ScoringPlan, plan_for, score, score_and_summarise, summarise, summarise_with
from maturity.model.assessment import Assessment, StageSummary, Summary
from maturity.model.definitions import AnswersFile, Questionnaire, Rules
from maturity.model.problems import MaturityError

from .test_scoring import (
    DEMO_IDS,
    DEMO_Q,
    DEMO_RULES,
    RAG,
    RAG_Q,
    WORTH,
    demo,
    demo_answers,
    fitting_answer,
    make_answers,
    make_questionnaire,
    make_rules,
    oap,
    oap_answers,
    one_answer,
    rag_rules,
    samm_answers,
    samm_like,
    scale,
)


def summary_of(result: Assessment) -> Summary:
    """What `summarise` must return, read off the full Assessment the way the batch summary used to read it."""
    overall = result.overall
    verdict = result.verdict
    context = [q for q in result.questions if q.stage is None]
    situation = next((q for q in context if q.id == "situation"), context[0] if context else None)
    return Summary(
        questionnaire_id=result.questionnaire.id,
        questionnaire_version=result.questionnaire.version,
        details=result.details,
        overall_score=overall.score,
        overall_level=overall.level,
        overall_level_name=overall.level_name,
        overall_rag=overall.rag,
        stages=tuple(StageSummary(s.id, s.score, s.level, s.rag) for s in result.stages()),
        reported=tuple(
            StageSummary(n.id, n.score, n.level, n.rag) for n in result.nodes if n.reported and n.kind == "node"
        ),
        verdict_outcome=verdict.outcome,
        verdict_label=verdict.label,
        verdict_points=verdict.points,
        low_confidence=verdict.low_confidence,
        pain_point_ids=tuple(p.id for p in result.pain_points),
        pain_point_titles=tuple(p.title for p in result.pain_points),
        dont_know=sum(len(g.dont_know) for g in result.evidence_gaps),
        unanswered=sum(len(g.unanswered) for g in result.evidence_gaps),
        situation=situation.value if situation is not None and situation.status == "answered" else None,
    )


def check_agree(questionnaire: Questionnaire, rules: Rules, answers: AnswersFile) -> Summary:
    """`summarise` equals the full result's figures; and in the full result, words and numbers agree."""
    result = score(questionnaire, rules, answers)
    quick = summarise(questionnaire, rules, answers)
    both = score_and_summarise(questionnaire, rules, answers)
    assert quick == summary_of(result) == both[1]
    assert both[0] == result
    for q in result.questions:  # a question has points with the rule that gave them, or none and the reason
        assert (q.points is None) == (q.points_rule is None) == (q.no_points is not None), q
    for node in result.nodes:
        assert (node.score is None) == (node.explanation.band is None)
    return quick


# ------------------------------------------------------------------------------------------------ tables


def test_demo_summary() -> None:
    q, rules, answers = demo()
    quick = check_agree(q, rules, answers)
    assert (quick.questionnaire_id, quick.questionnaire_version) == ("demo", "1.2.0")
    assert (quick.details.organisation, quick.details.service, quick.details.assessor) == (
        "Example Borough Council",
        "Grounds maintenance",
        "A. Assessor",
    )
    assert quick.overall_score == pytest.approx(3.194444444)
    assert (quick.overall_level, quick.overall_level_name, quick.overall_rag) == (3, "Defined", "green")
    assert quick.stages == (StageSummary("strategy", 3.666666667, 3, "green"), StageSummary("manage", 2.25, 2, "amber"))
    assert (quick.verdict_outcome, quick.verdict_label, quick.verdict_points, quick.low_confidence) == (
        "at-risk",
        "At risk",
        4.0,
        False,
    )
    assert (quick.pain_point_ids, quick.dont_know, quick.unanswered) == ((), 1, 0)


def test_summarise_uses_the_cached_plan() -> None:
    q, rules, answers = demo()
    plan = plan_for(q, rules)
    assert (
        summarise_with(plan, answers) == summarise(q, rules, answers) == summarise_with(ScoringPlan(q, rules), answers)
    )


def test_samm_shaped_summary() -> None:
    q, rules = samm_like()
    quick = check_agree(q, rules, make_answers(samm_answers()))
    assert [(s.id, s.score) for s in quick.stages] == [
        ("F1", 3.0),
        ("F2", 0.0),
        ("F3", 1.375),
        ("F4", 1.25),
        ("F5", 0.5),
    ]
    assert (quick.overall_score, quick.overall_level, quick.overall_level_name) == (1.225, 1, "Initial")
    assert (quick.overall_rag, quick.verdict_outcome, quick.verdict_label) == (None, "not_assessed", "Not assessed")
    assert (quick.verdict_points, quick.low_confidence) == (None, False)
    assert (quick.unanswered, quick.dont_know) == (36, 0)


@pytest.mark.parametrize(
    ("given", "pains", "stage_rags"),
    [
        ({"Q1": 1, "Q2": 3, "Q3": 5}, ("pp-elsewhere", "pp-medium", "pp-low"), ("amber", "amber")),
        ({"Q1": 5, "Q2": 3, "Q3": 5}, ("pp-one", "pp-two", "pp-medium"), ("red", "green")),
        ({"Q1": 1, "Q2": 3, "Q3": 1}, ("pp-elsewhere", "pp-medium", "pp-low"), ("amber", "red")),
        ({"Q1": {"status": "dont_know"}}, (), ("red", None)),  # t has nothing counted: no score, no RAG
    ],
)
def test_pain_points_and_rag_overrides(
    given: dict[str, Any], pains: tuple[str, ...], stage_rags: tuple[str | None, ...]
) -> None:
    quick = check_agree(RAG_Q, rag_rules(), make_answers(given))
    assert quick.pain_point_ids == pains
    assert tuple(s.rag for s in quick.stages) == stage_rags


@pytest.mark.parametrize(
    ("ratings", "outcome", "points", "low_confidence"),
    [
        ("GGGGGGGGGGG", "clear", 0.0, False),
        ("RGGGGGGGGGG", "problem", 6.0, False),  # vetoed by a core red
        ("GAGGGGGGGGG", "at-risk", 3.0, False),
        ("GGGRRRGGGGG", "problem", 12.0, False),  # three major reds
        ("GGG????GGGG", "problem", 16.0, True),  # don't knows are red and unknown
        ("GGG-AAAGGGG", "at-risk", 10.0, False),
    ],
)
def test_verdict(ratings: str, outcome: str, points: float, low_confidence: bool) -> None:
    q, rules = oap()
    quick = check_agree(q, rules, oap_answers(ratings))
    assert (quick.verdict_outcome, quick.verdict_points, quick.low_confidence) == (outcome, points, low_confidence)


def test_verdict_that_does_not_apply_and_no_rag() -> None:
    q = make_questionnaire([{"id": "s", "title": "S", "questions": [scale("Q1")]}])
    rules = make_rules(
        verdict={
            "applies_when": {"question": "Q1", "at_least": 3},
            "tiers": {"core": 1},
            "indicators": [
                {
                    "id": "i",
                    "title": "I",
                    "tier": "core",
                    "questions": ["Q1"],
                    "rate": [{"rating": "green", "when": {"question": "Q1", "equals": 5}}],
                }
            ],
            "outcomes": [{"id": "ok", "label": "OK", "rag": "green"}],
        }
    )
    quick = check_agree(q, rules, make_answers({"Q1": 2}))
    assert (quick.verdict_outcome, quick.verdict_points, quick.overall_rag) == ("not_assessed", None, None)
    quick = check_agree(q, rules, make_answers({"Q1": 4}))
    assert (quick.verdict_outcome, quick.verdict_label, quick.verdict_points) == ("ok", "OK", 2.0)


@pytest.mark.parametrize(
    ("given", "code"),
    [({"NOPE": 3}, "MQ601"), ({"STR-1": 9}, "MQ602"), ({"situation": {"status": "dont_know"}}, "MQ605")],
)
def test_summarise_refuses_what_score_refuses(given: dict[str, Any], code: str) -> None:
    with pytest.raises(MaturityError) as caught:
        summarise(DEMO_Q, DEMO_RULES, demo_answers(given))
    assert [p.code for p in caught.value.problems] == [code]


# ---------------------------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={qid: one_answer(qid) for qid in DEMO_IDS}))
def test_demo_any_answers(given_answers: dict[str, Any]) -> None:
    try:
        answers = demo_answers(given_answers)
    except ValidationError:
        assume(False)
        raise
    try:
        full = score(DEMO_Q, DEMO_RULES, answers)
    except MaturityError as error:
        with pytest.raises(MaturityError) as caught:
            summarise(DEMO_Q, DEMO_RULES, answers)
        assert [p.code for p in caught.value.problems] == [p.code for p in error.problems]
        return
    assert summarise(DEMO_Q, DEMO_RULES, answers) == summary_of(full)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={qid: fitting_answer(qid) for qid in DEMO_IDS}))
def test_demo_fitting_answers(given_answers: dict[str, Any]) -> None:
    check_agree(DEMO_Q, DEMO_RULES, demo_answers(given_answers))


SAMM_Q, SAMM_RULES = samm_like()
SAMM_ANSWER = st.one_of(
    st.sampled_from(list(WORTH)),
    st.sampled_from(["dont_know", "skipped"]).map(lambda s: {"status": s}),
    st.sampled_from(list(WORTH)).map(lambda v: {"value": v, "note": "Checked."}),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={q.id: SAMM_ANSWER for q in SAMM_Q.questions()}))
def test_samm_shaped_any_answers(given_answers: dict[str, Any]) -> None:
    check_agree(SAMM_Q, SAMM_RULES, make_answers(given_answers))


OAP_Q, OAP_RULES = oap()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="GAR?-", min_size=11, max_size=11))
def test_verdict_any_ratings(ratings: str) -> None:
    check_agree(OAP_Q, OAP_RULES, oap_answers(ratings))


# Pain points that read scores, levels, indicators and each other, with RAG overrides and a children cap: the
# parts of the run whose order matters (each pain point sees only those before it).
CHAINED_RULES = make_rules(
    rag={
        **RAG,
        "overrides": [
            {"pain_points": {"severity": "high", "at_least": 1}, "at_most": "amber"},
            {"pain_points": {"severity": "medium", "at_least": 1}, "at_most": "red"},
        ],
    },
    rollup={
        "overall": {"method": "min", "caps": [{"lowest": "children", "plus": 0.5}]},
        "stage": {"method": "weighted", "caps": [{"lowest": "questions", "plus": 1}]},
    },
    pain_points=[
        {
            "id": "pp-follow",
            "title": "Follow-up",
            "severity": "high",
            "stage": "s",
            "when": {"pain_point": "pp-low-stage", "is": "fired"},
            "why": "w",
            "action": "a",
        },  # a later one: never
        {
            "id": "pp-low-stage",
            "title": "Low",
            "severity": "high",
            "stage": "s",
            "when": {"any": [{"level": "s", "at_most": 2}, {"score": "verdict", "at_least": 2}]},
            "why": "w",
            "action": "a",
        },
        {
            "id": "pp-after",
            "title": "After",
            "severity": "medium",
            "stage": "t",
            "when": {"not": {"pain_point": "pp-low-stage", "is": "fired"}},
            "why": "w",
            "action": "a",
        },
        {
            "id": "pp-red",
            "title": "Red",
            "severity": "low",
            "stage": "t",
            "when": {"count": {"rated": "red"}, "at_least": 1},
            "why": "w",
            "action": "a",
        },
    ],
    verdict={
        "tiers": {"core": 1},
        "indicators": [
            {
                "id": "first",
                "title": "First",
                "tier": "core",
                "questions": ["Q1", "Q2"],
                "unknown": "all",
                "rate": [
                    {"rating": "green", "when": {"indicator": "second", "equals": "green"}},  # not rated yet
                    {"rating": "amber", "when": {"question": "Q1", "at_least": 3}},
                ],
            },
            {
                "id": "second",
                "title": "Second",
                "tier": "core",
                "questions": ["Q3"],
                "rate": [{"rating": "green", "when": {"indicator": "first", "equals": "amber"}}],
            },
        ],
        "outcomes": [
            {"id": "bad", "label": "Bad", "rag": "red", "when": {"pain_point": "pp-red", "is": "fired"}},
            {"id": "fine", "label": "Fine", "rag": "green"},
        ],
        "low_confidence": {"unknown_more_than": 0},
    },
)
RAG_ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["dont_know", "skipped"]).map(lambda s: {"status": s}))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={qid: RAG_ANSWER for qid in ("Q1", "Q2", "Q3")}))
def test_chained_pain_points_indicators_and_caps(given_answers: dict[str, Any]) -> None:
    quick = check_agree(RAG_Q, CHAINED_RULES, make_answers(given_answers))
    assert "pp-follow" not in quick.pain_point_ids
    full = score(RAG_Q, CHAINED_RULES, make_answers(given_answers))
    if full.verdict.assessed and not full.verdict.indicators[0].unknown:
        assert full.verdict.indicators[0].rating != "green"  # it could not see `second`'s rating
