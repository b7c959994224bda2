"""The scoring engine: answers in, an explained `Assessment` out. Pure, deterministic, no I/O.

Everything that depends only on the questionnaire and the rules (the roll-up tree and its order, point maps,
bands, critical questions) is worked out once in a `ScoringPlan`; scoring one answers file is then linear in the
size of the questionnaire, so a batch of thousands of files pays for the plan once. `score()` keeps a small
cache of plans keyed by the identity of the (questionnaire, rules) pair.

`score()` gives the full explained `Assessment`; `summarise()` gives only its headline figures (a `Summary`), for
batches: it runs the same steps but never builds the result models, which cost more than the arithmetic.

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
from dataclasses import dataclass, replace
from typing import Any, Literal

from maturity.checks.checks import QuestionInfo, answer_problem, index_questionnaire
from maturity.engine.conditions import (
    Facts,
    Hit,
    Test,
    asking_plan,
    compile_condition,
    describe,
    evaluate,
    explain,
    facts_for,
)
from maturity.model.assessment import (
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
    StageSummary,
    Summary,
    Trigger,
    VerdictResult,
    VetoResult,
)
from maturity.model.definitions import (
    DEFAULT_RATINGS,
    Answer,
    AnswersFile,
    Band,
    Cap,
    Condition,
    NodeRule,
    Outcome,
    PointBand,
    Question,
    Questionnaire,
    RagOverride,
    Rules,
)
from maturity.model.problems import DefinitionError, Problem
from maturity.model.vocabulary import (
    GAP_STATUSES,
    OVERALL,
    RAG_ORDER,
    SEVERITY_ORDER,
    STATUS_WORDS,
    UNKNOWN_STATUSES,
    Rag,
    Status,
    format_value,
    number,
)

__all__ = ["ScoringPlan", "Summary", "plan_for", "score", "summarise"]

ROUND = 9  # scores are rounded to 9 decimals so float noise cannot move a score across a band edge
_PLAN_CACHE_SIZE = 16
_plans: dict[tuple[int, int], ScoringPlan] = {}


def _problem(code: str, message: str) -> Problem:
    return Problem.make(code, message)


# ------------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _QuestionPlan:
    id: str
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
    # points by answer for scale, single choice and yes/no, when the answer is of class `table_of` (an answer of
    # another class, or not in the table, goes through `_answer_points`, which the table is built from)
    table: Mapping[Any, float | None] | None = None
    table_of: type | None = None


@dataclass(frozen=True, slots=True)
class _Child:
    id: str
    kind: ChildKind
    weight: float
    weight_from: str
    order: int = -1  # for a question: its place in the questionnaire (ties between lowest questions go to it)
    critical: bool | None = None  # for a question: whether the rules name it critical (for caps); else None


@dataclass(frozen=True)
class _NodePlan:
    id: str
    kind: NodeKind
    title: str
    children: tuple[_Child, ...]
    method: Literal["mean", "sum", "min", "max", "weighted"]
    caps: tuple[Cap, ...]
    source: str  # where its definition came from, for the explanation


@dataclass(frozen=True, slots=True)
class _IndicatorPlan:
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
            problems.append(
                _problem(
                    "MQ301",
                    f"rules '{rules.id}' are for questionnaire '{rules.questionnaire.id}', not '{questionnaire.id}'",
                )
            )
        elif rules.questionnaire.version != questionnaire.version:
            problems.append(
                _problem(
                    "MQ302",
                    f"rules '{rules.id}' are for version {rules.questionnaire.version} of "
                    f"'{questionnaire.id}', not version {questionnaire.version}",
                )
            )
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
        self.nodes_in_order: tuple[_NodePlan, ...] = tuple(self.nodes[n] for n in self.topo)
        self.display: tuple[str, ...] = self._display_order()
        self.levels = _Bands.of(rules.levels)
        self.band_levels: tuple[int, ...] = tuple(b.level for b in rules.levels)
        caps = [cap.lowest for node in self.nodes.values() for cap in node.caps]
        self.caps_read_questions = "questions" in caps
        self.caps_read_critical = "critical_questions" in caps
        self.level_numbers: tuple[int, ...] = tuple(sorted({b.level for b in rules.levels}))
        # what an asked question without points is worth to a cap (None: it is left out)
        self.cap_gap_value: float | None = float(self.level_numbers[0]) if rules.rollup.cap_gaps == "lowest" else None
        self.scored_ids: frozenset[str] = frozenset(p.id for p in self.questions if p.scored)  # a gap in another
        # (a text answer, a choice the rules give no points) has nothing to lower, so it never caps
        self.level_names: dict[int, str] = {}
        for band in rules.levels:
            self.level_names.setdefault(band.level, band.name)
        self.rag = _Bands.of(rules.rag.bands) if rules.rag else None
        self.stage_nodes: tuple[str, ...] = tuple(n for n in self.display if self.nodes[n].kind == "stage")
        self.rag_nodes: tuple[str, ...] = tuple(n for n in self.display if self.nodes[n].kind in ("stage", OVERALL))
        self.stage_node_set: frozenset[str] = frozenset(self.stage_nodes)
        self.rag_band_rags: tuple[Rag, ...] = tuple(b.rag for b in rules.rag.bands) if rules.rag else ()
        self.dont_know_points = _treatment(rules.points.dont_know)
        self.unanswered_points = _treatment(rules.points.unanswered)
        self.outcomes: dict[str, Outcome] = {o.id: o for o in rules.verdict.outcomes} if rules.verdict else {}
        # every condition compiled once here, so scoring a file never looks one up
        self.asking = asking_plan(self.ordered_questions)
        self.pain_keys: tuple[tuple[str | None, str, str], ...] = tuple(
            (p.stage, p.severity, p.id) for p in rules.pain_points
        )
        self.pain_tests: tuple[Test, ...] = tuple(compile_condition(p.when) for p in rules.pain_points)
        verdict = rules.verdict
        self.indicator_plans: tuple[_IndicatorPlan, ...] = (
            tuple(
                _IndicatorPlan(
                    ind.id,
                    ind.tier,
                    tuple(ind.questions),
                    ind.unknown == "any",
                    ind.unknown_rating,
                    ind.otherwise,
                    tuple((compile_condition(r.when), r.rating) for r in ind.rate),
                    verdict.tiers.get(ind.tier, 1.0),
                    {
                        rag: verdict.tiers.get(ind.tier, 1.0) * verdict.ratings.get(rag, DEFAULT_RATINGS[rag])
                        for rag in DEFAULT_RATINGS
                    },
                )
                for ind in verdict.indicators
            )
            if verdict
            else ()
        )
        self.veto_tests: tuple[Test, ...] = tuple(compile_condition(v.when) for v in verdict.vetoes) if verdict else ()
        self.outcome_tests: tuple[Test | None, ...] = (
            tuple(compile_condition(o.when) if o.when is not None else None for o in verdict.outcomes)
            if verdict
            else ()
        )
        self.pain_order: tuple[int, ...] = tuple(
            sorted(
                range(len(rules.pain_points)),
                key=lambda i: (
                    SEVERITY_ORDER[rules.pain_points[i].severity],
                    self.stage_order.get(rules.pain_points[i].stage or "", len(self.stage_order)),
                    i,
                ),
            )
        )

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
            elif (
                question.answer_set is not None
                and question.answer_set in points.answer_sets
                and kind in ("scale", "single", "multiple")
            ):
                point_map, map_from = points.answer_sets[question.answer_set], f"answer set '{question.answer_set}'"
            scored = kind == "scale" or point_map is not None or bands is not None
            not_asked = f"not asked ({describe(question.when)} is false); it never counts"
            plan = _QuestionPlan(
                qid,
                question,
                info,
                order,
                info.stage,
                info.group,
                qid in critical,
                scored,
                point_map,
                map_from,
                bands,
                combine,
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
                plan = replace(plan, table={k: _answer_points(plan, k) for k in keys}, table_of=of)
            yield plan

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
            members = (
                [g.id for g in stage.groups] if stage.groups is not None else [x.id for x in stage.questions or []]
            )
            defaults[stage.id] = ("stage", stage.title, members, rollup.stage, "rollup.stage")
            for group in stage.groups or []:
                defaults.setdefault(
                    group.id, ("group", group.title, [x.id for x in group.questions], rollup.group, "rollup.group")
                )
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
                question = self.by_id.get(child_id)
                if question is not None:
                    child_kind = "question"
                elif child_id in kinds and child_id != OVERALL:
                    child_kind = kinds[child_id]
                else:
                    problems.append(
                        _problem(
                            "MQ303",
                            f"roll-up node '{node_id}' names '{child_id}', which is not a "
                            "question, group, stage or roll-up node",
                        )
                    )
                    continue
                if rule.weights and child_id in rule.weights:
                    weight, weight_from = rule.weights[child_id], "node"
                elif child_kind == "question":
                    weight, weight_from = self.by_id[child_id].question.weight, "question"
                else:
                    weight, weight_from = 1.0, "default"
                if question is not None:
                    children.append(
                        _Child(child_id, child_kind, weight, weight_from, question.order, question.critical)
                    )
                else:
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
                    raise DefinitionError(
                        _problem("MQ304", f"roll-up node '{child}' contains itself (through '{node_id}')")
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

    # --------------------------------------------------------------------------------------------- score

    def score(self, answers: AnswersFile, *, checked: bool = False) -> Assessment:
        """Score one answers file. Raises `DefinitionError` when the answers do not fit the questionnaire.

        `checked=True` says the caller has already run `checks.check_answers` on them (as batch scoring does), so
        the same check is not paid for twice.
        """
        if not checked:
            self._check_answers(answers)
        return _Explainer(_Run(self, answers)).assessment()

    def summarise(self, answers: AnswersFile, *, checked: bool = False) -> Summary:
        """The figures `score` would give, without building the explained `Assessment` (for batch summaries).

        Raises `DefinitionError` exactly when `score` would.
        """
        if not checked:
            self._check_answers(answers)
        return _Run(self, answers).summary()

    def _check_answers(self, answers: AnswersFile) -> None:
        q = self.questionnaire
        ref = answers.questionnaire
        if ref.id != q.id:
            raise DefinitionError(_problem("MQ603", f"these answers are for questionnaire '{ref.id}', not '{q.id}'"))
        if ref.version != q.version:
            raise DefinitionError(
                _problem(
                    "MQ604",
                    f"these answers are for version {ref.version} of '{q.id}', "
                    f"but the questionnaire is version {q.version}",
                )
            )
        problems: list[Problem] = []
        for qid, answer in answers.answers.items():
            plan = self.by_id.get(qid)
            if plan is None:
                problems.append(_problem("MQ601", f"there is no question '{qid}' in '{q.id}'"))
                continue
            value = answer.value
            message = answer_problem(plan.info, value, answer.status)
            if not message:
                continue  # no question accepts a non-finite number, so one never gets here
            if (
                answer.status is None
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
                and number(value) is None
            ):
                problems.append(_problem("MQ602", f"'{qid}': {value!r} is not a finite number"))
            else:
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


def score(questionnaire: Questionnaire, rules: Rules, answers: AnswersFile, *, checked: bool = False) -> Assessment:
    """Score one answers file against a questionnaire and its rules.

    Pure and deterministic. Raises `DefinitionError` (a `MaturityError`) when the rules or the answers do not fit
    the questionnaire; nothing else escapes for well-formed models.
    """
    return plan_for(questionnaire, rules).score(answers, checked=checked)


def summarise(questionnaire: Questionnaire, rules: Rules, answers: AnswersFile, *, checked: bool = False) -> Summary:
    """The figures of `score(questionnaire, rules, answers)` that a portfolio summary needs, several times faster.

    Same plan cache, same checks and errors as `score`; every figure equals the full Assessment's.
    """
    return plan_for(questionnaire, rules).summarise(answers, checked=checked)


def _treatment(value: float | str) -> float | None:
    """Points for don't know or unanswered: a number, or None when the rules exclude them."""
    return None if value == "exclude" else float(value)


# ------------------------------------------------------------------------------------------------ one run
#
# Scoring one file has two halves. `_Run` finds every number (points, node scores and levels, caps, RAG,
# indicator ratings, fired pain points, the verdict) with plain tuples, dicts and slotted dataclasses, and keeps
# just enough of how it decided (which band, which cap limit, which rule or outcome) to explain it later.
# `_Explainer` turns a finished run into the pydantic `Assessment` with its explanation chains. A batch summary
# needs only the numbers, and building ~400 frozen models per file would cost more than parsing the file, so
# `summarise` stops after the first half.


def _trigger(hit: Hit) -> Trigger:
    return Trigger(subject=hit.subject, id=hit.id, test=hit.test, actual=hit.actual, held=hit.held)


def _triggers(hits: Sequence[Hit]) -> tuple[Trigger, ...]:
    return tuple(_trigger(h) for h in hits)


def _worse(a: Rag, b: Rag) -> Rag:
    return a if RAG_ORDER[a] <= RAG_ORDER[b] else b


Lowest = tuple[float, int, str]  # (points, question order, question id): the lowest question below a node

# What a run found, kept for the explanation. Slotted but not frozen: a frozen dataclass sets every field through
# object.__setattr__, which costs more than the arithmetic it records. Nothing changes them once made.


@dataclass(slots=True)
class _CapFound:
    """What one cap found: the lowest basis, the level it allows, and the level it was checked against."""

    cap: Cap
    basis: str | None  # None: nothing to take the lowest from, so the cap does not apply
    basis_value: float | None
    limit: int | None
    clamp: str  # words when floor(ceiling) is below every level
    level_before: int
    gap: str | None = None  # the basis question's status when it had no points and counted as the lowest level


@dataclass(slots=True)
class _NodeFound:
    """What the roll-up found for one node."""

    raw: float | None  # the combined value before rounding (min and max compare children against it)
    score: float | None
    level: int | None
    band: int | None  # index into the rules' levels
    band_note: str | None
    counted: list[tuple[_Child, float]]
    caps: list[_CapFound]


@dataclass(slots=True)
class _RagFound:
    """A stage's or the overall RAG: from its score's band, then made no better by each override that fired."""

    band: Rag | None
    rag: Rag | None
    note: str | None
    overrides: tuple[tuple[RagOverride, tuple[str, ...]], ...]  # each override that fired, with its pain points


@dataclass(slots=True)
class _IndicatorFound:
    rating: Rag
    unknown: bool
    rule: int | None  # index of the rating rule that matched; None when unknown or rated `otherwise`
    gaps: tuple[tuple[str, Status], ...]  # its questions that are don't know, unanswered or not asked
    weight: float
    points: float


@dataclass(slots=True)
class _Decision:
    """How the verdict was decided: by a veto, by an outcome's condition, or by the last outcome otherwise."""

    outcome: Outcome
    veto: int | None = None
    condition: Condition | None = None  # the veto's or the outcome's condition that held


class _Run:
    """The numbers for one answers file; used once and thrown away. See the comment above for the two halves."""

    def __init__(self, plan: ScoringPlan, answers: AnswersFile) -> None:
        self.plan = plan
        self.answers = answers
        self.facts = facts_for(plan.asking, answers.answers)
        self.points: dict[str, float | None] = {}
        self.dont_know = 0
        self.unanswered = 0
        self._questions()
        self.scores: dict[str, float | None] = {}
        self.levels: dict[str, int | None] = {}
        self.nodes: dict[str, _NodeFound] = {}
        # lowest (points, order, id) among each node's descendant questions, and among the critical ones; a node
        # is absent when it has none (or when no cap reads them)
        self.low_any: dict[str, Lowest] = {}
        self.low_critical: dict[str, Lowest] = {}
        for node in plan.nodes_in_order:
            self._node(node)
        # filled in order below; conditions read them through `facts_now()`, which shares these containers
        self.ratings: dict[str, str] = {}
        self.tiers: dict[str, str] = {}
        self.fired: set[str] = set()
        self.verdict_points: float | None = None
        self.not_assessed: str | None = None
        self.indicators: tuple[_IndicatorFound, ...] | None = None
        self._rate_indicators()
        facts = self.facts_now()  # the verdict points are final now; `fired` fills in as pain points fire
        self.fired_in_rules_order: tuple[int, ...] = self._pain_points(facts)
        fired = set(self.fired_in_rules_order)
        self.fired_in_report_order: tuple[int, ...] = tuple(i for i in plan.pain_order if i in fired)
        self.rags: dict[str, _RagFound] = self._rags()
        self.decision: _Decision | None = self._decide(facts) if self.indicators is not None else None

    def facts_now(self) -> Facts:
        return Facts(
            self.facts.statuses,
            self.facts.values,
            self.scores,
            self.levels,
            self.ratings,
            self.tiers,
            self.fired,
            self.verdict_points,
            self.facts.numbers,
        )

    # --------------------------------------------------------------------------------------- questions

    def _questions(self) -> None:
        """Each question's points, and the number of don't-knows and of unanswered questions."""
        plan = self.plan
        statuses, values, points = self.facts.statuses, self.facts.values, self.points
        dont_know_points, unanswered_points = plan.dont_know_points, plan.unanswered_points
        for p in plan.questions:
            qid = p.id
            status = statuses.get(qid, "not_asked")
            found: float | None = None  # also for not asked, not applicable and unscored questions
            if p.scored:
                if status == "answered":
                    value = values.get(qid)
                    table = p.table
                    if table is not None and value.__class__ is p.table_of and value in table:
                        found = table[value]
                    else:
                        found = _answer_points(p, value)
                elif status == "dont_know":
                    found = dont_know_points
                elif status == "unanswered":
                    found = unanswered_points
            points[qid] = found
        counts = list(statuses.values())
        self.dont_know, self.unanswered = counts.count("dont_know"), counts.count("unanswered")

    # ------------------------------------------------------------------------------------------- nodes

    def _node(self, node: _NodePlan) -> None:
        """Score one node from its children (already scored: the plan's order is children first)."""
        plan = self.plan
        points, scores = self.points, self.scores
        counted: list[tuple[_Child, float]] = []
        # The lowest questions below this node are followed only when some cap reads them (most rules have none).
        track_any, track_critical = plan.caps_read_questions, plan.caps_read_critical
        gap_value, statuses, scored = plan.cap_gap_value, self.facts.statuses, plan.scored_ids
        low_any: Lowest | None = None
        low_crit: Lowest | None = None
        for child in node.children:
            if child.critical is not None:  # a question
                value = points[child.id]
                # a gap still reaches the caps (as the lowest level), or skipping a question would lift one
                for_caps = (
                    value
                    if value is not None
                    else gap_value
                    if child.id in scored and statuses.get(child.id) in GAP_STATUSES
                    else None
                )
                if for_caps is not None and (track_any or (track_critical and child.critical)):
                    low = (for_caps, child.order, child.id)
                    if track_any and (low_any is None or low < low_any):
                        low_any = low
                    if track_critical and child.critical and (low_crit is None or low < low_crit):
                        low_crit = low
                if value is None:
                    continue
            else:
                value = scores[child.id]
                if track_any:
                    below = self.low_any.get(child.id)
                    if below is not None and (low_any is None or below < low_any):
                        low_any = below
                if track_critical:
                    below = self.low_critical.get(child.id)
                    if below is not None and (low_crit is None or below < low_crit):
                        low_crit = below
                if value is None:
                    continue
            counted.append((child, value))
        if low_any is not None:
            self.low_any[node.id] = low_any
        if low_crit is not None:
            self.low_critical[node.id] = low_crit
        raw = _combine(node.method, counted)
        score_ = None if raw is None else round(raw, ROUND) + 0.0
        band: int | None = None
        note: str | None = None
        level: int | None = None
        caps: list[_CapFound] = []
        if score_ is not None:
            band, note = plan.levels.find(score_)
            level = plan.band_levels[band]
            for cap in node.caps:
                found = self._cap(cap, counted, low_any, low_crit, level)
                caps.append(found)
                if found.limit is not None:
                    level = min(level, found.limit)
        scores[node.id] = score_
        self.levels[node.id] = level
        self.nodes[node.id] = _NodeFound(raw, score_, level, band, note, counted, caps)

    def _cap(
        self,
        cap: Cap,
        counted: Sequence[tuple[_Child, float]],
        low_any: Lowest | None,
        low_crit: Lowest | None,
        level: int,
    ) -> _CapFound:
        basis: str | None = None
        basis_value: float | None = None
        if cap.lowest == "children":
            for child, value in counted:  # a child node counts by its level, a question by its points
                child_level = self.levels[child.id] if child.kind != "question" else None
                v = float(child_level) if child_level is not None else value
                if basis_value is None or v < basis_value:
                    basis, basis_value = child.id, v
        else:
            low = low_crit if cap.lowest == "critical_questions" else low_any
            if low is not None:
                basis, basis_value = low[2], low[0]
        if basis_value is None:
            return _CapFound(cap, None, None, None, "", level)
        limit, clamp = self._cap_level(basis_value + cap.plus)
        gap = (
            self.facts.statuses.get(basis)
            if cap.lowest != "children" and basis is not None and self.points.get(basis) is None
            else None
        )
        return _CapFound(cap, basis, basis_value, limit, clamp, level, gap)

    def _cap_level(self, ceiling: float) -> tuple[int, str]:
        """The highest defined level at or below floor(ceiling), else the lowest level."""
        numbers = self.plan.level_numbers
        top = math.floor(ceiling)
        i = bisect_right(numbers, top) - 1
        if i < 0:
            return numbers[0], f" (below the lowest level, so level {numbers[0]})"
        return numbers[i], ""

    # ------------------------------------------------------------------------------------------- verdict

    def _rate_indicators(self) -> None:
        verdict = self.plan.rules.verdict
        if verdict is None:
            self.not_assessed = "the scoring rules define no verdict"
            return
        facts = self.facts_now()  # shares `self.ratings`, so each indicator sees those rated before it
        if verdict.applies_when is not None and not evaluate(verdict.applies_when, facts):
            self.not_assessed = f"it applies only when {describe(verdict.applies_when)}"
            return
        found: list[_IndicatorFound] = []
        ratings, tiers = self.ratings, self.tiers
        for ind in self.plan.indicator_plans:
            rated = _rate(ind, facts)
            found.append(rated)
            ratings[ind.id] = rated.rating
            tiers[ind.id] = ind.tier
        self.indicators = tuple(found)
        self.verdict_points = sum(i.points for i in found)

    def _pain_points(self, facts: Facts) -> tuple[int, ...]:
        """The indices (rules order) of the pain points that fired; each sees those before it that fired.

        `facts` must share `self.fired` (as `facts_now()` does).
        """
        fired: list[int] = []
        for k, (pain, test) in enumerate(zip(self.plan.rules.pain_points, self.plan.pain_tests, strict=True)):
            if test(facts):
                self.fired.add(pain.id)
                fired.append(k)
        return tuple(fired)

    def _rags(self) -> dict[str, _RagFound]:
        plan = self.plan
        rag_rules, bands = plan.rules.rag, plan.rag
        if rag_rules is None or bands is None:
            return {}
        band_rags = plan.rag_band_rags
        overrides_ = rag_rules.overrides
        by_stage: dict[str | None, dict[str, list[str]]] = {}  # stage -> severity -> its fired pain points
        if overrides_:
            pain_keys = plan.pain_keys
            for i in self.fired_in_report_order:
                stage, severity, pid = pain_keys[i]
                by_stage.setdefault(stage, {}).setdefault(severity, []).append(pid)
        out: dict[str, _RagFound] = {}
        scores, stages = self.scores, plan.stage_node_set
        for node_id in plan.rag_nodes:
            score_ = scores[node_id]
            band: Rag | None = None
            note: str | None = None
            if score_ is not None:
                i, note = bands.find(score_)
                band = band_rags[i]
            rag = band
            fired: list[tuple[RagOverride, tuple[str, ...]]] = []
            mine = by_stage.get(node_id) if node_id in stages else None
            if mine:
                for override in overrides_:
                    wanted = override.pain_points
                    hit = mine.get(wanted.severity)
                    if hit is not None and len(hit) >= wanted.at_least:
                        rag = override.at_most if rag is None else _worse(rag, override.at_most)
                        fired.append((override, tuple(hit)))
            out[node_id] = _RagFound(band, rag, note, tuple(fired))
        return out

    def _decide(self, facts: Facts) -> _Decision:
        return _decide(self.plan, facts)

    def low_confidence(self) -> bool:
        verdict = self.plan.rules.verdict
        if verdict is None or verdict.low_confidence is None or self.indicators is None:
            return False
        return sum(1 for i in self.indicators if i.unknown) > verdict.low_confidence.unknown_more_than

    # --------------------------------------------------------------------------------------------- summary

    def summary(self) -> Summary:
        plan = self.plan
        q = plan.questionnaire
        overall = self.nodes[OVERALL]
        no_rag = _RagFound(None, None, None, ())
        decision = self.decision
        pains = [plan.rules.pain_points[i] for i in self.fired_in_report_order]
        return Summary(
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            details=self.answers.assessment,
            overall_score=overall.score,
            overall_level=overall.level,
            overall_level_name=plan.level_names.get(overall.level) if overall.level is not None else None,
            overall_rag=self.rags.get(OVERALL, no_rag).rag,
            stages=tuple(
                StageSummary(s, self.scores[s], self.levels[s], self.rags.get(s, no_rag).rag) for s in plan.stage_nodes
            ),
            verdict_outcome=decision.outcome.id if decision else "not_assessed",
            verdict_label=decision.outcome.label if decision else "Not assessed",
            verdict_points=self.verdict_points if decision else None,
            low_confidence=self.low_confidence(),
            pain_point_ids=tuple(p.id for p in pains),
            pain_point_titles=tuple(p.title for p in pains),
            dont_know=self.dont_know,
            unanswered=self.unanswered,
        )


def _decide(plan: ScoringPlan, facts: Facts) -> _Decision:
    """Vetoes first, then the first outcome whose condition holds, else the last outcome."""
    verdict = plan.rules.verdict
    assert verdict is not None
    for k, (veto, test) in enumerate(zip(verdict.vetoes, plan.veto_tests, strict=True)):
        if test(facts):
            outcome = plan.outcomes.get(veto.outcome) or verdict.outcomes[0]
            return _Decision(outcome, k, veto.when)
    for outcome, when in zip(verdict.outcomes, plan.outcome_tests, strict=True):
        if when is not None and when(facts):
            return _Decision(outcome, None, outcome.when)
    return _Decision(verdict.outcomes[-1])


# The roadmap asks "what if" of single rules (an indicator's rating, the verdict's decision, an answer's points)
# without scoring a whole file: these give it the engine's own answer, so the two can never disagree.


def decide_outcome(plan: ScoringPlan, facts: Facts) -> str:
    """The verdict outcome id the rules give for these facts (ratings and verdict points included)."""
    return _decide(plan, facts).outcome.id


def rate_indicator(plan: ScoringPlan, index: int, facts: Facts) -> Rag:
    """The rating the verdict's indicator number `index` gets from these facts."""
    return _rate(plan.indicator_plans[index], facts).rating


def points_for(plan: ScoringPlan, question_id: str, value: Any) -> float | None:
    """What an answer `value` to the question is worth under the rules (None: no points)."""
    return _answer_points(plan.by_id[question_id], value)


def _rate(ind: _IndicatorPlan, facts: Facts) -> _IndicatorFound:
    """An indicator's rating: unknown when its questions are gaps, else the first rule that holds, else otherwise."""
    statuses = facts.statuses
    gaps = [(qid, status) for qid in ind.questions if (status := statuses.get(qid, "not_asked")) in UNKNOWN_STATUSES]
    unknown = bool(gaps) and (ind.unknown_if_any or len(gaps) == len(ind.questions))
    rating: Rag = ind.otherwise
    rule: int | None = None
    if unknown:
        rating = ind.unknown_rating
    else:
        for k, (test, rated) in enumerate(ind.rules):
            if test(facts):
                rating, rule = rated, k
                break
    return _IndicatorFound(rating, unknown, rule, tuple(gaps), ind.weight, ind.points[rating])


# ------------------------------------------------------------------------------------------- explanations


class _Explainer:
    """Builds the explained `Assessment` from a finished run: the result models and the words of every step.

    Conditions are explained (`conditions.explain`) against the facts each one saw when the run decided it, so
    a trigger reads exactly as it did when it counted: indicators see the ratings of the indicators before them,
    pain points the pain points before them that fired.
    """

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.plan = run.plan

    def assessment(self) -> Assessment:
        plan, rules, run = self.plan, self.plan.rules, self.run
        questions = tuple(self._question(p) for p in plan.questions)
        pains = self._pain_points()
        nodes = tuple(self._node(plan.nodes[node_id], questions) for node_id in plan.display)
        q = plan.questionnaire
        return Assessment(
            questionnaire=SourceRef(id=q.id, version=q.version, title=q.title),
            rules=SourceRef(id=rules.id, version=rules.version, title=rules.title),
            details=run.answers.assessment,
            questions=questions,
            nodes=nodes,
            pain_points=pains,
            verdict=self._verdict(),
            evidence_gaps=self._gaps(),
        )

    # --------------------------------------------------------------------------------------- questions

    def _question(self, p: _QuestionPlan) -> QuestionResult:
        q = p.question
        run = self.run
        status: Status = run.facts.status(q.id)
        answer: Answer | None = run.answers.answers.get(q.id)
        points = run.points[q.id]
        rule, why = self._points_words(p, status, points)
        return QuestionResult(
            id=q.id,
            text=q.text,
            kind=q.kind,
            stage=p.stage,
            group=p.group,
            status=status,
            value=answer.value if answer is not None else None,
            points=points,
            points_rule=rule,
            no_points=why,
            weight=q.weight,
            critical=p.critical,
            note=answer.note if answer else None,
            evidence=tuple(answer.evidence) if answer else (),
        )

    def _points_words(self, p: _QuestionPlan, status: Status, points: float | None) -> tuple[str | None, str | None]:
        """(how the points were found, why there are none): one of the two is set."""
        rules = self.plan.rules.points
        if status == "not_asked":
            return None, p.not_asked
        if not p.scored:
            return (
                None,
                "text answers have no points"
                if p.question.kind == "text"
                else "the rules give this question no points",
            )
        if status == "not_applicable":
            return None, "not applicable: excluded"
        if status == "dont_know":
            return (
                (None, "don't know: excluded by the rules")
                if rules.dont_know == "exclude"
                else ("don't know, as the rules set", None)
            )
        if status == "unanswered":
            return (
                (None, "unanswered: excluded by the rules")
                if rules.unanswered == "exclude"
                else ("unanswered, as the rules set", None)
            )
        return _answer_words(p, self.run.facts.values.get(p.question.id), points)

    # ------------------------------------------------------------------------------------------- nodes

    def _node(self, node: _NodePlan, questions: Sequence[QuestionResult]) -> NodeResult:
        plan, run = self.plan, self.run
        found = run.nodes[node.id]
        weighted = node.method == "weighted"
        shares = iter(_contributions(node.method, found.counted, found.raw) if found.raw is not None else ())
        parts: list[Contribution] = []
        for child in node.children:
            level: int | None = None
            excluded: str | None = None
            if child.kind == "question":
                value = run.points[child.id]
                if value is None:
                    excluded = questions[child.order].no_points
            else:
                value, level = run.scores[child.id], run.levels[child.id]
                if value is None:
                    excluded = f"{child.kind} '{child.id}' has no score"
            parts.append(
                Contribution(
                    id=child.id,
                    kind=child.kind,
                    value=value,
                    level=level,
                    weight=child.weight if weighted else None,
                    weight_from=child.weight_from if weighted else None,
                    counted=value is not None,
                    excluded=excluded,
                    contribution=next(shares) if value is not None else None,
                )
            )
        notes: list[str] = []
        band: BandUsed | None = None
        if found.band is None:
            notes.append("no part of it counted, so it has no score and no level")
        else:
            chosen = plan.rules.levels[found.band]
            band = BandUsed(
                band_from=chosen.from_,
                band_to=chosen.to,
                last=found.band == len(plan.rules.levels) - 1,
                level=chosen.level,
                name=chosen.name,
                note=found.band_note,
            )
        rag = run.rags.get(node.id)
        overrides: list[RagOverrideResult] = []
        if rag is not None:
            if rag.note:
                notes.append(f"RAG: {rag.note}")
            overrides = [
                RagOverrideResult(
                    severity=o.pain_points.severity,
                    fired=len(hit),
                    at_least=o.pain_points.at_least,
                    at_most=o.at_most,
                    reason=o.reason,
                    pain_points=hit,
                )
                for o, hit in rag.overrides
            ]
            if overrides and found.score is None:
                notes.append("the stage has no score: its RAG comes from the overrides alone")
        explanation = NodeExplanation(
            method=node.method,
            children=tuple(parts),
            counted=len(found.counted),
            band=band,
            level_before_caps=band.level if band else None,
            caps=tuple(_cap_result(c) for c in found.caps),
            rag_band=rag.band if rag else None,
            rag_overrides=tuple(overrides),
            notes=tuple(notes),
        )
        return NodeResult(
            id=node.id,
            kind=node.kind,
            title=node.title,
            score=found.score,
            level=found.level,
            level_name=plan.level_names.get(found.level) if found.level is not None else None,
            rag=rag.rag if rag else None,
            explanation=explanation,
        )

    # ----------------------------------------------------------------------------------------- pain points

    def _pain_points(self) -> tuple[PainPointResult, ...]:
        run, rules = self.run, self.plan.rules
        fired_before: set[str] = set()
        facts = Facts(
            run.facts.statuses,
            run.facts.values,
            run.scores,
            run.levels,
            run.ratings,
            run.tiers,
            fired_before,
            run.verdict_points,
            run.facts.numbers,
        )
        results: dict[int, PainPointResult] = {}
        for k in run.fired_in_rules_order:
            pain = rules.pain_points[k]
            _, hits = explain(pain.when, facts)
            fired_before.add(pain.id)
            results[k] = PainPointResult(
                id=pain.id,
                title=pain.title,
                severity=pain.severity,
                stage=pain.stage,
                condition=describe(pain.when),
                why=pain.why,
                action=pain.action,
                sources=tuple(pain.sources),
                triggered_by=_triggers(hits),
            )
        return tuple(results[k] for k in run.fired_in_report_order)

    # ------------------------------------------------------------------------------------------- verdict

    def _indicators(self) -> tuple[IndicatorResult, ...]:
        run = self.run
        verdict = self.plan.rules.verdict
        assert verdict is not None and run.indicators is not None
        ratings: dict[str, str] = {}
        tiers: dict[str, str] = {}
        facts = Facts(
            run.facts.statuses,
            run.facts.values,
            run.scores,
            run.levels,
            ratings,
            tiers,
            frozenset(),
            numbers=run.facts.numbers,
        )
        out: list[IndicatorResult] = []
        for ind, found in zip(verdict.indicators, run.indicators, strict=True):
            hits: list[Hit] = []
            if found.unknown:
                which = ", ".join(f"{qid} is {s.replace('_', ' ').replace('dont', 'do not')}" for qid, s in found.gaps)
                rule = f"unknown ({which}): rated {found.rating}"
            elif found.rule is not None:
                when = ind.rate[found.rule].when
                _, hits = explain(when, facts)
                rule = f"rule {found.rule + 1}: {describe(when)}: rated {found.rating}"
            else:
                rule = f"no rule matched: rated {found.rating} (otherwise)"
            answers: list[AnswerRef] = []
            for qid in ind.questions:
                status = facts.status(qid)
                answers.append(
                    AnswerRef(question=qid, status=status, value=self._raw(qid) if status == "answered" else None)
                )
            out.append(
                IndicatorResult(
                    id=ind.id,
                    title=ind.title,
                    tier=ind.tier,
                    tier_weight=found.weight,
                    rating=found.rating,
                    unknown=found.unknown,
                    rule=rule,
                    triggered_by=_triggers(hits),
                    points=found.points,
                    answers=tuple(answers),
                    evidence=ind.evidence,
                    sources=tuple(ind.sources),
                )
            )
            ratings[ind.id] = found.rating
            tiers[ind.id] = ind.tier
        return tuple(out)

    def _raw(self, qid: str) -> Any:
        answer = self.run.answers.answers.get(qid)
        return answer.value if answer is not None else None

    def _verdict(self) -> VerdictResult:
        run = self.run
        verdict = self.plan.rules.verdict
        decision = run.decision
        if verdict is None or decision is None:
            title = verdict.title if verdict else "Outsourcing a problem"
            return VerdictResult(
                title=title,
                assessed=False,
                not_assessed_reason=run.not_assessed,
                outcome="not_assessed",
                label="Not assessed",
            )
        indicators = self._indicators()
        worst = max(verdict.ratings.values(), default=DEFAULT_RATINGS["red"])
        low = verdict.low_confidence
        low_flag = run.low_confidence()
        _, hits = explain(decision.condition, run.facts_now()) if decision.condition is not None else (True, [])
        chosen = decision.outcome
        vetoed: VetoResult | None = None
        if decision.veto is not None:
            veto = verdict.vetoes[decision.veto]
            vetoed = VetoResult(
                index=decision.veto,
                outcome=veto.outcome,
                reason=veto.reason,
                condition=describe(veto.when),
                triggered_by=_triggers(hits),
            )
            decided = f"veto: {veto.reason}"
        elif decision.condition is not None:
            decided = describe(decision.condition)
        else:
            decided = "no other outcome applied (the last outcome applies otherwise)"
        return VerdictResult(
            title=verdict.title,
            assessed=True,
            outcome=chosen.id,
            label=chosen.label,
            rag=chosen.rag,
            summary=chosen.summary,
            advice=chosen.advice,
            points=run.verdict_points if run.verdict_points is not None else 0.0,
            max_points=sum(verdict.tiers.get(i.tier, 1.0) * worst for i in verdict.indicators),
            decided_by=decided,
            triggered_by=_triggers(hits),
            vetoed_by=vetoed,
            indicators=indicators,
            unknown=sum(1 for i in indicators if i.unknown),
            low_confidence=low_flag,
            low_confidence_message=low.message if low_flag and low is not None else None,
            low_confidence_limit=low.unknown_more_than if low is not None else None,
        )

    # --------------------------------------------------------------------------------------------- gaps

    def _gaps(self) -> tuple[StageGaps, ...]:
        by_stage: dict[str | None, tuple[list[str], list[str]]] = {}
        statuses = self.run.facts.statuses
        for p in self.plan.questions:
            status = statuses.get(p.question.id, "not_asked")
            if status not in ("dont_know", "unanswered"):
                continue
            dont_know, unanswered = by_stage.setdefault(p.stage, ([], []))
            (dont_know if status == "dont_know" else unanswered).append(p.question.id)
        return tuple(
            StageGaps(
                stage=stage,
                title=self.plan.stage_titles.get(stage or "", "Context"),
                dont_know=tuple(dk),
                unanswered=tuple(un),
            )
            for stage, (dk, un) in by_stage.items()
        )


def _cap_result(found: _CapFound) -> CapResult:
    cap = found.cap
    if cap.lowest == "children":
        what = "the lowest level (or score) among its counted children"
    elif cap.lowest == "critical_questions":
        what = "the lowest points of its critical questions"
    else:
        what = "the lowest points of its questions"
    if found.basis_value is None or found.limit is None:
        return CapResult(
            lowest=cap.lowest, plus=cap.plus, applied=False, detail=f"not applied: nothing to take {what} from"
        )
    level, limit = found.level_before, found.limit
    ceiling = found.basis_value + cap.plus
    applied = limit < level
    verdict = f"level {level} lowered to {limit}" if applied else f"level {level} is within it"
    basis = (
        found.basis
        if found.gap is None
        else f"{found.basis}, {STATUS_WORDS.get(found.gap, found.gap)}: a gap counts as the lowest level"
    )
    detail = (
        f"{what} is {found.basis_value:g} ({basis}); + {cap.plus:g} = {ceiling:g}, so the level is at "
        f"most {limit}{found.clamp}: {verdict}"
    )
    return CapResult(
        lowest=cap.lowest,
        plus=cap.plus,
        basis=found.basis,
        basis_value=found.basis_value,
        limit=limit,
        applied=applied,
        detail=detail,
    )


# ----------------------------------------------------------------------------------------------- arithmetic


def _yes_no_key(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else str(value)


def _chosen(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _number_band(p: _QuestionPlan, value: Any) -> PointBand | None:
    n = number(value)
    if n is None:
        return None
    for band in p.bands or ():
        if (band.at_least is None or n >= band.at_least) and (band.below is None or n < band.below):
            return band
    return None


def _combined_points(combine: str, numbers: Sequence[float]) -> float:
    return sum(numbers) if combine == "sum" else max(numbers) if combine == "max" else sum(numbers) / len(numbers)


def _answer_points(p: _QuestionPlan, value: Any) -> float | None:
    """The points for an answered question (None when the rules give its answer none).

    `_answer_words` says the same in words for the explanation; the two share their lookups, and
    tests/test_scoring_fast.py checks that they agree.
    """
    kind = p.question.kind
    mapping = p.point_map
    if kind == "scale":
        key = str(value)
        if mapping is not None and key in mapping:
            return mapping[key]
        return float(value)
    if kind == "number":
        band = _number_band(p, value)
        return band.points if band is not None else None
    assert mapping is not None
    if kind == "yes_no":
        return mapping.get(_yes_no_key(value))
    if kind == "single":
        return mapping.get(str(value))
    chosen = _chosen(value)
    if not chosen:
        return 0.0
    worth = [mapping[o] for o in chosen if o in mapping]
    return _combined_points(p.combine, worth) if worth else None


def _answer_words(p: _QuestionPlan, value: Any, points: float | None) -> tuple[str | None, str | None]:
    """(how, why none) for an answered question whose points `_answer_points` found."""
    kind = p.question.kind
    mapping = p.point_map
    if kind == "scale":
        key = str(value)
        if mapping is not None and key in mapping:
            return f"{p.map_from}: level {key} -> {mapping[key]:g}", None
        return f"level {key}", None
    if kind == "number":
        band = _number_band(p, value)
        if band is None:
            return None, f"{format_value(value)} falls in no band of the rules"
        low = f"{band.at_least:g} <= " if band.at_least is not None else ""
        high = f" < {band.below:g}" if band.below is not None else ""
        return f"band {low}{format_value(value)}{high} -> {band.points:g}", None
    assert mapping is not None
    if kind in ("yes_no", "single"):
        key = _yes_no_key(value) if kind == "yes_no" else str(value)
        if key in mapping:
            return f"{p.map_from}: {key} -> {mapping[key]:g}", None
        what = f"'{key}'" if kind == "yes_no" else f"option '{key}'"
        return None, f"{what} has no points in {p.map_from}"
    chosen = _chosen(value)
    if not chosen:
        return "nothing chosen -> 0", None
    worth = [(o, mapping[o]) for o in chosen if o in mapping]
    if not worth or points is None:
        return None, f"none of the chosen options has points in {p.map_from}"
    listed = ", ".join(f"{o} {w:g}" for o, w in worth)
    return f"{p.combine} of {listed} ({p.map_from}) -> {points:g}", None


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
