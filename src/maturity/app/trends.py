"""`maturity compare` as a library call: assessments in, the trend's document out, in any of its formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maturity.engine.compare import TEMPLATES, Trend, trend, trend_json
from maturity.model.assessment import Assessment


def trend_document(
    assessments: list[Assessment], target: Assessment | None, fmt: str, templates: Path | None = None
) -> tuple[Trend, bytes]:
    """The trend of the assessments (put in date order) and its document: terminal text, Markdown, HTML, JSON or
    PDF. Raises MaturityError when they cannot be compared (no question in common) or a template fails."""
    from maturity.render.report import html_to_pdf, render_template
    from maturity.render.trends import terminal_lines, trend_context

    found = trend(assessments, target)
    text: str
    if fmt == "terminal":
        text = "\n".join(terminal_lines(found)) + "\n"
    elif fmt == "json":
        text = trend_json(found)
    else:
        context: dict[str, Any] = trend_context(found, assessments)
        text = render_template(TEMPLATES["html" if fmt == "pdf" else fmt], context, templates)
    return found, html_to_pdf(text) if fmt == "pdf" else text.encode("utf-8")
