"""A parsed definition file: its data, and a way back from a path inside the data to a line and column.

Kept apart from the loader so that checks can locate problems without importing a YAML library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from maturity.model.problems import CODES, MAX_PROBLEMS_PER_FILE, Problem, Severity, more_problems

Loc = Sequence["str | int"]
Locator = Callable[[Loc], "tuple[int, int]"]

T = TypeVar("T")


@dataclass
class Document:
    """A file's data (a mapping) and how to find where any part of it was written."""

    path: str
    data: dict[str, Any]
    digest: str
    locator: Locator = field(repr=False, default=lambda loc: (0, 0))

    def locate(self, loc: Loc) -> tuple[int, int]:
        return self.locator(loc)

    def locate_many(self, locs: Iterable[Loc]) -> list[tuple[int, int]]:
        """Several locations at once: the loader's locator finds them in one reading of the file."""
        many = getattr(self.locator, "many", None)
        return list(many(locs)) if many is not None else [self.locator(loc) for loc in locs]

    def problem(self, code: str, message: str, loc: Loc = ()) -> Problem:
        line, column = self.locate(loc)
        return Problem.make(code, message, self.path, line, column)

    def problems(self, found: Sequence[tuple[str, str, Loc]], uncounted_errors: int = 0) -> list[Problem]:
        """(code, message, loc) triples as problems, located together. Past MAX_PROBLEMS_PER_FILE, the rest (and
        `uncounted_errors` more, which the caller did not even word) are counted in one MQ009 problem, located
        at the first of them, rather than located one by one."""
        kept = found[:MAX_PROBLEMS_PER_FILE]
        rest = found[MAX_PROBLEMS_PER_FILE:]
        places = self.locate_many([loc for _, _, loc in kept] + ([rest[0][2]] if rest else []))
        out = [
            Problem.make(code, message, self.path, *place)
            for (code, message, _), place in zip(kept, places, strict=False)
        ]
        if rest or uncounted_errors:
            errors = uncounted_errors or any(CODES[code][0] is Severity.ERROR for code, _, _ in rest)
            line, column = places[-1] if rest else places[-1] if places else (0, 0)
            severity = Severity.ERROR if errors else Severity.WARNING
            out.append(more_problems(len(rest) + uncounted_errors, severity, self.path, line, column))
        return out


@dataclass
class Loaded(Generic[T]):
    """A definition that passed its schema, still tied to the document it came from."""

    model: T
    document: Document

    @property
    def path(self) -> str:
        return self.document.path

    def problem(self, code: str, message: str, loc: Loc = ()) -> Problem:
        return self.document.problem(code, message, loc)


def render_loc(loc: Loc) -> str:
    """`('stages', 2, 'questions', 0)` -> `stages[2].questions[0]`, the way a YAML author reads a path."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
