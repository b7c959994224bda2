"""How one answer becomes points, and how children combine into a node's score: the engine's arithmetic.

`worth` is the only place that decides what an answer is worth. It returns the points and, when asked, the words
the explanation shows for them, from the same lookups, so the number and its explanation cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple, Protocol

from maturity.model.definitions import PointBand, QuestionKind
from maturity.model.vocabulary import format_number, format_value, number

Combine = Literal["sum", "max", "mean"]


class PointRule(NamedTuple):
    """What the rules say one question's answers are worth (worked out once per questionnaire and rules)."""

    kind: QuestionKind
    point_map: Mapping[str, float] | None  # points per option id, level or yes/no
    map_from: str | None  # where the map came from, for the explanation
    bands: tuple[PointBand, ...] | None  # for number questions
    combine: Combine  # for multiple choice


class Worth(NamedTuple):
    points: float | None  # None: the rules give this answer no points
    how: str | None = None  # how the points were found, e.g. "level 3"
    why_none: str | None = None  # why there are none


def treatment(value: float | str) -> float | None:
    """Points for don't know or unanswered: a number, or None when the rules exclude them."""
    return None if value == "exclude" else float(value)


def _n(value: float) -> str:
    return format_number(value, 6)


def _number_band(rule: PointRule, value: Any) -> PointBand | None:
    n = number(value)
    if n is None:
        return None
    for band in rule.bands or ():
        if (band.at_least is None or n >= band.at_least) and (band.below is None or n < band.below):
            return band
    return None


def worth(rule: PointRule, value: Any, words: bool = False) -> Worth:
    """The points for an answered question; with `words`, also how they were found (or why there are none)."""
    kind, mapping, source = rule.kind, rule.point_map, rule.map_from
    if kind == "scale":
        key = str(value)
        if mapping is not None and key in mapping:
            return Worth(mapping[key], f"{source}: level {key} -> {_n(mapping[key])}" if words else None)
        return Worth(float(value), f"level {key}" if words else None)
    if kind == "number":
        band = _number_band(rule, value)
        if band is None:
            return Worth(None, None, f"{format_value(value)} falls in no band of the rules" if words else None)
        if not words:
            return Worth(band.points)
        low = f"{_n(band.at_least)} <= " if band.at_least is not None else ""
        high = f" < {_n(band.below)}" if band.below is not None else ""
        return Worth(band.points, f"band {low}{format_value(value)}{high} -> {_n(band.points)}")
    assert mapping is not None, "only scale and number questions are scored without a map"
    if kind in ("yes_no", "single"):
        key = ("yes" if value is True else "no" if value is False else str(value)) if kind == "yes_no" else str(value)
        if key in mapping:
            return Worth(mapping[key], f"{source}: {key} -> {_n(mapping[key])}" if words else None)
        what = f"'{key}'" if kind == "yes_no" else f"option '{key}'"
        return Worth(None, None, f"{what} has no points in {source}" if words else None)
    chosen = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if not chosen:
        return Worth(0.0, "nothing chosen -> 0" if words else None)
    found = [(o, mapping[o]) for o in chosen if o in mapping]
    if not found:
        return Worth(None, None, f"none of the chosen options has points in {source}" if words else None)
    numbers = [w for _, w in found]
    total = (
        sum(numbers)
        if rule.combine == "sum"
        else max(numbers)
        if rule.combine == "max"
        else sum(numbers) / len(numbers)
    )
    if not words:
        return Worth(total)
    listed = ", ".join(f"{o} {_n(w)}" for o, w in found)
    return Worth(total, f"{rule.combine} of {listed} ({source}) -> {_n(total)}")


class Weighted(Protocol):
    @property
    def weight(self) -> float: ...


def combine(method: str, values: Sequence[tuple[Weighted, float]]) -> float | None:
    """A node's score from its counted children's values by the node's method (None when nothing counted)."""
    if not values:
        return None
    numbers = [v for _, v in values]
    if method == "sum":
        return math.fsum(numbers)
    if method == "min":
        return min(numbers)
    if method == "max":
        return max(numbers)
    if method == "weighted":
        total_weight = math.fsum(c.weight for c, _ in values)
        return math.fsum(c.weight * v for c, v in values) / total_weight
    return math.fsum(numbers) / len(numbers)


def contributions(method: str, values: Sequence[tuple[Weighted, float]], result: float) -> list[float | None]:
    """What each counted child added to the score (for min and max, only the first child that decided it)."""
    if method == "sum":
        return [v for _, v in values]
    if method in ("min", "max"):
        out: list[float | None] = []
        decided = False
        for _, v in values:
            out.append(v if (v == result and not decided) else None)
            decided = decided or v == result
        return out
    if method == "weighted":
        total_weight = math.fsum(c.weight for c, _ in values)
        return [c.weight * v / total_weight for c, v in values]
    return [v / len(values) for _, v in values]
