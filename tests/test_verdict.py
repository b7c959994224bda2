"""The verdict's rule constructs: vetoes as floors, evidence, unknown indicators, situation wording, open items,
the order of pain points, RAG from a stage's own critical answers, and contradictions.

Every case is a small model written here, so each construct is tested apart from the bundled content.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from maturity.engine.scoring import score, summarise
from maturity.model.definitions import AnswersFile, Questionnaire, Rules

from .test_scoring import RATING_TO_LEVEL, TIERS, make_answers, make_questionnaire, make_rules, oap


def rules_with(**verdict_changes: Any) -> tuple[Questionnaire, Rules]:
    """The 11-indicator test model of test_scoring, with parts of its verdict replaced."""
    q, rules = oap()
    data = rules.model_dump(by_alias=True, exclude_none=True)
    data["verdict"].update(copy.deepcopy(verdict_changes))
    return q, Rules.model_validate(data)


def answers(ratings: str, evidence: str = "", notes: dict[str, str] | None = None) -> AnswersFile:
    """11 letters G/A/R (? don't know, - unanswered); `evidence`: the indicator numbers whose answer cites some."""
    given: dict[str, Any] = {}
    for i, letter in enumerate(ratings, start=1):
        qid = f"RDY-{i}"
        if letter == "?":
            given[qid] = {"status": "dont_know"}
        elif letter != "-":
            given[qid] = {"value": RATING_TO_LEVEL[letter]}
            if str(i) in evidence.split(","):
                given[qid]["evidence"] = [f"report-{i}.pdf"]
    return make_answers(given)


MAJOR_RED_FLOOR = {
    "when": {"count": {"rated": "red", "tier": "major"}, "at_least": 1},
    "outcome": "at-risk",
    "reason": "A major indicator is red",
}


# ------------------------------------------------------------------------------------------------ vetoes


@pytest.mark.parametrize(
    ("ratings", "outcome", "decided_by_veto"),
    [
        # one red major: 4 points would be clear, the floor makes it at risk
        ("GGGRGGGGGGG", "at-risk", True),
        # a red major and 21 points: the worse outcome from points still wins over the at-risk floor
        ("AAARRAAGGGG", "problem", False),
        # the core veto (to problem) beats the major floor (to at-risk)
        ("RGGRGGGGGGG", "problem", True),
        ("GGGGGGGGGGG", "clear", False),
    ],
)
def test_vetoes_are_floors_and_the_worst_outcome_wins(ratings: str, outcome: str, decided_by_veto: bool) -> None:
    q, rules = oap()
    vetoes = [*rules.model_dump(by_alias=True, exclude_none=True)["verdict"]["vetoes"], MAJOR_RED_FLOOR]
    q, rules = rules_with(vetoes=vetoes)
    verdict = score(q, rules, answers(ratings)).verdict
    assert verdict.outcome == outcome
    assert (verdict.vetoed_by is not None) is decided_by_veto
    assert summarise(q, rules, answers(ratings)).verdict_outcome == outcome


def test_every_veto_that_held_is_listed() -> None:
    q, rules = oap()
    vetoes = [*rules.model_dump(by_alias=True, exclude_none=True)["verdict"]["vetoes"], MAJOR_RED_FLOOR]
    q, rules = rules_with(vetoes=vetoes)
    verdict = score(q, rules, answers("RGGRGGGGGGG")).verdict
    assert [v.reason for v in verdict.vetoes] == ["A core indicator is red", "A major indicator is red"]
    assert verdict.vetoed_by is not None and verdict.vetoed_by.reason == "A core indicator is red"


# ---------------------------------------------------------------------------------------------- evidence


def core_needs_evidence() -> tuple[Questionnaire, Rules]:
    q, rules = oap()
    data = rules.model_dump(by_alias=True, exclude_none=True)
    for ind, tier in zip(data["verdict"]["indicators"], TIERS, strict=True):
        if tier == "core":
            ind["green_needs_evidence"] = True
    return q, Rules.model_validate(data)


@pytest.mark.parametrize(
    ("evidence", "ratings", "unevidenced"),
    [
        ("1,2,3", ["green", "green", "green"], [(), (), ()]),
        ("1,3", ["green", "amber", "green"], [(), ("RDY-2",), ()]),
        ("", ["amber", "amber", "amber"], [("RDY-1",), ("RDY-2",), ("RDY-3",)]),
    ],
)
def test_a_core_indicator_is_not_green_on_assertion_alone(
    evidence: str, ratings: list[str], unevidenced: list[tuple[str, ...]]
) -> None:
    q, rules = core_needs_evidence()
    verdict = score(q, rules, answers("GGGGGGGGGGG", evidence)).verdict
    assert [i.rating for i in verdict.indicators[:3]] == ratings
    assert [i.unevidenced for i in verdict.indicators[:3]] == unevidenced
    assert verdict.outcome == ("clear" if ratings == ["green"] * 3 else "at-risk")
    for indicator in verdict.indicators[:3]:
        if indicator.unevidenced:
            assert "cites no evidence, so it is at most amber" in indicator.rule


def test_an_amber_answer_is_not_lowered_for_want_of_evidence() -> None:
    q, rules = core_needs_evidence()
    verdict = score(q, rules, answers("AGGGGGGGGGG", "2,3")).verdict
    assert verdict.indicators[0].rating == "amber"
    assert verdict.indicators[0].unevidenced == ()


def test_is_evidenced_condition() -> None:
    q = make_questionnaire([{"id": "s", "title": "S", "questions": [{"id": "Q1", "text": "?", "kind": "yes_no"}]}])
    rules = make_rules(
        pain_points=[
            {
                "id": "pp-asserted",
                "title": "Asserted",
                "severity": "medium",
                "when": {"all": [{"question": "Q1", "equals": "yes"}, {"not": {"question": "Q1", "is": "evidenced"}}]},
                "why": "w",
                "action": "a",
            }
        ]
    )
    bare = score(q, rules, make_answers({"Q1": "yes"}))
    cited = score(q, rules, make_answers({"Q1": {"value": "yes", "evidence": ["board minutes 2026-03"]}}))
    assert [p.id for p in bare.pain_points] == ["pp-asserted"]
    assert cited.pain_points == ()
    assert "with no evidence cited" in bare.pain_points[0].triggered_by[1].actual


# ------------------------------------------------------------------------------------- unknown indicators


def test_an_unknown_core_indicator_can_lead_to_its_own_outcome() -> None:
    q, rules = oap()
    data = rules.model_dump(by_alias=True, exclude_none=True)["verdict"]
    undetermined = {"id": "undetermined", "label": "Cannot be determined", "rag": "amber"}
    veto = {
        "when": {"indicator": "OAP-1", "is": "gap"},
        "outcome": "undetermined",
        "reason": "Nobody knows how the service performed",
    }
    core_red_known = {
        "when": {
            "all": [{"count": {"rated": "red", "tier": "core"}, "at_least": 1}, {"indicator": "OAP-1", "is": "known"}]
        },
        "outcome": "problem",
        "reason": "A core indicator is red on the evidence",
    }
    q, rules = rules_with(
        vetoes=[veto, core_red_known], outcomes=[data["outcomes"][0], undetermined, *data["outcomes"][1:]]
    )
    assert score(q, rules, answers("?GGGGGGGGGG")).verdict.outcome == "undetermined"
    assert score(q, rules, answers("RGGGGGGGGGG")).verdict.outcome == "problem"
    explained = score(q, rules, answers("?GGGGGGGGGG")).verdict.vetoes[0].triggered_by[0]
    assert explained.actual == "red, from missing answers"


# ------------------------------------------------------------------------------------------------ wording


def test_advice_and_open_items_title_follow_the_situation() -> None:
    q, rules = oap()
    outcomes = rules.model_dump(by_alias=True, exclude_none=True)["verdict"]["outcomes"]
    outcomes[2]["summary"] = "No sign of outsourcing a problem."
    outcomes[2]["advice"] = "General advice."
    outcomes[2]["advice_when"] = [
        {
            "when": {"question": "RDY-11", "equals": 2},
            "advice": "Advice when RDY-11 is amber.",
            "open_items_title": "Before re-letting",
        }
    ]
    q, rules = rules_with(outcomes=outcomes, open_items_title="Before going to market")
    plain = score(q, rules, answers("GGGGGGGGGGG")).verdict
    variant = score(q, rules, answers("GGGGGGGGGGA")).verdict
    assert (plain.advice, plain.open_items_title) == ("General advice.", "Before going to market")
    assert (variant.advice, variant.open_items_title) == ("Advice when RDY-11 is amber.", "Before re-letting")
    assert variant.summary == "No sign of outsourcing a problem."


def test_open_items_list_what_is_not_green_worst_first_even_when_clear() -> None:
    q, rules = oap()
    verdict = score(q, rules, answers("GGGGGGGAGRG")).verdict
    assert verdict.outcome == "clear"
    assert [(i.id, i.rating) for i in verdict.open_items] == [("OAP-10", "red"), ("OAP-8", "amber")]
    assert verdict.open_items[0].action == "Evidence for indicator 10."


# ------------------------------------------------------------------------------------------- pain points


def ordered_model() -> tuple[Questionnaire, Rules]:
    q = make_questionnaire(
        [
            {
                "id": "first",
                "title": "First",
                "questions": [{"id": "A1", "text": "?", "kind": "scale", "levels": LEVELS}],
            },
            {
                "id": "second",
                "title": "Second",
                "questions": [
                    {"id": "B1", "text": "?", "kind": "scale", "levels": LEVELS},
                    {"id": "B2", "text": "?", "kind": "scale", "levels": LEVELS},
                ],
            },
        ]
    )

    def pain(pid: str, qid: str, severity: str, stage: str, role: str = "cause") -> dict[str, Any]:
        return {
            "id": pid,
            "title": pid,
            "severity": severity,
            "stage": stage,
            "role": role,
            "when": {"any": [{"question": qid, "at_most": 1}, {"question": qid, "is": "gap"}]},
            "why": "w",
            "action": "a",
        }

    rules = make_rules(
        pain_points=[
            pain("pp-a1-symptom", "A1", "high", "first", "symptom"),
            pain("pp-a1", "A1", "high", "first"),
            pain("pp-b1-medium", "B1", "medium", "second"),
            pain("pp-b2", "B2", "high", "second"),
        ],
        verdict={
            "tiers": {"core": 3},
            "indicators": [
                {
                    "id": "b1",
                    "title": "B1 holds",
                    "tier": "core",
                    "questions": ["B1"],
                    "rate": [{"rating": "green", "when": {"question": "B1", "at_least": 2}}],
                }
            ],
            "vetoes": [{"when": {"indicator": "b1", "equals": "red"}, "outcome": "problem", "reason": "B1 is red"}],
            "outcomes": [
                {"id": "problem", "label": "Problem", "rag": "red"},
                {"id": "clear", "label": "Clear", "rag": "green", "when": {"indicator": "b1", "equals": "green"}},
            ],
        },
    )
    return q, rules


LEVELS = [{"level": 1, "label": "Low"}, {"level": 2, "label": "Mid"}, {"level": 3, "label": "High"}]


def test_pain_points_behind_the_deciding_veto_come_first_then_severity_then_causes_before_symptoms() -> None:
    q, rules = ordered_model()
    result = score(q, rules, make_answers({"A1": 1, "B1": 1, "B2": 1}))
    assert result.verdict.outcome == "problem"
    # behind the veto first; then high before medium; causes before symptoms; then lifecycle order
    assert [p.id for p in result.pain_points] == ["pp-b1-medium", "pp-a1", "pp-b2", "pp-a1-symptom"]
    assert [p.deciding for p in result.pain_points] == [True, False, False, False]
    assert summarise(q, rules, make_answers({"A1": 1, "B1": 1, "B2": 1})).pain_point_ids == tuple(
        p.id for p in result.pain_points
    )


def test_a_veto_can_name_its_pain_points() -> None:
    q, rules = ordered_model()
    data = rules.model_dump(by_alias=True, exclude_none=True)
    data["verdict"]["vetoes"][0]["pain_points"] = ["pp-b2"]
    rules = Rules.model_validate(data)
    result = score(q, rules, make_answers({"A1": 1, "B1": 1, "B2": 1}))
    assert result.pain_points[0].id == "pp-b2"


def test_a_pain_point_that_fired_on_a_missing_answer_is_an_evidence_gap() -> None:
    q, rules = ordered_model()
    result = score(q, rules, make_answers({"A1": {"status": "dont_know"}, "B1": 3, "B2": 1}))
    gaps = {p.id: p.evidence_gap for p in result.pain_points}
    assert gaps == {"pp-a1-symptom": True, "pp-a1": True, "pp-b2": False}


# ------------------------------------------------------------------------------------------ RAG overrides


def critical_rag_model(at_least: int = 1) -> tuple[Questionnaire, Rules]:
    q = make_questionnaire(
        [
            {
                "id": "exit",
                "title": "Exit",
                "questions": [{"id": f"E{i}", "text": "?", "kind": "scale", "levels": LEVELS} for i in range(1, 5)],
            },
            {
                "id": "other",
                "title": "Other",
                "questions": [{"id": "O1", "text": "?", "kind": "scale", "levels": LEVELS}],
            },
        ]
    )
    rules = make_rules(
        levels=[{"level": 1, "name": "L1", "from": 1, "to": 2}, {"level": 2, "name": "L2", "from": 2, "to": 3}],
        critical_questions=["E1", "E2", "O1"],
        rag={
            "bands": [
                {"rag": "red", "from": 1, "to": 1.5},
                {"rag": "amber", "from": 1.5, "to": 2.5},
                {"rag": "green", "from": 2.5, "to": 3},
            ],
            "overrides": [
                {
                    "critical": {"at_most": 1, "at_least": at_least},
                    "at_most": "red",
                    "reason": "Critical answers at the lowest level",
                }
            ],
        },
    )
    return q, rules


@pytest.mark.parametrize(
    ("given", "at_least", "rag", "questions"),
    [
        ({"E1": 1, "E2": 3, "E3": 3, "E4": 3, "O1": 3}, 1, "red", ("E1",)),
        ({"E1": 1, "E2": 3, "E3": 3, "E4": 3, "O1": 3}, 2, "green", ()),
        ({"E1": 1, "E2": {"status": "dont_know"}, "E3": 3, "E4": 3, "O1": 3}, 2, "red", ("E1", "E2")),
        # a weak critical answer in another stage never turns this one red
        ({"E1": 3, "E2": 3, "E3": 3, "E4": 3, "O1": 1}, 1, "green", ()),
    ],
)
def test_a_stage_goes_red_on_its_own_critical_answers(
    given: dict[str, Any], at_least: int, rag: str, questions: tuple[str, ...]
) -> None:
    q, rules = critical_rag_model(at_least)
    exit_ = score(q, rules, make_answers(given)).node("exit")
    assert exit_.rag == rag
    overrides = exit_.explanation.rag_overrides
    assert tuple(q for o in overrides for q in o.questions) == questions
    assert summarise(q, rules, make_answers(given)).stages[0].rag == rag


# ---------------------------------------------------------------------------------------- contradictions


def test_contradictions_are_reported_and_can_lower_confidence() -> None:
    q, rules = oap()
    data = rules.model_dump(by_alias=True, exclude_none=True)
    data["contradictions"] = [
        {
            "id": "c-fixed-but-failing",
            "title": "Causes fixed, yet the service is failing",
            "when": {"all": [{"question": "RDY-2", "equals": 3}, {"question": "RDY-1", "equals": 1}]},
            "why": "If the causes were fixed and proven, performance would not be red.",
        }
    ]
    data["verdict"]["low_confidence"]["contradictions"] = True
    rules = Rules.model_validate(data)
    result = score(q, rules, answers("RGGGGGGGGGG"))
    assert [c.id for c in result.contradictions] == ["c-fixed-but-failing"]
    assert result.verdict.low_confidence
    assert not score(q, rules, answers("GGGGGGGGGGG")).contradictions
    assert summarise(q, rules, answers("RGGGGGGGGGG")).low_confidence


def test_an_indicator_that_does_not_apply_is_left_out_of_the_verdict() -> None:
    q, rules = oap()
    data = rules.model_dump(by_alias=True, exclude_none=True)
    data["verdict"]["indicators"][0]["applies_when"] = {"question": "RDY-11", "equals": 3}
    data["verdict"]["outcomes"][1]["reason"] = "Something is amber"
    rules = Rules.model_validate(data)
    left_out = score(q, rules, answers("RGGGGGGGGGA")).verdict  # RDY-11 amber: OAP-1 does not apply
    assert left_out.not_applying == ("OAP-1",)
    assert "OAP-1" not in [i.id for i in left_out.indicators]
    assert (left_out.outcome, left_out.points, left_out.max_points) == ("clear", 1, 36)  # 42 less 2 x core 3
    applied = score(q, rules, answers("RGGGGGGGGGG")).verdict
    assert applied.outcome == "problem" and applied.not_applying == ()
    amber = score(q, rules, answers("AGGGGGGGGGG")).verdict
    assert amber.decided_by == "Something is amber"
