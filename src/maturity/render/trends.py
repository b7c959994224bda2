"""A trend of assessments as a person reads it: plain lines for a terminal, and the data (with a small chart's
geometry) that the compare templates show.

The chart is drawn by the template as inline SVG from the numbers worked out here, so a report stays one
self-contained file with no script: each part's score at each assessment on the levels' scale, the overall
result drawn heaviest, and the verdict's RAG as a dot above each assessment.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from maturity.engine.compare import COMPARISON_FORMAT_VERSION, Assessed, Comparison, Course, Trend, target_lines
from maturity.model.assessment import Assessment
from maturity.model.version import __version__
from maturity.model.vocabulary import RAG_WORDS, SEVERITY_WORDS, format_number

# Okabe and Ito's colours, told apart with the common kinds of colour blindness; dashes tell lines apart further.
SERIES_COLOURS = ("#e69f00", "#56b4e9", "#009e73", "#0072b2", "#d55e00", "#cc79a7", "#999999", "#8c6d31")
SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3")
RAG_FILLS = {"red": "#a4161a", "amber": "#b35c00", "green": "#1d6b34"}
LABEL_CHARS = 26

_DIRECTION_WORDS = {
    "improved": "improved",
    "regressed": "regressed",
    "unchanged": "no change",
    "added": "added",
    "removed": "removed",
    "better": "better",
    "worse": "worse",
    "same": "no change",
    "not_comparable": "cannot be ranked",
}


def _num(value: float | None) -> str:
    return format_number(value, 2)


def when(a: Assessed) -> str:
    """An assessment's date, or its place when it has none."""
    return a.details.date.isoformat() if a.details.date else "undated"


def _verdict(a: Assessed) -> str:
    if a.verdict_outcome == "not_assessed":
        return "not assessed"
    return f"{a.verdict_label} ({a.verdict_rag})" if a.verdict_rag else a.verdict_label


def _value(course: Course, k: int) -> str:
    value = course.values[k]
    if value is None:
        return "-"
    if value.level is None:
        return "no level" if value.score is None else f"no level {_num(value.score)}"
    return f"L{value.level} {_num(value.score)}"


def _moved(step: Comparison) -> tuple[list[str], list[str]]:
    """The parts that improved and regressed at one step, overall first."""
    parts = [step.overall, *step.stages]
    up = [("Overall" if p.kind == "overall" else p.title) for p in parts if p.direction == "improved"]
    down = [("Overall" if p.kind == "overall" else p.title) for p in parts if p.direction == "regressed"]
    return up, down


def terminal_lines(value: Trend) -> list[str]:
    """Plain lines for a terminal: who, the verdict's course, each part's course, then each step's changes."""
    first, last = value.assessments[0], value.assessments[-1]
    lines = [
        f"{value.questionnaire_title}: {len(value.assessments)} assessments, {when(first)} to {when(last)}",
        f"  {last.details.organisation}, {last.details.service}",
    ]
    lines.append("")  # the warnings go to stderr, where the command writes them
    if value.verdict_defined:
        lines.append("Verdict: " + " -> ".join(_verdict(a) for a in value.assessments))
    header = ["", *(when(a) for a in value.assessments), "course"]
    rows = [
        [
            ("Overall" if c.kind == "overall" else c.title),
            *(_value(c, k) for k in range(len(value.assessments))),
            _DIRECTION_WORDS[c.direction],
        ]
        for c in value.courses
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for k, step in enumerate(value.steps):
        lines += ["", *_step_lines(value.assessments[k], value.assessments[k + 1], step, value.verdict_defined)]
    if value.target is not None:
        lines += ["", *target_lines(value.target)]
    return lines


def _step_lines(a: Assessed, b: Assessed, step: Comparison, verdict: bool) -> Iterator[str]:
    yield f"From {when(a)} to {when(b)}:"
    if step.shared is not None:
        s = step.shared
        yield f"  compared on the {s.shared} questions both questionnaires ask (of {s.old_total} and {s.new_total})"
    if verdict:
        v = step.verdict
        yield f"  verdict: {_verdict(a)} -> {_verdict(b)}: {_DIRECTION_WORDS[v.direction]}"
    up, down = _moved(step)
    yield f"  improved: {', '.join(up) or 'nothing'}"
    yield f"  regressed: {', '.join(down) or 'nothing'}"
    if step.pain_points_resolved:
        yield f"  pain points resolved: {', '.join(p.title for p in step.pain_points_resolved)}"
    if step.pain_points_new:
        yield f"  new pain points: {', '.join(p.title for p in step.pain_points_new)}"
    better = sum(1 for x in step.answers if x.direction == "improved")
    worse = sum(1 for x in step.answers if x.direction == "regressed")
    yield f"  answers changed: {len(step.answers)} ({better} up, {worse} down)"
    for x in step.answers:
        yield f"    {x.question}: {x.old_words} -> {x.new_words}"


# ------------------------------------------------------------------------------------------------- documents


def scale_of(assessments: list[Assessment]) -> list[dict[str, Any]]:
    """The level bands the assessments' parts fell in (from the explanations: a saved result carries them), lowest
    first, for the chart's axis."""
    bands: dict[tuple[float, float], dict[str, Any]] = {}
    for assessment in assessments:
        for node in assessment.nodes:
            b = node.explanation.band
            if b is not None:
                bands.setdefault(
                    (b.band_from, b.band_to), {"from": b.band_from, "to": b.band_to, "level": b.level, "name": b.name}
                )
    return [bands[k] for k in sorted(bands)]


@dataclass(frozen=True)
class _Axes:
    """Where the chart draws: x by assessment (evenly spaced), y by score between the scale's ends."""

    n: int
    low: float
    high: float
    left: float = 48.0
    right: float = 470.0
    top: float = 36.0
    plot: float = 200.0

    def x(self, k: int) -> float:
        return round(self.left + (self.right - self.left) * (k / (self.n - 1) if self.n > 1 else 0.5), 1)

    def y(self, score: float) -> float:
        clamped = min(max(score, self.low), self.high)
        return round(self.top + self.plot * (1 - (clamped - self.low) / (self.high - self.low)), 1)


def _series(value: Trend, axes: _Axes) -> list[dict[str, Any]]:
    """A line per part: the overall heavy and black, the others in turn of colour, then of dash."""
    series: list[dict[str, Any]] = []
    for i, course in enumerate(value.courses):
        heavy = course.kind == "overall"
        points: list[dict[str, Any]] = [
            {"x": axes.x(k), "y": axes.y(v.score), "score": v.score, "level": v.level}
            for k, v in enumerate(course.values)
            if v is not None and v.score is not None
        ]
        title = "Overall" if heavy else course.title
        series.append(
            {
                "id": course.id,
                "title": title,
                "label": textwrap.shorten(title, LABEL_CHARS, placeholder="…"),
                "colour": "#1b1b1b" if heavy else SERIES_COLOURS[(i - 1) % len(SERIES_COLOURS)],
                "dash": "" if heavy else SERIES_DASHES[((i - 1) // len(SERIES_COLOURS)) % len(SERIES_DASHES)],
                "width": 3 if heavy else 1.5,
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "label_y": 0.0,
            }
        )
    return series


def _place_labels(series: list[dict[str, Any]], axes: _Axes) -> float:
    """Put each line's label at its right end, pushed down apart so that none overlaps another; returns the
    lowest label's y, which the chart's height must leave room for."""
    ends = sorted((float(line["points"][-1]["y"]), i) for i, line in enumerate(series) if line["points"])
    floor, lowest = 0.0, axes.top + axes.plot
    for end, index in ends:
        label_y = round(max(end + 4, floor), 1)
        series[index]["label_y"] = label_y
        floor, lowest = label_y + 12, max(lowest, label_y)
    return lowest


def chart(value: Trend, scale: list[dict[str, Any]]) -> dict[str, Any]:
    """The trend chart's geometry: x by assessment, y by score on the levels' scale, a line per part."""
    scores = [v.score for c in value.courses for v in c.values if v is not None and v.score is not None]
    low = min([b["from"] for b in scale] + scores, default=0.0)
    high = max([b["to"] for b in scale] + scores, default=1.0)
    axes = _Axes(len(value.assessments), low, high if high > low else low + 1)
    series = _series(value, axes)
    bottom = _place_labels(series, axes) + 14
    return {
        "series": series,
        "bands": [
            {
                "y": axes.y(b["to"]),
                "h": round(axes.y(b["from"]) - axes.y(b["to"]), 1),
                "label": f"{b['level']} {b['name']}",
                "even": i % 2 == 0,
            }
            for i, b in enumerate(scale)
        ],
        "ticks": [{"y": axes.y(t), "label": _num(t)} for t in sorted({b["from"] for b in scale} | {axes.high, low})],
        "columns": [
            {
                "x": axes.x(k),
                "date": when(a),
                "rag": a.verdict_rag if a.verdict_defined else None,
                "fill": RAG_FILLS.get(a.verdict_rag or "", "#ffffff"),
            }
            for k, a in enumerate(value.assessments)
        ],
        "left": axes.left,
        "right": axes.right,
        "top": axes.top,
        "axis": axes.top + axes.plot,
        "label_x": axes.right + 14,
        "height": round(bottom + 30, 1),
    }


def trend_context(value: Trend, assessments: list[Assessment], today: dt.date | None = None) -> dict[str, Any]:
    """What the compare templates may show, as plain data (templates never receive the models themselves)."""
    body = value.model_dump(mode="json")
    for k, step in enumerate(body["steps"]):
        up, down = _moved(value.steps[k])
        step["improved"], step["regressed"] = up, down
        step["answers_up"] = sum(1 for x in value.steps[k].answers if x.direction == "improved")
        step["answers_down"] = sum(1 for x in value.steps[k].answers if x.direction == "regressed")
        step["from_date"], step["to_date"] = when(value.assessments[k]), when(value.assessments[k + 1])
    return {
        **body,
        "comparison_format_version": COMPARISON_FORMAT_VERSION,
        "tool_version": __version__,
        "generated": (today or dt.date.today()).isoformat(),
        "dates": [when(a) for a in value.assessments],
        "chart": chart(value, scale_of(assessments)),
        "rag_words": RAG_WORDS,
        "severity_words": SEVERITY_WORDS,
        "direction_words": _DIRECTION_WORDS,
    }
