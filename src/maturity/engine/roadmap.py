"""The roadmap: the steps that would move the verdict to its next outcome and lift the overall level by one.

A board reading "level 1, outsourcing a problem" asks what it would take to do better, and a manager has to be
able to follow the answer. So the roadmap goes one outcome and one level at a time, each goal building on the
one before; a *step* raises one answer by one level (answering a "don't know" at the lowest level is one step),
and each goal is reached in as few steps as the rules allow. Pure: no I/O, deterministic for the same inputs.

It is worked out from the rules, not by re-scoring every combination of answers:

* **The verdict.** Each indicator's thresholds give, from its own rating rules alone, the cheapest answers that
  would rate it amber and green (`run.rate_indicator` on the answers with those questions changed). The
  verdict's vetoes and outcomes read only indicator ratings, counts of ratings, the weighted points and a few
  answers, so the cheapest combination of indicator moves that gives the next outcome is found by a dynamic
  programme over the indicators that keeps, for each combination of what the verdict reads, the fewest steps
  (and, when better ratings always mean fewer points, only the points that could still matter). Only the plan it
  picks is scored with the engine, to confirm it.
* **The next overall level.** Each step is chosen from the roll-up: the weakest stage when the overall level is
  capped by its stages, the lowest critical answer when a stage is capped by it, else the answer whose next level
  adds most to the overall score per step (read from the roll-up's weights and counts). One summary is scored
  per step to see where the plan stands (a fraction of a millisecond each).

Goals that need more steps than a sensible piece of work (`MAX_STEPS`) are not planned; the roadmap says why in
plain words instead (the vetoes that must be cleared first, or the steps it would take).

Every change is placed in a phase: *now* for the problems behind a veto that holds and for answers still
missing (finding out comes first), *before going to market* for the rest of what the verdict needs and for the
stages up to the one holding most of the verdict's questions, and for later stages of the lifecycle (the
questionnaire's stage order) *before award* for the first third of them and *in the life of the contract* for
the rest. A model without a verdict has no lifecycle to place them in, and its steps form one list.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from itertools import islice, product
from typing import Any

from maturity.engine import scoring
from maturity.engine.asking import answer_facts
from maturity.engine.conditions import Facts
from maturity.engine.plan import ScoringPlan, plan_for
from maturity.engine.points import worth
from maturity.engine.run import decide, rate_indicator
from maturity.model.assessment import Assessment, Summary
from maturity.model.definitions import (
    Answer,
    AnswersFile,
    Condition,
    Questionnaire,
    QuestionnaireRef,
    Rules,
)
from maturity.model.vocabulary import GAP_STATUSES, RAG_ORDER, RAG_WORDS, STATUS_WORDS, format_number, number

MAX_STEPS = 10  # the most steps one goal is planned with: beyond it the roadmap says why instead
PLANNED_EVIDENCE = "the evidence for this level"  # what a planned answer is scored with (it is never shown)
_COMBINATIONS = 1024  # answer combinations tried per indicator (most read one to three questions)
_BEAM = 120  # the most distinct ways the verdict search keeps after each indicator
_OUTCOMES = 3000  # the most plans whose verdict is asked before a goal is given up
_CONFIRMATIONS = 20  # plans confirmed with the engine per goal before giving up
PHASES: dict[str, str] = {
    "now": "Now",
    "market": "Before going to market",
    "award": "Before award",
    "contract": "In the life of the contract",
    "steps": "Steps",  # a model without a verdict has no lifecycle phases
}


@dataclass(frozen=True, slots=True)
class Change:
    """One answer to improve: from its level now to the level a goal needs, and what that moves."""

    question: str
    text: str
    stage: str | None
    stage_title: str
    from_level: int | None  # None: the answer was "don't know" or unanswered
    from_words: str  # "2: Often missing", "Don't know"
    to_level: int
    to_words: str  # "4: Meeting targets"
    steps: int  # levels raised; an unknown answer counts from one below the lowest level
    phase: str  # a key of PHASES
    goal: str  # the id of the goal it serves
    moves: tuple[str, ...] = ()  # "The service meets its own targets: Red to Green", "Exit ...: level 1 to 2"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "stage": self.stage,
            "stage_title": self.stage_title,
            "from_level": self.from_level,
            "from": self.from_words,
            "to_level": self.to_level,
            "to": self.to_words,
            "steps": self.steps,
            "phase": self.phase,
            "phase_title": PHASES[self.phase],
            "goal": self.goal,
            "moves": list(self.moves),
        }


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal (the next verdict outcome, or the next overall level) and the changes that reach it."""

    id: str  # "verdict:at-risk", "level:2"
    kind: str  # "verdict" or "level"
    title: str  # "Move the verdict to At risk"
    reachable: bool  # planned within MAX_STEPS
    changes: tuple[Change, ...] = ()
    steps: int = 0
    fewest: bool = False  # no plan with fewer steps reaches it (the verdict's plans are exact)
    result: str | None = None  # what the changes give: "verdict At risk, overall level 2"
    why: str | None = None  # when not planned: why, in plain words
    needs: int | None = None  # when not planned: at least how many steps it would take (None: no answers reach it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "reachable": self.reachable,
            "changes": [c.to_dict() for c in self.changes],
            "steps": self.steps,
            "fewest": self.fewest,
            "result": self.result,
            "why": self.why,
            "needs": self.needs,
        }


@dataclass(frozen=True, slots=True)
class Phase:
    id: str
    title: str
    changes: tuple[Change, ...]  # fewest steps first, then questionnaire order

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True, slots=True)
class Roadmap:
    goals: tuple[Goal, ...]
    phases: tuple[Phase, ...]
    max_steps: int
    evaluations: int  # summaries scored with the engine, over all goals
    notes: tuple[str, ...] = field(default=())  # e.g. why there is no verdict goal

    def to_dict(self) -> dict[str, Any]:
        return {
            "goals": [g.to_dict() for g in self.goals],
            "phases": [p.to_dict() for p in self.phases],
            "max_steps": self.max_steps,
            "evaluations": self.evaluations,
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------------------------ answers


def answers_from_assessment(assessment: Assessment) -> AnswersFile:
    """The answers an assessment was scored from, as far as it records them (for callers without the file)."""
    answers: dict[str, Answer] = {}
    for r in assessment.questions:
        if r.status in ("dont_know", "not_applicable"):
            answers[r.id] = Answer(status=r.status, note=r.note, evidence=list(r.evidence))
        elif r.value is not None and r.status in ("answered", "not_asked"):
            answers[r.id] = Answer(value=r.value, note=r.note, evidence=list(r.evidence))
    return AnswersFile(
        kind="answers",
        questionnaire=QuestionnaireRef(id=assessment.questionnaire.id, version=assessment.questionnaire.version),
        assessment=assessment.details,
        answers=answers,
    )


def _with(answers: AnswersFile, changes: Mapping[str, int]) -> AnswersFile:
    if not changes:
        return answers
    updated = dict(answers.answers)
    for qid, level in changes.items():
        old = updated.get(qid)
        # a plan raises an answer with the evidence for it: rules may not rate green on assertion alone
        evidence = list(old.evidence) if old and old.evidence else [PLANNED_EVIDENCE]
        updated[qid] = Answer(value=level, note=old.note if old else None, evidence=evidence)
    return answers.model_copy(update={"answers": updated})


def _patched(facts: Facts, changes: Mapping[str, int] | Sequence[tuple[str, int]], **held: Any) -> Facts:
    """The facts with some scale answers given as levels, each with the evidence a plan asks for (which questions
    are asked is left as it was); `held` replaces other facts (ratings, verdict points, ...)."""
    statuses, values, numbers = dict(facts.statuses), dict(facts.values), dict(facts.numbers)
    evidenced = set(facts.evidenced)
    for qid, level in changes.items() if isinstance(changes, Mapping) else changes:
        statuses[qid], values[qid], numbers[qid] = "answered", level, float(level)
        evidenced.add(qid)
    return replace(facts, statuses=statuses, values=values, numbers=numbers, evidenced=evidenced, **held)


def _points(plan: ScoringPlan, qid: str, value: Any) -> float | None:
    """What an answer is worth under the rules (None: nothing)."""
    return worth(plan.by_id[qid].rule, value).points


# ------------------------------------------------------------------------------------------------ candidates


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A scale question, asked in a stage, whose answer could be higher."""

    index: int  # questionnaire order
    qid: str
    stage: str | None
    from_level: int | None
    levels: tuple[int, ...]  # the levels it may be raised to, lowest first
    lowest: int

    def cost(self, level: int) -> int:
        return level - (self.from_level if self.from_level is not None else self.lowest - 1)


def _candidates(questionnaire: Questionnaire, facts: Facts) -> dict[str, _Candidate]:
    out: dict[str, _Candidate] = {}
    for index, placed in enumerate(questionnaire.placed_questions()):
        question, stage_id = placed.question, placed.stage
        if question.kind != "scale" or stage_id is None:  # the situation (context) is described, not improved
            continue
        levels = sorted(lv.level for lv in questionnaire.levels_of(question))
        status = facts.status(question.id)
        if not levels or status in ("not_asked", "not_applicable"):
            continue
        if status == "answered":
            value = number(facts.values.get(question.id))
            if value is None or not value.is_integer():
                continue
            higher = tuple(lv for lv in levels if lv > value)
            if higher:
                out[question.id] = _Candidate(index, question.id, stage_id, int(value), higher, levels[0])
        elif status in GAP_STATUSES:
            out[question.id] = _Candidate(index, question.id, stage_id, None, tuple(levels), levels[0])
    return out


def _question_subjects(condition: Condition | None) -> Iterator[str]:
    if condition is None:
        return
    for part in (condition.all or []) + (condition.any or []) + ([condition.not_] if condition.not_ else []):
        yield from _question_subjects(part)
    if condition.question is not None:
        yield condition.question


def _leaves(condition: Condition | None) -> Iterator[Condition]:
    if condition is None:
        return
    parts = (condition.all or []) + (condition.any or []) + ([condition.not_] if condition.not_ else [])
    if parts:
        for part in parts:
            yield from _leaves(part)
    else:
        yield condition


# ------------------------------------------------------------------------------------------------ the verdict


@dataclass(frozen=True, slots=True)
class _Option:
    """One way to move a factor: its effect (a rating, or an answer's level), what it costs and which answers."""

    effect: str | int
    cost: int
    changes: tuple[tuple[str, int], ...]
    unknown: bool = False  # an indicator still rated from missing answers


@dataclass(frozen=True, slots=True)
class _Factor:
    """Something the verdict reads that answers can move: an indicator (index >= 0) or an answer it reads."""

    indicator: int  # -1 for an answer read by a veto or an outcome directly
    id: str
    tier: str | None
    options: tuple[_Option, ...]  # the first is "as it is" (cost 0)


class _VerdictModel:
    """What the verdict reads, and the facts to decide it from, for one starting point."""

    def __init__(self, plan: ScoringPlan, facts: Facts, candidates: Mapping[str, _Candidate]) -> None:
        verdict = plan.rules.verdict
        assert verdict is not None
        self.plan, self.facts = plan, facts
        ratings: dict[str, str] = {}
        tiers: dict[str, str] = {}
        unknown: set[str] = set()
        rating_facts = replace(facts, ratings=ratings, tiers=tiers, unknown=unknown, verdict_points=None)
        for ind in plan.indicator_plans:  # in order: an indicator may read those rated before it
            found = rate_indicator(ind, rating_facts)
            if not found.applies:
                continue  # left out of the verdict in this situation
            ratings[ind.id] = found.rating
            tiers[ind.id] = ind.tier
            if found.unknown:
                unknown.add(ind.id)
        self.ratings, self.tiers, self.unknown = ratings, tiers, frozenset(unknown)
        conditions = [v.when for v in verdict.vetoes] + [o.when for o in verdict.outcomes if o.when is not None]
        leaves = [leaf for c in conditions for leaf in _leaves(c)]
        self.read_indicators = {leaf.indicator for leaf in leaves if leaf.indicator is not None}
        self.read_counts = sorted(
            {(leaf.count.tier, leaf.count.rated) for leaf in leaves if leaf.count is not None},
            key=lambda t: (t[0] or "", t[1]),
        )
        self.read_points = any(leaf.score == "verdict" for leaf in leaves)
        direct = [leaf.question for leaf in leaves if leaf.question is not None]
        good, bad = verdict.ratings.get("green", 0.0), verdict.ratings.get("red", 2.0)
        amber = verdict.ratings.get("amber", 1.0)
        # when better ratings always cost fewer points (the usual way round), a plan with more steps and no fewer
        # points can never be the better one, so it is dropped
        self.fewer_is_better = good <= amber <= bad and good < bad
        self.exact = True  # no way was dropped to keep the search small
        self.factors: list[_Factor] = []
        for k, indicator in enumerate(verdict.indicators):
            if indicator.id not in ratings:
                continue
            options = self._indicator_options(k, indicator.questions, indicator.rate, candidates)
            if len(options) > 1 or indicator.id in self.read_indicators:
                self.factors.append(_Factor(k, indicator.id, indicator.tier, tuple(options)))
        for qid in dict.fromkeys(direct):
            cand = candidates.get(qid)
            if cand is not None:
                now = _Option(cand.from_level if cand.from_level is not None else -1, 0, ())
                steps = [_Option(lv, cand.cost(lv), ((qid, lv),)) for lv in cand.levels]
                self.factors.append(_Factor(-1, qid, None, (now, *steps)))

    def _indicator_options(
        self, k: int, questions: Sequence[str], rate: Sequence[Any], candidates: Mapping[str, _Candidate]
    ) -> list[_Option]:
        """The rating now, then the cheapest answers for each better rating (each cheaper than any better one)."""
        plan = self.plan
        ind = plan.indicator_plans[k]
        read = list(dict.fromkeys([*questions, *(q for rule in rate for q in _question_subjects(rule.when))]))
        movable = [candidates[q] for q in read if q in candidates]
        now = self.ratings[ind.id]
        best: dict[str, tuple[int, tuple[tuple[str, int], ...], bool]] = {}
        held = {"ratings": self.ratings, "tiers": self.tiers, "unknown": self.unknown}
        choices = product(*[(None, *c.levels) for c in movable])
        for combo in islice(choices, 1, _COMBINATIONS):  # the first combination leaves every answer as it is
            changes = tuple((c.qid, lv) for c, lv in zip(movable, combo, strict=True) if lv is not None)
            cost = sum(c.cost(lv) for c, lv in zip(movable, combo, strict=True) if lv is not None)
            rated = rate_indicator(ind, _patched(self.facts, changes, **held))
            found = best.get(rated.rating)
            if RAG_ORDER[rated.rating] > RAG_ORDER[now] and (found is None or (cost, changes) < found[:2]):
                best[rated.rating] = (cost, changes, rated.unknown)
        options = [_Option(now, 0, (), ind.id in self.unknown)]
        cheapest_better: int | None = None
        for better in sorted(best, key=lambda r: -RAG_ORDER[r]):  # green first
            cost, changes, unknown = best[better]
            if cheapest_better is None or cost < cheapest_better:
                options.append(_Option(better, cost, changes, unknown))
                cheapest_better = cost
        return [options[0], *sorted(options[1:], key=lambda o: o.cost)]

    def outcome(self, choice: Sequence[int]) -> str:
        """The verdict the rules give when each factor takes the option chosen for it."""
        ratings = dict(self.ratings)
        unknown = set(self.unknown)
        changes: list[tuple[str, int]] = []
        for factor, k in zip(self.factors, choice, strict=True):
            option = factor.options[k]
            changes.extend(option.changes)
            if factor.indicator >= 0:
                ratings[factor.id] = str(option.effect)
                (unknown.add if option.unknown else unknown.discard)(factor.id)
        plan = self.plan
        points = math.fsum(ind.points[ratings[ind.id]] for ind in plan.indicator_plans if ind.id in ratings)
        facts = _patched(self.facts, changes, ratings=ratings, tiers=self.tiers, unknown=unknown, verdict_points=points)
        return decide(plan, facts).outcome.id

    def full(self) -> Facts:
        """The facts as they stand, ratings and points included."""
        points = math.fsum(
            ind.points[self.ratings[ind.id]] for ind in self.plan.indicator_plans if ind.id in self.ratings
        )
        return replace(self.facts, ratings=self.ratings, tiers=self.tiers, unknown=self.unknown, verdict_points=points)

    def needed(self, wanted: int, ranks: Mapping[str, int]) -> list[int] | None:
        """For each factor, the first option it must reach for the verdict to reach rank `wanted` at all, found
        by trying it against every other factor at its best (better ratings never make a verdict worse); None
        when not even every factor at its best reaches it."""
        best = [len(f.options) - 1 for f in self.factors]
        if ranks.get(self.outcome(best), -1) < wanted:
            return None
        out = []
        for i, factor in enumerate(self.factors):
            lowest = len(factor.options) - 1
            for k in range(len(factor.options) - 1):
                trial = [*best[:i], k, *best[i + 1 :]]
                if ranks.get(self.outcome(trial), -1) >= wanted:
                    lowest = k
                    break
            out.append(lowest)
        return out

    def plans(self, limit: int, needed: Sequence[int] | None = None) -> list[tuple[int, float, tuple[int, ...]]]:
        """Every distinct way (as the verdict reads it) to move the factors within `limit` steps, fewest first:
        (steps, points, the option chosen for each factor). `needed` gives the first option each factor must
        reach; when the ways to keep pass `_BEAM`, only the cheapest are kept (and `exact` becomes false)."""
        factors = self.factors
        needed = needed or [0] * len(factors)
        weights = {ind.id: ind.points for ind in self.plan.indicator_plans}
        singles = [i for i, f in enumerate(factors) if f.indicator < 0 or f.id in self.read_indicators]
        slot = {i: n for n, i in enumerate(singles)}
        keep_points = self.read_points and not self.fewer_is_better
        # state key: (what the verdict reads of single factors, the counts it reads[, points]);
        # value: {steps: (points, choice)}, a frontier of the fewest steps for each amount of points
        states = self._start_states(singles, weights, keep_points)
        # the fewest steps the factors after each one still need: a way that cannot afford them is dropped early
        least = [f.options[needed[i]].cost if len(f.options) > 1 else 0 for i, f in enumerate(factors)]
        rest = [sum(least[i + 1 :]) for i in range(len(factors))]
        for i, factor in enumerate(factors):
            if len(factor.options) < 2:
                continue
            allowed = range(needed[i], len(factor.options))
            budget = limit - rest[i]
            deltas = self._deltas(factor, allowed, weights)
            grown: dict[tuple[Any, ...], dict[int, tuple[float, tuple[int, ...]]]] = {}
            for (single, counts, _), frontier in states.items():
                for cost, (points, choice) in frontier.items():
                    for k, effect, dc, dp in deltas:
                        steps = cost + factor.options[k].cost
                        if steps > budget:
                            continue
                        new_single = single
                        if i in slot:
                            at = slot[i]
                            new_single = (*single[:at], effect, *single[at + 1 :])
                        new_counts = tuple(a + b for a, b in zip(counts, dc, strict=True)) if dp or any(dc) else counts
                        new_points = points + dp
                        key = (new_single, new_counts, (round(new_points, 9),) if keep_points else ())
                        self._keep(grown, key, steps, new_points, (*choice[:i], k, *choice[i + 1 :]))
            if len(grown) > _BEAM:
                self.exact = False
                cheapest = sorted(grown, key=lambda key: (min(grown[key]), min(p for p, _ in grown[key].values())))
                grown = {key: grown[key] for key in cheapest[:_BEAM]}
            states = grown
        out = [(steps, points, choice) for frontier in states.values() for steps, (points, choice) in frontier.items()]
        sign = 1.0 if self.fewer_is_better else -1.0
        return sorted(out, key=lambda t: (t[0], sign * t[1], t[2]))

    def _counted(self, iid: str, rating: str) -> tuple[int, ...]:
        """What an indicator at `rating` adds to each count the verdict reads (of a rating, at a tier or any)."""
        return tuple(
            int(rating == rated and (tier is None or self.tiers.get(iid) == tier)) for tier, rated in self.read_counts
        )

    def _start_states(
        self, singles: list[int], weights: dict[str, Mapping[str, float]], keep_points: bool
    ) -> dict[tuple[Any, ...], dict[int, tuple[float, tuple[int, ...]]]]:
        """The search's one starting state: every factor at its first option, with the counts and points the
        ratings now give."""
        factors = self.factors
        counts = [0] * len(self.read_counts)
        for iid, rating in self.ratings.items():
            for n, c in enumerate(self._counted(iid, rating)):
                counts[n] += c
        points = math.fsum(weights[i][r] for i, r in self.ratings.items() if i in weights)
        single = tuple((factors[i].options[0].effect, factors[i].options[0].unknown) for i in singles)
        key = (single, tuple(counts), (round(points, 9),) if keep_points else ())
        return {key: {0: (points, tuple(0 for _ in factors))}}

    def _deltas(
        self, factor: _Factor, allowed: range, weights: dict[str, Mapping[str, float]]
    ) -> list[tuple[int, Any, tuple[int, ...], float]]:
        """What each allowed option of a factor changes, against the option it starts at: (option, what the
        verdict reads of it, the change in each count, the change in points)."""
        deltas: list[tuple[int, Any, tuple[int, ...], float]] = []
        first = factor.options[0]
        for k in allowed:
            option = factor.options[k]
            if factor.indicator >= 0:
                old, new = str(first.effect), str(option.effect)
                dc = tuple(
                    a - b for a, b in zip(self._counted(factor.id, new), self._counted(factor.id, old), strict=True)
                )
                dp = weights[factor.id][new] - weights[factor.id][old]
            else:
                dc, dp = tuple(0 for _ in self.read_counts), 0.0
            deltas.append((k, (option.effect, option.unknown), dc, dp))
        return deltas

    def _keep(
        self,
        states: dict[tuple[Any, ...], dict[int, tuple[float, tuple[int, ...]]]],
        key: tuple[Any, ...],
        steps: int,
        points: float,
        choice: tuple[int, ...],
    ) -> None:
        frontier = states.setdefault(key, {})
        if self.read_points and self.fewer_is_better:
            # dominated: another plan with no more steps and no more points
            for c, (p, other) in frontier.items():
                tie = c == steps and abs(p - points) <= 1e-9
                if c <= steps and p <= points + 1e-9 and not (tie and choice < other):
                    return
            for c in [c for c, (p, _) in frontier.items() if c >= steps and p >= points - 1e-9]:
                del frontier[c]
            frontier[steps] = (points, choice)
            return
        found = frontier.get(steps)
        if found is None or choice < found[1]:
            frontier[steps] = (points, choice)


def _targets(rules: Rules, current: str) -> list[str]:
    """The better outcomes to aim for, one at a time: for each RAG from the current one up, the best outcome of
    that RAG ranked above the current one. So an outcome that shares its RAG with a better one (such as "cannot
    be determined" beside "at risk") is never a goal: answers are improved, not made unknown."""
    assert rules.verdict is not None
    outcomes = rules.verdict.outcomes
    ids = [o.id for o in outcomes]
    now = outcomes[ids.index(current)]
    out = []
    for rag in sorted({o.rag for o in outcomes}, key=lambda r: -RAG_ORDER[r]):
        if RAG_ORDER[rag] < RAG_ORDER[now.rag]:
            continue
        better = [o.id for o in outcomes[ids.index(current) + 1 :] if o.rag == rag]
        if better:
            out.append(better[-1])
    return sorted(out, key=ids.index)


# ------------------------------------------------------------------------------------------------ the builder


class _Builder:
    def __init__(
        self, questionnaire: Questionnaire, rules: Rules, answers: AnswersFile, assessment: Assessment, max_steps: int
    ) -> None:
        self.q, self.rules, self.answers, self.assessment = questionnaire, rules, answers, assessment
        self.plan = plan_for(questionnaire, rules)
        self.max_steps = max_steps
        self.evaluations = 0
        self.questions = {x.id: x for x in questionnaire.questions()}
        self.stage_titles = {s.id: s.title for s in questionnaire.stages}
        self.stage_index = {s.id: i for i, s in enumerate(questionnaire.stages)}
        self.indicator_titles = {i.id: i.title for i in rules.verdict.indicators} if rules.verdict else {}
        # the facts the verdict reads besides the answers (scores, levels, fired pain points) are held as scored
        nodes = assessment.nodes
        self.held = Facts(
            scores={n.id: n.score for n in nodes},
            levels={n.id: n.level for n in nodes},
            fired=frozenset(p.id for p in assessment.pain_points),
        )
        self.verdict_stage = self._verdict_stage()

    def summary(self, changes: Mapping[str, int]) -> Summary:
        self.evaluations += 1
        return scoring.summarise(self.q, self.rules, _with(self.answers, changes), checked=True)

    def facts(self, changes: Mapping[str, int]) -> Facts:
        base = answer_facts(self.q, _with(self.answers, changes).answers)
        held = self.held
        return replace(base, scores=held.scores, levels=held.levels, fired=held.fired)

    def _verdict_stage(self) -> int:
        """The stage (its index in lifecycle order) holding most of the questions the verdict reads; -1 without a
        verdict."""
        verdict = self.rules.verdict
        if verdict is None:
            return -1
        read: set[str] = set()
        for ind in verdict.indicators:
            read.update(ind.questions)
            for rule in ind.rate:
                read.update(_question_subjects(rule.when))
        for c in [*(v.when for v in verdict.vetoes), *(o.when for o in verdict.outcomes)]:
            read.update(_question_subjects(c))
        stages = [self.stage_index[s] for s in (self._stage_of(q) for q in read) if s is not None]
        if not stages:
            return -1
        # the verdict's home: the stage holding most of its questions (a few it reads from later stages, such as
        # how performance is checked in a live contract, do not move "before going to market" to the end)
        return max(set(stages), key=lambda k: (stages.count(k), k))

    def _stage_of(self, qid: str) -> str | None:
        p = self.plan.by_id.get(qid)
        return p.stage if p is not None else None

    # ------------------------------------------------------------------------------------------- build

    def build(self) -> Roadmap:
        notes: list[str] = []
        goals: list[Goal] = []
        changes: dict[str, int] = {}
        verdict = self.assessment.verdict
        outcomes = [o.id for o in self.rules.verdict.outcomes] if self.rules.verdict else []
        labels = {o.id: o.label for o in self.rules.verdict.outcomes} if self.rules.verdict else {}
        if not verdict.defined:
            pass  # a model with levels only: the roadmap is about levels
        elif not verdict.assessed:
            reason = verdict.not_assessed_reason
            notes.append(f"The verdict was not assessed ({reason}), so no change to it is planned.")
        elif verdict.outcome in outcomes and outcomes.index(verdict.outcome) == len(outcomes) - 1:
            notes.append(f"The verdict is already the best outcome ({verdict.label}).")
        elif verdict.outcome in outcomes:
            vetoed = self._vetoed_indicators()
            for target in _targets(self.rules, verdict.outcome):
                goal, added = self._verdict_goal(target, labels[target], changes, vetoed, len(goals))
                goals.append(goal)
                if not goal.reachable:
                    break
                changes.update(added)
        goals.append(self._level_goal(changes, bool(goals)))
        return Roadmap(tuple(goals), self._phases(goals), self.max_steps, self.evaluations, tuple(notes))

    def _phases(self, goals: Sequence[Goal]) -> tuple[Phase, ...]:
        by_phase: dict[str, list[Change]] = {}
        for goal in goals:
            for change in goal.changes:
                by_phase.setdefault(change.phase, []).append(change)
        order = {qid: i for i, qid in enumerate(self.questions)}
        return tuple(
            Phase(pid, title, tuple(sorted(by_phase[pid], key=lambda c: (c.steps, order.get(c.question, 0)))))
            for pid, title in PHASES.items()
            if pid in by_phase
        )

    def _vetoed_indicators(self) -> set[str]:
        """The indicators read by the vetoes that hold now: the problems that must be fixed first."""
        verdict = self.rules.verdict
        assert verdict is not None
        facts = self.facts({})
        model = _VerdictModel(self.plan, facts, {})
        full = model.full()
        out: set[str] = set()
        for veto, test in zip(verdict.vetoes, self.plan.veto_tests, strict=True):
            if test(full):
                out.update(leaf.indicator for leaf in _leaves(veto.when) if leaf.indicator is not None)
                out.update(f"?{q}" for q in _question_subjects(veto.when))
        return out

    # ------------------------------------------------------------------------------------------- verdict

    def _verdict_goal(
        self, target: str, label: str, before: Mapping[str, int], vetoed: set[str], earlier: int
    ) -> tuple[Goal, dict[str, int]]:
        assert self.rules.verdict is not None
        ranks = {o.id: k for k, o in enumerate(self.rules.verdict.outcomes)}
        wanted = ranks[target]
        facts = self.facts(before)
        candidates = _candidates(self.q, facts)
        model = _VerdictModel(self.plan, facts, candidates)
        title = f"{'Then move' if earlier else 'Move'} the verdict to {label}"
        gid = f"verdict:{target}"
        needed = model.needed(wanted, ranks)
        if needed is None:
            return Goal(gid, "verdict", title, False, why=self._why(label, wanted, None, model, facts)), {}
        floor = sum(f.options[k].cost for f, k in zip(model.factors, needed, strict=True))
        confirmations = 0
        plans = model.plans(self.max_steps, needed) if floor <= self.max_steps else []
        for asked, (_, _, choice) in enumerate(plans):
            if asked >= _OUTCOMES or confirmations >= _CONFIRMATIONS:
                break
            if ranks.get(model.outcome(choice), -1) < wanted:
                continue
            added: dict[str, int] = {}
            moved: dict[str, list[str]] = {}
            for factor, k in zip(model.factors, choice, strict=True):
                option = factor.options[k]
                for qid, level in option.changes:
                    added[qid] = max(level, added.get(qid, level))
                    if factor.indicator >= 0:
                        title_ = self.indicator_titles.get(factor.id, factor.id)
                        now = RAG_WORDS.get(str(factor.options[0].effect), str(factor.options[0].effect))
                        moved.setdefault(qid, []).append(f"{title_}: {now} to {RAG_WORDS.get(str(option.effect))}")
            confirmations += 1
            after = self.summary({**before, **added})
            if ranks.get(after.verdict_outcome, -1) >= wanted:
                changes = self._changes(gid, added, candidates, moved, before, after, vetoed)
                steps = sum(c.steps for c in changes)
                return (
                    Goal(gid, "verdict", title, True, changes, steps, model.exact, self._result(after)),
                    added,
                )
        # at least this many: what each factor must reach on its own (the search above found nothing cheaper)
        needs = max(floor, self.max_steps + 1)
        why = self._why(label, wanted, needs, model, facts)
        return Goal(gid, "verdict", title, False, why=why, needs=needs), {}

    def _why(self, label: str, wanted: int, needs: int | None, model: _VerdictModel, facts: Facts) -> str:
        """Why a verdict goal is not planned, in plain words."""
        assert self.rules.verdict is not None
        full = model.full()
        outcomes = [o.id for o in self.rules.verdict.outcomes]
        holding = [
            veto.reason
            for veto, test in zip(self.rules.verdict.vetoes, self.plan.veto_tests, strict=True)
            if test(full) and veto.outcome in outcomes and outcomes.index(veto.outcome) < wanted
        ]
        if needs is None:
            first = (
                f"No change to the answers this verdict rests on gives {label}"
                if model.factors
                else f"No answer that could be improved moves the verdict to {label}"
            )
        else:
            first = (
                f"Reaching {label} takes at least {needs} steps from here, more than the {self.max_steps} a "
                "single stage of work should try to cover"
                if needs > self.max_steps
                else f"Reaching {label} takes more than the {self.max_steps} steps a single stage of work should "
                "try to cover"
            )
        if holding:
            return f"{first}. The core problems must be fixed first: {'; '.join(holding)}."
        return f"{first}. Work through the steps above first, then assess again."

    # ------------------------------------------------------------------------------------------- level

    def _level_goal(self, before: Mapping[str, int], after_verdict: bool) -> Goal:
        start = self.summary(dict(before))
        levels = sorted({b.level for b in self.rules.levels})
        current = start.overall_level
        if current is None or current >= levels[-1]:
            words = "no overall level" if current is None else f"the top level ({current})"
            return Goal("level:none", "level", "Lift the overall level", False, why=f"There is {words} to lift.")
        target = next(lv for lv in levels if lv > current)
        band = min((b for b in self.rules.levels if b.level >= target), key=lambda b: b.level)
        title = f"{'Then lift' if after_verdict else 'Lift'} the overall level to {band.level} {band.name}"
        gid = f"level:{band.level}"
        changes = dict(before)
        added: dict[str, int] = {}
        summary = start
        steps = 0
        while (summary.overall_level or 0) < target:
            if steps >= self.max_steps:
                return Goal(
                    gid,
                    "level",
                    title,
                    False,
                    why=f"Level {band.level} {band.name} takes more than {self.max_steps} steps from here: "
                    f"{self._level_blocker(summary, target)}.",
                )
            step = self._next_step(changes, summary, target, set(added))
            if step is None:
                return Goal(
                    gid,
                    "level",
                    title,
                    False,
                    why=f"No answer that could be improved lifts the overall level to {band.level}: "
                    f"{self._level_blocker(summary, target)}.",
                )
            qid, level, cost = step
            changes[qid] = level
            added[qid] = level
            steps += cost
            summary = self.summary(changes)
        facts = self.facts(before)
        candidates = _candidates(self.q, facts)
        stage_moves = self._stage_moves(start, summary)
        moved = {qid: stage_moves.get(self._stage_of(qid) or "", []) for qid in added}
        out = self._changes(gid, added, candidates, moved, before, summary, set())
        return Goal(gid, "level", title, True, out, sum(c.steps for c in out), result=self._result(summary))

    def _stage_moves(self, before: Summary, after: Summary) -> dict[str, list[str]]:
        old = {s.id: s.level for s in before.stages}
        return {
            s.id: [f"{self.stage_titles.get(s.id, s.id)}: level {old.get(s.id)} to {s.level}"]
            for s in after.stages
            if s.level != old.get(s.id) and old.get(s.id) is not None
        }

    def _level_blocker(self, summary: Summary, target: int) -> str:
        weakest = min((s for s in summary.stages if s.level is not None), key=lambda s: s.level or 0, default=None)
        if weakest is not None and (weakest.level or 0) < target - 1:
            title = self.stage_titles.get(weakest.id, weakest.id)
            return f"the weakest stage, {title}, is at level {weakest.level} and holds the overall level down"
        return f"the overall score is {format_number(summary.overall_score, 2)}"

    def _next_step(
        self, changes: Mapping[str, int], summary: Summary, target: int, raised: Set[str]
    ) -> tuple[str, int, int] | None:
        """The next answer to raise, and to which level: what holds the level down first, else the best gain."""
        plan = self.plan
        facts = self.facts(changes)
        candidates = _candidates(self.q, facts)
        if not candidates:
            return None
        overall = plan.nodes.get("overall")
        levels = {s.id: s.level for s in summary.stages}
        scores = {s.id: s.score for s in summary.stages}
        # 1. a cap on the overall level from its weakest child: lift that stage first
        if overall is not None:
            for cap in overall.caps:
                if cap.lowest != "children":
                    continue
                need = math.ceil(target - cap.plus)
                low = [c.id for c in overall.children if c.id in levels and (levels[c.id] or 0) < need]
                if low:
                    stage = min(low, key=lambda s: (levels[s] or 0, scores[s] or 0.0, self.stage_index.get(s, 0)))
                    step = self._lift(stage, need, candidates, facts, scores.get(stage), raised)
                    if step is not None:
                        return step
        # 2. a cap from the lowest (critical) answer below the overall node
        step = self._answer_caps(overall, None, target, candidates, facts) if overall is not None else None
        if step is not None:
            return step
        # 3. the answer whose next level adds most to the overall score
        return self._best_gain(None, candidates, facts, raised)

    def _lift(
        self,
        stage: str,
        need: int,
        candidates: Mapping[str, _Candidate],
        facts: Facts,
        score: float | None,
        raised: Set[str],
    ) -> tuple[str, int, int] | None:
        node = self.plan.nodes.get(stage)
        if node is None:
            return None
        band_level = None
        if score is not None:
            index, _ = self.plan.levels.find(score)
            band_level = self.plan.band_levels[index]
        if band_level is not None and band_level >= need:  # the score is enough: a cap holds it down
            step = self._answer_caps(node, stage, need, candidates, facts)
            if step is not None:
                return step
        return self._best_gain(stage, candidates, facts, raised)

    def _answer_caps(
        self, node: Any, stage: str | None, target: int, candidates: Mapping[str, _Candidate], facts: Facts
    ) -> tuple[str, int, int] | None:
        """The step that lifts a cap from the node's lowest (critical) answer, if one holds it below `target`."""
        for cap in node.caps:
            if cap.lowest in ("critical_questions", "questions"):
                step = self._raise_lowest(stage, target - cap.plus, cap.lowest, candidates, facts)
                if step is not None:
                    return step
        return None

    def _raise_lowest(
        self, stage: str | None, floor: float, which: str, candidates: Mapping[str, _Candidate], facts: Facts
    ) -> tuple[str, int, int] | None:
        """Raise the lowest (critical) answer below `floor`, in `stage` (None: anywhere), to the level it needs."""
        plan = self.plan
        low: list[tuple[float, int, _Candidate]] = []
        for cand in candidates.values():
            p = plan.by_id[cand.qid]
            if (stage is not None and p.stage != stage) or (which == "critical_questions" and not p.critical):
                continue
            worth = self._worth(cand.qid, facts)
            if worth is not None and worth < floor:
                low.append((worth, cand.index, cand))
        if not low:
            return None
        _, _, cand = min(low, key=lambda t: (t[0], t[1]))
        for level in cand.levels:
            points = _points(plan, cand.qid, level)
            if points is not None and points >= floor:
                return cand.qid, level, cand.cost(level)
        return cand.qid, cand.levels[-1], cand.cost(cand.levels[-1])

    def _worth(self, qid: str, facts: Facts) -> float | None:
        plan = self.plan
        status = facts.status(qid)
        if status == "answered":
            return _points(plan, qid, facts.values.get(qid))
        if status == "dont_know" and plan.dont_know_points is not None:
            return plan.dont_know_points
        if status == "unanswered" and plan.unanswered_points is not None:
            return plan.unanswered_points
        return plan.cap_gap_value if status in GAP_STATUSES else None

    def _best_gain(
        self, stage: str | None, candidates: Mapping[str, _Candidate], facts: Facts, raised: Set[str]
    ) -> tuple[str, int, int] | None:
        """The move (one question to one level) with the most score per step, for the stage or overall.

        One level at a time: an answer not yet raised for this goal goes up to its next level (or, for a missing
        answer, to the first level worth more than the gap); an answer goes further only when no other helps.
        """
        weights = self._sensitivity(stage or "overall")
        for spread in (True, False):
            best: tuple[float, int, int, str, int] | None = None
            for cand in candidates.values():
                weight = weights.get(cand.qid, 0.0)
                if weight <= 0 or (spread and cand.qid in raised):
                    continue
                worth = self._worth(cand.qid, facts)
                for level in cand.levels:
                    points = _points(self.plan, cand.qid, level)
                    if points is None:
                        continue
                    gain = weight * (points - (worth if worth is not None else 0.0))
                    cost = cand.cost(level)
                    if gain <= 0:
                        continue
                    key = (-round(gain / cost, 9), cost, cand.index, cand.qid, level)
                    if best is None or key < best:
                        best = key
                    if spread:
                        break  # only its next level that adds anything
            if best is not None:
                _, cost, _, qid, level = best
                return qid, level, cost
        return None

    def _sensitivity(self, top: str) -> dict[str, float]:
        """How much a question's points move a node's score: the product of the roll-up's shares on the way up
        (a mean's 1/n, a weighted mean's weight over the total, a sum's 1, a minimum's or maximum's deciding child)."""
        explained = {n.id: n for n in self.assessment.nodes}
        out: dict[str, float] = {top: 1.0}
        for node_id in reversed(self.plan.topo):  # parents before children
            share = out.get(node_id)
            node = explained.get(node_id)
            if not share or node is None:
                continue
            ex = node.explanation
            counted = [c for c in ex.children if c.counted]
            total = math.fsum(c.weight or 1.0 for c in counted) or 1.0
            for child in ex.children:
                if ex.method == "mean":
                    local = 1 / (len(counted) + (0 if child.counted else 1))
                elif ex.method == "weighted":
                    local = (child.weight or 1.0) / total
                elif ex.method == "sum":
                    local = 1.0
                else:
                    local = 1.0 if child.contribution is not None else 0.0
                out[child.id] = out.get(child.id, 0.0) + share * local
        return out

    # ------------------------------------------------------------------------------------------- changes

    def _changes(
        self,
        goal: str,
        added: Mapping[str, int],
        candidates: Mapping[str, _Candidate],
        moved: Mapping[str, list[str]],
        before: Mapping[str, int],
        after: Summary,
        vetoed: set[str],
    ) -> tuple[Change, ...]:
        out: list[Change] = []
        order = {qid: i for i, qid in enumerate(self.questions)}
        for qid in sorted(added, key=lambda q: order.get(q, 0)):
            cand = candidates[qid]
            level = added[qid]
            question = self.questions[qid]
            stage = cand.stage
            status = "answered" if qid in before else self.assessment.question(qid).status
            out.append(
                Change(
                    qid,
                    question.text,
                    stage,
                    self.stage_titles.get(stage or "", "Context"),
                    cand.from_level,
                    self._words(qid, cand.from_level, status),
                    level,
                    self._words(qid, level, "answered"),
                    cand.cost(level),
                    self._phase(goal, qid, cand, vetoed),
                    goal,
                    tuple(moved.get(qid, [])),
                )
            )
        return tuple(out)

    def _phase(self, goal: str, qid: str, cand: _Candidate, vetoed: set[str]) -> str:
        if self.rules.verdict is None:
            return "steps"
        feeds = {
            ind.id
            for ind in self.rules.verdict.indicators
            if qid in ind.questions or any(qid in set(_question_subjects(r.when)) for r in ind.rate)
        }
        if cand.from_level is None or feeds & vetoed or f"?{qid}" in vetoed:
            return "now"
        if goal.startswith("verdict:"):
            return "market"
        index = self.stage_index.get(cand.stage or "", -1)
        if index <= self.verdict_stage:
            return "market"
        later = len(self.q.stages) - 1 - self.verdict_stage
        return "award" if index - self.verdict_stage <= max(1, math.ceil(later / 3)) else "contract"

    def _words(self, qid: str, level: int | None, status: str) -> str:
        if level is None:
            return STATUS_WORDS.get(status, status).capitalize()
        question = self.questions[qid]
        label = next((lv.label for lv in self.q.levels_of(question) if lv.level == level), None)
        return f"{level}: {label}" if label else str(level)

    def _result(self, summary: Summary) -> str:
        level = f"overall level {summary.overall_level}" if summary.overall_level is not None else "no overall level"
        if summary.overall_level_name:
            level += f" {summary.overall_level_name}"
        return f"verdict {summary.verdict_label}, {level}" if summary.verdict_outcome != "not_assessed" else level


# ------------------------------------------------------------------------------------------------ public


def build_roadmap(
    questionnaire: Questionnaire,
    rules: Rules,
    answers: AnswersFile,
    assessment: Assessment | None = None,
    *,
    max_steps: int = MAX_STEPS,
) -> Roadmap:
    """The steps to the next verdict outcome (and the one after) and to the next overall level.

    `answers` must already have passed the answers checks (as `load_answers` does): they are scored unchecked.
    """
    if assessment is None:
        assessment = scoring.score(questionnaire, rules, answers, checked=True)
    return _Builder(questionnaire, rules, answers, assessment, max_steps).build()
