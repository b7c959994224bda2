"""The roadmap: re-scored with the engine, the proposed changes reach their goal, and no smaller set does."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.engine import scoring
from maturity.engine.roadmap import Goal, Roadmap, answers_from_assessment, build_roadmap
from maturity.model.assessment import Summary
from maturity.model.definitions import Answer, AnswersFile, Questionnaire, Rules

from .conftest import ROOT

EXAMPLES = [
    "failing-service-rushed-to-market",
    "dont-know-heavy",
    "mid-maturity-council",
    "well-run-retender",
    "live-contract-in-trouble",
]


@cache
def _definitions() -> tuple[Questionnaire, Rules]:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    return q.model, find_rules(q).model


def _answers(name: str) -> AnswersFile:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    return load_answers(ROOT / "examples" / f"{name}.yaml", q).model


def _apply(answers: AnswersFile, changes: dict[str, int]) -> AnswersFile:
    updated = {**answers.answers, **{q: Answer(value=v) for q, v in changes.items()}}
    return answers.model_copy(update={"answers": updated})


def _reached(goal: Goal, summary: Summary, rules: Rules) -> bool:
    if goal.kind == "level":
        return (summary.overall_level or 0) >= int(goal.id.split(":")[1])
    assert rules.verdict is not None
    order = [o.id for o in rules.verdict.outcomes]
    target = goal.id.split(":")[1]
    return summary.verdict_outcome in order and order.index(summary.verdict_outcome) >= order.index(target)


@cache
def _roadmap(name: str) -> tuple[AnswersFile, Roadmap]:
    q, r = _definitions()
    answers = _answers(name)
    return answers, build_roadmap(q, r, answers)


@pytest.mark.parametrize("name", EXAMPLES)
def test_proposed_changes_reach_the_goal_when_rescored(name: str) -> None:
    q, r = _definitions()
    answers, roadmap = _roadmap(name)
    for goal in roadmap.goals:
        if not goal.reachable:
            assert goal.note and "not reachable" in goal.note
            continue
        assert 1 <= len(goal.changes) <= roadmap.max_changes
        changed = _apply(answers, {c.question: c.to_level for c in goal.changes})
        assert _reached(goal, scoring.summarise(q, r, changed, checked=True), r), goal
        for c in goal.changes:
            assert c.from_level is None or c.to_level > c.from_level
        assert goal.total_increase == sum(c.increase for c in goal.changes)


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_single_change_when_more_are_proposed(name: str) -> None:
    """Every one-question change at every higher level, tried exhaustively: none reaches a goal that needs more."""
    q, r = _definitions()
    answers, roadmap = _roadmap(name)
    assessment = scoring.score(q, r, answers, checked=True)
    levels = {x.id: sorted(lv.level for lv in q.levels_of(x)) for x in q.questions() if x.kind == "scale"}
    singles = []
    for result in assessment.questions:
        if result.id not in levels:
            continue
        if result.status == "answered" and isinstance(result.value, int):
            singles += [(result.id, lv) for lv in levels[result.id] if lv > result.value]
        elif result.status in ("dont_know", "unanswered"):
            singles += [(result.id, lv) for lv in levels[result.id]]
    summaries = [scoring.summarise(q, r, _apply(answers, {qid: lv}), checked=True) for qid, lv in singles]
    for goal in roadmap.goals:
        works = [single for single, s in zip(singles, summaries, strict=True) if _reached(goal, s, r)]
        if goal.reachable and len(goal.changes) == 1:
            c = goal.changes[0]
            assert (c.question, c.to_level) in works
            # the smallest increase, then questionnaire order
            assert (
                c.increase
                == min(
                    (
                        lv - (assessment.question(qid).value or 0)
                        for qid, lv in works
                        if assessment.question(qid).status == "answered"
                    ),
                    default=c.increase,  # a change that answers a don't know or a blank has no increase to compare
                )
                or c.from_level is None
            )
        else:
            assert works == [], goal.title


def test_failing_service_roadmap() -> None:
    _, roadmap = _roadmap("failing-service-rushed-to-market")
    goals = {g.id: g for g in roadmap.goals}
    # Five core facts are red, each a veto, and the decision is partly to be rid of the trouble: no five changes
    # move the verdict, and the roadmap says so rather than proposing a partial fix.
    for goal in ("verdict:at-risk", "verdict:clear"):
        assert not goals[goal].reachable and "not reachable within 5 changes" in (goals[goal].note or "")
    assert len(goals["level:2"].changes) == 3


def test_live_contract_roadmap_names_the_red_majors_to_fix() -> None:
    _, roadmap = _roadmap("live-contract-in-trouble")
    to_risk = {g.id: g for g in roadmap.goals}["verdict:at-risk"]
    # Three red majors and 37 points make it outsourcing a problem; fixing two of the majors removes both paths.
    assert [c.question for c in to_risk.changes] == ["STR-1", "RDY-4"]
    assert to_risk.proven_fewest and to_risk.result.startswith("verdict At risk")
    assert any("decision-driver" in m for m in to_risk.changes[0].moves)


def test_one_change_is_enough_when_one_answer_decides_the_verdict() -> None:
    q, r = _definitions()
    probe = ROOT / "scoring_rules" / "cases" / "answers" / "probe-savings-only.yaml"
    answers = load_answers(probe, load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")).model
    goal = build_roadmap(q, r, answers).goals[0]
    assert goal.id == "verdict:clear"
    assert [(c.question, c.from_level, c.to_level) for c in goal.changes] == [
        ("STR-1", 1, 2)
    ]  # cost first, amber: an open item, not a sign of a problem


def test_best_verdict_already_gives_a_note_and_is_deterministic() -> None:
    q, r = _definitions()
    answers = _answers("well-run-retender")
    first = build_roadmap(q, r, answers)
    assert [g.kind for g in first.goals] == ["level"]
    assert any("already the best outcome" in n for n in first.notes)
    assert build_roadmap(q, r, answers).to_dict() == first.to_dict()


def test_answers_rebuilt_from_an_assessment_score_the_same() -> None:
    q, r = _definitions()
    answers = _answers("dont-know-heavy")
    assessment = scoring.score(q, r, answers, checked=True)
    again = scoring.score(q, r, answers_from_assessment(assessment), checked=True)
    assert again.summary() == assessment.summary()


def test_search_is_bounded(tmp_path: Path) -> None:
    q, r = _definitions()
    roadmap = build_roadmap(q, r, _answers("failing-service-rushed-to-market"), max_changes=1, budget=50)
    assert roadmap.evaluations < 400
    assert all(len(g.changes) <= 1 for g in roadmap.goals)
    assert any(not g.reachable and g.note == "not reachable within 1 change" for g in roadmap.goals)
