"""One run of the engine over one answers file: every number, and just enough of how each was decided.

`Run` finds the points, node scores and levels, caps, RAG, indicator ratings, fired pain points and the verdict
with plain tuples, dicts and slotted dataclasses. `explain.Explainer` turns a finished run into the pydantic
`Assessment` with its explanation chains; a batch summary needs only the numbers (`Run.summary`), and building
~400 frozen models per file would cost more than parsing the file.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from maturity.engine.asking import facts_for
from maturity.engine.conditions import Facts, describe, evaluate
from maturity.engine.plan import ROUND, Child, IndicatorPlan, NodePlan, ScoringPlan
from maturity.engine.points import combine, worth
from maturity.model.assessment import StageSummary, Summary
from maturity.model.definitions import AnswersFile, AnswerValue, Cap, Condition, Outcome, RagOverride
from maturity.model.vocabulary import GAP_STATUSES, OVERALL, RAG_ORDER, UNKNOWN_STATUSES, Rag, Status

# Scoring one file has two halves. `Run` finds every number (points, node scores and levels, caps, RAG,
# indicator ratings, fired pain points, the verdict) with plain tuples, dicts and slotted dataclasses, and keeps
# just enough of how it decided (which band, which cap limit, which rule or outcome) to explain it later.
# `Explainer` turns a finished run into the pydantic `Assessment` with its explanation chains. A batch summary
# needs only the numbers, and building ~400 frozen models per file would cost more than parsing the file, so
# `summarise` stops after the first half.


Lowest = tuple[float, int, str]  # (points, question order, question id): the lowest question below a node

# What a run found, kept for the explanation. Slotted but not frozen: a frozen dataclass sets every field through
# object.__setattr__, which costs more than the arithmetic it records. Nothing changes them once made.


@dataclass(slots=True)
class CapFound:
    """What one cap found: the lowest basis, the level it allows, and the level it was checked against."""

    cap: Cap
    basis: str | None  # None: nothing to take the lowest from, so the cap does not apply
    basis_value: float | None
    limit: int | None
    clamp: str  # words when floor(ceiling) is below every level
    level_before: int
    gap: str | None = None  # the basis question's status when it had no points and counted as the lowest level


@dataclass(slots=True)
class NodeFound:
    """What the roll-up found for one node."""

    raw: float | None  # the combined value before rounding (min and max compare children against it)
    score: float | None
    level: int | None
    band: int | None  # index into the rules' levels
    band_note: str | None
    counted: list[tuple[Child, float]]
    caps: list[CapFound]


@dataclass(slots=True)
class RagFound:
    """A stage's or the overall RAG: from its score's band, then made no better by each override that fired."""

    band: Rag | None
    rag: Rag | None
    note: str | None
    # each override that fired, with the pain points (or the critical questions) that made it fire
    overrides: tuple[tuple[RagOverride, tuple[str, ...]], ...]


@dataclass(slots=True)
class IndicatorFound:
    rating: Rag
    unknown: bool
    rule: int | None  # index of the rating rule that matched; None when unknown or rated `otherwise`
    gaps: tuple[tuple[str, Status], ...]  # its questions that are don't know, unanswered or not asked
    weight: float
    points: float
    unevidenced: tuple[str, ...] = ()  # answered questions citing no evidence, when they kept it from green
    applies: bool = True  # False: its applies_when is false, so it is left out of the verdict


@dataclass(slots=True)
class Decision:
    """How the verdict was decided: by a veto, by an outcome's condition, or by the last outcome otherwise."""

    outcome: Outcome
    veto: int | None = None  # the veto that decided it (None: the outcomes' own conditions did)
    condition: Condition | None = None  # the veto's or the outcome's condition that held
    vetoes: tuple[int, ...] = ()  # every veto that held, in rules order


class Run:
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
        self.nodes: dict[str, NodeFound] = {}
        # lowest (points, order, id) among each node's descendant questions, and among the critical ones; a node
        # is absent when it has none (or when no cap reads them)
        self.low_any: dict[str, Lowest] = {}
        self.low_critical: dict[str, Lowest] = {}
        for node in plan.nodes_in_order:
            self._node(node)
        # filled in order below; conditions read them through `facts_now()`, which shares these containers
        self.ratings: dict[str, str] = {}
        self.tiers: dict[str, str] = {}
        self.unknown: set[str] = set()  # indicators rated from missing answers
        self.fired: set[str] = set()
        self.verdict_points: float | None = None
        self.not_assessed: str | None = None
        self.indicators: tuple[IndicatorFound, ...] | None = None
        self._rate_indicators()
        facts = self.facts_now()  # the verdict points are final now; `fired` fills in as pain points fire
        self.fired_in_rules_order: tuple[int, ...] = self._pain_points(facts)
        self.contradicted: tuple[int, ...] = tuple(k for k, test in enumerate(plan.contradiction_tests) if test(facts))
        self.decision: Decision | None = self._decide(facts) if self.indicators is not None else None
        self.deciding: frozenset[int] = self._deciding_pain_points()
        self.fired_in_report_order: tuple[int, ...] = tuple(
            sorted(self.fired_in_rules_order, key=lambda k: (k not in self.deciding, *plan.pain_sort[k]))
        )
        self.rags: dict[str, RagFound] = self._rags()

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
            self.facts.evidenced,
            self.unknown,
        )

    # --------------------------------------------------------------------------------------- questions

    def _questions(self) -> None:
        """Each question's points, and the number of don't-knows and of unanswered questions."""
        plan = self.plan
        statuses, values, points = self.facts.statuses, self.facts.values, self.points
        dont_know_points, unanswered_points = plan.dont_know_points, plan.unanswered_points
        not_applicable_points = plan.not_applicable_points
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
                        found = worth(p.rule, value).points
                elif status == "dont_know":
                    found = dont_know_points
                elif status == "unanswered":
                    found = unanswered_points
                elif status == "not_applicable":
                    found = not_applicable_points
            points[qid] = found
        counts = list(statuses.values())
        self.dont_know, self.unanswered = counts.count("dont_know"), counts.count("unanswered")

    # ------------------------------------------------------------------------------------------- nodes

    def _node(self, node: NodePlan) -> None:
        """Score one node from its children (already scored: the plan's order is children first)."""
        plan = self.plan
        counted, low_any, low_crit = self._children(node)
        raw = combine(node.method, counted)
        score_ = None if raw is None else round(raw, ROUND) + 0.0
        band: int | None = None
        note: str | None = None
        level: int | None = None
        caps: list[CapFound] = []
        if score_ is not None:
            band, note = plan.levels.find(score_)
            level = plan.band_levels[band]
            for cap in node.caps:
                found = self._cap(cap, counted, low_any, low_crit, level)
                caps.append(found)
                if found.limit is not None:
                    level = min(level, found.limit)
        self.scores[node.id] = score_
        self.levels[node.id] = level
        self.nodes[node.id] = NodeFound(raw, score_, level, band, note, counted, caps)

    def _children(self, node: NodePlan) -> tuple[list[tuple[Child, float]], Lowest | None, Lowest | None]:
        """A node's counted children with their values, and the lowest (critical) questions below it for caps."""
        plan = self.plan
        points, scores = self.points, self.scores
        counted: list[tuple[Child, float]] = []
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
        return counted, low_any, low_crit

    def _cap(
        self,
        cap: Cap,
        counted: Sequence[tuple[Child, float]],
        low_any: Lowest | None,
        low_crit: Lowest | None,
        level: int,
    ) -> CapFound:
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
            return CapFound(cap, None, None, None, "", level)
        limit, clamp = self._cap_level(basis_value + cap.plus)
        gap = (
            self.facts.statuses.get(basis)
            if cap.lowest != "children" and basis is not None and self.points.get(basis) is None
            else None
        )
        return CapFound(cap, basis, basis_value, limit, clamp, level, gap)

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
        found: list[IndicatorFound] = []
        ratings, tiers, unknown = self.ratings, self.tiers, self.unknown
        for ind in self.plan.indicator_plans:
            rated = rate_indicator(ind, facts)
            found.append(rated)
            if not rated.applies:
                continue
            ratings[ind.id] = rated.rating
            tiers[ind.id] = ind.tier
            if rated.unknown:
                unknown.add(ind.id)
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

    def _rags(self) -> dict[str, RagFound]:
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
        out: dict[str, RagFound] = {}
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
            if node_id in stages:
                mine = by_stage.get(node_id, {})
                for override in overrides_:
                    hit = self._override_hit(override, node_id, mine)
                    if hit:
                        rag = override.at_most if rag is None else worse(rag, override.at_most)
                        fired.append((override, hit))
            out[node_id] = RagFound(band, rag, note, tuple(fired))
        return out

    def _override_hit(self, override: RagOverride, stage: str, fired: dict[str, list[str]]) -> tuple[str, ...]:
        """What makes a RAG override fire for a stage (its pain points, or its weak critical questions), or ()."""
        by_pain = override.pain_points
        if by_pain is not None:
            hit = fired.get(by_pain.severity, ())
            return tuple(hit) if len(hit) >= by_pain.at_least else ()
        by_critical = override.critical
        assert by_critical is not None
        plan, statuses = self.plan, self.facts.statuses
        weak = []
        for qid in plan.stage_critical.get(stage, ()):
            value = self.points.get(qid)
            if value is None and qid in plan.scored_ids and statuses.get(qid) in GAP_STATUSES:
                value = plan.cap_gap_value  # a gap counts as the lowest level, as the caps read it
            if value is not None and value <= by_critical.at_most:
                weak.append(qid)
        return tuple(weak) if len(weak) >= by_critical.at_least else ()

    def _decide(self, facts: Facts) -> Decision:
        return decide(self.plan, facts)

    def _deciding_pain_points(self) -> frozenset[int]:
        """The fired pain points behind the verdict: the deciding veto's own, else those that read the questions of
        the indicators its condition named. None for the last outcome (the verdict nothing decided against)."""
        decision, plan = self.decision, self.plan
        verdict = plan.rules.verdict
        if decision is None or verdict is None or decision.condition is None:
            return frozenset()
        fired = self.fired_in_rules_order
        if decision.veto is not None and verdict.vetoes[decision.veto].pain_points:
            named = set(verdict.vetoes[decision.veto].pain_points)
            return frozenset(k for k in fired if plan.rules.pain_points[k].id in named)
        questions: set[str] = set()
        for ind in plan.indicators_named(decision.condition, self.ratings, self.tiers):
            questions.update(plan.indicator_questions[ind])
        return frozenset(k for k in fired if plan.pain_questions[k] & questions)

    def low_confidence(self) -> bool:
        verdict = self.plan.rules.verdict
        if verdict is None or verdict.low_confidence is None or self.indicators is None:
            return False
        low = verdict.low_confidence
        return sum(1 for i in self.indicators if i.unknown) > low.unknown_more_than or (
            low.contradictions and bool(self.contradicted)
        )

    # --------------------------------------------------------------------------------------------- summary

    def summary(self) -> Summary:
        plan = self.plan
        q = plan.questionnaire
        overall = self.nodes[OVERALL]
        no_rag = RagFound(None, None, None, ())
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
            reported=tuple(
                StageSummary(n, self.scores[n], self.levels[n], self.rags.get(n, no_rag).rag)
                for n in plan.reported_nodes
            ),
            verdict_outcome=decision.outcome.id if decision else "not_assessed",
            verdict_label=decision.outcome.label if decision else "Not assessed",
            verdict_points=self.verdict_points if decision else None,
            low_confidence=self.low_confidence(),
            pain_point_ids=tuple(p.id for p in pains),
            pain_point_titles=tuple(p.title for p in pains),
            dont_know=self.dont_know,
            unanswered=self.unanswered,
            situation=self._situation(),
        )

    def _situation(self) -> AnswerValue | None:
        question = self.plan.questionnaire.situation_question()
        answer = self.answers.answers.get(question.id) if question is not None else None
        return answer.value if answer is not None and answer.status is None else None


def decide(plan: ScoringPlan, facts: Facts) -> Decision:
    """The verdict for these facts (the roadmap asks it "what if" too): the worst of every veto that holds (each
    is a floor) and of the first outcome whose condition holds (else the last outcome). Outcomes are listed worst
    first; on a tie the veto decides, because it says why."""
    verdict = plan.rules.verdict
    assert verdict is not None
    decision = Decision(verdict.outcomes[-1])
    for outcome, when in zip(verdict.outcomes, plan.outcome_tests, strict=True):
        if when is not None and when(facts):
            decision = Decision(outcome, None, outcome.when)
            break
    rank = plan.outcome_rank
    held = tuple(k for k, test in enumerate(plan.veto_tests) if test(facts))
    best = rank[decision.outcome.id]
    for k in held:
        veto = verdict.vetoes[k]
        at = rank.get(veto.outcome, 0)  # a veto naming no outcome (an invalid file) counts as the worst
        if at < best or (at == best and decision.veto is None):
            decision, best = Decision(verdict.outcomes[at], k, veto.when), at
    decision.vetoes = held
    return decision


def rate_indicator(ind: IndicatorPlan, facts: Facts) -> IndicatorFound:
    """An indicator's rating: unknown when its questions are gaps, else the first rule that holds, else otherwise.
    One whose applies_when is false is not rated at all (`applies` False, no points): callers leave it out."""
    if ind.applies is not None and not ind.applies(facts):
        return IndicatorFound("green", False, None, (), ind.weight, 0.0, applies=False)
    statuses = facts.statuses
    gaps = [(qid, status) for qid in ind.questions if (status := statuses.get(qid, "not_asked")) in UNKNOWN_STATUSES]
    unknown = bool(gaps) and (ind.unknown_if_any or len(gaps) == len(ind.questions))
    rating: Rag = ind.otherwise
    rule: int | None = None
    unevidenced: tuple[str, ...] = ()
    if unknown:
        rating = ind.unknown_rating
    else:
        for k, (test, rated) in enumerate(ind.rules):
            if test(facts):
                rating, rule = rated, k
                break
        if rating == "green" and ind.needs_evidence:
            unevidenced = tuple(q for q in ind.questions if statuses.get(q) == "answered" and q not in facts.evidenced)
            if unevidenced:
                rating = "amber"
    return IndicatorFound(rating, unknown, rule, tuple(gaps), ind.weight, ind.points[rating], unevidenced)


def worse(a: Rag, b: Rag) -> Rag:
    return a if RAG_ORDER[a] <= RAG_ORDER[b] else b
