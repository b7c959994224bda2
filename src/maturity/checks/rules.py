"""Checks of scoring rules against their questionnaire: points, the roll-up, bands, pain points and the verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from maturity.checks.conditions import ConditionScope, check_condition, iter_conditions, question_refs
from maturity.checks.index import Index, QuestionInfo, index_questionnaire
from maturity.checks.questionnaire import cycle_members, duplicates
from maturity.model.definitions import Band, Condition, Questionnaire, Rules
from maturity.model.document import Loaded, Loc
from maturity.model.problems import Problem
from maturity.model.vocabulary import OVERALL, RAG_ORDER


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


def rules_target(rules: Rules, questionnaire: Questionnaire) -> list[tuple[str, str, Loc]]:
    """Are these rules for this questionnaire and version? (code, message, where) for each way they are not."""
    ref = rules.questionnaire
    if ref.id != questionnaire.id:
        return [
            (
                "MQ301",
                f"these rules are for questionnaire '{ref.id}', not '{questionnaire.id}'",
                ("questionnaire", "id"),
            )
        ]
    if ref.version != questionnaire.version:
        message = (
            f"these rules are for version {ref.version} of '{questionnaire.id}', but the questionnaire is version "
            f"{questionnaire.version}"
        )
        return [("MQ302", message, ("questionnaire", "version"))]
    return []


def check_rules(loaded: Loaded[Rules], questionnaire: Loaded[Questionnaire] | None) -> list[Problem]:
    """Every problem with these rules, on their own and (given their questionnaire) against it."""
    rules = loaded.model
    problems: list[Problem] = []

    def emit(code: str, message: str, loc: Loc) -> None:
        problems.append(loaded.problem(code, message, loc))

    for band_loc, bands in ((("levels",), rules.levels), (("rag", "bands"), rules.rag.bands if rules.rag else [])):
        _check_bands(bands, band_loc, emit)
    duplicates([(str(b.level), ("levels", i, "level")) for i, b in enumerate(rules.levels)], "level", emit)
    if [b.level for b in rules.levels] != sorted(b.level for b in rules.levels):
        emit("MQ307", "level numbers must go up with the score", ("levels",))
    duplicates([(p.id, ("pain_points", i, "id")) for i, p in enumerate(rules.pain_points)], "pain point", emit)
    duplicates([(c.id, ("contradictions", i, "id")) for i, c in enumerate(rules.contradictions)], "contradiction", emit)
    duplicates([(n.id, ("rollup", "nodes", i, "id")) for i, n in enumerate(rules.rollup.nodes)], "node", emit)
    if questionnaire is None:
        return problems
    target = rules_target(rules, questionnaire.model)
    for code, message, where in target:
        emit(code, message, where)
    if any(code == "MQ301" for code, _, _ in target):
        return problems
    check = _RulesCheck(rules, questionnaire, emit)
    check.points()
    check.rollup()
    check.pain_points()
    check.contradictions()
    check.verdict()
    check.feeds_nothing(problems)
    return problems


class _RulesCheck:
    """The checks of rules against their questionnaire, one method per section of a rules file."""

    def __init__(self, rules: Rules, questionnaire: Loaded[Questionnaire], emit: Callable[[str, str, Loc], None]):
        self.rules, self.questionnaire, self.emit = rules, questionnaire, emit
        q = questionnaire.model
        self.index = index_questionnaire(q)
        self.tags = self.index.tags | {r.tag for r in rules.references}
        self.tree = rollup_children(q, rules, self.index)
        self.nodes = set(self.tree) - {OVERALL}
        self.reachable = _reachable(self.tree, OVERALL)
        verdict = rules.verdict
        self.indicators = {i.id for i in verdict.indicators} if verdict else set()
        self.tiers = set(verdict.tiers) if verdict else set()
        self.pain_ids = [p.id for p in rules.pain_points]
        self.referenced: set[str] = set()  # everything a condition or indicator reads, for MQ501 and MQ312

    def _condition(self, condition: Condition, loc: Loc, scope: ConditionScope) -> None:
        check_condition(condition, loc, scope, self.emit)
        self.referenced.update(_subject_ids(condition))

    def _scope(self, where: str, subjects: set[str], pain_points: list[str] | None = None) -> ConditionScope:
        return ConditionScope(
            self.index, frozenset(subjects), where, self.nodes, self.indicators, self.tiers, list(pain_points or [])
        )

    # -------------------------------------------------------------------------------------------- points

    def points(self) -> None:
        rules, index, emit = self.rules, self.index, self.emit
        sets = {a.id: a for a in self.questionnaire.model.answer_sets}
        for set_id, mapping in rules.points.answer_sets.items():
            answer_set = sets.get(set_id)
            if answer_set is None:
                emit(
                    "MQ209",
                    f"there is no answer set '{set_id}' in the questionnaire",
                    ("points", "answer_sets", set_id),
                )
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
            elif points.map is not None and kind == "number":
                emit("MQ310", f"'{qid}' is a number question: give its points as bands", loc)
            elif points.map is not None:
                allowed = (
                    [str(n) for n in info.levels]
                    if kind == "scale"
                    else ["yes", "no"]
                    if kind == "yes_no"
                    else info.options
                )
                for key in points.map:
                    if key not in allowed:
                        emit("MQ310", f"question '{qid}' has no option or level '{key}'", (*loc, "map", key))
        for i, qid in enumerate(rules.critical_questions):
            if qid not in index.questions:
                emit("MQ202", f"there is no question '{qid}'", ("critical_questions", i))

    # ------------------------------------------------------------------------------------------- roll-up

    def rollup(self) -> None:
        rules, index, tree, emit = self.rules, self.index, self.tree, self.emit
        for i, node in enumerate(rules.rollup.nodes):
            loc = ("rollup", "nodes", i)
            if node.id in index.questions:
                emit("MQ201", f"node id '{node.id}' is already a question's id", (*loc, "id"))
            for k, child in enumerate(node.of):
                if (child not in index.questions and child not in tree) or child == OVERALL:
                    emit("MQ303", f"'{child}' is not a question, group, stage or roll-up node", (*loc, "of", k))
            _check_weights(node.weights, node.of, (*loc, "weights"), emit)
        known = set(index.questions) | set(tree)
        for key in ("group", "stage", "overall"):
            for child in getattr(rules.rollup, key).weights or {}:
                if child not in known:
                    emit(
                        "MQ303",
                        f"'{child}' is not a question, group, stage or roll-up node",
                        ("rollup", key, "weights", child),
                    )
        on_cycle = cycle_members({k: [c for c in v if c in tree] for k, v in tree.items()})
        for i, node in enumerate(rules.rollup.nodes):
            if node.id in on_cycle:
                emit(
                    "MQ304",
                    f"roll-up node '{node.id}' contains itself (through {', '.join(sorted(on_cycle))})",
                    ("rollup", "nodes", i, "of"),
                )
        if rules.rag is not None:
            for i, override in enumerate(rules.rag.overrides):
                if override.critical is not None and not rules.critical_questions:
                    emit(
                        "MQ309",
                        "this override reads critical questions, but the rules name none",
                        ("rag", "overrides", i, "critical"),
                    )

    # --------------------------------------------------------------------------------------- pain points

    def pain_points(self) -> None:
        subjects = {"question", "score", "level", "indicator", "count", "pain_point"}
        for i, pain in enumerate(self.rules.pain_points):
            loc = ("pain_points", i)
            if pain.stage is not None and pain.stage not in self.index.stages:
                self.emit("MQ303", f"'{pain.stage}' is not a stage", (*loc, "stage"))
            self._condition(pain.when, (*loc, "when"), self._scope("a pain point", subjects, self.pain_ids[:i]))
            check_sources(pain.sources, self.tags, loc, self.emit)
            self._stage_of_answers(pain.id, pain.stage, pain.when, loc)

    def _stage_of_answers(self, pain_id: str, stage: str | None, when: Condition, loc: Loc) -> None:
        """A pain point counts towards its stage's RAG: it should belong to a stage whose answers it reads."""
        if stage is None or stage not in self.index.stages:
            return
        read = {self.index.questions[q].stage for q in question_refs(when) if q in self.index.questions}
        read.discard(None)
        if read and stage not in read:
            stages = ", ".join(f"'{s}'" for s in sorted(s for s in read if s))
            self.emit(
                "MQ504",
                f"pain point '{pain_id}' counts towards stage '{stage}' but reads only answers of {stages}; "
                "give it the stage of its answers (or split it), or its RAG override lands on the wrong stage",
                (*loc, "stage"),
            )

    def contradictions(self) -> None:
        subjects = {"question", "score", "level", "indicator", "count", "pain_point"}
        scope = self._scope("a contradiction", subjects, self.pain_ids)
        for i, found in enumerate(self.rules.contradictions):
            self._condition(found.when, ("contradictions", i, "when"), scope)

    # ------------------------------------------------------------------------------------------- verdict

    def verdict(self) -> None:
        verdict = self.rules.verdict
        if verdict is None:
            return
        emit, vloc = self.emit, ("verdict",)
        missing = [r for r in RAG_ORDER if r not in verdict.ratings]
        if missing:
            emit(
                "MQ104",
                f"ratings must give points for red, amber and green (missing: {', '.join(missing)})",
                (*vloc, "ratings"),
            )
        duplicates(
            [(x.id, (*vloc, "indicators", i, "id")) for i, x in enumerate(verdict.indicators)], "indicator", emit
        )
        duplicates([(o.id, (*vloc, "outcomes", i, "id")) for i, o in enumerate(verdict.outcomes)], "outcome", emit)
        if verdict.applies_when is not None:
            self._condition(verdict.applies_when, (*vloc, "applies_when"), self._scope("applies_when", {"question"}))
        self._indicators()
        self._vetoes_and_outcomes()

    def _indicators(self) -> None:
        verdict, index, emit = self.rules.verdict, self.index, self.emit
        assert verdict is not None
        rate_scope = self._scope("an indicator's rating", {"question", "score", "level"})
        for i, indicator in enumerate(verdict.indicators):
            loc = ("verdict", "indicators", i)
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
                self.referenced.add(qid)
            if indicator.applies_when is not None:
                self._condition(
                    indicator.applies_when,
                    (*loc, "applies_when"),
                    self._scope("an indicator's applies_when", {"question"}),
                )
            for k, rule in enumerate(indicator.rate):
                self._condition(rule.when, (*loc, "rate", k, "when"), rate_scope)
            check_sources(indicator.sources, self.tags, loc, emit)

    def _vetoes_and_outcomes(self) -> None:
        verdict, emit = self.rules.verdict, self.emit
        assert verdict is not None
        scope = self._scope("a verdict outcome", {"question", "score", "level", "indicator", "count"})
        outcome_ids = {o.id for o in verdict.outcomes}
        pain_ids = set(self.pain_ids)
        for i, veto in enumerate(verdict.vetoes):
            loc = ("verdict", "vetoes", i)
            self._condition(veto.when, (*loc, "when"), scope)
            if veto.outcome not in outcome_ids:
                emit("MQ309", f"'{veto.outcome}' is not one of the verdict's outcomes", (*loc, "outcome"))
            for k, pid in enumerate(veto.pain_points):
                if pid not in pain_ids:
                    emit("MQ309", f"'{pid}' is not a pain point of these rules", (*loc, "pain_points", k))
        for i, outcome in enumerate(verdict.outcomes):
            loc = ("verdict", "outcomes", i)
            last = i == len(verdict.outcomes) - 1
            if outcome.when is not None:
                self._condition(outcome.when, (*loc, "when"), scope)
            if last and outcome.when is not None:
                emit(
                    "MQ105",
                    f"the last outcome ('{outcome.id}') applies when no other does: remove its 'when'",
                    (*loc, "when"),
                )
            if not last and outcome.when is None:
                emit("MQ105", f"outcome '{outcome.id}' has no 'when', so the outcomes after it can never apply", loc)
            for k, variant in enumerate(outcome.advice_when):
                self._condition(variant.when, (*loc, "advice_when", k, "when"), scope)

    # ------------------------------------------------------------------------------------- what feeds what

    def feeds_nothing(self, problems: list[Problem]) -> None:
        """Warn about roll-up nodes and questions that change nothing."""
        rules, index = self.rules, self.index
        for i, node in enumerate(rules.rollup.nodes):
            if node.id not in self.reachable and node.id not in self.referenced and not node.reported:
                self.emit(
                    "MQ312",
                    f"roll-up node '{node.id}' is not part of the overall score and no condition uses it",
                    ("rollup", "nodes", i),
                )
        scored = {qid for qid in self.reachable if qid in index.questions and _has_points(index.questions[qid], rules)}
        referenced = set(self.referenced)
        for info in index.questions.values():
            referenced.update(question_refs(info.question.when))
        for qid, info in index.questions.items():
            if qid not in scored and qid not in referenced:
                problems.append(
                    self.questionnaire.problem(
                        "MQ501",
                        f"question '{qid}' feeds no score, pain point or verdict in rules '{rules.id}'",
                        (*info.loc, "id"),
                    )
                )


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


def check_sources(sources: list[str], tags: set[str], loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
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
