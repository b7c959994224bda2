"""The result of scoring one answers file: every number with the chain of answers and rules that produced it.

These models are the contract between the engine and everything that shows a result (reports, JSON output,
rule cases, the portfolio summary). They are frozen, hold only plain data, and `model_dump(mode="json")` gives
the same JSON for the same inputs: lists follow the questionnaire's or the rules' order, or a stated sort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, model_validator

from maturity.model.definitions import AnswerValue, AssessmentDetails
from maturity.model.text import one_line
from maturity.model.vocabulary import (
    OVERALL,
    STATUS_WORDS,
    Method,
    PainPointSeverity,
    Rag,
    Status,
    format_number,
    format_value,
    hit_words,
    plural,
)

NodeKind = Literal["group", "stage", "overall", "node"]
ChildKind = Literal["question", "group", "stage", "overall", "node"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, allow_inf_nan=False)  # no NaN results


def _num(value: float | None) -> str:
    return format_number(value, 3)


def _points(value: float) -> str:
    return plural(value, "point")


class Trigger(Frozen):
    """One test inside a condition, and what it found (a link in the chain back to the answers)."""

    subject: Literal["question", "score", "level", "indicator", "count", "pain_point"]
    id: str
    test: str
    actual: str
    held: bool = True

    def words(self) -> str:
        return hit_words(self.subject, self.id, self.test, self.actual, self.held)


class SourceRef(Frozen):
    """Who the assessment is about and what it was scored with."""

    id: str
    version: str
    title: str


class QuestionResult(Frozen):
    """One question: what was answered and what it is worth (or why it is worth nothing)."""

    id: str
    text: str
    kind: str
    stage: str | None
    group: str | None
    status: Status
    value: AnswerValue | None = None
    points: float | None = None
    points_rule: str | None = None  # how the points were found, e.g. "level 3", "answer set 'coverage': some -> 3"
    no_points: str | None = None  # why there are no points, e.g. "not applicable: excluded"
    weight: float = 1.0
    critical: bool = False
    note: str | None = None
    evidence: tuple[str, ...] = ()

    def words(self) -> str:
        if self.status == "not_asked" and self.no_points:
            return f"{self.id}: {self.no_points}"
        shown = format_value(self.value) if self.status == "answered" else STATUS_WORDS[self.status]
        worth = (
            f"{_points(self.points)} ({self.points_rule})"
            if self.points is not None
            else f"no points ({self.no_points})"
        )
        return f"{self.id}: {shown} -> {worth}"


class Contribution(Frozen):
    """One child of a roll-up node: its value, and whether and how much it counted."""

    id: str
    kind: ChildKind
    value: float | None  # a question's points, a node's score
    level: int | None = None
    weight: float | None = None  # for the weighted method
    weight_from: str | None = None  # "node", "question" or "default"
    counted: bool
    excluded: str | None = None  # why it did not count
    contribution: float | None = None  # what it added to the node's score


class CapResult(Frozen):
    """A cap checked on a node: the level may be no higher than floor(lowest + plus)."""

    lowest: Literal["critical_questions", "questions", "children"]
    plus: float
    basis: str | None = None  # the question or child that was lowest
    basis_value: float | None = None
    limit: int | None = None  # the highest level allowed
    applied: bool = False
    detail: str


class BandUsed(Frozen):
    """The band a score fell in (from inclusive, to exclusive, the last band including its end)."""

    band_from: float
    band_to: float
    last: bool
    level: int
    name: str
    note: str | None = None  # clamping or gaps


class RagOverrideResult(Frozen):
    """An override that made a stage's RAG worse: by its fired pain points, or by its weak critical answers."""

    severity: PainPointSeverity | None = None  # for an override by pain points
    critical_at_most: float | None = None  # for an override by critical answers: the points they were at most
    fired: int  # how many pain points (or critical questions) made it fire
    at_least: int
    at_most: Rag
    reason: str | None = None
    pain_points: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()  # the weak critical questions


class NodeExplanation(Frozen):
    method: Method
    children: tuple[Contribution, ...]
    counted: int
    band: BandUsed | None = None
    level_before_caps: int | None = None
    caps: tuple[CapResult, ...] = ()
    rag_band: Rag | None = None
    rag_overrides: tuple[RagOverrideResult, ...] = ()
    notes: tuple[str, ...] = ()


class NodeResult(Frozen):
    """A stage, group, roll-up node or the overall result, with how it was computed."""

    id: str
    kind: NodeKind
    title: str
    score: float | None
    level: int | None
    level_name: str | None
    rag: Rag | None = None
    reported: bool = False  # shown like a stage: stages, the overall result and nodes the rules mark reported
    explanation: NodeExplanation


class PainPointResult(Frozen):
    id: str
    title: str
    severity: PainPointSeverity
    stage: str | None
    role: Literal["cause", "symptom"] = "cause"
    deciding: bool = False  # behind the verdict: the deciding veto's pain point, or one on its indicators' answers
    evidence_gap: bool = False  # it fired (also) because an answer it reads is missing or "don't know"
    condition: str
    why: str
    action: str
    sources: tuple[str, ...] = ()
    triggered_by: tuple[Trigger, ...]


class ContradictionResult(Frozen):
    """Answers that cannot both be true, and the answers that show it."""

    id: str
    title: str
    why: str
    condition: str
    triggered_by: tuple[Trigger, ...]


class OpenItem(Frozen):
    """Something still open before going further: a red or amber indicator, or a high-severity pain point."""

    kind: Literal["indicator", "pain_point"]
    id: str
    title: str
    rating: Rag | None = None  # for an indicator
    severity: PainPointSeverity | None = None  # for a pain point
    stage: str | None = None
    action: str | None = None  # what evidence or action would close it


class AnswerRef(Frozen):
    question: str
    status: Status
    value: AnswerValue | None = None


class IndicatorResult(Frozen):
    id: str
    title: str
    tier: str
    tier_weight: float
    rating: Rag
    unknown: bool
    rule: str  # which rule rated it, in words
    unevidenced: tuple[str, ...] = ()  # answered questions citing no evidence, which kept it from green
    triggered_by: tuple[Trigger, ...] = ()
    points: float
    answers: tuple[AnswerRef, ...]
    evidence: str | None = None  # what evidence would move it to green
    sources: tuple[str, ...] = ()


class VetoResult(Frozen):
    index: int
    outcome: str
    reason: str
    condition: str
    triggered_by: tuple[Trigger, ...]


class VerdictResult(Frozen):
    """The "outsourcing a problem" verdict, or why it was not assessed (`outcome` is then `not_assessed`)."""

    title: str
    assessed: bool
    defined: bool = True  # False when the rules define no verdict at all: outputs then say nothing about one
    not_assessed_reason: str | None = None
    outcome: str
    label: str
    rag: Rag | None = None
    summary: str | None = None
    advice: str | None = None
    points: float | None = None
    max_points: float | None = None
    decided_by: str | None = None
    triggered_by: tuple[Trigger, ...] = ()
    vetoed_by: VetoResult | None = None  # the veto that decided the verdict
    vetoes: tuple[VetoResult, ...] = ()  # every veto that held (each a floor under the verdict)
    indicators: tuple[IndicatorResult, ...] = ()  # those that apply (see not_applying)
    not_applying: tuple[str, ...] = ()  # indicators whose applies_when was false: left out of the verdict
    open_items_title: str | None = None
    open_items: tuple[OpenItem, ...] = ()  # red and amber indicators, then high pain points, worst first
    unknown: int = 0
    low_confidence: bool = False
    low_confidence_message: str | None = None
    low_confidence_limit: int | None = None  # confidence is low when more indicators than this are unknown


class StageGaps(Frozen):
    """Evidence gaps in one stage (stage None: the context questions)."""

    stage: str | None
    title: str
    dont_know: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()


class Assessment(Frozen):
    """Everything the engine found for one answers file."""

    questionnaire: SourceRef
    rules: SourceRef
    details: AssessmentDetails
    questions: tuple[QuestionResult, ...]
    nodes: tuple[NodeResult, ...]  # overall first, then each stage followed by its groups, then other nodes
    # report order: those behind the verdict, then severity, causes before symptoms, stage order, rules order
    pain_points: tuple[PainPointResult, ...]
    verdict: VerdictResult
    evidence_gaps: tuple[StageGaps, ...]
    contradictions: tuple[ContradictionResult, ...] = ()

    @model_validator(mode="after")
    def _has_overall(self) -> Assessment:
        # every reader (reports, compare, the summary) starts from the overall node: a saved result without one
        # (edited by hand, or cut short) is refused where it is read, not met later as a KeyError
        if not any(node.id == OVERALL for node in self.nodes):
            raise ValueError(f"a scored result holds an '{OVERALL}' node among its nodes; this one has none")
        return self

    # ------------------------------------------------------------------------------------------- lookups

    def node(self, node_id: str) -> NodeResult:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def question(self, question_id: str) -> QuestionResult:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def overall(self) -> NodeResult:
        return self.node("overall")

    def stages(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.kind == "stage"]

    # ---------------------------------------------------------------------------------------- explanation

    def explain_lines(self) -> list[str]:
        """The whole chain in plain text, top down: verdict, overall, stages, pain points, gaps, answers."""
        return [one_line(line) for line in self._explain()]  # answers and notes are typed by users

    def _explain(self) -> Iterator[str]:
        d = self.details
        who = [f"{d.organisation}, {d.service}"]
        if d.assessor:
            who.append(f"assessed by {d.assessor}")
        if d.date:
            who.append(f"on {d.date.isoformat()}")
        yield f"Assessment of {'; '.join(who)}"
        yield (
            f"Questionnaire {self.questionnaire.id} {self.questionnaire.version}; rules {self.rules.id} "
            f"{self.rules.version}"
        )
        yield ""
        if self.verdict.defined:
            yield from self._explain_verdict()
            yield ""
        nodes = {n.id: n for n in self.nodes}
        questions = {q.id: q for q in self.questions}
        for node in self.nodes:
            yield from self._explain_node(node, nodes, questions)
            yield ""
        yield "Pain points" if self.pain_points else "Pain points: none fired."
        for pain in self.pain_points:
            where = f", stage {pain.stage}" if pain.stage else ""
            yield f"  {pain.id} ({pain.severity}{where}): {pain.title}"
            yield f"    fired because {pain.condition}"
            for trigger in pain.triggered_by:
                yield f"      - {trigger.words()}"
            yield f"    why it matters: {pain.why}"
            yield f"    action: {pain.action}"
        yield ""
        yield "Evidence gaps" if self.evidence_gaps else "Evidence gaps: none."
        for gaps in self.evidence_gaps:
            yield f"  {gaps.title}:"
            if gaps.dont_know:
                yield f"    don't know: {', '.join(gaps.dont_know)}"
            if gaps.unanswered:
                yield f"    unanswered: {', '.join(gaps.unanswered)}"

    def _explain_verdict(self) -> Iterator[str]:
        v = self.verdict
        if not v.defined:  # a model with levels only: nothing to say about a verdict
            return
        if not v.assessed:
            yield f"Verdict ({v.title}): not assessed: {v.not_assessed_reason}"
            return
        yield f"Verdict ({v.title}): {v.label} ({v.rag}), {_num(v.points)} of {_num(v.max_points)} points"
        if v.vetoed_by is not None:
            yield f"  vetoed: {v.vetoed_by.reason} (because {v.vetoed_by.condition})"
            for trigger in v.vetoed_by.triggered_by:
                yield f"    - {trigger.words()}"
        elif v.decided_by:
            yield f"  outcome '{v.outcome}' because {v.decided_by}"
            for trigger in v.triggered_by:
                yield f"    - {trigger.words()}"
        if v.low_confidence:
            yield (
                f"  low confidence: {v.unknown} of {len(v.indicators)} indicators rest on unknown answers, more "
                f"than the {v.low_confidence_limit} the rules allow. {v.low_confidence_message or ''}".rstrip()
            )
        elif v.unknown:
            limit = f" (the rules allow {v.low_confidence_limit})" if v.low_confidence_limit is not None else ""
            yield f"  confidence: {v.unknown} of {len(v.indicators)} indicators rest on unknown answers{limit}"
        for ind in v.indicators:
            unknown = " (unknown)" if ind.unknown else ""
            yield (
                f"  indicator {ind.id} '{ind.title}' [{ind.tier} x{ind.tier_weight:g}]: {ind.rating}{unknown}, "
                f"{_points(ind.points)}; {ind.rule}"
            )
            rests = "; ".join(
                f"{a.question} = {format_value(a.value) if a.status == 'answered' else STATUS_WORDS[a.status]}"
                for a in ind.answers
            )
            yield f"    rests on: {rests}"
            if ind.rating != "green" and ind.evidence:
                yield f"    to move it to green: {ind.evidence}"

    def _explain_node(
        self, node: NodeResult, nodes: dict[str, NodeResult], questions: dict[str, QuestionResult]
    ) -> Iterator[str]:
        ex = node.explanation
        level = f"level {node.level} {node.level_name}" if node.level is not None else "no level"
        rag = f", RAG {node.rag}" if node.rag else ""
        name = "Overall" if node.kind == "overall" else f"{node.kind.capitalize()} {node.id} '{node.title}'"
        yield f"{name}: score {_num(node.score)}, {level}{rag}"
        yield f"  method: {ex.method} of {ex.counted} counted part(s)"
        for child in ex.children:
            if child.kind == "question" and child.id in questions:
                what = questions[child.id].words()
            else:
                child_level = f", level {child.level}" if child.level is not None else ""
                what = f"{child.kind} {child.id}: score {_num(child.value)}{child_level}"
            weight = f", weight {child.weight:g} ({child.weight_from})" if child.weight is not None else ""
            if child.counted and child.contribution is None:
                yield f"    {what}{weight}; counted, but not the {ex.method}"
            elif child.counted:
                verb = f"is the {ex.method}" if ex.method in ("min", "max") else "adds"
                yield f"    {what}{weight}; {verb} {_num(child.contribution)}"
            elif child.kind == "question" and child.id in questions and questions[child.id].no_points == child.excluded:
                yield f"    {what}"  # its words already say why it does not count
            else:
                yield f"    {what}; not counted: {child.excluded}"
        for note in ex.notes:
            yield f"  note: {note}"
        if ex.band is not None:
            b = ex.band
            end = "<=" if b.last else "<"
            yield f"  band: {b.band_from:g} <= score {end} {b.band_to:g} gives level {b.level} {b.name}" + (
                f" ({b.note})" if b.note else ""
            )
        for cap in ex.caps:
            yield f"  cap ({cap.lowest} + {cap.plus:g}): {cap.detail}"
        if ex.rag_band is not None:
            yield f"  RAG from the score: {ex.rag_band}"
        for override in ex.rag_overrides:
            reason = f": {override.reason}" if override.reason else ""
            yield (
                f"  RAG no better than {override.at_most}: {override.fired} {override.severity}-severity pain "
                f"point(s) fired ({', '.join(override.pain_points)}){reason}"
            )


# ------------------------------------------------------------------------------------------------ summaries


class StageSummary(NamedTuple):
    """One stage's figures, as `Assessment.stages()` would give them (a tuple: a batch makes millions)."""

    id: str
    score: float | None
    level: int | None
    rag: Rag | None


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of an `Assessment` that a portfolio summary needs, without the explanation behind them.

    A batch scores thousands of files and keeps one row of numbers from each; building the full explained
    `Assessment` (hundreds of result models) only to throw it away would cost more than parsing the file.
    Every field equals the corresponding figure of the `Assessment` that `score` gives for the same answers.
    """

    questionnaire_id: str
    questionnaire_version: str
    details: AssessmentDetails
    overall_score: float | None
    overall_level: int | None
    overall_level_name: str | None
    overall_rag: Rag | None
    stages: tuple[StageSummary, ...]  # as `Assessment.stages()`: questionnaire order
    reported: tuple[StageSummary, ...]  # roll-up nodes the rules mark reported, in rules order
    verdict_outcome: str  # "not_assessed" when the verdict does not apply
    verdict_label: str
    verdict_points: float | None
    low_confidence: bool
    pain_point_ids: tuple[str, ...]  # fired, in report order (as `Assessment.pain_points`)
    pain_point_titles: tuple[str, ...]
    dont_know: int  # questions answered "don't know" (all the evidence gaps' dont_know together)
    unanswered: int  # questions asked but not answered
    # the answer to the situation question (`Questionnaire.situation_question`), when it was answered
    situation: AnswerValue | None = None
