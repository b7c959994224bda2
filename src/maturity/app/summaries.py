"""The rows a batch writes about each file: the summary row (CSV, JSON, the workbook) and the terminal table's
line. Pure text and numbers, so batch workers render their own rows and the parent only writes them out."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from maturity.app.catalogue import Catalogue
from maturity.io.files import read_head
from maturity.model.problems import MaturityError
from maturity.model.text import CELL_TEXT_LIMIT, csv_cell, is_plain_cell, json_safe, one_line
from maturity.model.vocabulary import round_half_up

if TYPE_CHECKING:
    from maturity.model.assessment import Summary


ROW_FIELDS = [
    "file",
    "status",
    "organisation",
    "service",
    "assessor",
    "date",
    "questionnaire",
    "questionnaire_title",
    "version",
    "situation",
    "overall_score",
    "overall_level",
    "overall_level_name",
    "overall_rag",
    "verdict",
    "verdict_label",
    "verdict_rag",
    "verdict_points",
    "low_confidence",
    "pain_points",
    "top_pain_point",
    "top_pain_point_title",
    "unanswered",
    "dont_know",
    "error_code",
    "error",
]


class RowFormat(Protocol):
    """How a batch worker renders each file's summary row as text (a CSV line, a JSON object, a heatmap row),
    so that the process reading the outcomes only writes them out."""

    def render(self, row: dict[str, Any]) -> str: ...


def looks_like_a_summary(path: str | Path) -> bool:
    """Whether a file is a summary an earlier run wrote (a CSV with our header, a JSON array, or a workbook with
    our Contracts sheet), never an answers file, which is a mapping."""
    start = read_head(path, 64).removeprefix(b"\xef\xbb\xbf").lstrip()  # a pipe is no summary, and never waited on
    if start.startswith(b"PK\x03\x04"):
        return _is_summary_workbook(path)
    return start.startswith((b"[", ROW_FIELDS[0].encode() + b"," + ROW_FIELDS[1].encode() + b","))


def _is_summary_workbook(path: str | Path) -> bool:
    """A workbook `score --summary x.xlsx` wrote: its first sheet is called Contracts (read from the workbook's
    index inside the zip, a few hundred bytes, never the sheets)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book, book.open("xl/workbook.xml") as member:
            index = member.read(65536)  # read no further: a hostile zip may unpack to gigabytes
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    return b'<sheet name="Contracts"' in index


def summary_row(summary: Summary, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """One flat row a spreadsheet can pivot: overall and per-stage figures, the verdict, the pain point ids; with
    the catalogue, also the questionnaire's title, the situation's label and the verdict's RAG."""
    d = summary.details
    pains = summary.pain_point_ids
    words = _words_for(summary.questionnaire_id, summary.questionnaire_version, catalogue)
    situation = "" if summary.situation is None or words.situation is None else words.label(summary.situation)
    row: dict[str, Any] = {
        "organisation": d.organisation,
        "service": d.service,
        "assessor": d.assessor or "",
        "date": d.date.isoformat() if d.date else "",
        "questionnaire": summary.questionnaire_id,
        "questionnaire_title": words.title,
        "version": summary.questionnaire_version,
        "situation": situation,
        "overall_score": _round(summary.overall_score),
        "overall_level": summary.overall_level,
        "overall_level_name": summary.overall_level_name or "",
        "overall_rag": summary.overall_rag or "",
        "verdict": summary.verdict_outcome,
        "verdict_label": summary.verdict_label,
        "verdict_rag": words.outcome_rags.get(summary.verdict_outcome, ""),
        "verdict_points": _round(summary.verdict_points),
        "low_confidence": summary.low_confidence,
        "pain_points": list(pains),  # CSV joins them with ';'
        "top_pain_point": pains[0] if pains else "",
        "top_pain_point_title": summary.pain_point_titles[0] if pains else "",
        "unanswered": summary.unanswered,
        "dont_know": summary.dont_know,
        "error_code": "",
        "error": "",
    }
    for stage in summary.stages:
        score_key, level_key, rag_key = _stage_keys.get(stage.id) or _keys_for(stage.id)
        row[score_key] = None if stage.score is None else round_half_up(stage.score)
        row[level_key] = stage.level
        row[rag_key] = stage.rag or ""
    for node in summary.reported:  # roll-up nodes the rules report like stages (a model's functions, say)
        score_key, level_key, _ = _stage_keys.get(node.id) or _keys_for(node.id)
        row[score_key] = None if node.score is None else round_half_up(node.score)
        row[level_key] = node.level
    if words.questionnaire is not None and not words.outcome_rags:  # rules with levels only: no verdict to show
        row.update(verdict="", verdict_label="")
    return row


@dataclass(frozen=True)
class _Words:
    """What a summary row says in words for one questionnaire: its title, the situation's labels, verdict RAGs."""

    title: str
    situation: Any  # the situation question, or None
    questionnaire: Any
    outcome_rags: dict[str, str]

    def label(self, value: Any) -> str:
        return str(self.questionnaire.answer_label(self.situation, value))


_NO_WORDS = _Words("", None, None, {})


_words: dict[tuple[str, str], _Words] = {}


def _words_for(qid: str, version: str, catalogue: Catalogue | None) -> _Words:
    """Found once per questionnaire and process: a batch makes thousands of rows from a few questionnaires."""
    if catalogue is None:
        return _NO_WORDS
    key = (qid, version)
    found = _words.get(key)
    if found is None:
        try:
            definitions = catalogue.get(qid, version)
        except MaturityError:
            return _NO_WORDS
        q, rules = definitions.questionnaire.model, definitions.rules.model
        rags: dict[str, str] = {o.id: o.rag for o in rules.verdict.outcomes} if rules.verdict else {}
        found = _words[key] = _Words(q.title, q.situation_question(), q, rags)
    return found


_stage_keys: dict[str, tuple[str, str, str]] = {}


def _keys_for(stage_id: str) -> tuple[str, str, str]:
    keys = _stage_keys[stage_id] = (f"{stage_id}_score", f"{stage_id}_level", f"{stage_id}_rag")
    return keys


TABLE_COLUMNS = (
    ("file", 28),
    ("organisation", 24),
    ("service", 22),
    ("level", 16),
    ("verdict", 38),
    ("top pain point", 0),
)


def table_header() -> str:
    return "  ".join(_cell(name.upper(), width) for name, width in TABLE_COLUMNS).rstrip() + "\n"


def table_line(row: dict[str, Any]) -> str:
    """One file's line of the terminal table: file, organisation, service, level, verdict, top pain point."""
    name = str(row["file"])
    if row.get("status") != "scored":
        cells = [name, "-", "-", "-", f"FAILED {row.get('error_code', '')}", ""]
    else:
        level = (
            f"{row['overall_level']} {row['overall_level_name']}" if row.get("overall_level") is not None else "none"
        )
        verdict = str(row.get("verdict_label") or "-") + (" (low confidence)" if row.get("low_confidence") else "")
        cells = [
            name,
            str(row.get("organisation", "")),
            str(row.get("service", "")),
            level,
            verdict,
            str(row.get("top_pain_point_title") or "-"),
        ]
    return (
        "  ".join(
            _cell(one_line(c), w) if i else _path_cell(one_line(c), w)
            for i, (c, (_, w)) in enumerate(zip(cells, TABLE_COLUMNS, strict=True))
        ).rstrip()
        + "\n"
    )


def _cell(text: str, width: int) -> str:
    if not width:
        return text
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def _path_cell(path: str, width: int) -> str:
    """A path cut from the left, so the end that tells files apart stays."""
    return (path if len(path) <= width else "…" + path[len(path) - width + 1 :]).ljust(width)


def _round(value: float | None) -> float | int | None:
    return None if value is None else round_half_up(value)


def stage_columns(catalogue: Catalogue) -> list[str]:
    """Per-stage columns (and per reported roll-up node) for every questionnaire the catalogue knows, so the CSV
    header is fixed up front."""
    from maturity.model.definitions import Questionnaire

    columns: list[str] = []
    found: list[tuple[str, str, Questionnaire]] = []
    for qid, version in catalogue.questionnaires():
        try:
            found.append((qid, version, catalogue.get(qid, version).questionnaire.model))
        except MaturityError:
            continue
    # the questionnaire with the most stages first, so a shorter one's stages fall into its order
    for qid, version, questionnaire in sorted(found, key=lambda f: -len(f[2].stages)):
        parts: list[tuple[str, tuple[str, ...]]] = [(s.id, ("score", "level", "rag")) for s in questionnaire.stages]
        rules = catalogue.get(qid, version).rules.model
        parts += [(n.id, ("score", "level")) for n in rules.rollup.nodes if n.reported]  # reported nodes: no RAG
        for part, suffixes in parts:
            for suffix in suffixes:
                name = f"{part}_{suffix}"
                if name not in columns:
                    columns.append(name)
    return columns


class SummaryFormat:
    """How each file's row is written in a summary: a CSV line, or one JSON object of an array.

    Pure text, so batch workers render their own rows and the parent only writes them out. CSV follows RFC 4180
    (CRLF line endings, quotes where needed), and every cell is one line of at most 1,000 characters that no
    spreadsheet will run as a formula (model.text.csv_cell): a reader that splits rows on line breaks, whatever
    it makes of quotes, still sees one row per file. JSON escapes what a terminal would act on.
    """

    def __init__(self, fmt: str, columns: list[str]) -> None:
        self.fmt, self.columns = fmt, [*ROW_FIELDS[:-2], *columns, *ROW_FIELDS[-2:]]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")

    def header(self) -> str:
        return self._csv_line(self.columns) if self.fmt == "csv" else "["

    def footer(self) -> str:
        return "" if self.fmt == "csv" else "\n]\n"

    def render(self, row: dict[str, Any]) -> str:
        """The row as one CSV line (with its newline), or as one JSON object (without separators)."""
        if self.fmt == "csv":
            # thousands of rows of dozens of cells: only text that is long, not printable or could start a
            # formula, booleans, lists and empty cells need a second look
            return self._csv_line(
                [
                    value
                    if value.__class__ in _PLAIN or (value.__class__ is str and is_plain_cell(value))
                    else _csv_cell(value)
                    for value in map(row.get, self.columns)
                ]
            )
        return json_safe(json.dumps({k: row.get(k) for k in self.columns if k in row}, ensure_ascii=False))

    def __getstate__(self) -> dict[str, Any]:  # for platforms that start workers afresh and pickle their setup
        return {"fmt": self.fmt, "columns": self.columns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.fmt, self.columns = state["fmt"], state["columns"]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")

    def _csv_line(self, cells: list[Any]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._csv.writerow(cells)
        return buffer.getvalue()


class SummaryWriter:
    """Streams rows to a summary file as they arrive: CSV, or JSON as one array written element by element."""

    def __init__(self, handle: io.TextIOBase, fmt: str | SummaryFormat, columns: list[str] | None = None) -> None:
        self.format = fmt if isinstance(fmt, SummaryFormat) else SummaryFormat(fmt, columns or [])
        self.handle = handle
        self.count = 0
        handle.write(self.format.header())

    def write(self, row: dict[str, Any]) -> None:
        self.write_rendered(self.format.render(row))

    def write_rendered(self, text: str) -> None:
        """A row already rendered by this writer's format (as batch workers do)."""
        if self.format.fmt == "csv":
            self.handle.write(text)
        else:
            self.handle.write(("," if self.count else "") + "\n  " + text)
        self.count += 1

    def close(self) -> None:
        self.handle.write(self.format.footer())


_PLAIN = frozenset({int, float})


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return csv_cell(";".join(map(str, value)), CELL_TEXT_LIMIT)  # within a spreadsheet cell, even when cut
    if isinstance(value, str):
        return csv_cell(value)  # one line, not too long, and never run as a formula: text a user typed stays text
    return value
