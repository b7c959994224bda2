"""A parsed definition file: its data, and a way back from a path inside the data to a line and column.

Kept apart from the loader so that checks can locate problems without importing a YAML library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from maturity.model.problems import Problem

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

    def problem(self, code: str, message: str, loc: Loc = ()) -> Problem:
        line, column = self.locate(loc)
        return Problem.make(code, message, self.path, line, column)


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
