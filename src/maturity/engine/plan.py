"""The scoring plan: everything that depends only on a questionnaire and its rules, worked out once.

The roll-up tree and its order, point rules and tables, bands, critical questions and every condition compiled:
scoring one answers file is then linear in the size of the questionnaire, and a batch of thousands of files pays
for the plan once. Building a plan checks what scoring cannot do without (the rules are for this questionnaire,
every roll-up child exists, the roll-up has no cycle) and raises `DefinitionError` otherwise.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from maturity.checks.conditions import iter_conditions
from maturity.checks.index import QuestionInfo, index_questionnaire
from maturity.checks.rules import rules_target
from maturity.engine.asking import asking_plan
from maturity.engine.conditions import Test, compile_condition, describe
from maturity.engine.points import PointRule, treatment, worth
from maturity.model.assessment import ChildKind, NodeKind
from maturity.model.definitions import (
    DEFAULT_RATINGS,
    Band,
    Cap,
    Condition,
    Indicator,
    NodeRule,
    Outcome,
    PointBand,
    Question,
    Questionnaire,
    Rules,
    Verdict,
)
from maturity.model.problems import DefinitionError, Problem
from maturity.model.vocabulary import OVERALL, SEVERITY_ORDER, VERDICT_POINTS, Rag

ROUND = 9  # scores are rounded to 9 decimals so float noise cannot move a score across a band edge
_PLAN_CACHE_SIZE = 16
_plans: dict[tuple[int, int], ScoringPlan] = {}


# ------------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class QuestionPlan:
    id: str
    question: Question
    info: QuestionInfo
    order: int
    stage: str | None
    group: str | None
    critical: bool
    scored: bool  # whether answers to it can be worth points at all
    rule: PointRule  # what its answers are worth
    not_asked: str  # why it counts for nothing when its condition is false
    # points by answer for scale, single choice and yes/no, when the answer is of class `table_of` (an answer of
    # another class, or not in the table, goes through `points.worth`, which the table is built from)
    table: Mapping[Any, float | None] | None = None
    table_of: type | None = None


@dataclass(frozen=True, slots=True)
class Child:
    id: str
    kind: ChildKind
    weight: float
    weight_from: str
    order: int = -1  # for a question: its place in the questionnaire (ties between lowest questions go to it)
    critical: bool | None = None  # for a question: whether the rules name it critical (for caps); else None


@dataclass(frozen=True)
class NodePlan:
    id: str
    kind: NodeKind
    title: str
    children: tuple[Child, ...]
    method: Literal["mean", "sum", "min", "max", "weighted"]
    caps: tuple[Cap, ...]
    source: str  # where its definition came from, for the explanation
    reported: bool = False  # shown like a stage


@dataclass(frozen=True, slots=True)
class IndicatorPlan:
    """A verdict indicator ready to rate: its rules compiled, its weight and points per rating worked out."""

    id: str
    tier: str
    questions: tuple[str, ...]
    unknown_if_any: bool  # unknown when any of its questions is a gap (else only when all are)
    unknown_rating: Rag
    otherwise: Rag
    rules: tuple[tuple[Test, Rag], ...]
    weight: float
    points: Mapping[str, float]  # weight x the rating's points
    needs_evidence: bool = False  # green only when every answered question cites evidence
    applies: Test | None = None  # None: always rated


@dataclass(frozen=True)
class Bands:
    """Bands ready for lookup by bisection on their lower ends."""

    bands: tuple[Band, ...]
    starts: tuple[float, ...]

    @classmethod
    def of(cls, bands: Sequence[Band]) -> Bands:
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
        found = rules_target(rules, questionnaire)
        if found:
            raise DefinitionError([Problem.make(code, message) for code, message, _ in found])
        self.index = index_questionnaire(questionnaire)
        self.questions: tuple[QuestionPlan, ...] = tuple(self._question_plans())
        self.by_id: dict[str, QuestionPlan] = {p.question.id: p for p in self.questions}
        self.ordered_questions: tuple[Question, ...] = tuple(p.question for p in self.questions)
        self.stage_order: dict[str, int] = {s.id: i for i, s in enumerate(questionnaire.stages)}
        self.stage_titles: dict[str, str] = {s.id: s.title for s in questionnaire.stages}
        self.dont_know_points = treatment(rules.points.dont_know)
        self.unanswered_points = treatment(rules.points.unanswered)
        self.not_applicable_points = treatment(rules.points.not_applicable)
        self.asking = asking_plan(self.ordered_questions)  # every condition compiled once, here
        self._plan_rollup()
        self._plan_rag()
        self._plan_pain_points()
        self._plan_verdict()

    def _plan_rollup(self) -> None:
        rules = self.rules
        self.nodes: dict[str, NodePlan] = self._node_plans()
        self.topo: tuple[str, ...] = self._topological()
        self.nodes_in_order: tuple[NodePlan, ...] = tuple(self.nodes[n] for n in self.topo)
        self.display: tuple[str, ...] = self._display_order()
        self.levels = Bands.of(rules.levels)
        self.band_levels: tuple[int, ...] = tuple(b.level for b in rules.levels)
        caps = [cap.lowest for node in self.nodes.values() for cap in node.caps]
        self.caps_read_questions = "questions" in caps
        self.caps_read_critical = "critical_questions" in caps
        self.level_numbers: tuple[int, ...] = tuple(sorted({b.level for b in rules.levels}))
        # what an asked question without points is worth to a cap (None: it is left out)
        self.cap_gap_value: float | None = float(self.level_numbers[0]) if rules.rollup.cap_gaps == "lowest" else None
        # a gap in a question that cannot score (a text answer, a choice the rules give no points) never caps
        self.scored_ids: frozenset[str] = frozenset(p.id for p in self.questions if p.scored)
        self.level_names: dict[int, str] = {}
        for band in rules.levels:
            self.level_names.setdefault(band.level, band.name)
        self.stage_nodes: tuple[str, ...] = tuple(n for n in self.display if self.nodes[n].kind == "stage")
        self.reported_nodes: tuple[str, ...] = tuple(
            n for n in self.display if self.nodes[n].kind == "node" and self.nodes[n].reported
        )
        self.rag_nodes: tuple[str, ...] = tuple(n for n in self.display if self.nodes[n].kind in ("stage", OVERALL))
        self.stage_node_set: frozenset[str] = frozenset(self.stage_nodes)

    def _plan_rag(self) -> None:
        rag = self.rules.rag
        self.rag = Bands.of(rag.bands) if rag else None
        self.rag_band_rags: tuple[Rag, ...] = tuple(b.rag for b in rag.bands) if rag else ()
        critical = set(self.rules.critical_questions)
        by_stage: dict[str, list[str]] = {}
        for plan in self.questions:
            if plan.id in critical and plan.stage is not None:
                by_stage.setdefault(plan.stage, []).append(plan.id)
        self.stage_critical: dict[str, tuple[str, ...]] = {s: tuple(q) for s, q in by_stage.items()}

    def _plan_pain_points(self) -> None:
        pains = self.rules.pain_points
        self.pain_keys: tuple[tuple[str | None, str, str], ...] = tuple((p.stage, p.severity, p.id) for p in pains)
        self.pain_tests: tuple[Test, ...] = tuple(compile_condition(p.when) for p in pains)
        self.contradiction_tests: tuple[Test, ...] = tuple(compile_condition(c.when) for c in self.rules.contradictions)
        # report order of pain points after those behind the verdict: severity, causes before their symptoms,
        # lifecycle (stage) order, then the rules' own order
        last = len(self.stage_order)
        self.pain_sort: tuple[tuple[int, int, int, int], ...] = tuple(
            (SEVERITY_ORDER[p.severity], 0 if p.role == "cause" else 1, self.stage_order.get(p.stage or "", last), i)
            for i, p in enumerate(pains)
        )

    def _plan_verdict(self) -> None:
        verdict = self.rules.verdict
        self.outcomes: dict[str, Outcome] = {o.id: o for o in verdict.outcomes} if verdict else {}
        self.outcome_rank: dict[str, int] = {o.id: i for i, o in enumerate(verdict.outcomes)} if verdict else {}
        self.indicator_plans: tuple[IndicatorPlan, ...] = ()
        self.veto_tests: tuple[Test, ...] = ()
        self.outcome_tests: tuple[Test | None, ...] = ()
        self.indicator_questions: dict[str, frozenset[str]] = {}
        if verdict is not None:
            self.indicator_plans = tuple(_indicator_plan(ind, verdict) for ind in verdict.indicators)
            self.veto_tests = tuple(compile_condition(v.when) for v in verdict.vetoes)
            self.outcome_tests = tuple(
                compile_condition(o.when) if o.when is not None else None for o in verdict.outcomes
            )
            self.indicator_questions = {ind.id: frozenset(ind.questions) for ind in verdict.indicators}
        # the questions each pain point reads, directly or through the indicators it tests
        self.pain_questions: tuple[frozenset[str], ...] = tuple(
            frozenset(self._questions_read(pain.when)) for pain in self.rules.pain_points
        )

    def _questions_read(self, condition: Condition) -> set[str]:
        found: set[str] = set()
        for leaf, _ in iter_conditions(condition, ()):
            if leaf.question is not None:
                found.add(leaf.question)
            elif leaf.indicator is not None:
                found.update(self.indicator_questions.get(leaf.indicator, ()))
        return found

    def indicators_named(self, condition: Condition, ratings: Mapping[str, str], tiers: Mapping[str, str]) -> list[str]:
        """The indicators a verdict condition turns on: those it names, those a count of it counts, and for the
        verdict's points every indicator that is not green."""
        named: list[str] = []
        for leaf, _ in iter_conditions(condition, ()):
            if leaf.indicator is not None:
                named.append(leaf.indicator)
            elif leaf.count is not None:
                wanted = leaf.count
                named.extend(i for i, r in ratings.items() if r == wanted.rated and wanted.tier in (None, tiers.get(i)))
            elif leaf.score == VERDICT_POINTS:
                named.extend(i for i, r in ratings.items() if r != "green")
        return list(dict.fromkeys(named))

    # ----------------------------------------------------------------------------------------- questions

    def _question_plans(self) -> Iterable[QuestionPlan]:
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
            elif (
                question.answer_set is not None
                and question.answer_set in points.answer_sets
                and kind in ("scale", "single", "multiple")
            ):
                point_map, map_from = points.answer_sets[question.answer_set], f"answer set '{question.answer_set}'"
            scored = kind == "scale" or point_map is not None or bands is not None
            not_asked = f"not asked ({describe(question.when)} is false); it never counts"
            plan = QuestionPlan(
                qid,
                question,
                info,
                order,
                info.stage,
                info.group,
                qid in critical,
                scored,
                PointRule(kind, point_map, map_from, bands, combine),
                not_asked,
            )
            keys: list[Any] = []
            of: type = int
            if scored and kind == "scale":
                keys, of = list(info.levels), int
            elif scored and kind == "single":
                keys, of = list(info.options), str
            elif scored and kind == "yes_no":
                keys, of = [True, False], bool
            if keys:
                plan = replace(plan, table={k: worth(plan.rule, k).points for k in keys}, table_of=of)
            yield plan

    # ---------------------------------------------------------------------------------------------- tree

    def _node_plans(self) -> dict[str, NodePlan]:
        """Every node of the roll-up: the overall result, stages and groups as the questionnaire shapes them
        (with the rules' defaults), and the rules' own nodes, which may also redefine any of those."""
        custom = {n.id: n for n in self.rules.rollup.nodes}
        defaults = self._default_nodes()
        kinds: dict[str, NodeKind] = {k: v[0] for k, v in defaults.items()}
        for node_id in custom:
            kinds.setdefault(node_id, "node")
        problems: list[Problem] = []
        plans: dict[str, NodePlan] = {}
        for node_id, kind in kinds.items():
            node = custom.get(node_id)
            rule: NodeRule
            if node is not None:
                default = defaults.get(node_id)
                title = node.title or (default[1] if default else node_id)
                child_ids, rule, source = list(node.of), node, f"rollup.nodes '{node_id}'"
            else:
                _, title, child_ids, rule, source = defaults[node_id]
            found = (self._child(node_id, c, rule, kinds, problems) for c in child_ids)
            children = tuple(c for c in found if c is not None)
            reported = kind in ("stage", "overall") or (node is not None and node.reported)
            plans[node_id] = NodePlan(
                node_id,
                kind,
                title,
                tuple(c for c in children if c is not None),
                rule.method,
                tuple(rule.caps),
                source,
                reported,
            )
        if problems:
            raise DefinitionError(problems)
        return plans

    def _default_nodes(self) -> dict[str, tuple[NodeKind, str, list[str], NodeRule, str]]:
        """The nodes the questionnaire's shape gives: (kind, title, children, rule, where the rule is written)."""
        q, rollup = self.questionnaire, self.rules.rollup
        defaults: dict[str, tuple[NodeKind, str, list[str], NodeRule, str]] = {
            OVERALL: ("overall", "Overall", [s.id for s in q.stages], rollup.overall, "rollup.overall"),
        }
        for stage in q.stages:
            if stage.id in defaults:
                continue
            members = (
                [g.id for g in stage.groups] if stage.groups is not None else [x.id for x in stage.questions or []]
            )
            defaults[stage.id] = ("stage", stage.title, members, rollup.stage, "rollup.stage")
            for group in stage.groups or []:
                defaults.setdefault(
                    group.id, ("group", group.title, [x.id for x in group.questions], rollup.group, "rollup.group")
                )
        return defaults

    def _child(
        self, node_id: str, child_id: str, rule: NodeRule, kinds: dict[str, NodeKind], problems: list[Problem]
    ) -> Child | None:
        """One child of a node with its weight and where the weight comes from (the node's rule, the question,
        or 1); None, with an MQ303 problem, for an id that names nothing."""
        child_kind: ChildKind
        question = self.by_id.get(child_id)
        if question is not None:
            child_kind = "question"
        elif child_id in kinds and child_id != OVERALL:
            child_kind = kinds[child_id]
        else:
            message = (
                f"roll-up node '{node_id}' names '{child_id}', which is not a question, group, stage or roll-up node"
            )
            problems.append(Problem.make("MQ303", message))
            return None
        if rule.weights and child_id in rule.weights:
            weight, weight_from = rule.weights[child_id], "node"
        elif question is not None:
            weight, weight_from = question.question.weight, "question"
        else:
            weight, weight_from = 1.0, "default"
        if question is not None:
            return Child(child_id, child_kind, weight, weight_from, question.order, question.critical)
        return Child(child_id, child_kind, weight, weight_from)

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
                    raise DefinitionError(
                        Problem.make("MQ304", f"roll-up node '{child}' contains itself (through '{node_id}')")
                    )
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


def _indicator_plan(ind: Indicator, verdict: Verdict) -> IndicatorPlan:
    weight = verdict.tiers.get(ind.tier, 1.0)
    return IndicatorPlan(
        ind.id,
        ind.tier,
        tuple(ind.questions),
        ind.unknown == "any",
        ind.unknown_rating,
        ind.otherwise,
        tuple((compile_condition(r.when), r.rating) for r in ind.rate),
        weight,
        {rag: weight * verdict.ratings.get(rag, DEFAULT_RATINGS[rag]) for rag in DEFAULT_RATINGS},
        ind.green_needs_evidence,
        compile_condition(ind.applies_when) if ind.applies_when is not None else None,
    )


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
