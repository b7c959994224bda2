"""`maturity list`: the questionnaires a user can assess, as a table for people and JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from maturity.checks.validation import QuestionnaireInfo
from maturity.model.text import one_line


def listing_lines(infos: Sequence[QuestionnaireInfo]) -> list[str]:
    """A header and one line per questionnaire; one found in a --definitions folder names its file after its
    title, so two of the same id can be told apart."""
    rows = [("ID", "VERSION", "QUESTIONS", "TITLE")]
    rows += [
        (
            one_line(i.id),
            one_line(i.version),
            str(i.questions),
            one_line(i.title) + ("" if i.bundled else f"  ({one_line(i.path)})"),
        )
        for i in infos
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(3)]
    return [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows]


def listing_json(infos: Sequence[QuestionnaireInfo]) -> str:
    body = [
        {
            "id": i.id,
            "version": i.version,
            "title": i.title,
            "questions": i.questions,
            "path": i.path,
            "bundled": i.bundled,
        }
        for i in infos
    ]
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
