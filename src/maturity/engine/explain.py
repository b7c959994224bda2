"""The explained `Assessment` built from a finished run: the result models and the words of every step.

Conditions are explained (`conditions.explain`) against the facts each one saw when the run decided it, with the
same compiled tests the run used, so a trigger reads exactly as it did when it counted: indicators see the
ratings of the indicators before them, pain points the pain points before them that fired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from maturity.engine.conditions import Facts, Hit, describe, evaluate, explain
from maturity.engine.plan import NodePlan, QuestionPlan
from maturity.engine.points import contributions, worth
from maturity.engine.run import CapFound, Run
from maturity.model.assessment import (
    AnswerRef,
    Assessment,
    BandUsed,
    CapResult,
    ContradictionResult,
    Contribution,
    IndicatorResult,
    NodeExplanation,
    NodeResult,
    OpenItem,
    PainPointResult,
    QuestionResult,
    RagOverrideResult,
    SourceRef,
    StageGaps,
    Trigger,
    VerdictResult,
    VetoResult,
)
from maturity.model.definitions import DEFAULT_RATINGS, Answer, RagOverride
from maturity.model.vocabulary import GAP_STATUSES, RAG_ORDER, STATUS_WORDS, Status


def trigger(hit: Hit) -> Trigger:
    return Trigger(subject=hit.subject, id=hit.id, test=hit.test, actual=hit.actual, held=hit.held)


def triggers(hits: Sequence[Hit]) -> tuple[Trigger, ...]:
    return tuple(trigger(h) for h in hits)


class Explainer:
    """Builds the explained `Assessment` from a finished run: the result models and the words of every step.

    Conditions are explained (`conditions.explain`) against the facts each one saw when the run decided it, so
    a trigger reads exactly as it did when it counted: indicators see the ratings of the indicators before them,
    pain points the pain points before them that fired.
    """

    def __init__(self, run: Run) -> None:
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
            verdict=self._verdict(pains),
            evidence_gaps=self._gaps(),
            contradictions=self._contradictions(),
        )

    # --------------------------------------------------------------------------------------- questions

    def _question(self, p: QuestionPlan) -> QuestionResult:
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

    def _points_words(self, p: QuestionPlan, status: Status, points: float | None) -> tuple[str | None, str | None]:
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
            return (
                (None, "not applicable: excluded")
                if rules.not_applicable == "exclude"
                else ("not applicable, as the rules set", None)
            )
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
        found = worth(p.rule, self.run.facts.values.get(p.question.id), words=True)
        return found.how, found.why_none

    # ------------------------------------------------------------------------------------------- nodes

    def _node(self, node: NodePlan, questions: Sequence[QuestionResult]) -> NodeResult:
        plan, run = self.plan, self.run
        found = run.nodes[node.id]
        notes: list[str] = []
        band: BandUsed | None = None
        if found.band is None:
            notes.append("no part of it counted, so it has no score and no level")
        else:
            chosen = plan.rules.levels[found.band]
            last = found.band == len(plan.rules.levels) - 1
            band = BandUsed(
                band_from=chosen.from_,
                band_to=chosen.to,
                last=last,
                level=chosen.level,
                name=chosen.name,
                note=found.band_note,
            )
        rag = run.rags.get(node.id)
        overrides: list[RagOverrideResult] = []
        if rag is not None:
            if rag.note:
                notes.append(f"RAG: {rag.note}")
            overrides = [_override_result(o, hit) for o, hit in rag.overrides]
            if overrides and found.score is None:
                notes.append("the stage has no score: its RAG comes from the overrides alone")
        explanation = NodeExplanation(
            method=node.method,
            children=self._contributions(node, questions),
            counted=len(found.counted),
            band=band,
            level_before_caps=band.level if band else None,
            caps=tuple(cap_result(c) for c in found.caps),
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
            reported=node.reported,
            explanation=explanation,
        )

    def _contributions(self, node: NodePlan, questions: Sequence[QuestionResult]) -> tuple[Contribution, ...]:
        """What each child of a node was worth and added, or why it did not count."""
        run = self.run
        found = run.nodes[node.id]
        weighted = node.method == "weighted"
        shares = iter(contributions(node.method, found.counted, found.raw) if found.raw is not None else ())
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
        return tuple(parts)

    # ----------------------------------------------------------------------------------------- pain points

    def _pain_points(self) -> tuple[PainPointResult, ...]:
        run, rules = self.run, self.plan.rules
        fired_before: set[str] = set()
        facts = replace(run.facts_now(), fired=fired_before)  # each saw only the pain points before it
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
                role=pain.role,
                deciding=k in run.deciding,
                evidence_gap=any(h.held and h.subject == "question" and _is_gap(h, facts) for h in hits),
                condition=describe(pain.when),
                why=pain.why,
                action=pain.action,
                sources=tuple(pain.sources),
                triggered_by=triggers(hits),
            )
        return tuple(results[k] for k in run.fired_in_report_order)

    def _contradictions(self) -> tuple[ContradictionResult, ...]:
        run, rules = self.run, self.plan.rules
        facts = run.facts_now()
        out: list[ContradictionResult] = []
        for k in run.contradicted:
            found = rules.contradictions[k]
            _, hits = explain(found.when, facts)
            out.append(
                ContradictionResult(
                    id=found.id,
                    title=found.title,
                    why=found.why,
                    condition=describe(found.when),
                    triggered_by=triggers(hits),
                )
            )
        return tuple(out)

    # ------------------------------------------------------------------------------------------- verdict

    def _indicators(self) -> tuple[IndicatorResult, ...]:
        run = self.run
        verdict = self.plan.rules.verdict
        assert verdict is not None and run.indicators is not None
        ratings: dict[str, str] = {}
        tiers: dict[str, str] = {}
        unknown: set[str] = set()
        # each indicator is explained against the ratings of those before it, as the run rated it
        facts = replace(run.facts_now(), ratings=ratings, tiers=tiers, unknown=unknown, fired=frozenset())
        out: list[IndicatorResult] = []
        for ind, found in zip(verdict.indicators, run.indicators, strict=True):
            if not found.applies:
                continue
            hits: list[Hit] = []
            if found.unknown:
                which = ", ".join(f"{qid} is {STATUS_WORDS[s]}" for qid, s in found.gaps)
                rule = f"unknown ({which}): rated {found.rating}"
            elif found.rule is not None:
                when = ind.rate[found.rule].when
                _, hits = explain(when, facts)
                rule = f"rule {found.rule + 1}: {describe(when)}: rated {ind.rate[found.rule].rating}"
            else:
                rule = f"no rule matched: rated {found.rating} (otherwise)"
            if found.unevidenced:
                cites = "cites" if len(found.unevidenced) == 1 else "cite"
                rule += f"; but {', '.join(found.unevidenced)} {cites} no evidence, so it is at most amber"
            answers = tuple(
                AnswerRef(question=qid, status=s, value=self._raw(qid) if s == "answered" else None)
                for qid in ind.questions
                for s in (facts.status(qid),)
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
                    unevidenced=found.unevidenced,
                    triggered_by=triggers(hits),
                    points=found.points,
                    answers=answers,
                    evidence=ind.evidence,
                    sources=tuple(ind.sources),
                )
            )
            ratings[ind.id] = found.rating
            tiers[ind.id] = ind.tier
            if found.unknown:
                unknown.add(ind.id)
        return tuple(out)

    def _raw(self, qid: str) -> Any:
        answer = self.run.answers.answers.get(qid)
        return answer.value if answer is not None else None

    def _pain_questions(self) -> dict[str, frozenset[str]]:
        pains = self.plan.rules.pain_points
        return {p.id: read for p, read in zip(pains, self.plan.pain_questions, strict=True)}

    def _veto(self, k: int, facts: Facts) -> VetoResult:
        verdict = self.plan.rules.verdict
        assert verdict is not None
        veto = verdict.vetoes[k]
        _, hits = explain(veto.when, facts)
        return VetoResult(
            index=k,
            outcome=veto.outcome,
            reason=veto.reason,
            condition=describe(veto.when),
            triggered_by=triggers(hits),
        )

    def _verdict(self, pains: Sequence[PainPointResult]) -> VerdictResult:
        run = self.run
        verdict = self.plan.rules.verdict
        decision = run.decision
        if verdict is None or decision is None:
            return VerdictResult(
                title=verdict.title if verdict else "Verdict",
                assessed=False,
                defined=verdict is not None,
                not_assessed_reason=run.not_assessed,
                outcome="not_assessed",
                label="Not assessed",
            )
        indicators = self._indicators()
        worst = max(verdict.ratings.values(), default=DEFAULT_RATINGS["red"])
        low = verdict.low_confidence
        low_flag = run.low_confidence()
        facts = run.facts_now()
        _, hits = explain(decision.condition, facts) if decision.condition is not None else (True, [])
        chosen = decision.outcome
        vetoes = tuple(self._veto(k, facts) for k in decision.vetoes)
        vetoed = next((v for v in vetoes if v.index == decision.veto), None)
        if vetoed is not None:
            decided = f"veto: {vetoed.reason}"
        elif decision.condition is not None:
            decided = chosen.reason or describe(decision.condition)
        else:
            decided = "no other outcome applied (the last outcome applies otherwise)"
        variant = next((v for v in chosen.advice_when if evaluate(v.when, facts)), None)
        return VerdictResult(
            title=verdict.title,
            assessed=True,
            outcome=chosen.id,
            label=chosen.label,
            rag=chosen.rag,
            summary=(variant.summary if variant and variant.summary else None) or chosen.summary,
            advice=(variant.advice if variant and variant.advice else None) or chosen.advice,
            points=run.verdict_points if run.verdict_points is not None else 0.0,
            max_points=sum(
                verdict.tiers.get(i.tier, 1.0) * worst
                for i, found in zip(verdict.indicators, run.indicators or (), strict=False)
                if found.applies
            ),
            not_applying=tuple(
                i.id for i, f in zip(verdict.indicators, run.indicators or (), strict=False) if not f.applies
            ),
            decided_by=decided,
            triggered_by=triggers(hits),
            vetoed_by=vetoed,
            vetoes=vetoes,
            indicators=indicators,
            open_items_title=(variant.open_items_title if variant else None) or verdict.open_items_title,
            open_items=_open_items(indicators, pains, self._pain_questions()),
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


def cap_result(found: CapFound) -> CapResult:
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


def _is_gap(hit: Hit, facts: Facts) -> bool:
    """Did this hit find a missing answer (don't know, or asked and unanswered)?"""
    return facts.status(hit.id) in GAP_STATUSES


def _open_items(
    indicators: Sequence[IndicatorResult],
    pains: Sequence[PainPointResult],
    pain_questions: Mapping[str, frozenset[str]],
) -> tuple[OpenItem, ...]:
    """What is still open, worst first: red indicators, then amber ones (heaviest tier first), then the high-severity
    pain points in report order that say something the indicators do not (one that reads only questions an open
    indicator already reads is the same item twice). A Clear verdict keeps this list, so it never reads as
    "ready to go"."""
    ranked = sorted((i for i in indicators if i.rating != "green"), key=lambda i: (RAG_ORDER[i.rating], -i.tier_weight))
    items = [OpenItem(kind="indicator", id=i.id, title=i.title, rating=i.rating, action=i.evidence) for i in ranked]
    covered = {a.question for i in ranked for a in i.answers}
    items += [
        OpenItem(kind="pain_point", id=p.id, title=p.title, severity=p.severity, stage=p.stage, action=p.action)
        for p in pains
        if p.severity == "high" and not pain_questions.get(p.id, frozenset()) <= covered
    ]
    return tuple(items)


def _override_result(override: RagOverride, hit: tuple[str, ...]) -> RagOverrideResult:
    if override.pain_points is not None:
        return RagOverrideResult(
            severity=override.pain_points.severity,
            fired=len(hit),
            at_least=override.pain_points.at_least,
            at_most=override.at_most,
            reason=override.reason,
            pain_points=hit,
        )
    assert override.critical is not None
    return RagOverrideResult(
        critical_at_most=override.critical.at_most,
        fired=len(hit),
        at_least=override.critical.at_least,
        at_most=override.at_most,
        reason=override.reason,
        questions=hit,
    )
