"""Checks of one questionnaire across its parts: ids, answer sets, sources, and the conditions under which
questions are asked (which must not depend on later answers or on each other in a cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from maturity.checks.conditions import ConditionScope, check_condition, question_refs
from maturity.checks.index import all_questions, index_questionnaire
from maturity.model.definitions import Questionnaire
from maturity.model.document import Loaded, Loc, render_loc
from maturity.model.problems import Problem
from maturity.model.vocabulary import OVERALL, VERDICT_POINTS


def duplicates(items: list[tuple[str, Loc]], what: str, emit: Callable[[str, str, Loc], None]) -> None:
    first: dict[str, Loc] = {}
    for item_id, loc in items:
        if item_id in first:
            emit("MQ201", f"{what} id '{item_id}' is used twice (first at {_loc_words(first[item_id])})", loc)
        else:
            first[item_id] = loc


def _loc_words(loc: Loc) -> str:
    return render_loc(loc)


def check_questionnaire(loaded: Loaded[Questionnaire]) -> list[Problem]:
    """Every problem with one questionnaire across its parts: ids, answer sets, sources and conditions."""
    q = loaded.model
    problems: list[Problem] = []

    def emit(code: str, message: str, loc: Loc) -> None:
        problems.append(loaded.problem(code, message, loc))

    _check_ids(q, emit)
    _check_answer_sets(q, emit)
    _check_conditions(q, emit)
    return problems


def _check_ids(q: Questionnaire, emit: Callable[[str, str, Loc], None]) -> None:
    # one namespace for questions, groups and stages, because roll-ups and conditions name them alike
    named: list[tuple[str, Loc]] = []
    for s, stage in enumerate(q.stages):
        named.append((stage.id, ("stages", s, "id")))
        for g, group in enumerate(stage.groups or []):
            named.append((group.id, ("stages", s, "groups", g, "id")))
    named.extend((qid, (*info.loc, "id")) for qid, info in all_questions(q))
    duplicates(named, "question, group or stage", emit)
    for item_id, loc in named:
        if item_id in (OVERALL, VERDICT_POINTS):
            emit("MQ201", f"'{item_id}' is reserved for the roll-up; choose another id", loc)
    duplicates([(r.tag, ("references", i, "tag")) for i, r in enumerate(q.references)], "reference", emit)
    duplicates([(a.id, ("answer_sets", i, "id")) for i, a in enumerate(q.answer_sets)], "answer set", emit)


def _check_answer_sets(q: Questionnaire, emit: Callable[[str, str, Loc], None]) -> None:
    """Shared answer sets, and each question's own levels, options, answer set and sources."""
    tags = {r.tag for r in q.references}
    sets = {a.id: a for a in q.answer_sets}
    for i, answer_set in enumerate(q.answer_sets):
        loc = ("answer_sets", i)
        if answer_set.kind == "scale" and (answer_set.levels is None or answer_set.options is not None):
            emit("MQ210", f"answer set '{answer_set.id}' is a scale: give it levels (not options)", loc)
        if answer_set.kind != "scale" and (answer_set.options is None or answer_set.levels is not None):
            emit("MQ210", f"answer set '{answer_set.id}' is {answer_set.kind} choice: give it options", loc)
        _check_choices(answer_set.levels, answer_set.options, loc, emit)
    for qid, info in all_questions(q):
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
            if tag not in tags:
                emit("MQ208", f"source '{tag}' is not in the questionnaire's references", (*info.loc, "sources", k))


def _check_conditions(q: Questionnaire, emit: Callable[[str, str, Loc], None]) -> None:
    """When questions are asked: each condition on its own, then that none depends on a later answer or on
    itself through others."""
    index = index_questionnaire(q)
    scope = ConditionScope(index, frozenset({"question"}), "a question's condition")
    graph: dict[str, list[str]] = {}
    for qid, info in all_questions(q):
        condition = info.question.when
        if condition is None:
            continue
        check_condition(condition, (*info.loc, "when"), scope, emit)
        graph[qid] = [r for r in question_refs(condition) if r in index.questions]
    on_cycle = cycle_members(graph)
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


def _check_choices(levels: Any, options: Any, loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    if levels is not None:
        numbers = [lv.level for lv in levels]
        duplicates([(str(n), (*loc, "levels", i, "level")) for i, n in enumerate(numbers)], "level", emit)
        if len(numbers) < 2:
            emit("MQ210", "a scale needs at least two levels", (*loc, "levels"))
        elif numbers != sorted(numbers):
            emit("MQ210", f"levels must go up in order (found {numbers})", (*loc, "levels"))
    if options is not None:
        duplicates([(o.id, (*loc, "options", i, "id")) for i, o in enumerate(options)], "option", emit)
        if len(options) < 2:
            emit("MQ210", "a choice needs at least two options", (*loc, "options"))


def cycle_members(graph: dict[str, list[str]]) -> set[str]:
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
