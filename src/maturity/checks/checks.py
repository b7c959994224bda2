"""Checks that need more than one part of a definition, or more than one file: references, kinds, cycles, bands.

Every check reports and carries on, so one run lists every problem. Each function takes `Loaded` definitions
(model plus the document it came from) and returns problems; nothing here raises or prints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from maturity.model.definitions import AnswersFile, Band, Condition, Question, Questionnaire, Rules
from maturity.model.document import Loaded, Loc
from maturity.model.problems import MAX_PROBLEMS_PER_FILE, Problem
from maturity.model.vocabulary import OVERALL, RAG_ORDER, VERDICT_POINTS, YES_NO


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

    def container_of(self, node_id: str) -> list[str] | None:
        if node_id in self.stages:
            return self.stages[node_id][1]
        if node_id in self.groups:
            return self.groups[node_id][1]
        return None


def index_questionnaire(questionnaire: Questionnaire) -> Index:
    """Collect ids without judging them; duplicates keep their first definition."""
    index = Index(tags={r.tag for r in questionnaire.references})

    def add(question: Question, loc: tuple[str | int, ...], stage: str | None, group: str | None) -> None:
        if question.id in index.questions:
            return
        info = QuestionInfo(
            question,
            loc,
            len(index.questions),
            stage,
            group,
            allow_dont_know=question.allow_dont_know,
            allow_not_applicable=question.allow_not_applicable,
        )
        if question.kind == "scale":
            info.levels = [lv.level for lv in questionnaire.levels_of(question)]
            info.level_set = frozenset(info.levels)
        elif question.kind in ("single", "multiple"):
            info.options = [o.id for o in questionnaire.options_of(question)]
        index.questions[question.id] = info

    for i, question in enumerate(questionnaire.context):
        add(question, ("context", i), None, None)
    for s, stage in enumerate(questionnaire.stages):
        children: list[str] = []
        if stage.groups is not None:
            for g, group in enumerate(stage.groups):
                children.append(group.id)
                ids = [q.id for q in group.questions]
                index.groups.setdefault(group.id, (("stages", s, "groups", g), ids))
                for k, question in enumerate(group.questions):
                    add(question, ("stages", s, "groups", g, "questions", k), stage.id, group.id)
        else:
            for k, question in enumerate(stage.questions or []):
                children.append(question.id)
                add(question, ("stages", s, "questions", k), stage.id, None)
        index.stages.setdefault(stage.id, (("stages", s), children))
    return index


# ---------------------------------------------------------------------------------------------- conditions


@dataclass
class ConditionScope:
    """What a condition in one place may refer to."""

    index: Index
    subjects: frozenset[str]
    where: str  # for messages: "a question's condition", "a pain point"
    nodes: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    tiers: set[str] = field(default_factory=set)
    pain_points: list[str] = field(default_factory=list)  # those that may be referred to (defined earlier)


def iter_conditions(condition: Condition, loc: Loc) -> Iterator[tuple[Condition, tuple[str | int, ...]]]:
    """Every leaf test in a condition, with its path."""
    base = tuple(loc)
    if condition.all is not None or condition.any is not None:
        key = "all" if condition.all is not None else "any"
        for i, child in enumerate(condition.all if condition.all is not None else condition.any or []):
            yield from iter_conditions(child, (*base, key, i))
    elif condition.not_ is not None:
        yield from iter_conditions(condition.not_, (*base, "not"))
    else:
        yield condition, base


def question_refs(condition: Condition | None) -> list[str]:
    if condition is None:
        return []
    return [c.question for c, _ in iter_conditions(condition, ()) if c.question is not None]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_condition(
    condition: Condition, loc: Loc, scope: ConditionScope, emit: Callable[[str, str, Loc], None]
) -> None:
    for leaf, where in iter_conditions(condition, loc):
        subject = leaf.subject()
        kind = subject[0] if subject else "count"
        if kind not in scope.subjects:
            allowed = ", ".join(sorted(scope.subjects))
            emit("MQ211", f"{scope.where} cannot test '{kind}'; it can test: {allowed}", (*where, kind))
            continue
        if leaf.question is not None:
            _check_answer_test(leaf, where, scope, emit)
        elif leaf.score is not None or leaf.level is not None:
            target = leaf.score if leaf.score is not None else leaf.level
            assert target is not None
            key = "score" if leaf.score is not None else "level"
            known = (
                target in scope.nodes
                or target == OVERALL
                or (key == "score" and target == VERDICT_POINTS and "indicator" in scope.subjects)
            )
            if not known:
                emit("MQ303", f"'{target}' is not a stage, group, roll-up node or 'overall'", (*where, key))
            _check_numeric_only(leaf, where, f"a {key}", emit)
        elif leaf.indicator is not None:
            if leaf.indicator not in scope.indicators:
                emit("MQ309", f"'{leaf.indicator}' is not a verdict indicator", (*where, "indicator"))
            for value in _compared_values(leaf):
                if value not in RAG_ORDER:
                    emit("MQ204", f"an indicator is rated red, amber or green, not {value!r}", (*where, "equals"))
            if leaf.at_least is not None or leaf.at_most is not None or leaf.includes is not None:
                emit("MQ204", "compare an indicator with equals or in (red, amber, green)", where)
        elif leaf.count is not None:
            if leaf.count.tier is not None and leaf.count.tier not in scope.tiers:
                emit("MQ309", f"'{leaf.count.tier}' is not a verdict tier", (*where, "count", "tier"))
            _check_numeric_only(leaf, where, "a count", emit)
        elif leaf.pain_point is not None:
            if leaf.pain_point not in scope.pain_points:
                emit(
                    "MQ309", f"'{leaf.pain_point}' is not a pain point defined before this one", (*where, "pain_point")
                )
            if leaf.is_ != "fired":
                emit("MQ204", "test a pain point with 'is: fired'", where)
        if leaf.at_least is not None and leaf.at_most is not None and leaf.at_least > leaf.at_most:
            emit("MQ205", f"at_least {leaf.at_least} is above at_most {leaf.at_most}: this can never be true", where)


def _compared_values(leaf: Condition) -> list[Any]:
    values: list[Any] = []
    for single in (leaf.equals, leaf.not_equals):
        if single is not None:
            values.append(single)
    for many in (leaf.in_, leaf.not_in):
        if many is not None:
            values.extend(many)
    return values


def _check_numeric_only(leaf: Condition, where: Loc, what: str, emit: Callable[[str, str, Loc], None]) -> None:
    if leaf.is_ is not None or leaf.includes is not None:
        emit("MQ204", f"{what} is a number: compare it with at_least, at_most, equals or in", where)
    for value in _compared_values(leaf):
        if not _number(value):
            emit("MQ204", f"{what} is a number, but it is compared with {value!r}", where)


def _check_answer_test(
    leaf: Condition, where: Loc, scope: ConditionScope, emit: Callable[[str, str, Loc], None]
) -> None:
    qid = leaf.question
    assert qid is not None
    info = scope.index.questions.get(qid)
    if info is None:
        emit("MQ202", f"there is no question '{qid}'", (*where, "question"))
        return
    kind = info.question.kind
    values = _compared_values(leaf)
    ranged = leaf.at_least is not None or leaf.at_most is not None
    if leaf.is_ == "dont_know" and not info.allow_dont_know:
        emit("MQ205", f"question '{qid}' does not allow 'don't know', so this can never be true", (*where, "is"))
    if leaf.is_ == "not_applicable" and not info.allow_not_applicable:
        emit("MQ205", f"question '{qid}' does not allow 'not applicable', so this can never be true", (*where, "is"))
    if leaf.is_ == "fired":
        emit(
            "MQ204",
            "'is: fired' is for pain points; for an answer use answered, unanswered, dont_know, "
            "not_applicable, known or gap",
            (*where, "is"),
        )
    if leaf.includes is not None:
        if kind != "multiple":
            emit(
                "MQ204",
                f"'includes' is for multiple-choice questions; '{qid}' is a {kind} question",
                (*where, "includes"),
            )
        elif leaf.includes not in info.options:
            emit("MQ203", f"question '{qid}' has no option '{leaf.includes}'", (*where, "includes"))
    if kind == "scale":
        for value in values:
            if not isinstance(value, int) or isinstance(value, bool):
                emit("MQ204", f"question '{qid}' is answered with a level number, not {value!r}", where)
            elif value not in info.levels:
                emit("MQ203", f"question '{qid}' has no level {value} (levels: {info.levels})", where)
        if info.levels and leaf.at_least is not None and leaf.at_least > max(info.levels):
            emit(
                "MQ205",
                f"question '{qid}' goes up to level {max(info.levels)}, so at_least {leaf.at_least} can never be true",
                (*where, "at_least"),
            )
        if info.levels and leaf.at_most is not None and leaf.at_most < min(info.levels):
            emit(
                "MQ205",
                f"question '{qid}' starts at level {min(info.levels)}, so at_most {leaf.at_most} can never be true",
                (*where, "at_most"),
            )
    elif kind in ("single", "multiple"):
        if ranged:
            emit("MQ204", f"question '{qid}' has options, not numbers: use equals, in or includes", where)
        if kind == "multiple" and values:
            emit("MQ204", f"question '{qid}' is multiple choice: test it with 'includes'", where)
        for value in values:
            if not isinstance(value, str):
                emit("MQ204", f"question '{qid}' is answered with an option id, not {value!r}", where)
            elif value not in info.options:
                hint = f" (options: {', '.join(info.options)})" if len(info.options) <= 12 else ""
                emit("MQ203", f"question '{qid}' has no option '{value}'{hint}", where)
    elif kind == "yes_no":
        if ranged:
            emit("MQ204", f"question '{qid}' is yes or no: use equals", where)
        for value in values:
            if not isinstance(value, bool) and str(value).lower() not in YES_NO:
                emit("MQ204", f"question '{qid}' is answered yes or no, not {value!r}", where)
    elif kind == "number":
        for value in values:
            if not _number(value):
                emit("MQ204", f"question '{qid}' is answered with a number, not {value!r}", where)
        q = info.question
        if q.maximum is not None and leaf.at_least is not None and leaf.at_least > q.maximum:
            emit(
                "MQ205",
                f"answers to '{qid}' are at most {q.maximum}, so at_least {leaf.at_least} can never be true",
                (*where, "at_least"),
            )
        if q.minimum is not None and leaf.at_most is not None and leaf.at_most < q.minimum:
            emit(
                "MQ205",
                f"answers to '{qid}' are at least {q.minimum}, so at_most {leaf.at_most} can never be true",
                (*where, "at_most"),
            )
    elif kind == "text":
        if ranged:
            emit("MQ204", f"question '{qid}' is answered with text, not a number", where)
        for value in values:
            if not isinstance(value, str):
                emit("MQ204", f"question '{qid}' is answered with text, not {value!r}", where)


# ------------------------------------------------------------------------------------------- questionnaire


def _duplicates(items: list[tuple[str, Loc]], what: str, emit: Callable[[str, str, Loc], None]) -> None:
    first: dict[str, Loc] = {}
    for item_id, loc in items:
        if item_id in first:
            emit("MQ201", f"{what} id '{item_id}' is used twice (first at {_loc_words(first[item_id])})", loc)
        else:
            first[item_id] = loc


def _loc_words(loc: Loc) -> str:
    from maturity.model.document import render_loc

    return render_loc(loc)


def check_questionnaire(loaded: Loaded[Questionnaire]) -> list[Problem]:
    q = loaded.model
    problems: list[Problem] = []

    def emit(code: str, message: str, loc: Loc) -> None:
        problems.append(loaded.problem(code, message, loc))

    index = index_questionnaire(q)

    # ids: one namespace for questions, groups and stages, because roll-ups and conditions name them alike
    named: list[tuple[str, Loc]] = []
    for s, stage in enumerate(q.stages):
        named.append((stage.id, ("stages", s, "id")))
        for g, group in enumerate(stage.groups or []):
            named.append((group.id, ("stages", s, "groups", g, "id")))
    named.extend((qid, (*info.loc, "id")) for qid, info in _all_questions(q))
    _duplicates(named, "question, group or stage", emit)
    for item_id, loc in named:
        if item_id in (OVERALL, VERDICT_POINTS):
            emit("MQ201", f"'{item_id}' is reserved for the roll-up; choose another id", loc)
    _duplicates([(r.tag, ("references", i, "tag")) for i, r in enumerate(q.references)], "reference", emit)
    _duplicates([(a.id, ("answer_sets", i, "id")) for i, a in enumerate(q.answer_sets)], "answer set", emit)

    sets = {a.id: a for a in q.answer_sets}
    for i, answer_set in enumerate(q.answer_sets):
        loc = ("answer_sets", i)
        if answer_set.kind == "scale" and (answer_set.levels is None or answer_set.options is not None):
            emit("MQ210", f"answer set '{answer_set.id}' is a scale: give it levels (not options)", loc)
        if answer_set.kind != "scale" and (answer_set.options is None or answer_set.levels is not None):
            emit("MQ210", f"answer set '{answer_set.id}' is {answer_set.kind} choice: give it options", loc)
        _check_choices(answer_set.levels, answer_set.options, loc, emit)

    for qid, info in _all_questions(q):
        question = info.question
        if question.answer_set is not None:
            used = sets.get(question.answer_set)
            if used is None:
                emit("MQ209", f"there is no answer set '{question.answer_set}'", (*info.loc, "answer_set"))
            elif used.kind != question.kind:
                emit(
                    "MQ210",
                    f"answer set '{used.id}' is for {used.kind} questions, but '{qid}' is a {question.kind} question",
                    (*info.loc, "answer_set"),
                )
        _check_choices(question.levels, question.options, info.loc, emit)
        for k, source in enumerate(question.sources):
            tag = source.split()[0]
            if tag not in index.tags:
                emit("MQ208", f"source '{tag}' is not in the questionnaire's references", (*info.loc, "sources", k))

    scope = ConditionScope(index, frozenset({"question"}), "a question's condition")
    graph: dict[str, list[str]] = {}
    for qid, info in _all_questions(q):
        condition = info.question.when
        if condition is None:
            continue
        check_condition(condition, (*info.loc, "when"), scope, emit)
        graph[qid] = [r for r in question_refs(condition) if r in index.questions]
    on_cycle = _cycle_members(graph)
    for qid, refs in graph.items():
        info = index.questions[qid]
        for ref in refs:
            if qid in on_cycle and ref in on_cycle:
                emit(
                    "MQ206",
                    f"the condition of '{qid}' depends on '{ref}', which depends back on '{qid}'"
                    if ref != qid
                    else f"the condition of '{qid}' depends on its own answer",
                    (*info.loc, "when"),
                )
                break
            if index.questions[ref].order > info.order:
                emit(
                    "MQ207",
                    f"the condition of '{qid}' uses '{ref}', which is asked later; move it earlier or "
                    "change the condition",
                    (*info.loc, "when"),
                )
    return problems


def _all_questions(q: Questionnaire) -> Iterator[tuple[str, QuestionInfo]]:
    """Every question with its location, duplicates included (index_questionnaire keeps only the first)."""
    order = 0
    for i, question in enumerate(q.context):
        yield question.id, QuestionInfo(question, ("context", i), order, None, None)
        order += 1
    for s, stage in enumerate(q.stages):
        if stage.groups is not None:
            for g, group in enumerate(stage.groups):
                for k, question in enumerate(group.questions):
                    yield (
                        question.id,
                        QuestionInfo(question, ("stages", s, "groups", g, "questions", k), order, stage.id, group.id),
                    )
                    order += 1
        else:
            for k, question in enumerate(stage.questions or []):
                yield question.id, QuestionInfo(question, ("stages", s, "questions", k), order, stage.id, None)
                order += 1


def _check_choices(levels: Any, options: Any, loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    if levels is not None:
        numbers = [lv.level for lv in levels]
        _duplicates([(str(n), (*loc, "levels", i, "level")) for i, n in enumerate(numbers)], "level", emit)
        if len(numbers) < 2:
            emit("MQ210", "a scale needs at least two levels", (*loc, "levels"))
        elif numbers != sorted(numbers):
            emit("MQ210", f"levels must go up in order (found {numbers})", (*loc, "levels"))
    if options is not None:
        _duplicates([(o.id, (*loc, "options", i, "id")) for i, o in enumerate(options)], "option", emit)
        if len(options) < 2:
            emit("MQ210", "a choice needs at least two options", (*loc, "options"))


def _cycle_members(graph: dict[str, list[str]]) -> set[str]:
    """Nodes on some cycle of a directed graph (iterative Tarjan, so deep chains cannot overflow the stack)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    members: set[str] = set()
    counter = 0
    for root in graph:
        if root in index_of:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index_of[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index_of:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            if low[node] == index_of[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in graph.get(node, []):
                    members.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return members


# --------------------------------------------------------------------------------------------------- rules


def rollup_children(questionnaire: Questionnaire, rules: Rules, index: Index | None = None) -> dict[str, list[str]]:
    """The effective roll-up: node id -> child ids, defaults first, then the rules' own nodes on top."""
    index = index or index_questionnaire(questionnaire)
    tree: dict[str, list[str]] = {OVERALL: [s.id for s in questionnaire.stages]}
    for stage_id, (_, children) in index.stages.items():
        tree[stage_id] = list(children)
    for group_id, (_, children) in index.groups.items():
        tree[group_id] = list(children)
    for node in rules.rollup.nodes:
        tree[node.id] = list(node.of)
    return tree


def check_rules(loaded: Loaded[Rules], questionnaire: Loaded[Questionnaire] | None) -> list[Problem]:
    rules = loaded.model
    problems: list[Problem] = []

    def emit(code: str, message: str, loc: Loc) -> None:
        problems.append(loaded.problem(code, message, loc))

    for band_loc, bands in (("levels", rules.levels), (("rag", "bands"), rules.rag.bands if rules.rag else [])):
        _check_bands(bands, band_loc if isinstance(band_loc, tuple) else (band_loc,), emit)
    _duplicates([(str(b.level), ("levels", i, "level")) for i, b in enumerate(rules.levels)], "level", emit)
    if [b.level for b in rules.levels] != sorted(b.level for b in rules.levels):
        emit("MQ307", "level numbers must go up with the score", ("levels",))
    _duplicates([(p.id, ("pain_points", i, "id")) for i, p in enumerate(rules.pain_points)], "pain point", emit)
    _duplicates([(n.id, ("rollup", "nodes", i, "id")) for i, n in enumerate(rules.rollup.nodes)], "node", emit)
    if questionnaire is None:
        return problems

    q = questionnaire.model
    if rules.questionnaire.id != q.id:
        emit(
            "MQ301",
            f"these rules are for questionnaire '{rules.questionnaire.id}', not '{q.id}'",
            ("questionnaire", "id"),
        )
        return problems
    if rules.questionnaire.version != q.version:
        emit(
            "MQ302",
            f"these rules are for version {rules.questionnaire.version} of '{q.id}', but the "
            f"questionnaire is version {q.version}",
            ("questionnaire", "version"),
        )
    index = index_questionnaire(q)
    tags = index.tags | {r.tag for r in rules.references}
    tree = rollup_children(q, rules, index)
    nodes = set(tree) - {OVERALL}

    # points
    for set_id, mapping in rules.points.answer_sets.items():
        answer_set = next((a for a in q.answer_sets if a.id == set_id), None)
        if answer_set is None:
            emit("MQ209", f"there is no answer set '{set_id}' in the questionnaire", ("points", "answer_sets", set_id))
            continue
        keys = [str(lv.level) for lv in answer_set.levels or []] + [o.id for o in answer_set.options or []]
        for key in mapping:
            if key not in keys:
                emit(
                    "MQ310",
                    f"answer set '{set_id}' has no option or level '{key}'",
                    ("points", "answer_sets", set_id, key),
                )
    for qid, points in rules.points.questions.items():
        loc: tuple[str | int, ...] = ("points", "questions", qid)
        info = index.questions.get(qid)
        if info is None:
            emit("MQ202", f"there is no question '{qid}'", loc)
            continue
        kind = info.question.kind
        if kind == "text":
            emit("MQ310", f"'{qid}' is a text question: text answers have no points", loc)
        elif points.bands is not None and kind != "number":
            emit("MQ310", f"bands are for number questions; '{qid}' is a {kind} question: use map", loc)
        elif points.map is not None:
            allowed = (
                [str(n) for n in info.levels]
                if kind == "scale"
                else info.options
                if kind != "yes_no"
                else ["yes", "no"]
            )
            if kind == "number":
                emit("MQ310", f"'{qid}' is a number question: give its points as bands", loc)
            for key in points.map:
                if kind != "number" and key not in allowed:
                    emit("MQ310", f"question '{qid}' has no option or level '{key}'", (*loc, "map", key))
    for i, qid in enumerate(rules.critical_questions):
        if qid not in index.questions:
            emit("MQ202", f"there is no question '{qid}'", ("critical_questions", i))

    # roll-up
    for i, node in enumerate(rules.rollup.nodes):
        loc = ("rollup", "nodes", i)
        if node.id in index.questions:
            emit("MQ201", f"node id '{node.id}' is already a question's id", (*loc, "id"))
        for k, child in enumerate(node.of):
            if (child not in index.questions and child not in tree) or child == OVERALL:
                emit("MQ303", f"'{child}' is not a question, group, stage or roll-up node", (*loc, "of", k))
        _check_weights(node.weights, node.of, (*loc, "weights"), emit)
    for key in ("group", "stage", "overall"):
        rule = getattr(rules.rollup, key)
        if rule.weights:
            known = set(index.questions) | set(tree)
            for child in rule.weights:
                if child not in known:
                    emit(
                        "MQ303",
                        f"'{child}' is not a question, group, stage or roll-up node",
                        ("rollup", key, "weights", child),
                    )
    on_cycle = _cycle_members({k: [c for c in v if c in tree] for k, v in tree.items()})
    for i, node in enumerate(rules.rollup.nodes):
        if node.id in on_cycle:
            emit(
                "MQ304",
                f"roll-up node '{node.id}' contains itself (through {', '.join(sorted(on_cycle))})",
                ("rollup", "nodes", i, "of"),
            )
    reachable = _reachable(tree, OVERALL)

    # pain points
    indicators = {i.id for i in rules.verdict.indicators} if rules.verdict else set()
    tiers = set(rules.verdict.tiers) if rules.verdict else set()
    referenced: set[str] = set()
    earlier: list[str] = []
    for i, pain in enumerate(rules.pain_points):
        loc = ("pain_points", i)
        if pain.stage is not None and pain.stage not in index.stages:
            emit("MQ303", f"'{pain.stage}' is not a stage", (*loc, "stage"))
        scope = ConditionScope(
            index,
            frozenset({"question", "score", "level", "indicator", "count", "pain_point"}),
            "a pain point",
            nodes,
            indicators,
            tiers,
            list(earlier),
        )
        check_condition(pain.when, (*loc, "when"), scope, emit)
        referenced.update(_subject_ids(pain.when))
        _check_sources(pain.sources, tags, loc, emit)
        earlier.append(pain.id)

    if rules.verdict is not None:
        verdict = rules.verdict
        vloc: tuple[str | int, ...] = ("verdict",)
        missing = [r for r in RAG_ORDER if r not in verdict.ratings]
        if missing:
            emit(
                "MQ104",
                f"ratings must give points for red, amber and green (missing: {', '.join(missing)})",
                (*vloc, "ratings"),
            )
        _duplicates(
            [(x.id, (*vloc, "indicators", i, "id")) for i, x in enumerate(verdict.indicators)], "indicator", emit
        )
        _duplicates([(o.id, (*vloc, "outcomes", i, "id")) for i, o in enumerate(verdict.outcomes)], "outcome", emit)
        outcome_scope = ConditionScope(
            index,
            frozenset({"question", "score", "level", "indicator", "count"}),
            "a verdict outcome",
            nodes,
            indicators,
            tiers,
        )
        if verdict.applies_when is not None:
            check_condition(
                verdict.applies_when,
                (*vloc, "applies_when"),
                ConditionScope(index, frozenset({"question"}), "applies_when"),
                emit,
            )
            referenced.update(_subject_ids(verdict.applies_when))
        for i, indicator in enumerate(verdict.indicators):
            loc = (*vloc, "indicators", i)
            if indicator.tier not in verdict.tiers:
                emit(
                    "MQ309",
                    f"'{indicator.tier}' is not one of the verdict's tiers ({', '.join(verdict.tiers)})",
                    (*loc, "tier"),
                )
            for k, qid in enumerate(indicator.questions):
                info = index.questions.get(qid)
                if info is None:
                    emit("MQ202", f"there is no question '{qid}'", (*loc, "questions", k))
                elif info.allow_not_applicable:
                    emit(
                        "MQ313",
                        f"question '{qid}' feeds the verdict, so it must not allow 'not applicable': "
                        "an indicator cannot be skipped",
                        (*loc, "questions", k),
                    )
                referenced.add(qid)
            rate_scope = ConditionScope(
                index, frozenset({"question", "score", "level"}), "an indicator's rating", nodes
            )
            for k, rule in enumerate(indicator.rate):
                check_condition(rule.when, (*loc, "rate", k, "when"), rate_scope, emit)
                referenced.update(_subject_ids(rule.when))
            _check_sources(indicator.sources, tags, loc, emit)
        outcome_ids = {o.id for o in verdict.outcomes}
        for i, veto in enumerate(verdict.vetoes):
            check_condition(veto.when, (*vloc, "vetoes", i, "when"), outcome_scope, emit)
            if veto.outcome not in outcome_ids:
                emit("MQ309", f"'{veto.outcome}' is not one of the verdict's outcomes", (*vloc, "vetoes", i, "outcome"))
        for i, outcome in enumerate(verdict.outcomes):
            last = i == len(verdict.outcomes) - 1
            if outcome.when is not None:
                check_condition(outcome.when, (*vloc, "outcomes", i, "when"), outcome_scope, emit)
            if last and outcome.when is not None:
                emit(
                    "MQ105",
                    f"the last outcome ('{outcome.id}') applies when no other does: remove its 'when'",
                    (*vloc, "outcomes", i, "when"),
                )
            if not last and outcome.when is None:
                emit(
                    "MQ105",
                    f"outcome '{outcome.id}' has no 'when', so the outcomes after it can never apply",
                    (*vloc, "outcomes", i),
                )

    # what feeds what: warn about questions that change nothing
    for i, node in enumerate(rules.rollup.nodes):
        if node.id not in reachable and node.id not in referenced:
            emit(
                "MQ312",
                f"roll-up node '{node.id}' is not part of the overall score and no condition uses it",
                ("rollup", "nodes", i),
            )
    scored = {qid for qid in reachable if qid in index.questions and _has_points(index.questions[qid], rules)}
    for info in index.questions.values():
        referenced.update(question_refs(info.question.when))
    for qid, info in index.questions.items():
        if qid not in scored and qid not in referenced:
            problems.append(
                questionnaire.problem(
                    "MQ501",
                    f"question '{qid}' feeds no score, pain point or verdict in rules '{rules.id}'",
                    (*info.loc, "id"),
                )
            )
    return problems


def _has_points(info: QuestionInfo, rules: Rules) -> bool:
    kind = info.question.kind
    if kind == "scale" or info.question.id in rules.points.questions:
        return kind != "text"
    return info.question.answer_set is not None and info.question.answer_set in rules.points.answer_sets


def _subject_ids(condition: Condition) -> set[str]:
    out: set[str] = set()
    for leaf, _ in iter_conditions(condition, ()):
        subject = leaf.subject()
        if subject is not None:
            out.add(subject[1])
    return out


def _reachable(tree: dict[str, list[str]], root: str) -> set[str]:
    seen = {root}
    todo = [root]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _check_weights(
    weights: dict[str, float] | None, children: list[str], loc: Loc, emit: Callable[[str, str, Loc], None]
) -> None:
    for child in weights or {}:
        if child not in children:
            emit("MQ303", f"'{child}' has a weight but is not one of this node's children", (*loc, child))


def _check_sources(sources: list[str], tags: set[str], loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    for k, source in enumerate(sources):
        tag = source.split()[0]
        if tag not in tags:
            emit(
                "MQ208",
                f"source '{tag}' is not in the references of the rules or the questionnaire",
                (*loc, "sources", k),
            )


def _check_bands(bands: list[Any], loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    typed: list[Band] = list(bands)
    for i, band in enumerate(typed):
        last = i == len(typed) - 1
        if band.from_ > band.to or (band.from_ == band.to and not last):
            emit("MQ307", f"band from {band.from_} to {band.to} is empty or backwards", (*loc, i))
        if i == 0:
            continue
        before = typed[i - 1]
        if band.from_ < before.from_:
            emit(
                "MQ307",
                f"bands must go up: this band starts at {band.from_}, below the previous band's {before.from_}",
                (*loc, i, "from"),
            )
        elif band.from_ > before.to:
            emit("MQ305", f"scores from {before.to} to {band.from_} fall in no band", (*loc, i, "from"))
        elif band.from_ < before.to:
            emit(
                "MQ306",
                f"this band starts at {band.from_}, inside the previous band (which runs to {before.to})",
                (*loc, i, "from"),
            )


# ------------------------------------------------------------------------------------------------- answers


def check_answers(
    loaded: Loaded[AnswersFile], questionnaire: Loaded[Questionnaire] | Questionnaire, index: Index | None = None
) -> list[Problem]:
    """Does an answers file fit its questionnaire? The same checks apply to a typed answer (see `answer_problem`)."""
    answers = loaded.model
    q = questionnaire.model if isinstance(questionnaire, Loaded) else questionnaire
    problems: list[Problem] = []
    ref = answers.questionnaire
    if ref.id != q.id:
        return [
            loaded.problem(
                "MQ603", f"these answers are for questionnaire '{ref.id}', not '{q.id}'", ("questionnaire", "id")
            )
        ]
    if ref.version != q.version:
        return [
            loaded.problem(
                "MQ604",
                f"these answers are for version {ref.version} of '{q.id}', but the "
                f"questionnaire is version {q.version}; answer it again or use that version",
                ("questionnaire", "version"),
            )
        ]
    if (
        isinstance(questionnaire, Loaded)
        and ref.digest
        and questionnaire.document.digest
        and ref.digest != questionnaire.document.digest
    ):
        problems.append(
            loaded.problem(
                "MQ606",
                "the questionnaire file changed since these answers were given (its digest differs); check the scores",
                ("questionnaire", "digest"),
            )
        )
    index = index or index_questionnaire(q)
    questions = index.questions
    # worded here and located together afterwards, in one reading of the file; past the first
    # MAX_PROBLEMS_PER_FILE (and one more, where the count of the rest is located) problems are only counted
    found: list[tuple[str, str, Loc]] = []
    limit = MAX_PROBLEMS_PER_FILE + 1
    uncounted = 0
    lower = index.by_lower_case()
    for qid, answer in answers.answers.items():
        info = questions.get(qid)
        if info is None:
            if len(found) >= limit:
                uncounted += 1
                continue
            close = lower.get(qid.lower())
            tip = f"; did you mean '{close}'?" if close else ""
            found.append(("MQ601", f"there is no question '{qid}' in '{q.id}'{tip}", ("answers", qid)))
            continue
        status, value = answer.status, answer.value
        if status is None and value.__class__ is int and value in info.level_set:
            continue  # the common answer, a level of a scale question, needs no more checking
        if (status is None) is (value is None):  # both a value and a status, or neither
            found.append(("MQ105", f"'{qid}': {answer.problem()}", ("answers", qid)))
            continue
        message = answer_problem(info, value, status)
        if message:
            found.append(("MQ605" if answer.status else "MQ602", f"'{qid}': {message}", ("answers", qid)))
    if found:
        problems.extend(loaded.document.problems(found, uncounted))
    return problems


def _show(value: Any) -> str:
    """A value as it would be typed in the file (true, null, [a, b], 'text'), kept short; Python refuses to print
    integers of thousands of digits."""
    try:
        text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    except ValueError:
        return "a number too large to use"
    except TypeError:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError):
        return False


def answer_problem(info: QuestionInfo, value: Any, status: str | None) -> str | None:
    """Why an answer does not fit its question, in words for the person who gave it; None when it fits."""
    question = info.question
    if status == "dont_know":
        return None if info.allow_dont_know else "this question does not allow 'don't know'"
    if status == "not_applicable":
        return None if info.allow_not_applicable else "this question does not allow 'not applicable'"
    if status is not None:
        return None
    kind = question.kind
    if kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"answer with a level number ({_span(info.levels)}), not {_show(value)}"
        if value not in info.levels:
            return f"there is no level {_show(value)}; choose {_span(info.levels)}"
    elif kind == "single":
        if not isinstance(value, str) or value not in info.options:
            return f"{_show(value)} is not one of the options: {', '.join(info.options)}"
    elif kind == "multiple":
        if not isinstance(value, list):
            return f"answer with a list of options, not {_show(value)}"
        unknown = [v for v in value if v not in info.options]
        if unknown:
            return f"{', '.join(map(_show, unknown))} not among the options: {', '.join(info.options)}"
        if len(set(value)) != len(value):
            return "an option is chosen twice"
    elif kind == "yes_no":
        if not (isinstance(value, bool) or (isinstance(value, str) and value.lower() in YES_NO)):
            return f"answer yes or no, not {_show(value)}"
    elif kind == "number":
        if not _number(value) or not _finite(value):
            return f"answer with a number, not {_show(value)}"
        if question.integer and not (isinstance(value, int) or float(value).is_integer()):
            return f"answer with a whole number, not {_show(value)}"
        if question.minimum is not None and value < question.minimum:
            return f"{_show(value)} is below the smallest allowed answer, {question.minimum:g}"
        if question.maximum is not None and value > question.maximum:
            return f"{_show(value)} is above the largest allowed answer, {question.maximum:g}"
    elif kind == "text":
        if not isinstance(value, str):
            return f"answer with text, not {_show(value)}"
        if question.max_length is not None and len(value) > question.max_length:
            return f"the answer is {len(value)} characters long; the limit is {question.max_length}"
    return None


def _span(levels: list[int]) -> str:
    if levels and levels == list(range(levels[0], levels[-1] + 1)):
        return f"{levels[0]} to {levels[-1]}"
    return ", ".join(map(str, levels))
