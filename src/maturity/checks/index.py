"""One index of a questionnaire: every question, stage and group by id, with where it was written.

Checks, scoring and the interview all read the questionnaire through it, so the tree is walked in one way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from maturity.model.definitions import Question, Questionnaire
from maturity.model.document import Loc


@dataclass
class QuestionInfo:
    question: Question
    loc: tuple[str | int, ...]
    order: int
    stage: str | None  # None for context questions
    group: str | None
    levels: list[int] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    allow_dont_know: bool = True
    allow_not_applicable: bool = False
    # the levels a scale answer may take, for a quick membership test (empty for every other kind)
    level_set: frozenset[int] = frozenset()
    # an answer may give a level's or an option's label instead of its number or id: casefolded label -> value
    labels: dict[str, int | str] = field(default_factory=dict)


@dataclass
class Index:
    """Everything a questionnaire defines, by id, with where it was written."""

    questions: dict[str, QuestionInfo] = field(default_factory=dict)
    stages: dict[str, tuple[Loc, list[str]]] = field(default_factory=dict)  # id -> (loc, child ids)
    groups: dict[str, tuple[Loc, list[str]]] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    _lower: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def by_lower_case(self) -> dict[str, str]:
        """Question ids by their lower-case form (the first of each), to suggest the id an answer meant."""
        if self._lower is None:
            self._lower = {}
            for qid in self.questions:
                self._lower.setdefault(qid.lower(), qid)
        return self._lower


def index_questionnaire(questionnaire: Questionnaire) -> Index:
    """Collect ids without judging them; duplicates keep their first definition."""
    index = Index(tags={r.tag for r in questionnaire.references})
    for placed in questionnaire.placed_questions():
        question = placed.question
        if question.id in index.questions:
            continue
        info = QuestionInfo(
            question,
            placed.loc,
            len(index.questions),
            placed.stage,
            placed.group,
            allow_dont_know=question.allow_dont_know,
            allow_not_applicable=question.allow_not_applicable,
        )
        if question.kind == "scale":
            levels = questionnaire.levels_of(question)
            info.levels = [lv.level for lv in levels]
            info.level_set = frozenset(info.levels)
            info.labels = {lv.label.casefold(): lv.level for lv in levels}
        elif question.kind in ("single", "multiple"):
            options = questionnaire.options_of(question)
            info.options = [o.id for o in options]
            info.labels = {o.label.casefold(): o.id for o in options}
        index.questions[question.id] = info
    for s, stage in enumerate(questionnaire.stages):
        if stage.groups is not None:
            for g, group in enumerate(stage.groups):
                index.groups.setdefault(group.id, (("stages", s, "groups", g), [q.id for q in group.questions]))
            children = [group.id for group in stage.groups]
        else:
            children = [question.id for question in stage.questions or []]
        index.stages.setdefault(stage.id, (("stages", s), children))
    return index


def all_questions(q: Questionnaire) -> Iterator[tuple[str, QuestionInfo]]:
    """Every question with its location, duplicates included (index_questionnaire keeps only the first)."""
    for order, placed in enumerate(q.placed_questions()):
        yield placed.question.id, QuestionInfo(placed.question, placed.loc, order, placed.stage, placed.group)
