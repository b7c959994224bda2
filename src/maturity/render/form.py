"""The questionnaire as a blank, printable form (`maturity questionnaire`): every question in the order the
interview asks it, with its levels or options, its help, a space for the answer, a note and the evidence, and,
for a question asked only in some situations, when it is asked, in the questionnaire's own words.

For reading ahead, or for a workshop where people write their answers on paper before they are typed in.
Rendered through the reports' sandbox (render.report.render_template): the same escaping and overriding by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from maturity.engine.interview import value_words
from maturity.model.definitions import Condition, Question, Questionnaire
from maturity.model.version import __version__
from maturity.model.vocabulary import STATUS_WORDS, format_number

TEMPLATES = {"md": "questionnaire.md.j2", "html": "questionnaire.html.j2"}
FORMATS = ("md", "html", "pdf")  # a PDF is the HTML form, printed (render.report.html_to_pdf)

_KIND_WORDS = {
    "scale": "Tick one level.",
    "single": "Tick one.",
    "multiple": "Tick all that apply.",
    "yes_no": "Tick one.",
    "number": "Write a number.",
    "text": "Write your answer.",
}


def asked_when(questionnaire: Questionnaire, condition: Condition | None) -> str | None:
    """When a question is asked, as a sentence a respondent can follow: 'Asked only when the answer to
    situation ("Which situation does this assessment cover?") is "Live contract in delivery".'"""
    if condition is None:
        return None
    return f"Asked only when {_words(questionnaire, condition)}."


def _words(questionnaire: Questionnaire, c: Condition) -> str:
    if c.all is not None or c.any is not None:
        parts = [_words(questionnaire, p) for p in (c.all if c.all is not None else c.any) or []]
        return (" and " if c.all is not None else ", or ").join(parts)
    if c.not_ is not None:
        inner = c.not_
        if inner.question is not None and (inner.equals is not None or inner.in_ is not None):
            values = [inner.equals] if inner.equals is not None else list(inner.in_ or [])
            return f"{_subject(questionnaire, inner.question)} is not {_either(questionnaire, inner.question, values)}"
        return f"it is not so that {_words(questionnaire, inner)}"
    if c.question is None:
        from maturity.engine.conditions import describe

        return describe(c)
    qid = c.question
    subject = _subject(questionnaire, qid)
    if c.equals is not None:
        return f"{subject} is {_either(questionnaire, qid, [c.equals])}"
    if c.not_equals is not None:
        return f"{subject} is not {_either(questionnaire, qid, [c.not_equals])}"
    if c.in_ is not None:
        return f"{subject} is {_either(questionnaire, qid, list(c.in_))}"
    if c.not_in is not None:
        return f"{subject} is neither {_either(questionnaire, qid, list(c.not_in), 'nor')}"
    if c.includes is not None:
        return f"{subject} includes {_either(questionnaire, qid, [c.includes])}"
    if c.at_least is not None or c.at_most is not None:
        low = f"at least {_bound(questionnaire, qid, c.at_least)}" if c.at_least is not None else ""
        high = f"at most {_bound(questionnaire, qid, c.at_most)}" if c.at_most is not None else ""
        return f"{subject} is {' and '.join(w for w in (low, high) if w)}"
    state = {
        "answered": "has an answer",
        "unanswered": "has no answer",
        "known": "has an answer or is not applicable",
        "gap": "is don't know or has no answer",
        "evidenced": "has an answer with evidence",
    }
    return f"{subject} {state.get(c.is_ or '', 'is ' + STATUS_WORDS.get(c.is_ or '', str(c.is_)))}"


def _question(questionnaire: Questionnaire, qid: str) -> Question | None:
    return next((q for q in questionnaire.questions() if q.id == qid), None)


def _subject(questionnaire: Questionnaire, qid: str) -> str:
    question = _question(questionnaire, qid)
    return f"the answer to {qid}" + (f' ("{" ".join(question.text.split())}")' if question else "")


def _either(questionnaire: Questionnaire, qid: str, values: list[Any], joiner: str = "or") -> str:
    question = _question(questionnaire, qid)
    words = [f'"{value_words(questionnaire, question, v) if question else v}"' for v in values]
    if question is not None and question.kind == "yes_no":
        words = [f'"{"Yes" if str(v).lower() in ("yes", "true") else "No"}"' for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} {words[-1]}"


def _bound(questionnaire: Questionnaire, qid: str, value: float | None) -> str:
    question = _question(questionnaire, qid)
    if question is not None and question.kind == "scale" and value is not None and float(value).is_integer():
        return f'"{value_words(questionnaire, question, int(value))}"'
    return format_number(value)


def _choices(questionnaire: Questionnaire, question: Question) -> list[dict[str, Any]]:
    if question.kind == "scale":
        return [
            {"key": str(lv.level), "label": lv.label, "description": _flat(lv.description)}
            for lv in questionnaire.levels_of(question)
        ]
    if question.kind in ("single", "multiple"):
        return [
            {"key": str(i), "label": o.label, "description": _flat(o.description)}
            for i, o in enumerate(questionnaire.options_of(question), 1)
        ]
    if question.kind == "yes_no":
        return [{"key": "1", "label": "Yes", "description": None}, {"key": "2", "label": "No", "description": None}]
    return []


def _flat(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def _limits(question: Question) -> str | None:
    if question.kind != "number":
        return None
    parts = []
    if question.minimum is not None and question.maximum is not None:
        parts.append(f"from {format_number(question.minimum)} to {format_number(question.maximum)}")
    elif question.minimum is not None:
        parts.append(f"at least {format_number(question.minimum)}")
    elif question.maximum is not None:
        parts.append(f"at most {format_number(question.maximum)}")
    if question.integer:
        parts.append("a whole number")
    if question.unit:
        parts.append(f"in {question.unit}")
    return ", ".join(parts) or None


def form_context(questionnaire: Questionnaire, generated: str | None = None) -> dict[str, Any]:
    """Everything the form templates show, as plain data, in the interview's order."""
    number = 0
    sections = []
    groups: list[tuple[str, str | None, list[Question]]] = []
    if questionnaire.context:
        groups.append(("About this assessment", None, list(questionnaire.context)))
    for s, stage in enumerate(questionnaire.stages, 1):
        asked = [p.question for p in questionnaire.placed_questions() if p.stage == stage.id]
        groups.append((f"Stage {s}: {stage.title}", _flat(stage.intro), asked))
    seen: set[str] = set()
    for title, intro, questions in groups:
        rows = []
        for q in questions:
            if q.id in seen:
                continue
            seen.add(q.id)
            number += 1
            rows.append(
                {
                    "number": number,
                    "id": q.id,
                    "text": _flat(q.text),
                    "kind": q.kind,
                    "how": _KIND_WORDS[q.kind],
                    "choices": _choices(questionnaire, q),
                    "limits": _limits(q),
                    "help": _flat(q.help),
                    "sources": list(q.sources),
                    "asked_when": asked_when(questionnaire, q.when),
                    "dont_know": q.allow_dont_know,
                    "not_applicable": q.allow_not_applicable,
                }
            )
        sections.append({"title": title, "intro": intro, "questions": rows})
    conditional = any(q.when is not None for q in questionnaire.questions())
    return {
        "title": questionnaire.title,
        "id": questionnaire.id,
        "version": questionnaire.version,
        "description": _flat(questionnaire.description),
        "context_count": len(questionnaire.context),
        "stage_count": len(questionnaire.stages),
        "question_count": number,
        "conditional": conditional,
        "sections": sections,
        "tool_version": __version__,
        "generated": generated or dt.date.today().isoformat(),
    }


def render_form(questionnaire: Questionnaire, fmt: str, templates: Any = None, generated: str | None = None) -> str:
    from maturity.model.problems import DefinitionError, Problem
    from maturity.render.report import render_template

    if fmt not in TEMPLATES:
        choices = ", ".join(TEMPLATES)
        raise DefinitionError(
            Problem.make("MQ104", f"unknown form format '{fmt}' (choose {choices}; a PDF is printed from html)")
        )
    return render_template(TEMPLATES[fmt], form_context(questionnaire, generated), templates)
