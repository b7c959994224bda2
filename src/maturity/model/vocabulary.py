"""The words and orders every layer shares: answer statuses, RAG, severity, yes/no, roll-up methods, numbers.

Each is written once here, so that the engine, the explanation, the reports, `compare` and the interview can
never describe the same thing in two ways. Nothing here imports pydantic or anything heavy: the CLI's start-up
path may use it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Literal

# ------------------------------------------------------------------------------------------------ answer statuses

Status = Literal["answered", "dont_know", "not_applicable", "unanswered", "not_asked"]
STATUS_WORDS: dict[str, str] = {
    "answered": "answered",
    "dont_know": "don't know",
    "not_applicable": "not applicable",
    "unanswered": "unanswered",
    "skipped": "skipped",  # how an answers file records an unanswered question the person passed over
    "not_asked": "not asked",
    "gap": "a gap",  # an evidence gap: don't know or unanswered
    "evidenced": "answered with evidence",
    "fired": "fired",
}
GAP_STATUSES = frozenset({"dont_know", "unanswered"})  # asked, but no answer to score
UNKNOWN_STATUSES = frozenset({"dont_know", "unanswered", "not_asked"})  # nothing to rate an indicator from

YES_NO: dict[str, bool] = {"yes": True, "no": False}

# ------------------------------------------------------------------------------------------------- ratings

Rag = Literal["red", "amber", "green"]
RAG_ORDER: dict[str, int] = {"red": 0, "amber": 1, "green": 2}  # worst first
RAG_WORDS: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}

PainPointSeverity = Literal["high", "medium", "low"]
SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}  # worst first
SEVERITY_WORDS: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}

Method = Literal["mean", "sum", "min", "max", "weighted"]

# Reserved roll-up ids: the top of the roll-up, and the verdict's weighted indicator points.
OVERALL = "overall"
VERDICT_POINTS = "verdict"

# The protective marking a report carries when the answers file gives none (UK government information is
# OFFICIAL unless marked otherwise).
DEFAULT_MARKING = "OFFICIAL"

# -------------------------------------------------------------------------------------------------- numbers


def number(value: Any) -> float | None:
    """A finite number, or None: booleans are not numbers here (True is not level 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def format_number(value: float | int | None, places: int = 3) -> str:
    """A number as people read it: at most `places` decimals, rounded half up (0.625 to 2 places is 0.63, as a
    spreadsheet shows it), trailing zeros dropped, never "-0". None is "none"."""
    if value is None:
        return "none"
    if isinstance(value, bool) or not math.isfinite(float(value)):
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    # quantize needs room for every digit: a float has at most 309 before the point (the default is 28)
    with localcontext() as context:
        context.prec = 330 + places
        text = f"{Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def round_half_up(value: float, places: int = 3) -> float | int:
    """A number rounded as `format_number` shows it (half up, on its shortest decimal form), and a whole number
    as an int, so that a summary's 3.0 is written 3 and its 0.0625 is 0.063 in every format.

    Away from a tie Python's round() is exact; only a value within a hair of a tie goes through Decimal, so a
    batch of a hundred thousand rows pays almost nothing for it."""
    scaled = value * 10**places
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:
        found = round(value, places)
    else:
        found = float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    found += 0.0  # never -0.0
    return int(found) if found.is_integer() and abs(found) < 2**53 else found


def format_value(value: Any) -> str:
    """An answer or a compared value as a person reads it: yes/no, 2.5, a, b."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_number(value, 6)
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value) if value else "nothing chosen"
    return str(value)


def plural(n: int | float, word: str, many: str | None = None) -> str:
    """'1 point', '2 points', '0 points'."""
    return f"{format_number(n)} {word if n == 1 else (many or word + 's')}"


_SUBJECT_WORDS = {
    "question": "{}",
    "score": "score of {}",
    "level": "level of {}",
    "indicator": "indicator {}",
    "count": "number of {} indicators",
    "pain_point": "pain point {}",
}


def hit_words(subject: str, what: str, test: str, actual: str, held: bool = True) -> str:
    """One test of a condition and what it found, in words: "STR-1 is at most 2 (found 2)"; "not: ..." when it
    was false (a leaf under a `not`)."""
    if subject == "score" and what == VERDICT_POINTS:
        named = "verdict points"
    elif subject == "count":
        tier, _, rated = what.rpartition("/")
        named = f"number of {tier + ' ' if tier else ''}indicators rated {rated}"
    else:
        named = _SUBJECT_WORDS[subject].format(what)
    return f"{'' if held else 'not: '}{named} {test} (found {actual})"


# ------------------------------------------------------------------------------------------ combining respondents

CombinePolicy = Literal["lowest", "median", "open"]
COMBINE_POLICIES: dict[str, dict[str, str]] = {
    "lowest": {
        "short": "the lowest answer taken",
        "explain": "Where respondents differed, the combined answer is the lowest of their answers (for a choice, "
        "the one the rules give fewest points): the assessment claims no more than its most cautious respondent.",
    },
    "median": {
        "short": "the median answer taken",
        "explain": "Where respondents differed, the combined answer is the median of their answers (with an even "
        "number of answers, the lower of the two middle ones, so that combining never flatters).",
    },
    "open": {
        "short": "left open",
        "explain": "Where respondents disagreed, the question is left open for discussion: it stays unanswered, and "
        "counts as a gap, until it is settled (maturity assess --resume on the combined file goes back to it). "
        "Answers one level apart are combined by their median.",
    },
}

# ------------------------------------------------------------------------------------------- summary columns

# What a spreadsheet shows as the header of each `score --summary` column (a CSV keeps the ids, for scripts).
# Stage and reported-node columns are titled by the part's title: "Procurement, evaluation and award: level".
COLUMN_TITLES: dict[str, str] = {
    "file": "File",
    "status": "Status",
    "organisation": "Organisation",
    "service": "Service",
    "assessor": "Assessor",
    "date": "Date",
    "questionnaire": "Questionnaire",
    "questionnaire_title": "Questionnaire title",
    "version": "Version",
    "situation": "Situation",
    "overall_score": "Overall score",
    "overall_level": "Overall level",
    "overall_level_name": "Overall level name",
    "overall_rag": "Overall RAG",
    "verdict": "Verdict id",
    "verdict_label": "Verdict",
    "verdict_rag": "Verdict RAG",
    "verdict_points": "Verdict points",
    "low_confidence": "Low confidence",
    "pain_points": "Pain points",
    "top_pain_point": "Top pain point id",
    "top_pain_point_title": "Top pain point",
    "unanswered": "Unanswered",
    "dont_know": "Don't know",
    "error_code": "Error code",
    "error": "Error",
}
PART_COLUMN_WORDS: dict[str, str] = {"score": "score", "level": "level", "rag": "RAG"}


def column_title(column: str, part_titles: dict[str, str]) -> str:
    """A summary column's header for people: its word, or for a stage's or node's column, the part's title."""
    if column in COLUMN_TITLES:
        return COLUMN_TITLES[column]
    part, _, suffix = column.rpartition("_")
    if part in part_titles and suffix in PART_COLUMN_WORDS:
        return f"{part_titles[part]}: {PART_COLUMN_WORDS[suffix]}"
    return column
