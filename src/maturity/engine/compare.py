"""Comparing two assessments of the same questionnaire: what improved, what regressed, what is left to do.

An organisation re-assesses itself after a year of work, or before and after fixing a failing service, and wants
to know whether the verdict moved, which stages improved and which pain points went away. Everything here is
pure (no files, no printing): it takes two explained `Assessment`s, however they were obtained (scored from
answers or read back from a saved result), and gives a frozen `Comparison` that the command line shows as
text, Markdown, HTML or JSON. The comparison can also measure the newer assessment against a target
assessment: the answers (or result) the organisation is aiming for.

Direction is decided the same way everywhere so that text, reports and JSON agree:

- the verdict by its RAG (red < amber < green), which is how the bundled rules order their outcomes (outsourcing
  a problem, at risk, clear); a verdict that was not assessed on one side cannot be ranked;
- a stage or the overall result by its level, and by its score when the level did not move (a stage with no
  level, because nothing in it could be scored, ranks below every level);
- an indicator by its RAG rating.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any, Literal

from maturity.model.assessment import Assessment, Frozen, NodeResult, PainPointResult, QuestionResult
from maturity.model.definitions import AnswerValue, AssessmentDetails
from maturity.model.problems import MaturityError, Problem
from maturity.model.text import one_line
from maturity.model.version import __version__
from maturity.model.vocabulary import (
    RAG_ORDER,
    RAG_WORDS,
    SEVERITY_WORDS,
    STATUS_WORDS,
    PainPointSeverity,
    Rag,
    Status,
    format_number,
    format_value,
)

COMPARISON_FORMAT_VERSION = 2  # 2: a trend of two or more assessments
# Templates for the documents; `report.check_templates` compiles every .j2 in the bundled folder.
TEMPLATES: dict[str, str] = {"md": "compare.md.j2", "html": "compare.html.j2"}
_EPSILON = 1e-9  # scores are means of small numbers: smaller differences are rounding, not change

Direction = Literal["improved", "regressed", "unchanged", "added", "removed"]
VerdictDirection = Literal["better", "worse", "same", "not_comparable"]


class Side(Frozen):
    """Who one of the compared assessments is about, and what it was scored with."""

    details: AssessmentDetails
    questionnaire_version: str
    rules_id: str
    rules_version: str


class VerdictChange(Frozen):
    """The verdict before and after, and whether it got better by RAG order."""

    title: str
    old_outcome: str
    new_outcome: str
    old_label: str
    new_label: str
    old_rag: Rag | None
    new_rag: Rag | None
    old_points: float | None
    new_points: float | None
    old_low_confidence: bool
    new_low_confidence: bool
    changed: bool  # the outcome differs (it may differ while the RAG, and so the direction, stays the same)
    direction: VerdictDirection


class NodeChange(Frozen):
    """The overall result, one stage or a roll-up node the rules report, before and after."""

    id: str
    title: str
    kind: Literal["overall", "stage", "node"] = "stage"
    old_score: float | None
    new_score: float | None
    score_delta: float | None
    old_level: int | None
    new_level: int | None
    level_delta: int | None
    old_level_name: str | None
    new_level_name: str | None
    old_rag: Rag | None
    new_rag: Rag | None
    direction: Direction  # added/removed: the stage is in only one questionnaire version


class PainPointChange(Frozen):
    """A pain point that went away, appeared, or is still there."""

    id: str
    title: str
    severity: PainPointSeverity
    stage: str | None
    action: str


class IndicatorChange(Frozen):
    """A verdict indicator whose rating changed (or which is now, or no longer, unknown)."""

    id: str
    title: str
    tier: str
    old_rating: Rag | None
    new_rating: Rag | None
    old_unknown: bool
    new_unknown: bool
    direction: Literal["better", "worse", "same"]


class AnswerChange(Frozen):
    """A question answered differently: the status or the value moved. Notes alone do not make a change."""

    question: str
    text: str
    stage: str | None
    old_status: Status | None  # None: the question is not in the older questionnaire version
    new_status: Status | None
    old_value: AnswerValue | None
    new_value: AnswerValue | None
    old_words: str
    new_words: str
    note: str | None  # the newer note, which usually says why the answer moved
    # by the answer's points: up, down, or "changed" when either side has none (a text, a gap, not asked)
    direction: Literal["improved", "regressed", "changed"] = "changed"


class StageGap(Frozen):
    """One stage of the newer assessment against the target: how many levels short, if any."""

    id: str
    title: str
    level: int | None
    target_level: int | None
    levels_short: int  # 0 when the target is met; the whole target level when the stage has no level
    met: bool


class TargetGap(Frozen):
    """How far the newer assessment is from a target assessment."""

    details: AssessmentDetails
    verdict_outcome: str
    verdict_label: str
    verdict_rag: Rag | None
    target_outcome: str
    target_label: str
    target_rag: Rag | None
    verdict_met: bool
    overall: StageGap
    stages: tuple[StageGap, ...]
    pain_points_to_resolve: tuple[PainPointChange, ...]  # in the newer assessment, not in the target
    met: bool  # verdict, overall level and every stage level reach the target


class SharedQuestions(Frozen):
    """Two assessments of different questionnaires (a pre-check, then the full assessment): the questions they
    share, on which their answers are compared."""

    old_questionnaire: str
    new_questionnaire: str
    shared: int
    old_total: int
    new_total: int


class Comparison(Frozen):
    """Everything that changed between two assessments, with an optional target gap.

    Assessments of one questionnaire compare on everything; assessments of different questionnaires compare their
    answers on the questions they share (`shared`), and their stages, verdict and pain points as each one's own
    rules gave them.
    """

    questionnaire_id: str
    questionnaire_title: str
    old: Side
    new: Side
    warnings: tuple[str, ...]
    verdict: VerdictChange
    overall: NodeChange
    # the newer questionnaire's order, then stages only the older one has, then the reported roll-up nodes
    stages: tuple[NodeChange, ...]
    pain_points_resolved: tuple[PainPointChange, ...]
    pain_points_new: tuple[PainPointChange, ...]
    pain_points_still: tuple[PainPointChange, ...]
    indicators: tuple[IndicatorChange, ...]  # only those that changed
    answers: tuple[AnswerChange, ...]  # only those that changed (of the shared questions, when `shared` is set)
    target: TargetGap | None = None
    shared: SharedQuestions | None = None  # set when the two answer different questionnaires

    def stages_by(self, direction: Direction) -> list[str]:
        """The ids of the stages that moved this way (in stage order)."""
        return [s.id for s in self.stages if s.direction == direction]


# ------------------------------------------------------------------------------------------------- comparing


def compare(old: Assessment, new: Assessment, target: Assessment | None = None) -> Comparison:
    """Compare two assessments (and the newer one with a target).

    Different versions of one questionnaire are compared, with a warning: stages or questions that exist in only
    one version are shown as added or removed rather than silently dropped. Different questionnaires are compared
    on the questions they share, with a warning that says how many; MaturityError (MQ603) when they share none.
    The target must answer the newer assessment's questionnaire.
    """
    shared = shared_questions(old, new)
    warnings = [] if shared is not None else [*_check_same(old, new, "the older and the newer assessment")]
    if shared is not None:
        warnings.append(
            f"the assessments answer different questionnaires ('{shared.old_questionnaire}' and "
            f"'{shared.new_questionnaire}'): their answers are compared on the {shared.shared} questions they share "
            f"(of {shared.old_total} and {shared.new_total}); levels, the verdict and pain points are each as its "
            "own rules scored them"
        )
    if target is not None:
        warnings += _check_same(new, target, "the newer assessment and the target")
    if (old.details.organisation, old.details.service) != (new.details.organisation, new.details.service):
        warnings.append(
            one_line(
                f"the assessments are of different services: '{old.details.organisation}, "
                f"{old.details.service}' and '{new.details.organisation}, {new.details.service}'"
            )
        )
    old_pains = {p.id for p in old.pain_points}
    new_pains = {p.id for p in new.pain_points}
    return Comparison(
        questionnaire_id=new.questionnaire.id,
        questionnaire_title=new.questionnaire.title,
        old=_side(old),
        new=_side(new),
        warnings=tuple(warnings),
        verdict=_verdict(old, new),
        overall=_node(old.overall, new.overall),
        stages=tuple(_stages(old, new)),
        pain_points_resolved=tuple(_pain(p) for p in old.pain_points if p.id not in new_pains),
        pain_points_new=tuple(_pain(p) for p in new.pain_points if p.id not in old_pains),
        pain_points_still=tuple(_pain(p) for p in new.pain_points if p.id in old_pains),
        indicators=tuple(_indicators(old, new)),
        answers=tuple(_answers(old, new, shared is not None)),
        target=None if target is None else gap(new, target),
        shared=shared,
    )


def shared_questions(old: Assessment, new: Assessment) -> SharedQuestions | None:
    """For assessments of different questionnaires, the questions both ask (by id); None for one questionnaire.
    MaturityError (MQ603) when they share no question, so nothing can be compared."""
    if old.questionnaire.id == new.questionnaire.id:
        return None
    before = {q.id for q in old.questions}
    both = sum(1 for q in new.questions if q.id in before)
    if not both:
        raise MaturityError(
            Problem.make(
                "MQ603",
                f"the assessments answer different questionnaires ('{old.questionnaire.id}' and "
                f"'{new.questionnaire.id}') that share no question, so there is nothing to compare",
            )
        )
    return SharedQuestions(
        old_questionnaire=old.questionnaire.id,
        new_questionnaire=new.questionnaire.id,
        shared=both,
        old_total=len(old.questions),
        new_total=len(new.questions),
    )


def _check_same(a: Assessment, b: Assessment, which: str) -> list[str]:
    """Refuse two questionnaires; note a version or rules change, since scores may then move for that alone."""
    if a.questionnaire.id != b.questionnaire.id:
        raise MaturityError(
            Problem.make(
                "MQ603",
                f"{which} answer different questionnaires ('{a.questionnaire.id}' and "
                f"'{b.questionnaire.id}'); only assessments of the same questionnaire can be compared",
            )
        )
    warnings = []
    if a.questionnaire.version != b.questionnaire.version:
        warnings.append(
            f"{which} answer different versions of questionnaire '{a.questionnaire.id}' "
            f"({a.questionnaire.version} and {b.questionnaire.version}): questions and stages may "
            "have changed, so some differences may come from the questionnaire, not the organisation"
        )
    if (a.rules.id, a.rules.version) != (b.rules.id, b.rules.version):
        warnings.append(
            f"{which} were scored with different rules ({a.rules.id} {a.rules.version} and "
            f"{b.rules.id} {b.rules.version}): scores may differ for that reason alone"
        )
    return warnings


def _side(assessment: Assessment) -> Side:
    return Side(
        details=assessment.details,
        questionnaire_version=assessment.questionnaire.version,
        rules_id=assessment.rules.id,
        rules_version=assessment.rules.version,
    )


def _rank(rag: Rag | None) -> int | None:
    return None if rag is None else RAG_ORDER[rag]


def _verdict(old: Assessment, new: Assessment) -> VerdictChange:
    a, b = old.verdict, new.verdict
    before, after = _rank(a.rag if a.assessed else None), _rank(b.rag if b.assessed else None)
    direction: VerdictDirection
    if before is None or after is None:
        direction = "same" if a.outcome == b.outcome else "not_comparable"
    else:
        direction = "better" if after > before else "worse" if after < before else "same"
    return VerdictChange(
        title=b.title,
        old_outcome=a.outcome,
        new_outcome=b.outcome,
        old_label=a.label,
        new_label=b.label,
        old_rag=a.rag,
        new_rag=b.rag,
        old_points=a.points,
        new_points=b.points,
        old_low_confidence=a.low_confidence,
        new_low_confidence=b.low_confidence,
        changed=a.outcome != b.outcome,
        direction=direction,
    )


def _node_direction(old: NodeResult, new: NodeResult) -> Direction:
    """By level; by score when the level did not move. No level ranks below every level."""
    old_level = -1 if old.level is None else old.level
    new_level = -1 if new.level is None else new.level
    if new_level != old_level:
        return "improved" if new_level > old_level else "regressed"
    if old.score is not None and new.score is not None and abs(new.score - old.score) > _EPSILON:
        return "improved" if new.score > old.score else "regressed"
    return "unchanged"


def _delta(old: float | None, new: float | None) -> float | None:
    return None if old is None or new is None else round(new - old, 6)


def _node(old: NodeResult | None, new: NodeResult | None) -> NodeChange:
    present = new if new is not None else old
    assert present is not None
    direction: Direction = "added" if old is None else "removed" if new is None else _node_direction(old, new)
    level_delta = (
        None if old is None or new is None or old.level is None or new.level is None else new.level - old.level
    )
    kind: Literal["overall", "stage", "node"] = (
        "overall" if present.kind == "overall" else "node" if present.kind == "node" else "stage"
    )
    return NodeChange(
        id=present.id,
        title=present.title,
        kind=kind,
        old_score=old.score if old else None,
        new_score=new.score if new else None,
        score_delta=_delta(old.score if old else None, new.score if new else None),
        old_level=old.level if old else None,
        new_level=new.level if new else None,
        level_delta=level_delta,
        old_level_name=old.level_name if old else None,
        new_level_name=new.level_name if new else None,
        old_rag=old.rag if old else None,
        new_rag=new.rag if new else None,
        direction=direction,
    )


def reported_parts(assessment: Assessment) -> list[NodeResult]:
    """The stages, then the roll-up nodes the rules report like stages (a model's business functions, say)."""
    return [*assessment.stages(), *(n for n in assessment.nodes if n.kind == "node" and n.reported)]


def _stages(old: Assessment, new: Assessment) -> Iterator[NodeChange]:
    before = {s.id: s for s in reported_parts(old)}
    after = {s.id: s for s in reported_parts(new)}
    for stage in after.values():
        yield _node(before.get(stage.id), stage)
    for stage in before.values():
        if stage.id not in after:
            yield _node(stage, None)


def _pain(pain: PainPointResult) -> PainPointChange:
    return PainPointChange(id=pain.id, title=pain.title, severity=pain.severity, stage=pain.stage, action=pain.action)


def _indicators(old: Assessment, new: Assessment) -> Iterator[IndicatorChange]:
    before = {i.id: i for i in old.verdict.indicators}
    after = {i.id: i for i in new.verdict.indicators}
    ids = [*after, *(i for i in before if i not in after)]
    for ind_id in ids:
        a, b = before.get(ind_id), after.get(ind_id)
        present = b if b is not None else a
        assert present is not None
        old_rating, new_rating = (a.rating if a else None), (b.rating if b else None)
        old_unknown, new_unknown = (a.unknown if a else False), (b.unknown if b else False)
        if (old_rating, old_unknown) == (new_rating, new_unknown):
            continue
        rank_a, rank_b = _rank(old_rating), _rank(new_rating)
        direction: Literal["better", "worse", "same"] = "same"
        if rank_a is not None and rank_b is not None and rank_a != rank_b:
            direction = "better" if rank_b > rank_a else "worse"
        yield IndicatorChange(
            id=ind_id,
            title=present.title,
            tier=present.tier,
            old_rating=old_rating,
            new_rating=new_rating,
            old_unknown=old_unknown,
            new_unknown=new_unknown,
            direction=direction,
        )


def answer_words(result: QuestionResult | None) -> str:
    """An answer in a few words for a comparison line: the value when answered, else its status."""
    if result is None:
        return "not in this version"
    if result.status != "answered":
        return STATUS_WORDS[result.status]
    return format_value(result.value)


def _answers(old: Assessment, new: Assessment, shared_only: bool = False) -> Iterator[AnswerChange]:
    before = {q.id: q for q in old.questions}
    after = {q.id: q for q in new.questions}
    ids = [q for q in after if q in before] if shared_only else [*after, *(q for q in before if q not in after)]
    for qid in ids:
        a, b = before.get(qid), after.get(qid)
        if a is not None and b is not None and _answer_key(a) == _answer_key(b):
            continue
        present = b if b is not None else a
        assert present is not None
        direction: Literal["improved", "regressed", "changed"] = "changed"
        moved = a is not None and b is not None and a.points is not None and b.points is not None
        if moved and a is not None and b is not None and abs((b.points or 0) - (a.points or 0)) > _EPSILON:
            direction = "improved" if (b.points or 0) > (a.points or 0) else "regressed"
        yield AnswerChange(
            question=qid,
            text=present.text,
            stage=present.stage,
            old_status=a.status if a else None,
            new_status=b.status if b else None,
            old_value=a.value if a and a.status == "answered" else None,
            new_value=b.value if b and b.status == "answered" else None,
            old_words=answer_words(a),
            new_words=answer_words(b),
            note=b.note if b else None,
            direction=direction,
        )


def _answer_key(result: QuestionResult) -> tuple[str, Any]:
    """What counts as the answer: the value only when it was answered (a not-asked question's stale value is not)."""
    return result.status, (result.value if result.status == "answered" else None)


# ---------------------------------------------------------------------------------------------------- target


def _stage_gap(node: NodeResult | None, target: NodeResult) -> StageGap:
    level = node.level if node is not None else None
    wanted = target.level
    short = 0 if wanted is None else max(0, wanted - (level if level is not None else 0))
    return StageGap(
        id=target.id, title=target.title, level=level, target_level=wanted, levels_short=short, met=short == 0
    )


def gap(current: Assessment, target: Assessment) -> TargetGap:
    """How far `current` is from `target`: the verdict (by RAG), the overall and each stage's level.

    A target is simply another assessment of the same questionnaire: the answers an organisation aims to be
    able to give. Only what the target reaches is asked of the current assessment; a stage the target leaves
    without a level asks nothing. MaturityError (MQ603) when the questionnaires differ.
    """
    _check_same(current, target, "the assessment and the target")
    v, t = current.verdict, target.verdict
    have, want = _rank(v.rag if v.assessed else None), _rank(t.rag if t.assessed else None)
    verdict_met = want is None or (have is not None and have >= want)
    by_id = {s.id: s for s in reported_parts(current)}
    stages = tuple(_stage_gap(by_id.get(s.id), s) for s in reported_parts(target))
    overall = _stage_gap(current.overall, target.overall)
    target_pains = {p.id for p in target.pain_points}
    return TargetGap(
        details=target.details,
        verdict_outcome=v.outcome,
        verdict_label=v.label,
        verdict_rag=v.rag,
        target_outcome=t.outcome,
        target_label=t.label,
        target_rag=t.rag,
        verdict_met=verdict_met,
        overall=overall,
        stages=stages,
        pain_points_to_resolve=tuple(_pain(p) for p in current.pain_points if p.id not in target_pains),
        met=verdict_met and overall.met and all(s.met for s in stages),
    )


# ----------------------------------------------------------------------------------------------------- trends


class NodeValue(Frozen):
    """One node's figures in one assessment of a trend."""

    score: float | None
    level: int | None
    level_name: str | None
    rag: Rag | None


class Course(Frozen):
    """The overall result, a stage or a reported roll-up node across the assessments of a trend (None where an
    assessment's questionnaire has no such part), and which way it moved at each step."""

    id: str
    title: str
    kind: Literal["overall", "stage", "node"]
    values: tuple[NodeValue | None, ...]
    steps: tuple[Direction, ...]  # one fewer than values: from each assessment to the next
    direction: Direction  # from the first assessment to the last


class Assessed(Frozen):
    """One assessment in a trend: who and when, what it answered, and its verdict."""

    details: AssessmentDetails
    questionnaire_id: str
    questionnaire_version: str
    rules_id: str
    rules_version: str
    verdict_defined: bool
    verdict_outcome: str
    verdict_label: str
    verdict_rag: Rag | None
    verdict_low_confidence: bool


class Trend(Frozen):
    """Two or more assessments of one service in date order: each part's course, the verdict's course and what
    changed at each step (a `Comparison` per step, with the target gap on the last one)."""

    questionnaire_id: str  # the newest assessment's
    questionnaire_title: str
    assessments: tuple[Assessed, ...]
    verdict_defined: bool  # whether any assessment's rules define a verdict
    courses: tuple[Course, ...]  # overall first, then the stages and reported nodes (newest order, then older)
    steps: tuple[Comparison, ...]
    warnings: tuple[str, ...]
    target: TargetGap | None = None


def in_date_order(assessments: list[Assessment]) -> tuple[list[Assessment], list[str]]:
    """The assessments oldest first, and what to say about the order: sorted by date when every one is dated (a
    stable sort, so assessments of one day keep the order given), else in the order given, with a warning."""
    undated = [a for a in assessments if a.details.date is None]
    if undated:
        return assessments, [
            f"{len(undated)} of the assessments have no date; they are taken in the order given (the first is "
            "the oldest)"
        ]
    ordered = sorted(assessments, key=lambda a: a.details.date or dt.date.min)
    return ordered, []


def trend(assessments: list[Assessment], target: Assessment | None = None) -> Trend:
    """The course of two or more assessments (any order: they are put in date order), with the newest measured
    against an optional target. Each step is a `compare` of one assessment with the next."""
    if len(assessments) < 2:
        raise ValueError("a trend needs at least two assessments")
    ordered, warnings = in_date_order(assessments)
    steps = [
        compare(a, b, target if k == len(ordered) - 2 else None) for k, (a, b) in enumerate(itertools.pairwise(ordered))
    ]
    for step in steps:
        warnings.extend(w for w in step.warnings if w not in warnings)
    newest = ordered[-1]
    return Trend(
        questionnaire_id=newest.questionnaire.id,
        questionnaire_title=newest.questionnaire.title,
        assessments=tuple(_assessed(a) for a in ordered),
        verdict_defined=any(a.verdict.defined for a in ordered),
        courses=tuple(_courses(ordered)),
        steps=tuple(steps),
        warnings=tuple(warnings),
        target=steps[-1].target,
    )


def _assessed(assessment: Assessment) -> Assessed:
    v = assessment.verdict
    return Assessed(
        details=assessment.details,
        questionnaire_id=assessment.questionnaire.id,
        questionnaire_version=assessment.questionnaire.version,
        rules_id=assessment.rules.id,
        rules_version=assessment.rules.version,
        verdict_defined=v.defined,
        verdict_outcome=v.outcome,
        verdict_label=v.label,
        verdict_rag=v.rag if v.assessed else None,
        verdict_low_confidence=v.low_confidence,
    )


def _courses(ordered: list[Assessment]) -> Iterator[Course]:
    parts: dict[str, NodeResult] = {}
    for assessment in reversed(ordered):  # the newest assessment's order and titles, then parts only older ones have
        for node in [assessment.overall, *reported_parts(assessment)]:
            parts.setdefault(node.id, node)
    for node_id, node in parts.items():
        found: list[NodeResult | None] = []
        for assessment in ordered:
            found.append(next((n for n in assessment.nodes if n.id == node_id), None))
        values = tuple(
            None if n is None else NodeValue(score=n.score, level=n.level, level_name=n.level_name, rag=n.rag)
            for n in found
        )
        steps = tuple(_course_direction(a, b) for a, b in itertools.pairwise(found))
        present = [n for n in found if n is not None]  # never empty: the part comes from one of them
        kind: Literal["overall", "stage", "node"] = (
            "overall" if node.kind == "overall" else "node" if node.kind == "node" else "stage"
        )
        yield Course(
            id=node_id,
            title=node.title,
            kind=kind,
            values=values,
            steps=steps,
            direction=_course_direction(found[0], found[-1])
            if found[0] is None or found[-1] is None
            else _course_direction(present[0], present[-1]),
        )


def _course_direction(old: NodeResult | None, new: NodeResult | None) -> Direction:
    if old is None and new is None:
        return "unchanged"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return _node_direction(old, new)


def trend_json(value: Trend) -> str:
    """The trend as versioned JSON (format 2: a `Trend`; format 1 was a single two-way comparison)."""
    body = {"comparison_format_version": COMPARISON_FORMAT_VERSION, "tool_version": __version__}
    body.update(value.model_dump(mode="json"))
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------------- output


def comparison_json(comparison: Comparison) -> str:
    """The comparison as versioned JSON: consumers check `comparison_format_version` before reading on."""
    body = {
        "comparison_format_version": COMPARISON_FORMAT_VERSION,
        "tool_version": __version__,
        **comparison.model_dump(mode="json"),
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def comparison_context(comparison: Comparison, today: dt.date | None = None) -> dict[str, Any]:
    """What the compare templates may show, as plain data (templates never receive the models themselves)."""
    return {
        **comparison.model_dump(mode="json"),
        "comparison_format_version": COMPARISON_FORMAT_VERSION,
        "tool_version": __version__,
        "generated": (today or dt.date.today()).isoformat(),
        "rag_words": RAG_WORDS,
        "severity_words": SEVERITY_WORDS,
    }


def _num(value: float | None) -> str:
    return format_number(value, 2)


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    text = _num(value)
    return f" ({'+' if value > 0 and text != '0' else ''}{text})"


def _level(level: int | None, name: str | None) -> str:
    return "none" if level is None else f"{level} {name}" if name else str(level)


def _who(side: Side) -> str:
    d = side.details  # typed by users: on one line, whatever they typed
    return one_line(f"{d.organisation}, {d.service}") + (f" ({d.date.isoformat()})" if d.date else "")


def _verdict_words(outcome: str, label: str, rag: Rag | None) -> str:
    return f"{label} ({rag})" if rag else label if outcome != "not_assessed" else "not assessed"


_VERDICT_DIRECTION_WORDS = {
    "better": "better",
    "worse": "worse",
    "same": "no change",
    "not_comparable": "cannot be ranked (not assessed on one side)",
}


def terminal_lines(comparison: Comparison) -> list[str]:
    """Plain lines for a terminal: the verdict change first, then overall, stages, pain points, the rest."""
    c, v = comparison, comparison.verdict
    lines = [f"Comparing {_who(c.old)}", f"     with {_who(c.new)}", ""]
    words = _VERDICT_DIRECTION_WORDS[v.direction]
    if v.direction == "same" and v.changed:
        words = "changed, same RAG"
    lines.append(
        f"Verdict: {_verdict_words(v.old_outcome, v.old_label, v.old_rag)} -> "
        f"{_verdict_words(v.new_outcome, v.new_label, v.new_rag)}: {words}"
    )
    o = c.overall
    lines.append(
        f"Overall: level {_level(o.old_level, o.old_level_name)} -> level "
        f"{_level(o.new_level, o.new_level_name)}, score {_num(o.old_score)} -> {_num(o.new_score)}"
        f"{_signed(o.score_delta)}: {o.direction}"
    )
    lines += ["", "Stages:"]
    rows = [
        [
            s.title,
            f"level {'-' if s.old_level is None else s.old_level} -> {'-' if s.new_level is None else s.new_level}",
            f"score {_num(s.old_score)} -> {_num(s.new_score)}{_signed(s.score_delta)}",
            f"{s.old_rag or '-'} -> {s.new_rag or '-'}",
            s.direction,
        ]
        for s in c.stages
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    for row in rows:
        lines.append("  " + "  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]]))
    lines.append("")
    for heading, pains in (
        ("Pain points resolved", c.pain_points_resolved),
        ("New pain points", c.pain_points_new),
        ("Pain points still present", c.pain_points_still),
    ):
        lines.append(f"{heading}: {len(pains)}" + ("" if pains else " (none)"))
        lines += [f"  - {p.title} [{p.id}, {p.severity}]" for p in pains]
    if c.indicators:
        lines += ["", f"Indicators changed: {len(c.indicators)}"]
        lines += [
            f"  {i.title} [{i.id}]: {i.old_rating or '-'}{' (unknown)' if i.old_unknown else ''} -> "
            f"{i.new_rating or '-'}{' (unknown)' if i.new_unknown else ''}: {i.direction}"
            for i in c.indicators
        ]
    lines += ["", f"Answers changed: {len(c.answers)}"]
    lines += [f"  {a.question}: {a.old_words} -> {a.new_words}" for a in c.answers]
    if c.target is not None:
        lines += ["", *target_lines(c.target)]
    return lines


def target_lines(t: TargetGap) -> Iterator[str]:
    yield f"Against the target ({t.details.organisation}, {t.details.service}): " + ("met" if t.met else "not yet met")
    yield (
        f"  verdict: {_verdict_words(t.verdict_outcome, t.verdict_label, t.verdict_rag)}, target "
        f"{_verdict_words(t.target_outcome, t.target_label, t.target_rag)}: " + ("met" if t.verdict_met else "short")
    )
    for g in (t.overall, *t.stages):
        name = "overall" if g.id == "overall" else g.title
        status = "met" if g.met else f"{g.levels_short} level{'s' if g.levels_short != 1 else ''} short"
        yield (
            f"  {name}: level {g.level if g.level is not None else 'none'}, target "
            f"{g.target_level if g.target_level is not None else 'none'}: {status}"
        )
    if t.pain_points_to_resolve:
        yield f"  pain points to resolve: {', '.join(p.id for p in t.pain_points_to_resolve)}"
