"""The roadmap: each goal's changes reach it when re-scored with the engine, one goal building on the next; the
verdict's plans take the fewest steps (checked by brute force where that is small); phases and plain reasons."""

from __future__ import annotations

from functools import cache
from itertools import combinations_with_replacement
from pathlib import Path

import pytest

from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.engine import scoring
from maturity.engine.roadmap import PHASES, Goal, Roadmap, answers_from_assessment, build_roadmap
from maturity.model.assessment import Summary
from maturity.model.definitions import Answer, AnswersFile, Questionnaire, Rules

from .conftest import FIXTURES, ROOT

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
    """The answers with the changes made, each with its evidence (a plan's step is a level and the proof of it)."""
    updated = {**answers.answers, **{q: Answer(value=v, evidence=["the evidence"]) for q, v in changes.items()}}
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
def test_each_goal_is_reached_when_rescored_on_top_of_the_goals_before(name: str) -> None:
    q, r = _definitions()
    answers, roadmap = _roadmap(name)
    applied: dict[str, int] = {}
    for goal in roadmap.goals:
        if not goal.reachable:
            assert goal.why and not goal.changes
            continue
        applied.update({c.question: c.to_level for c in goal.changes})
        assert _reached(goal, scoring.summarise(q, r, _apply(answers, applied), checked=True), r), goal
        assert goal.steps == sum(c.steps for c in goal.changes) <= roadmap.max_steps
        for c in goal.changes:
            assert c.steps >= 1 and (c.from_level is None or c.to_level > c.from_level)
            assert c.text == next(x.text for x in q.questions() if x.id == c.question)
            assert c.to_words.startswith(f"{c.to_level}: ") and c.phase in PHASES and c.goal == goal.id


def _verdict_questions(rules: Rules) -> list[str]:
    assert rules.verdict is not None
    return list(dict.fromkeys(q for ind in rules.verdict.indicators for q in ind.questions if q != "situation"))


@pytest.mark.parametrize("name", ["mid-maturity-council"])
def test_the_first_verdict_goal_takes_the_fewest_steps(name: str) -> None:
    """Every way of spending fewer steps on the verdict's questions, tried with the engine: none reaches it."""
    q, r = _definitions()
    answers, roadmap = _roadmap(name)
    goal = roadmap.goals[0]
    assert goal.kind == "verdict" and goal.reachable and goal.fewest
    assessment = scoring.score(q, r, answers, checked=True)
    raisable = {
        qid: int(assessment.question(qid).value)  # type: ignore[arg-type]
        for qid in _verdict_questions(r)
        if assessment.question(qid).status == "answered" and assessment.question(qid).value != 5
    }
    for steps in range(1, goal.steps):
        for chosen in combinations_with_replacement(sorted(raisable), steps):
            levels = dict(raisable)
            for qid in chosen:
                levels[qid] += 1
            if any(v > 5 for v in levels.values()):
                continue
            trial = {qid: v for qid, v in levels.items() if v != raisable[qid]}
            assert not _reached(goal, scoring.summarise(q, r, _apply(answers, trial), checked=True), r), trial


def test_failing_service_says_the_core_problems_come_first() -> None:
    _, roadmap = _roadmap("failing-service-rushed-to-market")
    goal = roadmap.goals[0]
    assert goal.id == "verdict:at-risk" and not goal.reachable  # "cannot be determined" is never a goal
    assert goal.needs is not None and goal.needs > roadmap.max_steps
    assert "The core problems must be fixed first" in (goal.why or "")
    assert "The service meets fewer than 70% of its own targets" in (goal.why or "")
    level = roadmap.goals[-1]
    assert level.kind == "level" and level.reachable
    assert all(c.steps == 1 for c in level.changes)


def test_a_live_contract_is_planned_one_outcome_at_a_time() -> None:
    _, roadmap = _roadmap("live-contract-in-trouble")
    goals = roadmap.goals
    assert goals[0].id == "verdict:at-risk" and goals[0].reachable
    assert {c.phase for c in goals[0].changes} <= {"now", "market"}
    assert roadmap.phases[0].id == "now"
    assert goals[1].id == "verdict:clear" and goals[1].title.startswith("Then move the verdict to")
    assert goals[0].changes[0].moves and ": " in goals[0].changes[0].moves[0]


def test_a_goal_too_far_says_why_in_plain_words() -> None:
    _, roadmap = _roadmap("dont-know-heavy")
    goal = roadmap.goals[0]
    assert goal.id == "verdict:at-risk" and not goal.reachable
    assert goal.needs is not None and goal.needs > roadmap.max_steps
    assert f"takes at least {goal.needs} steps" in (goal.why or "")
    assert "The core problems must be fixed first" in (goal.why or "")


def test_one_step_is_enough_for_the_mid_maturity_verdict_and_levels_go_one_at_a_time() -> None:
    _, roadmap = _roadmap("mid-maturity-council")
    goal = roadmap.goals[0]
    assert goal.id == "verdict:clear" and goal.steps == 2
    assert [(c.question, c.from_level, c.to_level) for c in goal.changes] == [("STR-7", 3, 4), ("RDY-2", 3, 4)]
    level = roadmap.goals[1]
    assert level.id == "level:3" and level.reachable
    assert all(c.steps == 1 for c in level.changes)  # spread over answers, one level each
    assert {c.phase for c in level.changes} <= {"market", "award", "contract"}


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
    again = answers_from_assessment(assessment)
    assert scoring.summarise(q, r, again, checked=True) == scoring.summarise(q, r, answers, checked=True)


def test_the_roadmap_scores_few_summaries() -> None:
    """Worked out from the rules: a handful of summaries per goal, not thousands of re-scorings."""
    for name in EXAMPLES:
        _, roadmap = _roadmap(name)
        assert roadmap.evaluations <= 12 * len(roadmap.goals), (name, roadmap.evaluations)


def test_fewer_steps_allowed_means_fewer_goals_planned() -> None:
    q, r = _definitions()
    roadmap = build_roadmap(q, r, _answers("mid-maturity-council"), max_steps=1)
    first = roadmap.goals[0]
    assert not first.reachable and first.needs == 2
    assert "takes at least 2 steps" in (first.why or "")


def _no_verdict_rules(tmp_path: Path) -> tuple[Questionnaire, Rules, AnswersFile]:
    text = (FIXTURES / "valid" / "demo.rules.yaml").read_text(encoding="utf-8")
    rules_text = text[: text.index("\nverdict:")] + "\n"
    (tmp_path / "r.yaml").write_text(rules_text, encoding="utf-8")
    from maturity.io.loader import load_rules_file

    rules = load_rules_file(tmp_path / "r.yaml").model
    q = load_questionnaire(FIXTURES / "valid" / "demo.questionnaire.yaml")
    answers = load_answers(FIXTURES / "valid" / "demo.answers.yaml", q)
    return q.model, rules, answers.model


def test_a_model_without_a_verdict_gets_one_list_of_steps(tmp_path: Path) -> None:
    q, rules, answers = _no_verdict_rules(tmp_path)
    roadmap = build_roadmap(q, rules, answers)
    assert [g.kind for g in roadmap.goals] == ["level"]
    assert not any("verdict" in n.lower() for n in roadmap.notes)  # a model with levels only has none to plan for
    assert all(p.id == "steps" for p in roadmap.phases)
