"""Checks of a questionnaire's `migrations` against the versions they name, so `maturity migrate` can trust them.

Each change must have the shape its word says (an `added` question comes from nothing, a `split` from one into
several, ...), name questions that exist on its side, map answers that exist to answers that fit, and together
the changes must account for every question that is not in both versions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from maturity.checks.answers import answer_problem
from maturity.checks.index import Index, index_questionnaire
from maturity.model.definitions import Change, Questionnaire
from maturity.model.document import Loaded, Loc
from maturity.model.problems import Problem

# change -> (how many old questions, how many new ones): None is "one or more", 0 none, 1 exactly one
_SHAPES: dict[str, tuple[int | None, int | None]] = {
    "added": (0, None),
    "removed": (None, 0),
    "renamed": (1, 1),
    "reworded": (1, 1),
    "rescaled": (1, 1),
    "split": (1, None),
    "merged": (None, 1),
}


def check_migrations(loaded: Loaded[Questionnaire], previous: Mapping[str, Questionnaire]) -> list[Problem]:
    """Every problem with the migrations of `loaded`; `previous` holds the other versions found (by version)."""
    problems: list[Problem] = []

    def emit(code: str, message: str, loc: Loc) -> None:
        problems.append(loaded.problem(code, message, loc))

    new = loaded.model
    new_index = index_questionnaire(new)
    seen: set[str] = set()
    for m, migration in enumerate(new.migrations):
        loc: Loc = ("migrations", m)
        if migration.from_ == new.version or migration.from_ in seen:
            emit("MQ215", f"a migration from version {migration.from_} is declared twice or from this version", loc)
        seen.add(migration.from_)
        for c, change in enumerate(migration.changes):
            _check_shape(change, (*loc, "changes", c), emit)
        old = previous.get(migration.from_)
        if old is None:
            emit(
                "MQ505",
                f"version {migration.from_} of '{new.id}' was not found, so this migration could not be checked; "
                "keep the previous version beside this one",
                (*loc, "from"),
            )
            continue
        _check_against(migration.changes, index_questionnaire(old), new_index, loc, emit)
    return problems


def _check_shape(change: Change, loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    wants_from, wants_to = _SHAPES[change.change]
    for side, count, wanted in (("from", len(change.from_), wants_from), ("to", len(change.to), wants_to)):
        if (wanted == 0 and count) or (wanted == 1 and count != 1) or (wanted is None and not count):
            need = "no" if wanted == 0 else "exactly one" if wanted == 1 else "at least one"
            emit("MQ215", f"a '{change.change}' change takes {need} question in '{side}'", (*loc, side))
    if change.combine is not None and change.change != "merged":
        emit("MQ215", "'combine' is for merged questions only", (*loc, "combine"))
    if change.change == "merged" and change.combine is None:
        emit("MQ215", "say which old answer a merged question keeps: combine: lowest, highest or first", loc)
    if change.map and change.change in ("added", "removed"):
        emit("MQ215", f"an '{change.change}' question has no answer to map", (*loc, "map"))


def _check_against(
    changes: list[Change], old: Index, new: Index, loc: Loc, emit: Callable[[str, str, Loc], None]
) -> None:
    named_old: set[str] = set()
    named_new: set[str] = set()
    for c, change in enumerate(changes):
        where = (*loc, "changes", c)
        for k, qid in enumerate(change.from_):
            if qid not in old.questions:
                emit("MQ212", f"the previous version has no question '{qid}'", (*where, "from", k))
        for k, qid in enumerate(change.to):
            if qid not in new.questions:
                emit("MQ212", f"this version has no question '{qid}'", (*where, "to", k))
        named_old.update(change.from_)
        named_new.update(change.to)
        _check_map(change, old, new, where, emit)
    for qid in old.questions:
        if qid not in new.questions and qid not in named_old:
            emit(
                "MQ213",
                f"question '{qid}' of the previous version is gone: declare it removed, renamed, merged or split",
                (*loc, "changes"),
            )
    for qid in new.questions:
        if qid not in old.questions and qid not in named_new:
            emit("MQ213", f"question '{qid}' is new: declare it added (or renamed, split or merged)", (*loc, "changes"))


def _check_map(change: Change, old: Index, new: Index, loc: Loc, emit: Callable[[str, str, Loc], None]) -> None:
    if not change.map:
        return
    for qid in change.from_:
        info = old.questions.get(qid)
        if info is None:
            continue
        allowed = (
            {str(n) for n in info.levels}
            | set(info.options)
            | ({"yes", "no"} if info.question.kind == "yes_no" else set())
        )
        for key in change.map:
            if allowed and key not in allowed:
                emit("MQ214", f"'{qid}' in the previous version has no answer '{key}' to map", (*loc, "map", key))
    for qid in change.to:
        info = new.questions.get(qid)
        if info is None:
            continue
        for key, value in change.map.items():
            problem = answer_problem(info, value, None)
            if problem:
                emit("MQ214", f"'{key}' maps to an answer '{qid}' does not accept: {problem}", (*loc, "map", key))
