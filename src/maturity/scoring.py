"""The scoring engine: answers in, an explained `Assessment` out. Pure, deterministic, no I/O.

Everything that depends only on the questionnaire and the rules (the roll-up tree and its order, point maps,
bands, critical questions) is worked out once in a `ScoringPlan`; scoring one answers file is then linear in the
size of the questionnaire, so a batch of thousands of files pays for the plan once. `score()` keeps a small
cache of plans keyed by the identity of the (questionnaire, rules) pair.

The steps, in order (each records how it got its result):

1. each question's status (answered, don't know, not applicable, unanswered, not asked) and points;
2. the roll-up, children before parents: a score per node by its method, then a level from the bands, then caps;
3. the verdict's indicators (pain points and outcomes may test them);
4. pain points, in rules order (a pain point may test those before it);
5. RAG per stage and overall, then the overrides from each stage's fired pain points;
6. the verdict: vetoes first, then the first outcome whose condition holds, else the last outcome.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .assessment import (
    AnswerRef,
    Assessment,
    BandUsed,
    CapResult,
    ChildKind,
    Contribution,
    IndicatorResult,
    NodeExplanation,
    NodeKind,
    NodeResult,
    PainPointResult,
    QuestionResult,
    RagOverrideResult,
    SourceRef,
    StageGaps,
    Trigger,
    VerdictResult,
    VetoResult,
)
from .checks import QuestionInfo, answer_problem, index_questionnaire
from .conditions import Facts, Hit, Status, answer_facts, describe, evaluate, explain, format_value, number
from .model import (
    OVERALL,
    RAG_ORDER,
    SEVERITY_ORDER,
    Answer,
    AnswersFile,
    Band,
    Cap,
    Indicator,
    NodeRule,
    PointBand,
    Question,
    Questionnaire,
    Rag,
    RagBand,
    Rules,
)
from .problems import DefinitionError, Problem

__all__ = ["ScoringPlan", "plan_for", "score"]

DEFAULT_RATINGS: dict[str, float] = {"green": 0.0, "amber": 1.0, "red": 2.0}
UNKNOWN_STATUSES = frozenset({"dont_know", "unanswered", "not_asked"})
ROUND = 9  # scores are rounded to 9 decimals so float noise cannot move a score across a band edge
_PLAN_CACHE_SIZE = 16
_plans: dict[tuple[int, int], ScoringPlan] = {}


def _problem(code: str, message: str) -> Problem:
    return Problem.make(code, message)


# ------------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _QuestionPlan:
    question: Question
    info: QuestionInfo
    order: int
    stage: str | None
    group: str | None
    critical: bool
    scored: bool  # whether answers to it can be worth points at all
    point_map: Mapping[str, float] | None
    map_from: str | None
    bands: tuple[PointBand, ...] | None
    combine: Literal["sum", "max", "mean"]
    not_asked: str  # why it counts for nothing when its condition is false


@dataclass(frozen=True)
class _Child:
    id: str
    kind: ChildKind
    weight: float
    weight_from: str


@dataclass(frozen=True)
class _NodePlan:
    id: str
    kind: NodeKind
    title: str
    children: tuple[_Child, ...]
    method: Literal["mean", "sum", "min", "max", "weighted"]
    caps: tuple[Cap, ...]
    source: str  # where its definition came from, for the explanation


@dataclass(frozen=True)
class _NodeState:
    """What the roll-up found for one node, kept until RAG and pain points are known."""

    parts: tuple[Contribution, ...]
    counted: int
    band: BandUsed | None
    level_before: int | None
    caps: tuple[CapResult, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Bands:
    """Bands ready for lookup by bisection on their lower ends."""

    bands: tuple[Band, ...]
    starts: tuple[float, ...]

    @classmethod
    def of(cls, bands: Sequence[Band]) -> _Bands:
        return cls(tuple(bands), tuple(b.from_ for b in bands))

    def find(self, value: float) -> tuple[int, str | None]:
        """The index of the band holding `value`, with a note when it had to be clamped."""
        i = bisect_right(self.starts, value) - 1
        last = len(self.bands) - 1
        if i < 0:
            return 0, f"score {value:g} is below the first band (from {self.bands[0].from_:g}): counted in it"
        band = self.bands[i]
        if i == last and value > band.to:
            return i, f"score {value:g} is above the last band (to {band.to:g}): counted in it"
        if i < last and value >= band.to:
            return i, f"score {value:g} falls between bands: the band below is used"
        return i, None


class ScoringPlan:
    """What scoring needs from a questionnaire and its rules, worked out once and reused for every answers file.

    Building it checks what scoring cannot do without (the rules are for this questionnaire, every roll-up child
    exists, the roll-up has no cycle) and raises `DefinitionError` otherwise.
    """

    def __init__(self, questionnaire: Questionnaire, rules: Rules) -> None:
        self.questionnaire = questionnaire
        self.rules = rules
        problems: list[Problem] = []
        if rules.questionnaire.id != questionnaire.id:
            problems.append(_problem("MQ301", f"rules '{rules.id}' are for questionnaire "
                                     f"'{rules.questionnaire.id}', not '{questionnaire.id}'"))
        elif rules.questionnaire.version != questionnaire.version:
            problems.append(_problem("MQ302", f"rules '{rules.id}' are for version {rules.questionnaire.version} of "
                                     f"'{questionnaire.id}', not version {questionnaire.version}"))
        if problems:
            raise DefinitionError(problems)
        self.index = index_questionnaire(questionnaire)
        self.questions: tuple[_QuestionPlan, ...] = tuple(self._question_plans())
        self.by_id: dict[str, _QuestionPlan] = {p.question.id: p for p in self.questions}
        self.ordered_questions: tuple[Question, ...] = tuple(p.question for p in self.questions)
        self.stage_order: dict[str, int] = {s.id: i for i, s in enumerate(questionnaire.stages)}
        self.stage_titles: dict[str, str] = {s.id: s.title for s in questionnaire.stages}
        self.nodes: dict[str, _NodePlan] = self._node_plans()
        self.topo: tuple[str, ...] = self._topological()
        self.display: tuple[str, ...] = self._display_order()
        self.levels = _Bands.of(rules.levels)
        self.level_numbers: tuple[int, ...] = tuple(sorted({b.level for b in rules.levels}))
        self.level_names: dict[int, str] = {}
        for band in rules.levels:
            self.level_names.setdefault(band.level, band.name)
        self.rag = _Bands.of(rules.rag.bands) if rules.rag else None
        self.pain_order: tuple[int, ...] = tuple(sorted(
            range(len(rules.pain_points)),
            key=lambda i: (SEVERITY_ORDER[rules.pain_points[i].severity],
                           self.stage_order.get(rules.pain_points[i].stage or "", len(self.stage_order)), i)))

    # ----------------------------------------------------------------------------------------- questions

    def _question_plans(self) -> Iterable[_QuestionPlan]:
        points = self.rules.points
        critical = set(self.rules.critical_questions)
        for order, (qid, info) in enumerate(self.index.questions.items()):
            question = info.question
            kind = question.kind
            rule = points.questions.get(qid)
            point_map: Mapping[str, float] | None = None
            map_from: str | None = None
            bands: tuple[PointBand, ...] | None = None
            combine: Literal["sum", "max", "mean"] = "sum"
            if rule is not None and kind != "text":
                combine = rule.combine
                if rule.bands is not None and kind == "number":
                    bands = tuple(rule.bands)
                elif rule.map is not None and kind != "number":
                    point_map, map_from = rule.map, f"points for {qid}"
            elif question.answer_set is not None and question.answer_set in points.answer_sets and \
                    kind in ("scale", "single", "multiple"):
                point_map, map_from = points.answer_sets[question.answer_set], f"answer set '{question.answer_set}'"
            scored = kind == "scale" or point_map is not None or bands is not None
            not_asked = f"not asked ({describe(question.when)} is false); it never counts"
            yield _QuestionPlan(question, info, order, info.stage, info.group, qid in critical, scored, point_map,
                                map_from, bands, combine, not_asked)

    # ---------------------------------------------------------------------------------------------- tree

    def _node_plans(self) -> dict[str, _NodePlan]:
        q, rollup = self.questionnaire, self.rules.rollup
        custom = {n.id: n for n in rollup.nodes}
        defaults: dict[str, tuple[NodeKind, str, list[str], NodeRule, str]] = {
            OVERALL: ("overall", "Overall", [s.id for s in q.stages], rollup.overall, "rollup.overall"),
        }
        for stage in q.stages:
            if stage.id in defaults:
                continue
            members = [g.id for g in stage.groups] if stage.groups is not None else \
                [x.id for x in stage.questions or []]
            defaults[stage.id] = ("stage", stage.title, members, rollup.stage, "rollup.stage")
            for group in stage.groups or []:
                defaults.setdefault(group.id, ("group", group.title, [x.id for x in group.questions], rollup.group,
                                               "rollup.group"))
        kinds: dict[str, NodeKind] = {k: v[0] for k, v in defaults.items()}
        for node_id in custom:
            kinds.setdefault(node_id, "node")
        problems: list[Problem] = []
        plans: dict[str, _NodePlan] = {}
        for node_id, kind in kinds.items():
            node = custom.get(node_id)
            rule: NodeRule
            if node is not None:
                default = defaults.get(node_id)
                title = node.title or (default[1] if default else node_id)
                child_ids, rule, source = list(node.of), node, f"rollup.nodes '{node_id}'"
            else:
                _, title, child_ids, rule, source = defaults[node_id]
            children: list[_Child] = []
            for child_id in child_ids:
                child_kind: ChildKind
                if child_id in self.by_id:
                    child_kind = "question"
                elif child_id in kinds and child_id != OVERALL:
                    child_kind = kinds[child_id]
                else:
                    problems.append(_problem("MQ303", f"roll-up node '{node_id}' names '{child_id}', which is not a "
                                             "question, group, stage or roll-up node"))
                    continue
                if rule.weights and child_id in rule.weights:
                    weight, weight_from = rule.weights[child_id], "node"
                elif child_kind == "question":
                    weight, weight_from = self.by_id[child_id].question.weight, "question"
                else:
                    weight, weight_from = 1.0, "default"
                children.append(_Child(child_id, child_kind, weight, weight_from))
            plans[node_id] = _NodePlan(node_id, kind, title, tuple(children), rule.method, tuple(rule.caps), source)
        if problems:
            raise DefinitionError(problems)
        return plans

    def _topological(self) -> tuple[str, ...]:
        """Children before parents, found iteratively (deep trees cannot overflow the stack)."""
        done: set[str] = set()
        active: set[str] = set()
        out: list[str] = []
        for root in self.nodes:
            if root in done:
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            active.add(root)
            while stack:
                node_id, i = stack.pop()
                children = self.nodes[node_id].children
                while i < len(children) and (children[i].kind == "question" or children[i].id in done):
                    i += 1
                if i == len(children):
                    active.discard(node_id)
                    done.add(node_id)
                    out.append(node_id)
                    continue
                child = children[i].id
                if child in active:
                    raise DefinitionError(_problem("MQ304", f"roll-up node '{child}' contains itself "
                                                   f"(through '{node_id}')"))
                stack.append((node_id, i + 1))
                stack.append((child, 0))
                active.add(child)
        return tuple(out)

    def _display_order(self) -> tuple[str, ...]:
        order: list[str] = [OVERALL]
        for stage in self.questionnaire.stages:
            order.append(stage.id)
            order.extend(g.id for g in stage.groups or [])
        order.extend(n.id for n in self.rules.rollup.nodes)
        return tuple(x for x in dict.fromkeys(order) if x in self.nodes)

    # --------------------------------------------------------------------------------------------- score

    def score(self, answers: AnswersFile) -> Assessment:
        """Score one answers file. Raises `DefinitionError` when the answers do not fit the questionnaire."""
        self._check_answers(answers)
        run = _Run(self, answers)
        return run.assessment()

    def _check_answers(self, answers: AnswersFile) -> None:
        q = self.questionnaire
        ref = answers.questionnaire
        if ref.id != q.id:
            raise DefinitionError(_problem("MQ603", f"these answers are for questionnaire '{ref.id}', not '{q.id}'"))
        if ref.version != q.version:
            raise DefinitionError(_problem("MQ604", f"these answers are for version {ref.version} of '{q.id}', "
                                           f"but the questionnaire is version {q.version}"))
        problems: list[Problem] = []
        for qid, answer in answers.answers.items():
            plan = self.by_id.get(qid)
            if plan is None:
                problems.append(_problem("MQ601", f"there is no question '{qid}' in '{q.id}'"))
                continue
            value = answer.value
            if answer.status is None and isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    number(value) is None:
                problems.append(_problem("MQ602", f"'{qid}': {value!r} is not a finite number"))
                continue
            message = answer_problem(plan.info, value, answer.status)
            if message:
                problems.append(_problem("MQ605" if answer.status else "MQ602", f"'{qid}': {message}"))
        if problems:
            raise DefinitionError(problems)


def plan_for(questionnaire: Questionnaire, rules: Rules) -> ScoringPlan:
    """The plan for this pair, built once and kept while the same objects are used (a small cache)."""
    key = (id(questionnaire), id(rules))
    plan = _plans.get(key)
    if plan is not None and plan.questionnaire is questionnaire and plan.rules is rules:
        return plan
    plan = ScoringPlan(questionnaire, rules)
    if len(_plans) >= _PLAN_CACHE_SIZE:
        del _plans[next(iter(_plans))]
    _plans[key] = plan
    return plan


def score(questionnaire: Questionnaire, rules: Rules, answers: AnswersFile) -> Assessment:
    """Score one answers file against a questionnaire and its rules.

    Pure and deterministic. Raises `DefinitionError` (a `MaturityError`) when the rules or the answers do not fit
    the questionnaire; nothing else escapes for well-formed models.
    """
    return plan_for(questionnaire, rules).score(answers)


# ------------------------------------------------------------------------------------------------ one run


def _trigger(hit: Hit) -> Trigger:
    return Trigger(subject=hit.subject, id=hit.id, test=hit.test, actual=hit.actual, held=hit.held)


def _worse(a: Rag, b: Rag) -> Rag:
    return a if RAG_ORDER[a] <= RAG_ORDER[b] else b


class _Run:
    """The state of scoring one answers file; used once and thrown away."""

    def __init__(self, plan: ScoringPlan, answers: AnswersFile) -> None:
        self.plan = plan
        self.answers = answers
        self.facts = answer_facts(plan.ordered_questions, answers.answers)
        self.points: dict[str, float | None] = {}
        self.question_results: list[QuestionResult] = [self._question(p) for p in plan.questions]
        self.scores: dict[str, float | None] = {}
        self.levels: dict[str, int | None] = {}
        self.node_states: dict[str, _NodeState] = {}
        # lowest (points, order, id) among each node's descendant questions, and among the critical ones
        self.low_any: dict[str, tuple[float, int, str] | None] = {}
        self.low_critical: dict[str, tuple[float, int, str] | None] = {}
        for node_id in plan.topo:
            self._node(plan.nodes[node_id])
        self.ratings: dict[str, str] = {}
        self.tiers: dict[str, str] = {}
        self.fired: set[str] = set()
        self.verdict_points: float | None = None

    def facts_now(self) -> Facts:
        return Facts(self.facts.statuses, self.facts.values, self.scores, self.levels, self.ratings, self.tiers,
                     self.fired, self.verdict_points)

    # --------------------------------------------------------------------------------------- questions

    def _question(self, p: _QuestionPlan) -> QuestionResult:
        q = p.question
        status: Status = self.facts.status(q.id)
        answer: Answer | None = self.answers.answers.get(q.id)
        points: float | None = None
        rule: str | None = None
        why: str | None = None
        rules = self.plan.rules.points
        if status == "not_asked":
            why = p.not_asked
        elif not p.scored:
            why = "text answers have no points" if q.kind == "text" else "the rules give this question no points"
        elif status == "not_applicable":
            why = "not applicable: excluded"
        elif status == "dont_know":
            if rules.dont_know == "exclude":
                why = "don't know: excluded by the rules"
            else:
                points, rule = float(rules.dont_know), "don't know, as the rules set"
        elif status == "unanswered":
            if rules.unanswered == "exclude":
                why = "unanswered: excluded by the rules"
            else:
                points, rule = float(rules.unanswered), "unanswered, as the rules set"
        else:
            points, rule, why = _answer_points(p, self.facts.values.get(q.id))
        self.points[q.id] = points
        return QuestionResult(
            id=q.id, text=q.text, kind=q.kind, stage=p.stage, group=p.group, status=status,
            value=answer.value if answer is not None else None, points=points, points_rule=rule, no_points=why,
            weight=q.weight, critical=p.critical, note=answer.note if answer else None,
            evidence=tuple(answer.evidence) if answer else (),
        )

    # ------------------------------------------------------------------------------------------- nodes

    def _node(self, node: _NodePlan) -> None:
        """Score one node from its children (already scored: the plan's order is children first)."""
        plan = self.plan
        counted: list[tuple[_Child, float]] = []
        rows: list[tuple[_Child, float | None, int | None, str | None]] = []
        low_any: tuple[float, int, str] | None = None
        low_crit: tuple[float, int, str] | None = None
        for child in node.children:
            level: int | None = None
            excluded: str | None = None
            if child.kind == "question":
                qp = plan.by_id[child.id]
                value = self.points[child.id]
                if value is None:
                    excluded = self.question_results[qp.order].no_points
                else:
                    mine = (value, qp.order, child.id)
                    if low_any is None or mine < low_any:
                        low_any = mine
                    if qp.critical and (low_crit is None or mine < low_crit):
                        low_crit = mine
            else:
                value = self.scores[child.id]
                level = self.levels[child.id]
                if value is None:
                    excluded = f"{child.kind} '{child.id}' has no score"
                below = self.low_any[child.id]
                if below is not None and (low_any is None or below < low_any):
                    low_any = below
                below = self.low_critical[child.id]
                if below is not None and (low_crit is None or below < low_crit):
                    low_crit = below
            if value is not None:
                counted.append((child, value))
            rows.append((child, value, level, excluded))
        self.low_any[node.id] = low_any
        self.low_critical[node.id] = low_crit
        result = _combine(node.method, counted)
        notes: list[str] = []
        shares: list[float | None] = []
        if result is None:
            notes.append("no part of it counted, so it has no score and no level")
        else:
            shares = _contributions(node.method, counted, result)
        weighted = node.method == "weighted"
        parts: list[Contribution] = []
        k = 0
        for child, value, level, excluded in rows:
            share: float | None = None
            if value is not None:
                share = shares[k]
                k += 1
            parts.append(Contribution(
                id=child.id, kind=child.kind, value=value, level=level, weight=child.weight if weighted else None,
                weight_from=child.weight_from if weighted else None, counted=value is not None, excluded=excluded,
                contribution=share))
        score_ = None if result is None else round(result, ROUND) + 0.0
        self.scores[node.id] = score_
        band: BandUsed | None = None
        level_: int | None = None
        caps: list[CapResult] = []
        if score_ is not None:
            i, note = plan.levels.find(score_)
            chosen = plan.rules.levels[i]
            band = BandUsed(band_from=chosen.from_, band_to=chosen.to, last=i == len(plan.rules.levels) - 1,
                            level=chosen.level, name=chosen.name, note=note)
            level_ = chosen.level
            for cap in node.caps:
                result_cap, level_ = self._cap(cap, parts, low_any, low_crit, level_)
                caps.append(result_cap)
        self.levels[node.id] = level_
        self.node_states[node.id] = _NodeState(tuple(parts), len(counted), band,
                                               band.level if band else None, tuple(caps), tuple(notes))

    def _cap(self, cap: Cap, parts: Sequence[Contribution], low_any: tuple[float, int, str] | None,
             low_crit: tuple[float, int, str] | None, level: int) -> tuple[CapResult, int]:
        basis: str | None = None
        basis_value: float | None = None
        if cap.lowest == "children":
            for part in parts:
                v = part.level if part.level is not None else part.value
                if part.counted and v is not None and (basis_value is None or v < basis_value):
                    basis, basis_value = part.id, float(v)
            what = "the lowest level (or score) among its counted children"
        else:
            low = low_crit if cap.lowest == "critical_questions" else low_any
            if low is not None:
                basis, basis_value = low[2], low[0]
            what = "the lowest points of its critical questions" if cap.lowest == "critical_questions" else \
                "the lowest points of its questions"
        if basis_value is None:
            return CapResult(lowest=cap.lowest, plus=cap.plus, applied=False,
                             detail=f"not applied: nothing to take {what} from"), level
        ceiling = basis_value + cap.plus
        limit, clamp = self._cap_level(ceiling)
        applied = limit < level
        verdict = f"level {level} lowered to {limit}" if applied else f"level {level} is within it"
        detail = f"{what} is {basis_value:g} ({basis}); + {cap.plus:g} = {ceiling:g}, so the level is at most " \
                 f"{limit}{clamp}: {verdict}"
        return CapResult(lowest=cap.lowest, plus=cap.plus, basis=basis, basis_value=basis_value, limit=limit,
                         applied=applied, detail=detail), min(level, limit)

    def _cap_level(self, ceiling: float) -> tuple[int, str]:
        """The highest defined level at or below floor(ceiling), else the lowest level."""
        numbers = self.plan.level_numbers
        top = math.floor(ceiling)
        i = bisect_right(numbers, top) - 1
        if i < 0:
            return numbers[0], f" (below the lowest level, so level {numbers[0]})"
        return numbers[i], ""

    # ------------------------------------------------------------------------------------------- verdict

    def _indicators(self) -> list[IndicatorResult]:
        verdict = self.plan.rules.verdict
        assert verdict is not None
        out: list[IndicatorResult] = []
        base = self.facts_now()
        for ind in verdict.indicators:
            out.append(self._indicator(ind, base, verdict.tiers, verdict.ratings))
            self.ratings[ind.id] = out[-1].rating
            self.tiers[ind.id] = ind.tier
        return out

    def _indicator(self, ind: Indicator, facts: Facts, tiers: Mapping[str, float],
                   ratings: Mapping[Rag, float]) -> IndicatorResult:
        statuses = [(qid, facts.status(qid)) for qid in ind.questions]
        gaps = [(qid, s) for qid, s in statuses if s in UNKNOWN_STATUSES]
        unknown = bool(gaps) and (ind.unknown == "any" or len(gaps) == len(statuses))
        hits: list[Hit] = []
        rating: Rag
        if unknown:
            rating = ind.unknown_rating
            which = ", ".join(f"{qid} is {s.replace('_', ' ').replace('dont', 'do not')}" for qid, s in gaps)
            rule = f"unknown ({which}): rated {rating}"
        else:
            for k, rate in enumerate(ind.rate, start=1):
                held, found = explain(rate.when, facts)
                if held:
                    rating, hits = rate.rating, found
                    rule = f"rule {k}: {describe(rate.when)}: rated {rating}"
                    break
            else:
                rating = ind.otherwise
                rule = f"no rule matched: rated {rating} (otherwise)"
        weight = tiers.get(ind.tier, 1.0)
        points = weight * ratings.get(rating, DEFAULT_RATINGS[rating])
        answers = tuple(AnswerRef(question=qid, status=s, value=self._raw(qid) if s == "answered" else None)
                        for qid, s in statuses)
        return IndicatorResult(id=ind.id, title=ind.title, tier=ind.tier, tier_weight=weight, rating=rating,
                               unknown=unknown, rule=rule, triggered_by=tuple(_trigger(h) for h in hits),
                               points=points, answers=answers, evidence=ind.evidence, sources=tuple(ind.sources))

    def _raw(self, qid: str) -> Any:
        answer = self.answers.answers.get(qid)
        return answer.value if answer is not None else None

    def _verdict(self, indicators: list[IndicatorResult] | None, reason: str | None) -> VerdictResult:
        verdict = self.plan.rules.verdict
        if verdict is None or indicators is None:
            title = verdict.title if verdict else "Outsourcing a problem"
            return VerdictResult(title=title, assessed=False, not_assessed_reason=reason, outcome="not_assessed",
                                 label="Not assessed")
        total = self.verdict_points if self.verdict_points is not None else 0.0
        worst = max(verdict.ratings.values(), default=DEFAULT_RATINGS["red"])
        max_points = sum(verdict.tiers.get(i.tier, 1.0) * worst for i in verdict.indicators)
        facts = self.facts_now()
        unknown = sum(1 for i in indicators if i.unknown)
        low = verdict.low_confidence
        low_flag = low is not None and unknown > low.unknown_more_than
        common: dict[str, Any] = {
            "title": verdict.title, "assessed": True, "points": total, "max_points": max_points,
            "indicators": tuple(indicators), "unknown": unknown, "low_confidence": low_flag,
            "low_confidence_message": low.message if low_flag and low is not None else None,
        }
        outcomes = {o.id: o for o in verdict.outcomes}
        for k, veto in enumerate(verdict.vetoes):
            held, hits = explain(veto.when, facts)
            if held:
                outcome = outcomes.get(veto.outcome) or verdict.outcomes[0]
                vetoed = VetoResult(index=k, outcome=veto.outcome, reason=veto.reason, condition=describe(veto.when),
                                    triggered_by=tuple(_trigger(h) for h in hits))
                return VerdictResult(outcome=outcome.id, label=outcome.label, rag=outcome.rag, summary=outcome.summary,
                                     advice=outcome.advice, decided_by=f"veto: {veto.reason}", vetoed_by=vetoed,
                                     triggered_by=vetoed.triggered_by, **common)
        chosen = verdict.outcomes[-1]
        decided = "no other outcome applied (the last outcome applies otherwise)"
        found: list[Hit] = []
        for outcome in verdict.outcomes:
            if outcome.when is None:
                continue
            held, hits = explain(outcome.when, facts)
            if held:
                chosen, decided, found = outcome, describe(outcome.when), hits
                break
        return VerdictResult(outcome=chosen.id, label=chosen.label, rag=chosen.rag, summary=chosen.summary,
                             advice=chosen.advice, decided_by=decided, triggered_by=tuple(_trigger(h) for h in found),
                             **common)

    # --------------------------------------------------------------------------------------- assessment

    def assessment(self) -> Assessment:
        plan, rules = self.plan, self.plan.rules
        verdict_rules = rules.verdict
        indicators: list[IndicatorResult] | None = None
        reason: str | None = None
        if verdict_rules is None:
            reason = "the scoring rules define no verdict"
        elif not evaluate(verdict_rules.applies_when, self.facts_now()):
            reason = f"it applies only when {describe(verdict_rules.applies_when)}"
        else:
            indicators = self._indicators()
            self.verdict_points = sum(i.points for i in indicators)

        fired: list[tuple[int, PainPointResult]] = []
        facts = self.facts_now()  # shares `self.fired`, so each pain point sees those before it
        for k, pain in enumerate(rules.pain_points):
            held, hits = explain(pain.when, facts)
            if not held:
                continue
            self.fired.add(pain.id)
            fired.append((k, PainPointResult(
                id=pain.id, title=pain.title, severity=pain.severity, stage=pain.stage, condition=describe(pain.when),
                why=pain.why, action=pain.action, sources=tuple(pain.sources),
                triggered_by=tuple(_trigger(h) for h in hits))))
        by_index = dict(fired)
        pain_results = tuple(by_index[i] for i in plan.pain_order if i in by_index)

        nodes = tuple(self._node_result(plan.nodes[node_id], pain_results) for node_id in plan.display)
        verdict = self._verdict(indicators, reason)
        q = plan.questionnaire
        return Assessment(
            questionnaire=SourceRef(id=q.id, version=q.version, title=q.title),
            rules=SourceRef(id=rules.id, version=rules.version, title=rules.title),
            details=self.answers.assessment,
            questions=tuple(self.question_results),
            nodes=nodes,
            pain_points=pain_results,
            verdict=verdict,
            evidence_gaps=self._gaps(),
        )

    def _node_result(self, node: _NodePlan, pains: Sequence[PainPointResult]) -> NodeResult:
        state = self.node_states[node.id]
        score_ = self.scores[node.id]
        level = self.levels[node.id]
        rag_band: Rag | None = None
        rag: Rag | None = None
        overrides: list[RagOverrideResult] = []
        notes: list[str] = list(state.notes)
        rag_rules = self.plan.rules.rag
        bands = self.plan.rag
        if rag_rules is not None and bands is not None and node.kind in ("stage", "overall"):
            if score_ is not None:
                i, note = bands.find(score_)
                chosen = rag_rules.bands[i]
                assert isinstance(chosen, RagBand)
                rag = rag_band = chosen.rag
                if note:
                    notes.append(f"RAG: {note}")
            if node.kind == "stage":
                mine = [p for p in pains if p.stage == node.id]
                for override in rag_rules.overrides:
                    hit = [p.id for p in mine if p.severity == override.pain_points.severity]
                    if len(hit) < override.pain_points.at_least:
                        continue
                    rag = override.at_most if rag is None else _worse(rag, override.at_most)
                    overrides.append(RagOverrideResult(severity=override.pain_points.severity, fired=len(hit),
                                                       at_least=override.pain_points.at_least,
                                                       at_most=override.at_most, reason=override.reason,
                                                       pain_points=tuple(hit)))
                if overrides and score_ is None:
                    notes.append("the stage has no score: its RAG comes from the overrides alone")
        explanation = NodeExplanation(
            method=node.method, children=state.parts, counted=state.counted, band=state.band,
            level_before_caps=state.level_before, caps=state.caps, rag_band=rag_band,
            rag_overrides=tuple(overrides), notes=tuple(notes))
        return NodeResult(id=node.id, kind=node.kind, title=node.title, score=score_, level=level,
                          level_name=self.plan.level_names.get(level) if level is not None else None, rag=rag,
                          explanation=explanation)

    def _gaps(self) -> tuple[StageGaps, ...]:
        by_stage: dict[str | None, tuple[list[str], list[str]]] = {}
        for p in self.plan.questions:
            status = self.facts.status(p.question.id)
            if status not in ("dont_know", "unanswered"):
                continue
            dont_know, unanswered = by_stage.setdefault(p.stage, ([], []))
            (dont_know if status == "dont_know" else unanswered).append(p.question.id)
        return tuple(StageGaps(stage=stage, title=self.plan.stage_titles.get(stage or "", "Context"),
                               dont_know=tuple(dk), unanswered=tuple(un)) for stage, (dk, un) in by_stage.items())


# ----------------------------------------------------------------------------------------------- arithmetic


def _answer_points(p: _QuestionPlan, value: Any) -> tuple[float | None, str | None, str | None]:
    """(points, how, why none) for an answered question."""
    kind = p.question.kind
    mapping = p.point_map
    if kind == "scale":
        key = str(value)
        if mapping is not None and key in mapping:
            return mapping[key], f"{p.map_from}: level {key} -> {mapping[key]:g}", None
        return float(value), f"level {key}", None
    if kind == "number":
        n = number(value)
        for band in p.bands or ():
            if n is not None and (band.at_least is None or n >= band.at_least) and \
                    (band.below is None or n < band.below):
                low = f"{band.at_least:g} <= " if band.at_least is not None else ""
                high = f" < {band.below:g}" if band.below is not None else ""
                return band.points, f"band {low}{format_value(value)}{high} -> {band.points:g}", None
        return None, None, f"{format_value(value)} falls in no band of the rules"
    assert mapping is not None
    if kind == "yes_no":
        key = "yes" if value is True else "no" if value is False else str(value)
        if key in mapping:
            return mapping[key], f"{p.map_from}: {key} -> {mapping[key]:g}", None
        return None, None, f"'{key}' has no points in {p.map_from}"
    if kind == "single":
        key = str(value)
        if key in mapping:
            return mapping[key], f"{p.map_from}: {key} -> {mapping[key]:g}", None
        return None, None, f"option '{key}' has no points in {p.map_from}"
    chosen = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if not chosen:
        return 0.0, "nothing chosen -> 0", None
    worth = [(o, mapping[o]) for o in chosen if o in mapping]
    if not worth:
        return None, None, f"none of the chosen options has points in {p.map_from}"
    numbers = [w for _, w in worth]
    total = sum(numbers) if p.combine == "sum" else max(numbers) if p.combine == "max" else \
        sum(numbers) / len(numbers)
    listed = ", ".join(f"{o} {w:g}" for o, w in worth)
    return total, f"{p.combine} of {listed} ({p.map_from}) -> {total:g}", None


def _combine(method: str, values: Sequence[tuple[_Child, float]]) -> float | None:
    if not values:
        return None
    numbers = [v for _, v in values]
    if method == "sum":
        return math.fsum(numbers)
    if method == "min":
        return min(numbers)
    if method == "max":
        return max(numbers)
    if method == "weighted":
        total_weight = math.fsum(c.weight for c, _ in values)
        return math.fsum(c.weight * v for c, v in values) / total_weight
    return math.fsum(numbers) / len(numbers)


def _contributions(method: str, values: Sequence[tuple[_Child, float]], result: float) -> list[float | None]:
    """What each counted child added to the score (for min and max, only the first child that decided it)."""
    if method == "sum":
        return [v for _, v in values]
    if method in ("min", "max"):
        out: list[float | None] = []
        decided = False
        for _, v in values:
            out.append(v if (v == result and not decided) else None)
            decided = decided or v == result
        return out
    if method == "weighted":
        total_weight = math.fsum(c.weight for c, _ in values)
        return [c.weight * v / total_weight for c, v in values]
    return [v / len(values) for _, v in values]
