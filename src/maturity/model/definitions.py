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

from maturity.model.vocabulary import Method, PainPointSeverity, Rag

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

    equals: Scalar | None = Field(None, description="True when the subject equals this value.")
    not_equals: Scalar | None = Field(
        None, description="True when the subject is answered and differs from this value."
    )
    in_: list[Scalar] | None = Field(None, alias="in", description="True when the subject is one of these values.")
    not_in: list[Scalar] | None = Field(None, description="True when the subject is answered and none of these values.")
    includes: Id | None = Field(None, description="A multiple-choice answer includes this option.")
    at_least: float | None = Field(
        None, description="True when the subject is at least this number (a level, score, number or count)."
    )
    at_most: float | None = Field(None, description="True when the subject is at most this number.")
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
    tag: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")] = Field(
        description="The short tag questions cite it by, in sources."
    )
    title: ShortText = Field(description="The source's title.")
    url: Url | None = Field(None, description="Where the source can be found: a web address (http or https).")
    note: Text | None = Field(None, description="A note about the source.")


class Level(Strict):
    """One step of a maturity scale, described by what you would observe there."""

    level: int = Field(ge=0, le=100, description="The level's number (usually 1 to 5).")
    label: ShortText = Field(description="The level's short name, shown as the answer.")
    description: Text | None = Field(None, description="What you would observe at this level.")


class Option(Strict):
    id: Id = Field(description="The option's id, as answers and conditions name it.")
    label: ShortText = Field(description="The option's words, as the person answering sees them.")
    description: Text | None = Field(None, description="More about the option, shown with it.")


class AnswerSet(Strict):
    """A scale or option list shared by many questions (for example one answer set for a whole model)."""

    id: Id = Field(description="The id questions use to share this answer set (answer_set: ID).")
    kind: Literal["scale", "single", "multiple"] = Field(description="scale (levels), single or multiple (options).")
    levels: list[Level] | None = Field(None, description="For kind scale: each level and what you would observe.")
    options: list[Option] | None = Field(None, description="For kinds single and multiple: the options.")


class Question(Strict):
    id: Id = Field(
        description=("The question's id, unique in the questionnaire; answers, conditions and rules name it.")
    )
    text: Text = Field(description="The question as asked.")
    kind: QuestionKind = Field(description="scale, single, multiple, yes_no, number or text.")
    help: Text | None = Field(None, description="What good evidence looks like; shown on request.")
    levels: list[Level] | None = Field(None, description="For kind scale: each level and what you would observe.")
    options: list[Option] | None = Field(None, description="For kinds single and multiple.")
    answer_set: Id | None = Field(None, description="Use a shared answer set instead of levels or options.")
    minimum: float | None = Field(None, description="For kind number: the smallest allowed answer.")
    maximum: float | None = Field(None, description="For kind number: the largest allowed answer.")
    integer: bool = Field(False, description="For kind number: only whole numbers.")
    unit: ShortText | None = Field(None, description="For kind number: the unit shown after the answer.")
    max_length: int | None = Field(None, gt=0, le=100_000, description="For kind text.")
    sources: list[ShortText] = Field(default_factory=list, description="Reference tags, optionally with detail.")
    weight: PositiveWeight = Field(1.0, description="The question's weight in a weighted roll-up.")
    when: Condition | None = Field(None, description="Ask the question only when this is true.")
    allow_dont_know: bool = Field(True, description='Whether "don\'t know" may be answered.')
    allow_not_applicable: bool = Field(False, description='Whether "not applicable" may be answered.')

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
    id: Id = Field(description=("The group's id, unique in the questionnaire; roll-ups and conditions can name it."))
    title: ShortText = Field(description="The group's title, shown in the interview and the report.")
    intro: Text | None = Field(None, description="Shown before the group's first question.")
    questions: list[Question] = Field(min_length=1, description="The questions in the group.")


class Stage(Strict):
    id: Id = Field(description=("The stage's id, unique in the questionnaire; roll-ups and conditions can name it."))
    title: ShortText = Field(description="The stage's title.")
    intro: Text | None = Field(None, description="Shown before the stage's first question.")
    questions: list[Question] | None = Field(None, description="The stage's questions (or give groups instead).")
    groups: list[Group] | None = Field(None, description="Groups of questions (or give questions instead).")

    @model_validator(mode="after")
    def _questions_or_groups(self) -> Stage:
        if (self.questions is None) == (self.groups is None):
            raise ValueError("a stage holds either questions or groups (of questions), not both and not neither")
        if not (self.questions or self.groups):
            raise ValueError("a stage needs at least one question")
        return self


class Change(Strict):
    """One change since the previous version, and how an old answer carries over."""

    change: Literal["added", "removed", "renamed", "reworded", "rescaled", "split", "merged"] = Field(
        description="What changed: added, removed, renamed, reworded, rescaled, split or merged."
    )
    from_: list[Id] = Field(default_factory=list, alias="from", description="Question ids in the previous version.")
    to: list[Id] = Field(default_factory=list, description="Question ids in this version.")
    map: dict[str, Scalar] | None = Field(None, description="Old answer (level or option id) -> new answer.")
    combine: Literal["lowest", "highest", "first"] | None = Field(
        None, description="For merged questions: which of the old answers carries over."
    )
    review: bool = Field(False, description="The answer carries over but should be looked at afresh.")
    note: Text | None = Field(None, description="Why it changed, for whoever carries answers over.")


class Migration(Strict):
    """How answers to a previous version of this questionnaire carry over to this one."""

    from_: SemVer = Field(alias="from", description="The previous version.")
    summary: Text | None = Field(None, description="What changed in this version, in a sentence or two.")
    changes: list[Change] = Field(default_factory=list, description="Questions not listed carry over unchanged.")


class Placed(NamedTuple):
    """A question and where it sits: its path in the file, its stage (None for context) and its group."""

    question: Question
    loc: tuple[str | int, ...]
    stage: str | None
    group: str | None


class Questionnaire(Strict):
    kind: Literal["questionnaire"] = Field(description="Always questionnaire.")
    id: Id = Field(description="The questionnaire's id; answers files and rules name it.")
    version: SemVer = Field(description="Its semantic version (1.0.0); answers files name the version they answer.")
    title: ShortText = Field(description="The title, shown in the interview and on the report.")
    description: Text | None = Field(None, description="What the questionnaire is for.")
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = Field(
        "en-GB", description="The language of its text, such as en-GB."
    )
    references: list[Reference] = Field(default_factory=list, description="The sources questions cite by tag.")
    answer_sets: list[AnswerSet] = Field(
        default_factory=list, description="Scales and option lists shared by many questions."
    )
    context: list[Question] = Field(default_factory=list, description="Asked first; describes the assessment.")
    stages: list[Stage] = Field(min_length=1, description="The stages, in the order they are asked.")
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

    def situation_question(self) -> Question | None:
        """The context question that says what kind of assessment this is (first-time, re-tender, live...): the one
        with the id `situation`, else the first context question. A portfolio is split by its answer."""
        return next((q for q in self.context if q.id == "situation"), self.context[0] if self.context else None)

    def answer_label(self, question: Question, value: Any) -> str:
        """An answer as its level's or options' labels (several joined with '; '), else the value as written."""
        if question.kind == "scale":
            return next((lv.label for lv in self.levels_of(question) if lv.level == value), str(value))
        if question.kind in ("single", "multiple"):
            labels = {o.id: o.label for o in self.options_of(question)}
            chosen = value if isinstance(value, list) else [value]
            return "; ".join(labels.get(str(v), str(v)) for v in chosen)
        if question.kind == "yes_no" and isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

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
    id: Id = Field(description="The questionnaire's id.")
    version: SemVer = Field(description="The questionnaire's version.")
    digest: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")] | None = Field(
        None, description="sha256 of the questionnaire file, to notice when it changed since."
    )


Treatment = Union[Points, Literal["exclude"]]


class PointBand(Strict):
    at_least: float | None = Field(
        None, description="The band starts at this answer (inclusive); omit for no lower bound."
    )
    below: float | None = Field(None, description="The band ends below this answer; omit for no upper bound.")
    points: Points = Field(description="Points for an answer in the band.")


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
    answer_sets: dict[Id, dict[str, Points]] = Field(
        default_factory=dict, description="Answer set id -> points per option or level, for every question using it."
    )
    questions: dict[Id, QuestionPoints] = Field(
        default_factory=dict, description="Question id -> how its answer becomes points."
    )


class Cap(Strict):
    """The level is at most the lowest of something plus `plus`: an average cannot hide a critical weakness."""

    lowest: Literal["critical_questions", "questions", "children"] = Field(
        description=("What the cap looks at: the critical questions, all questions, or the node's children.")
    )
    plus: float = Field(0, ge=0, le=ARITHMETIC_LIMIT, description="How far above the lowest of those the level may go.")


class NodeRule(Strict):
    method: Method = Field("mean", description="How children's scores combine: mean, sum, min, max or weighted.")
    weights: dict[Id, PositiveWeight] | None = Field(
        None, description="For method weighted: child id -> weight (children not named weigh 1)."
    )
    caps: list[Cap] = Field(
        default_factory=list, description="Limits on the level, so that an average cannot hide a critical weakness."
    )


class Node(NodeRule):
    id: Id = Field(description=("The node's id: a new node, or the id of a group or stage whose roll-up it overrides."))
    title: ShortText | None = Field(None, description="The node's title, shown in the report.")
    of: list[Id] = Field(min_length=1, description="Questions, groups, stages or other nodes rolled up here.")
    reported: bool = Field(
        False,
        description="Report this node's score and level like a stage's (for example a model's business functions "
        "above its practices): shown in reports, tables, summaries and comparisons.",
    )


class Rollup(Strict):
    group: NodeRule = Field(NodeRule(), description="How a group's questions roll up by default.")
    stage: NodeRule = Field(NodeRule(), description="How a stage's questions or groups roll up by default.")
    overall: NodeRule = Field(NodeRule(), description="How the stages roll up into the overall score by default.")
    nodes: list[Node] = Field(
        default_factory=list, description="Extra roll-up nodes, or overrides for groups and stages by id."
    )
    cap_gaps: Literal["lowest", "ignore"] = Field(
        "lowest",
        description="How a cap on questions treats one that was asked but has no points (unanswered, or "
        "don't know when the rules exclude it): as the lowest level, so that leaving a critical question blank "
        "cannot lift a level; or ignore it.",
    )


class Band(Strict):
    """A range of scores: `from` inclusive, `to` exclusive, except the last band which includes `to`."""

    from_: float = Field(alias="from", description="Where the band starts (inclusive).")
    to: float = Field(description="Where the band ends (exclusive, except in the last band).")


class LevelBand(Band):
    level: int = Field(ge=0, le=100, description="The maturity level this band gives.")
    name: ShortText = Field(description="The level's name (for example Defined).")
    description: Text | None = Field(None, description="What this level means, shown in the report.")


class RagBand(Band):
    rag: Rag = Field(description="The RAG rating this band gives.")


class PainPointCount(Strict):
    severity: PainPointSeverity = Field(description="Count pain points of this severity.")
    at_least: int = Field(ge=1, description="How many must have fired.")


class CriticalCount(Strict):
    at_most: FiniteNumber = Field(
        description="A critical answer worth at most this many points (a gap counts as lowest)."
    )
    at_least: int = Field(1, ge=1, description="How many of the stage's own critical questions.")


class RagOverride(Strict):
    """Make a stage's RAG no better than `at_most` when enough of its pain points fired, or when enough of its own
    critical questions are answered at or below a level."""

    pain_points: PainPointCount | None = Field(
        None, description="How many pain points of which severity make the override apply."
    )
    critical: CriticalCount | None = Field(
        None, description="How many critical questions at which level make the override apply."
    )
    at_most: Rag = Field(description="The best RAG the stage may then have.")
    reason: ShortText | None = Field(None, description="Why, shown in the explanation.")

    @model_validator(mode="after")
    def _one_trigger(self) -> RagOverride:
        if (self.pain_points is None) == (self.critical is None):
            raise ValueError("a RAG override needs either pain_points or critical, not both")
        return self


class RagRules(Strict):
    bands: list[RagBand] = Field(min_length=1, description="Score ranges and the RAG rating each gives.")
    overrides: list[RagOverride] = Field(
        default_factory=list, description="Make a stage's RAG no better than a rating when its pain points fire."
    )


class PainPoint(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^pp-[a-z0-9][a-z0-9-]{0,78}$")] = Field(
        description="The pain point's id: pp- then lower-case letters, digits and dashes."
    )
    title: ShortText = Field(description="A short title, shown in the report.")
    severity: PainPointSeverity = Field(description="high, medium or low: orders the report and feeds RAG overrides.")
    stage: Id | None = Field(None, description="The stage it belongs to, for ordering and RAG overrides.")
    role: Literal["cause", "symptom"] = Field(
        "cause", description="A root cause to fix, or a symptom of one; reports group causes apart from symptoms."
    )
    when: Condition = Field(description="The condition under which it fires.")
    why: Text = Field(description="Why it matters, for the reader of the report.")
    action: Text = Field(description="What to do about it.")
    sources: list[ShortText] = Field(default_factory=list, description="Reference tags, optionally with detail.")


class Contradiction(Strict):
    """Answers that cannot both be true (for example, causes "fixed and proven" while performance is failing)."""

    id: Annotated[str, StringConstraints(pattern=r"^c-[a-z0-9][a-z0-9-]{0,78}$")] = Field(
        description="The contradiction's id: c- then lower-case letters, digits and dashes."
    )
    title: ShortText = Field(description="A short title, shown in the report.")
    when: Condition = Field(description="The condition under which the answers contradict each other.")
    why: Text = Field(description="Why the answers cannot both be true, and what to check.")


class RatingRule(Strict):
    rating: Rag = Field(description="The rating given when the condition holds.")
    when: Condition = Field(description="The condition.")


class Indicator(Strict):
    id: Id = Field(description="The indicator's id; conditions and vetoes name it.")
    title: ShortText = Field(description="The indicator's title, shown in the report.")
    tier: Id = Field(description="Its tier (one of verdict.tiers), which gives its weight in the verdict.")
    questions: list[Id] = Field(min_length=1, description="The questions it is rated from.")
    applies_when: Condition | None = Field(
        None,
        description="Rate it only when this holds (for example only for a re-tender); otherwise it is left out of the "
        "verdict: not rated, no points, not counted.",
    )
    rate: list[RatingRule] = Field(min_length=1, description="First matching rule wins.")
    otherwise: Rag = Field("red", description="The rating when no rate rule matches.")
    unknown: Literal["any", "all"] = Field(
        "any", description="Unknown when any (or all) of its questions is don't know or unanswered."
    )
    unknown_rating: Rag = Field("red", description="The rating when its questions are unknown (see unknown).")
    evidence: Text | None = Field(None, description="What evidence would move it to green.")
    green_needs_evidence: bool = Field(
        False,
        description="Green only on evidence: a green rating is lowered to amber unless every answered question of "
        "the indicator cites at least one evidence reference (an assertion alone is not proof).",
    )
    sources: list[ShortText] = Field(default_factory=list, description="Reference tags, optionally with detail.")


class Veto(Strict):
    """A floor under the verdict: when `when` holds, the verdict is at least as bad as `outcome`."""

    when: Condition = Field(description="The condition that forces the outcome.")
    outcome: Id = Field(description="The outcome it forces.")
    reason: ShortText = Field(description="Why, in the report.")
    pain_points: list[Id] = Field(
        default_factory=list,
        description="The pain points behind this veto: when it decides the verdict, the report lists them first.",
    )


class AdviceVariant(Strict):
    """Wording for one situation: the first variant whose condition holds replaces the outcome's own."""

    when: Condition = Field(description="The situation this wording is for.")
    summary: Text | None = Field(None, description="The outcome's summary in this situation.")
    advice: Text | None = Field(None, description="The outcome's advice in this situation.")
    open_items_title: ShortText | None = Field(None, description="The heading of the open items in this situation.")


class Outcome(Strict):
    id: Id = Field(description="The outcome's id (for example clear, at-risk, problem).")
    label: ShortText = Field(description="The outcome's words in the report.")
    rag: Rag = Field(description="The outcome's RAG rating.")
    when: Condition | None = Field(None, description="Omit on the last outcome, which applies otherwise.")
    reason: ShortText | None = Field(
        None, description="Why this outcome, in words a board can read, when its own condition decides the verdict."
    )
    summary: Text | None = Field(None, description="A sentence that explains the outcome to a board.")
    advice: Text | None = Field(None, description="What to do about it.")
    advice_when: list[AdviceVariant] = Field(
        default_factory=list,
        description="Situation-specific wording: the first variant whose condition holds replaces summary and advice.",
    )


class LowConfidence(Strict):
    unknown_more_than: int = Field(
        ge=0, description="Flag the verdict as low confidence when more indicators than this are unknown."
    )
    contradictions: bool = Field(False, description="Also low confidence when any contradiction holds.")
    message: ShortText = Field(
        "Low confidence: too many indicators rest on missing evidence.", description="The flag's words in the report."
    )


DEFAULT_RATINGS: dict[Rag, float] = {"green": 0.0, "amber": 1.0, "red": 2.0}


class Verdict(Strict):
    title: ShortText = Field("Outsourcing a problem", description="The verdict's title on the report.")
    applies_when: Condition | None = Field(
        None, description=("Assess the verdict only when this holds (for example for a first-time outsourcing).")
    )
    ratings: dict[Rag, Points] = Field(
        default_factory=lambda: DEFAULT_RATINGS.copy(), description="Points for each rating (green, amber, red)."
    )
    tiers: dict[Id, PositiveWeight] = Field(
        min_length=1, description="Tier id -> weight (for example core: 3, minor: 1)."
    )
    indicators: list[Indicator] = Field(min_length=1, description="The indicators the verdict is rated from.")
    vetoes: list[Veto] = Field(
        default_factory=list, description="Conditions that force an outcome, whatever the points."
    )
    outcomes: list[Outcome] = Field(min_length=1, description="Worst first; the first whose condition holds.")
    low_confidence: LowConfidence | None = Field(
        None, description="When to flag the verdict as resting on too little evidence."
    )
    open_items_title: ShortText = Field(
        "Open items", description="The heading of the list of red and amber indicators and high pain points."
    )


class Rules(Strict):
    kind: Literal["scoring_rules"] = Field(description="Always scoring_rules.")
    id: Id = Field(description="The rules' id; rule cases name it.")
    version: SemVer = Field(description="The rules' semantic version.")
    title: ShortText = Field(description="The rules' title.")
    description: Text | None = Field(None, description="What the rules are for.")
    questionnaire: QuestionnaireRef = Field(description="The questionnaire (id and version) these rules score.")
    references: list[Reference] = Field(
        default_factory=list, description="The sources pain points and indicators cite by tag."
    )
    points: PointsRules = Field(PointsRules(), description="How answers become points.")
    critical_questions: list[Id] = Field(
        default_factory=list,
        description="Questions whose weakness caps a stage (see caps: lowest: critical_questions).",
    )
    rollup: Rollup = Field(Rollup(), description="How points roll up: question, group, stage, overall.")
    levels: list[LevelBand] = Field(min_length=1, description="The maturity level bands, lowest first.")
    rag: RagRules | None = Field(None, description="The red, amber and green bands and overrides.")
    pain_points: list[PainPoint] = Field(
        default_factory=list, description="The pain points: a condition, a severity, why it matters and what to do."
    )
    contradictions: list[Contradiction] = Field(
        default_factory=list, description="Answers that contradict each other; each that holds is reported."
    )
    verdict: Verdict | None = Field(
        None, description="The 'outsourcing a problem' verdict: indicators, vetoes and outcomes."
    )


# ------------------------------------------------------------------------------------------------------ answers

AnswerValue = Union[bool, int, float, str, list[str]]


class Answer(Strict):
    value: AnswerValue | None = Field(
        None,
        description=(
            "The answer: a level number for a scale, an option id (or a list of them for "
            "multiple choice), yes or no, a number, or text."
        ),
    )
    status: Literal["dont_know", "not_applicable", "skipped"] | None = Field(
        None, description=("Instead of a value: dont_know, not_applicable (where the question allows it) or skipped.")
    )
    note: Text | None = Field(None, description="A note on the answer, shown in the report's appendix.")
    evidence: list[ShortText] = Field(
        default_factory=list, description="References to the evidence behind the answer (documents, links)."
    )
    answered_at: dt.datetime | None = Field(None, description="When the answer was given (date and time).")
    answered_by: ShortText | None = Field(None, description="Who gave the answer.")

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

    respondent: ShortText = Field(description="Who gave this answer.")
    value: AnswerValue | None = Field(None, description="What they answered.")
    status: Literal["dont_know", "not_applicable"] | None = Field(
        None, description="Instead of a value: dont_know or not_applicable."
    )
    note: Text | None = Field(None, description="Their note on the answer.")


class Disagreement(Strict):
    """A question the respondents answered differently enough to discuss: more than one level apart, different
    choices, or a don't know (or not applicable) beside an answer."""

    question: Id = Field(description="The question they disagreed on.")
    answers: list[RespondentAnswer] = Field(min_length=2, description="Who said what.")
    combined: AnswerValue | None = Field(None, description="The combined answer; none when it was left open.")
    reason: ShortText = Field(description="Why this counts as a disagreement, and how it was combined.")


class Respondent(Strict):
    name: ShortText = Field(description="The respondent's name.")
    file: ShortText | None = Field(None, description="The respondent's own answers file.")
    date: dt.date | None = Field(None, description="When they answered (YYYY-MM-DD).")
    parts: list[Id] = Field(default_factory=list, description="The stages or questions they were asked.")


class Combined(Strict):
    """Answers combined from several respondents (`maturity merge`): who, how, and where they disagreed."""

    policy: Literal["lowest", "median", "open"] = Field(
        description="How differing answers were combined: the lowest, the median (the lower of the middle two), "
        "or disagreements left open for discussion."
    )
    respondents: list[Respondent] = Field(
        min_length=2, description="Who answered, each with their own file, date and the parts they were asked."
    )
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="The questions the respondents answered differently enough to discuss."
    )


class AssessmentDetails(Strict):
    """Who answered, for which organisation and service, and when; who the report is for and its marking."""

    organisation: ShortText = Field(description="The organisation assessed.")
    service: ShortText = Field(description="The service or contract assessed.")
    assessor: ShortText | None = Field(None, description="Who carried out the assessment.")
    date: dt.date | None = Field(None, description="The date of the assessment (YYYY-MM-DD).")
    notes: Text | None = Field(None, description="Anything the reader of the report should know about the assessment.")
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
    kind: Literal["answers"] = Field(description="Always answers.")
    questionnaire: QuestionnaireRef = Field(
        description="The questionnaire (id and version) these answers were given against."
    )
    assessment: AssessmentDetails = Field(description="Who answered, for which organisation and service, and when.")
    answers: dict[Id, Answer] = Field(
        default_factory=dict,
        description=(
            "Question id -> answer: the value alone (STR-1: 3) or a mapping with value or status, note and evidence."
        ),
    )

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
    low_confidence: bool | None = Field(None, description="Whether the verdict must be flagged as low confidence.")
    levels: dict[Id, int | None] = Field(default_factory=dict, description="Node id (stage, overall...) -> level.")
    scores: dict[Id, FiniteNumber | None] = Field(
        default_factory=dict, description="Node id -> score, compared to 3 decimal places (null: no score)."
    )
    rag: dict[Id, Rag] = Field(default_factory=dict, description="Node id -> the RAG rating it must have.")
    indicators: dict[Id, Rag | Literal["not_applicable"]] = Field(
        default_factory=dict,
        description="Indicator id -> its rating, or not_applicable when its applies_when is false.",
    )
    pain_points: list[Id] = Field(default_factory=list, description="These must all fire.")
    not_pain_points: list[Id] = Field(default_factory=list, description="These must not fire.")
    top_pain_points: list[Id] = Field(default_factory=list, description="The first ones in report order.")


class RuleCase(Strict):
    name: ShortText = Field(description="What the case shows, in a few words.")
    answers: ShortText = Field(description="An answers file, relative to the cases file.")
    expect: Expectation = Field(description="What the answers must give; only what is written is checked.")
    note: Text | None = Field(None, description="Why the case exists.")


class RuleCases(Strict):
    kind: Literal["rule_cases"] = Field(description="Always rule_cases.")
    rules: Id = Field(description="The id of the scoring rules these cases test.")
    cases: list[RuleCase] = Field(min_length=1, description="The cases.")


Condition.model_rebuild()

MODELS: dict[str, type[Strict]] = {
    "questionnaire": Questionnaire,
    "scoring_rules": Rules,
    "answers": AnswersFile,
    "rule_cases": RuleCases,
}
