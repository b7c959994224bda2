"""The three definition formats (questionnaire, scoring rules, answers) as pydantic models.

Unknown keys are forbidden everywhere so that a typo is an error, not a silently ignored setting. Cross-file
meaning (does this condition name a real question?) is checked in `checks`, not here: these models only say
what shape a file has, so that they can also be published as JSON Schema for editors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal, NamedTuple, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from maturity.model.vocabulary import Method, Rag, Severity

# Ids start with a letter or a digit (a model keyed by GUIDs has ids such as 3f2b...; quote them in YAML)
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
SemVer = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# Numbers that scoring adds and multiplies (points, weights, ratings) are kept within a billion either way, so no
# sum of them over any questionnaire can overflow to infinity; every other number only has to be finite, which
# every model here requires of every number (`allow_inf_nan=False`: .nan and .inf are refused where written).
ARITHMETIC_LIMIT = 1e9
Points = Annotated[float, Field(ge=-ARITHMETIC_LIMIT, le=ARITHMETIC_LIMIT)]
PositiveWeight = Annotated[float, Field(gt=0, le=ARITHMETIC_LIMIT)]
FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]
# A web address: http or https, a host, then no white space (of any script), no quote or angle bracket that would
# end an attribute or a Markdown link, and no control or bidirectional formatting character.
_URL_FORBIDDEN = r"\s\x00-\x1F\x7F-\x9F\u200E\u200F\u202A-\u202E\u2066-\u2069" + "\"'<>\\\\^`{|}"
URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@{_URL_FORBIDDEN}]+(?:[/?#][^{_URL_FORBIDDEN}]*)?$"
Url = Annotated[str, StringConstraints(max_length=2000, pattern=URL_PATTERN)]

QuestionKind = Literal["scale", "single", "multiple", "yes_no", "number", "text"]


Scalar = Union[bool, int, float, str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------------------- conditions


class Condition(Strict):
    """A declarative test. Exactly one subject (or one of all/any/not), and for a subject its comparisons.

    Subjects: `question` (an answer), `score` / `level` (a roll-up node, a stage, a group or `overall`; `score:
    verdict` is the verdict's weighted indicator points), `indicator` (a verdict indicator's rating), `count`
    (how many verdict indicators have a rating) and `pain_point` (whether it fired).
    """

    all: list[Condition] | None = Field(None, description="True when every condition in the list is true.")
    any: list[Condition] | None = Field(None, description="True when at least one condition is true.")
    not_: Condition | None = Field(None, alias="not", description="True when the condition is false.")

    question: Id | None = Field(None, description="Test the answer to this question.")
    score: Id | None = Field(None, description="Test the score of a stage, group, roll-up node or 'overall'.")
    level: Id | None = Field(None, description="Test the maturity level of a stage, group, node or 'overall'.")
    indicator: Id | None = Field(None, description="Test the rating (red, amber, green) of a verdict indicator.")
    count: IndicatorCount | None = Field(None, description="Count verdict indicators with a rating.")
    pain_point: Id | None = Field(None, description="True when this pain point fired (use with `is: fired`).")

    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in")
    not_in: list[Scalar] | None = None
    includes: Id | None = Field(None, description="A multiple-choice answer includes this option.")
    at_least: float | None = None
    at_most: float | None = None
    is_: (
        Literal["answered", "unanswered", "dont_know", "not_applicable", "known", "gap", "evidenced", "fired"] | None
    ) = Field(
        None,
        alias="is",
        description="Test the state of an answer: known is answered or not applicable, gap is asked but not "
        "answered (don't know or unanswered), evidenced is answered with at least one evidence reference; for an "
        "indicator, gap is rated from missing answers and known is rated from answers; `fired` for a pain point.",
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Condition:
        logic = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        subjects = [
            k
            for k in ("question", "score", "level", "indicator", "count", "pain_point")
            if getattr(self, k) is not None
        ]
        tests = [
            k
            for k in ("equals", "not_equals", "in_", "not_in", "includes", "at_least", "at_most", "is_")
            if getattr(self, k) is not None
        ]
        names = {"not_": "not", "in_": "in", "is_": "is"}
        if len(logic) + len(subjects) != 1:
            found = ", ".join(names.get(k, k) for k in logic + subjects) or "none"
            raise ValueError(
                "a condition needs exactly one of all, any, not, question, score, level, indicator, count or "
                f"pain_point (found: {found})"
            )
        if logic and tests:
            raise ValueError(f"'{names.get(tests[0], tests[0])}' cannot sit beside '{names.get(logic[0], logic[0])}'")
        if subjects:
            if not tests:
                raise ValueError(f"say what to test about '{subjects[0]}': equals, in, at_least, at_most, is, ...")
            ranged = {"at_least", "at_most"}
            if len(tests) > 1 and set(tests) != ranged:
                raise ValueError(
                    "use one comparison per condition (at_least with at_most is the one exception); "
                    "combine several with all or any"
                )
        return self

    def subject(self) -> tuple[str, str] | None:
        for key in ("question", "score", "level", "indicator", "pain_point"):
            value = getattr(self, key)
            if value is not None:
                return key, value
        return None


class IndicatorCount(Strict):
    rated: Rag = Field(description="Count indicators with this rating.")
    tier: Id | None = Field(None, description="Only count indicators of this tier (for example core).")


# ------------------------------------------------------------------------------------------------ questionnaire


class Reference(Strict):
    tag: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
    title: ShortText
    url: Url | None = Field(None, description="A web address (http or https).")
    note: Text | None = None


class Level(Strict):
    """One step of a maturity scale, described by what you would observe there."""

    level: int = Field(ge=0, le=100)
    label: ShortText
    description: Text | None = None


class Option(Strict):
    id: Id
    label: ShortText
    description: Text | None = None


class AnswerSet(Strict):
    """A scale or option list shared by many questions (for example one answer set for a whole model)."""

    id: Id
    kind: Literal["scale", "single", "multiple"]
    levels: list[Level] | None = None
    options: list[Option] | None = None


class Question(Strict):
    id: Id
    text: Text
    kind: QuestionKind
    help: Text | None = Field(None, description="What good evidence looks like; shown on request.")
    levels: list[Level] | None = Field(None, description="For kind scale: each level and what you would observe.")
    options: list[Option] | None = Field(None, description="For kinds single and multiple.")
    answer_set: Id | None = Field(None, description="Use a shared answer set instead of levels or options.")
    minimum: float | None = Field(None, description="For kind number: the smallest allowed answer.")
    maximum: float | None = Field(None, description="For kind number: the largest allowed answer.")
    integer: bool = Field(False, description="For kind number: only whole numbers.")
    unit: ShortText | None = None
    max_length: int | None = Field(None, gt=0, le=100_000, description="For kind text.")
    sources: list[ShortText] = Field(default_factory=list, description="Reference tags, optionally with detail.")
    weight: PositiveWeight = 1.0
    when: Condition | None = Field(None, description="Ask the question only when this is true.")
    allow_dont_know: bool = True
    allow_not_applicable: bool = False

    @model_validator(mode="after")
    def _fits_kind(self) -> Question:
        given = {k for k in ("levels", "options", "answer_set") if getattr(self, k) is not None}
        if self.kind == "scale" and given not in ({"levels"}, {"answer_set"}):
            raise ValueError("a scale question needs either levels or answer_set")
        if self.kind in ("single", "multiple") and given not in ({"options"}, {"answer_set"}):
            raise ValueError(f"a {self.kind} question needs either options or answer_set")
        if self.kind in ("yes_no", "number", "text") and given:
            raise ValueError(f"a {self.kind} question takes no levels, options or answer_set")
        numeric = any(getattr(self, k) not in (None, False) for k in ("minimum", "maximum", "integer", "unit"))
        if numeric and self.kind != "number":
            raise ValueError("minimum, maximum, integer and unit are for number questions only")
        if self.max_length is not None and self.kind != "text":
            raise ValueError("max_length is for text questions only")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        return self


class Group(Strict):
    id: Id
    title: ShortText
    intro: Text | None = None
    questions: list[Question] = Field(min_length=1)


class Stage(Strict):
    id: Id
    title: ShortText
    intro: Text | None = Field(None, description="Shown before the stage's first question.")
    questions: list[Question] | None = None
    groups: list[Group] | None = None

    @model_validator(mode="after")
    def _questions_or_groups(self) -> Stage:
        if (self.questions is None) == (self.groups is None):
            raise ValueError("a stage holds either questions or groups (of questions), not both and not neither")
        if not (self.questions or self.groups):
            raise ValueError("a stage needs at least one question")
        return self


class Change(Strict):
    """One change since the previous version, and how an old answer carries over."""

    change: Literal["added", "removed", "renamed", "reworded", "rescaled", "split", "merged"]
    from_: list[Id] = Field(default_factory=list, alias="from", description="Question ids in the previous version.")
    to: list[Id] = Field(default_factory=list, description="Question ids in this version.")
    map: dict[str, Scalar] | None = Field(None, description="Old answer (level or option id) -> new answer.")
    combine: Literal["lowest", "highest", "first"] | None = Field(
        None, description="For merged questions: which of the old answers carries over."
    )
    review: bool = Field(False, description="The answer carries over but should be looked at afresh.")
    note: Text | None = None


class Migration(Strict):
    """How answers to a previous version of this questionnaire carry over to this one."""

    from_: SemVer = Field(alias="from", description="The previous version.")
    summary: Text | None = None
    changes: list[Change] = Field(default_factory=list, description="Questions not listed carry over unchanged.")


class Placed(NamedTuple):
    """A question and where it sits: its path in the file, its stage (None for context) and its group."""

    question: Question
    loc: tuple[str | int, ...]
    stage: str | None
    group: str | None


class Questionnaire(Strict):
    kind: Literal["questionnaire"]
    id: Id
    version: SemVer
    title: ShortText
    description: Text | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-GB"
    references: list[Reference] = Field(default_factory=list)
    answer_sets: list[AnswerSet] = Field(default_factory=list)
    context: list[Question] = Field(default_factory=list, description="Asked first; describes the assessment.")
    stages: list[Stage] = Field(min_length=1)
    migrations: list[Migration] = Field(
        default_factory=list, description="How answers to earlier versions carry over (see `maturity migrate`)."
    )

    def questions(self) -> list[Question]:
        """Every question in the order it is asked: context first, then stage by stage."""
        return [placed.question for placed in self.placed_questions()]

    def placed_questions(self) -> Iterator[Placed]:
        """Every question where it is written, in the order it is asked (duplicate ids included): the one walk of
        the questionnaire's tree that the checks, the scoring plan and the interview all build on."""
        for i, question in enumerate(self.context):
            yield Placed(question, ("context", i), None, None)
        for s, stage in enumerate(self.stages):
            if stage.groups is not None:
                for g, group in enumerate(stage.groups):
                    for k, question in enumerate(group.questions):
                        yield Placed(question, ("stages", s, "groups", g, "questions", k), stage.id, group.id)
            else:
                for k, question in enumerate(stage.questions or []):
                    yield Placed(question, ("stages", s, "questions", k), stage.id, None)

    def levels_of(self, question: Question) -> list[Level]:
        """A scale question's levels, its own or its answer set's."""
        if question.levels is not None:
            return list(question.levels)
        shared = next((a for a in self.answer_sets if a.id == question.answer_set), None)
        return list(shared.levels or []) if shared else []

    def options_of(self, question: Question) -> list[Option]:
        """A choice question's options, its own or its answer set's."""
        if question.options is not None:
            return list(question.options)
        shared = next((a for a in self.answer_sets if a.id == question.answer_set), None)
        return list(shared.options or []) if shared else []


# ------------------------------------------------------------------------------------------------ scoring rules


class QuestionnaireRef(Strict):
    id: Id
    version: SemVer
    digest: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None


Treatment = Union[Points, Literal["exclude"]]


class PointBand(Strict):
    at_least: float | None = None
    below: float | None = None
    points: Points


class QuestionPoints(Strict):
    """How one question's answer becomes points. Scale answers are worth their level unless mapped."""

    map: dict[str, Points] | None = Field(None, description="Points per option id (or per level, or yes/no).")
    bands: list[PointBand] | None = Field(None, description="For number questions: points by range.")
    combine: Literal["sum", "max", "mean"] = Field("sum", description="For multiple choice: how to combine.")

    @model_validator(mode="after")
    def _one_way(self) -> QuestionPoints:
        if (self.map is None) == (self.bands is None):
            raise ValueError("give either map or bands")
        return self


class PointsRules(Strict):
    dont_know: Treatment = Field(1.0, description="Points for 'don't know', or exclude.")
    not_applicable: Treatment = Field(
        "exclude",
        description="Points for 'not applicable', or exclude (left out of every mean, the default). Some published "
        "models count it as a number (for example 0).",
    )
    unanswered: Treatment = Field("exclude", description="Points for a question asked but not answered.")
    answer_sets: dict[Id, dict[str, Points]] = Field(default_factory=dict)
    questions: dict[Id, QuestionPoints] = Field(default_factory=dict)


class Cap(Strict):
    """The level is at most the lowest of something plus `plus`: an average cannot hide a critical weakness."""

    lowest: Literal["critical_questions", "questions", "children"]
    plus: float = Field(0, ge=0, le=ARITHMETIC_LIMIT)


class NodeRule(Strict):
    method: Method = "mean"
    weights: dict[Id, PositiveWeight] | None = None
    caps: list[Cap] = Field(default_factory=list)


class Node(NodeRule):
    id: Id
    title: ShortText | None = None
    of: list[Id] = Field(min_length=1, description="Questions, groups, stages or other nodes rolled up here.")
    reported: bool = Field(
        False,
        description="Report this node's score and level like a stage's (for example a model's business functions "
        "above its practices): shown in reports, tables, summaries and comparisons.",
    )


class Rollup(Strict):
    group: NodeRule = NodeRule()
    stage: NodeRule = NodeRule()
    overall: NodeRule = NodeRule()
    nodes: list[Node] = Field(default_factory=list)
    cap_gaps: Literal["lowest", "ignore"] = Field(
        "lowest",
        description="How a cap on questions treats one that was asked but has no points (unanswered, or "
        "don't know when the rules exclude it): as the lowest level, so that leaving a critical question blank "
        "cannot lift a level; or ignore it.",
    )


class Band(Strict):
    """A range of scores: `from` inclusive, `to` exclusive, except the last band which includes `to`."""

    from_: float = Field(alias="from")
    to: float


class LevelBand(Band):
    level: int = Field(ge=0, le=100)
    name: ShortText
    description: Text | None = None


class RagBand(Band):
    rag: Rag


class PainPointCount(Strict):
    severity: Severity
    at_least: int = Field(ge=1)


class CriticalCount(Strict):
    at_most: FiniteNumber = Field(
        description="A critical answer worth at most this many points (a gap counts as lowest)."
    )
    at_least: int = Field(1, ge=1, description="How many of the stage's own critical questions.")


class RagOverride(Strict):
    """Make a stage's RAG no better than `at_most` when enough of its pain points fired, or when enough of its own
    critical questions are answered at or below a level."""

    pain_points: PainPointCount | None = None
    critical: CriticalCount | None = None
    at_most: Rag
    reason: ShortText | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> RagOverride:
        if (self.pain_points is None) == (self.critical is None):
            raise ValueError("a RAG override needs either pain_points or critical, not both")
        return self


class RagRules(Strict):
    bands: list[RagBand] = Field(min_length=1)
    overrides: list[RagOverride] = Field(default_factory=list)


class PainPoint(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^pp-[a-z0-9][a-z0-9-]{0,78}$")]
    title: ShortText
    severity: Severity
    stage: Id | None = Field(None, description="The stage it belongs to, for ordering and RAG overrides.")
    role: Literal["cause", "symptom"] = Field(
        "cause", description="A root cause to fix, or a symptom of one; reports group causes apart from symptoms."
    )
    when: Condition
    why: Text
    action: Text
    sources: list[ShortText] = Field(default_factory=list)


class Contradiction(Strict):
    """Answers that cannot both be true (for example, causes "fixed and proven" while performance is failing)."""

    id: Annotated[str, StringConstraints(pattern=r"^c-[a-z0-9][a-z0-9-]{0,78}$")]
    title: ShortText
    when: Condition
    why: Text


class RatingRule(Strict):
    rating: Rag
    when: Condition


class Indicator(Strict):
    id: Id
    title: ShortText
    tier: Id
    questions: list[Id] = Field(min_length=1, description="The questions it is rated from.")
    applies_when: Condition | None = Field(
        None,
        description="Rate it only when this holds (for example only for a re-tender); otherwise it is left out of the "
        "verdict: not rated, no points, not counted.",
    )
    rate: list[RatingRule] = Field(min_length=1, description="First matching rule wins.")
    otherwise: Rag = "red"
    unknown: Literal["any", "all"] = Field(
        "any", description="Unknown when any (or all) of its questions is don't know or unanswered."
    )
    unknown_rating: Rag = "red"
    evidence: Text | None = Field(None, description="What evidence would move it to green.")
    green_needs_evidence: bool = Field(
        False,
        description="Green only on evidence: a green rating is lowered to amber unless every answered question of "
        "the indicator cites at least one evidence reference (an assertion alone is not proof).",
    )
    sources: list[ShortText] = Field(default_factory=list)


class Veto(Strict):
    """A floor under the verdict: when `when` holds, the verdict is at least as bad as `outcome`."""

    when: Condition
    outcome: Id
    reason: ShortText
    pain_points: list[Id] = Field(
        default_factory=list,
        description="The pain points behind this veto: when it decides the verdict, the report lists them first.",
    )


class AdviceVariant(Strict):
    """Wording for one situation: the first variant whose condition holds replaces the outcome's own."""

    when: Condition
    summary: Text | None = None
    advice: Text | None = None
    open_items_title: ShortText | None = None


class Outcome(Strict):
    id: Id
    label: ShortText
    rag: Rag
    when: Condition | None = Field(None, description="Omit on the last outcome, which applies otherwise.")
    reason: ShortText | None = Field(
        None, description="Why this outcome, in words a board can read, when its own condition decides the verdict."
    )
    summary: Text | None = None
    advice: Text | None = None
    advice_when: list[AdviceVariant] = Field(
        default_factory=list,
        description="Situation-specific wording: the first variant whose condition holds replaces summary and advice.",
    )


class LowConfidence(Strict):
    unknown_more_than: int = Field(ge=0)
    contradictions: bool = Field(False, description="Also low confidence when any contradiction holds.")
    message: ShortText = "Low confidence: too many indicators rest on missing evidence."


DEFAULT_RATINGS: dict[Rag, float] = {"green": 0.0, "amber": 1.0, "red": 2.0}


class Verdict(Strict):
    title: ShortText = "Outsourcing a problem"
    applies_when: Condition | None = None
    ratings: dict[Rag, Points] = Field(default_factory=lambda: DEFAULT_RATINGS.copy())
    tiers: dict[Id, PositiveWeight] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    vetoes: list[Veto] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1, description="Worst first; the first whose condition holds.")
    low_confidence: LowConfidence | None = None
    open_items_title: ShortText = Field(
        "Open items", description="The heading of the list of red and amber indicators and high pain points."
    )


class Rules(Strict):
    kind: Literal["scoring_rules"]
    id: Id
    version: SemVer
    title: ShortText
    description: Text | None = None
    questionnaire: QuestionnaireRef
    references: list[Reference] = Field(default_factory=list)
    points: PointsRules = PointsRules()
    critical_questions: list[Id] = Field(default_factory=list)
    rollup: Rollup = Rollup()
    levels: list[LevelBand] = Field(min_length=1)
    rag: RagRules | None = None
    pain_points: list[PainPoint] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(
        default_factory=list, description="Answers that contradict each other; each that holds is reported."
    )
    verdict: Verdict | None = None


# ------------------------------------------------------------------------------------------------------ answers

AnswerValue = Union[bool, int, float, str, list[str]]


class Answer(Strict):
    value: AnswerValue | None = None
    status: Literal["dont_know", "not_applicable", "skipped"] | None = None
    note: Text | None = None
    evidence: list[ShortText] = Field(default_factory=list)
    answered_at: dt.datetime | None = None
    answered_by: ShortText | None = None

    def problem(self) -> str | None:
        """An answer holds a value or a status, not both and not neither (checked with the answers, see checks)."""
        if self.status is not None and self.value is not None:
            return f"an answer has either a value or status '{self.status}', not both"
        if self.status is None and self.value is None:
            return "give a value, or a status (dont_know, not_applicable or skipped)"
        return None


class Prefilled(Strict):
    """An assessment that started from an earlier one (`maturity assess --prefill`): where its answers came from,
    and which of them were confirmed, changed, or left as they were (not yet gone through)."""

    source: ShortText = Field(description="The earlier answers file.")
    date: dt.date | None = Field(None, description="The date of the earlier assessment.")
    confirmed: list[Id] = Field(default_factory=list, description="Earlier answers confirmed as they were.")
    changed: list[Id] = Field(default_factory=list, description="Earlier answers changed.")
    left: list[Id] = Field(
        default_factory=list, description="Earlier answers carried over and not yet confirmed or changed."
    )


class RespondentAnswer(Strict):
    """What one respondent said to a question, in a combined file's list of disagreements."""

    respondent: ShortText
    value: AnswerValue | None = None
    status: Literal["dont_know", "not_applicable"] | None = None
    note: Text | None = None


class Disagreement(Strict):
    """A question the respondents answered differently enough to discuss: more than one level apart, different
    choices, or a don't know (or not applicable) beside an answer."""

    question: Id
    answers: list[RespondentAnswer] = Field(min_length=2, description="Who said what.")
    combined: AnswerValue | None = Field(None, description="The combined answer; none when it was left open.")
    reason: ShortText = Field(description="Why this counts as a disagreement, and how it was combined.")


class Respondent(Strict):
    name: ShortText
    file: ShortText | None = Field(None, description="The respondent's own answers file.")
    date: dt.date | None = None
    parts: list[Id] = Field(default_factory=list, description="The stages or questions they were asked.")


class Combined(Strict):
    """Answers combined from several respondents (`maturity merge`): who, how, and where they disagreed."""

    policy: Literal["lowest", "median", "open"] = Field(
        description="How differing answers were combined: the lowest, the median (the lower of the middle two), "
        "or disagreements left open for discussion."
    )
    respondents: list[Respondent] = Field(min_length=2)
    disagreements: list[Disagreement] = Field(default_factory=list)


class AssessmentDetails(Strict):
    """Who answered, for which organisation and service, and when; who the report is for and its marking."""

    organisation: ShortText
    service: ShortText
    assessor: ShortText | None = None
    date: dt.date | None = None
    notes: Text | None = None
    prepared_for: ShortText | None = Field(
        None, description="Who the report is for, e.g. 'Cabinet, 12 March 2026' or 'Trust board'."
    )
    marking: ShortText | None = Field(
        None,
        description="The protective marking printed on every page of the report, e.g. OFFICIAL or "
        "OFFICIAL-SENSITIVE (OFFICIAL when not given).",
    )
    parts: list[Id] = Field(
        default_factory=list,
        description="Only these stages or questions were asked (`maturity assess --stages`); empty: all of them.",
    )
    prefilled: Prefilled | None = Field(None, description="The earlier assessment this one started from.")
    combined: Combined | None = Field(None, description="How several respondents' answers were combined.")

    @model_serializer(mode="wrap")
    def _leave_out_unused(self, handler: SerializerFunctionWrapHandler) -> Any:
        # one respondent answering everything afresh (the usual file) is written and reported as it always was
        data = handler(self)
        if isinstance(data, dict):
            for key in ("parts", "prefilled", "combined"):
                if key in data and not data[key]:
                    del data[key]
        return data


class AnswersFile(Strict):
    kind: Literal["answers"]
    questionnaire: QuestionnaireRef
    assessment: AssessmentDetails
    answers: dict[Id, Answer] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        # `STR-1: 3` is shorthand for `STR-1: {value: 3}`. Done once per file rather than once per answer: batch
        # scoring validates thousands of files.
        answers = data.get("answers") if isinstance(data, dict) else None
        if isinstance(answers, dict) and not all(isinstance(v, (dict, Answer)) for v in answers.values()):
            data = {
                **data,
                "answers": {k: v if isinstance(v, (dict, Answer)) else _short_answer(v) for k, v in answers.items()},
            }
        return data


# Short-form answers are few distinct values (levels, option ids, yes and no) repeated across thousands of files.
# An Answer is frozen, so one validated instance per value is shared instead of validating a new one each time.
_SHORT_ANSWERS: dict[tuple[type, Any], Answer] = {}
_SHORT_ANSWERS_LIMIT = 4096
_SHAREABLE = frozenset({bool, int, str})


def _short_answer(value: Any) -> Answer | dict[str, Any]:
    cls = value.__class__
    if cls not in _SHAREABLE or (cls is str and len(value) > 100):
        return {"value": value}  # validated as written, so a problem is still reported where it is
    key = (cls, value)
    found = _SHORT_ANSWERS.get(key)
    if found is None:
        found = Answer(value=value)
        if len(_SHORT_ANSWERS) < _SHORT_ANSWERS_LIMIT:
            _SHORT_ANSWERS[key] = found
    return found


# --------------------------------------------------------------------------------------------------- rule cases


class Expectation(Strict):
    """What a rules author expects for one answers file. Only what is given is checked."""

    verdict: Id | None = Field(None, description="The verdict outcome id, or 'not_assessed'.")
    low_confidence: bool | None = None
    levels: dict[Id, int | None] = Field(default_factory=dict, description="Node id (stage, overall...) -> level.")
    scores: dict[Id, FiniteNumber | None] = Field(
        default_factory=dict, description="Node id -> score, compared to 3 decimal places (null: no score)."
    )
    rag: dict[Id, Rag] = Field(default_factory=dict)
    indicators: dict[Id, Rag] = Field(default_factory=dict)
    pain_points: list[Id] = Field(default_factory=list, description="These must all fire.")
    not_pain_points: list[Id] = Field(default_factory=list, description="These must not fire.")
    top_pain_points: list[Id] = Field(default_factory=list, description="The first ones in report order.")


class RuleCase(Strict):
    name: ShortText
    answers: ShortText = Field(description="An answers file, relative to the cases file.")
    expect: Expectation
    note: Text | None = None


class RuleCases(Strict):
    kind: Literal["rule_cases"]
    rules: Id = Field(description="The id of the scoring rules these cases test.")
    cases: list[RuleCase] = Field(min_length=1)


Condition.model_rebuild()

MODELS: dict[str, type[Strict]] = {
    "questionnaire": Questionnaire,
    "scoring_rules": Rules,
    "answers": AnswersFile,
    "rule_cases": RuleCases,
}
