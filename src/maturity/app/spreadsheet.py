"""`score --summary portfolio.xlsx`: the summary as a spreadsheet that opens without an import dialog.

Written with XlsxWriter in its constant-memory mode: each row goes to the sheet's temporary file as it arrives,
so a hundred thousand rows stay in bounded memory. (openpyxl's write-only mode streams too; XlsxWriter was chosen
for being the faster writer of the two, for its per-cell types and formats in streaming mode, and for needing
nothing else installed. The tests read the files back with openpyxl, an independent reader.)

Sheets: Contracts (a typed row per file: numbers as numbers, dates as dates, yes/no as booleans; headers in
words, stage and node columns titled by the stage; the header row frozen, filters on every column, RAG cells
filled), Pain points (how many contracts each fired in), Verdicts (how many contracts had each outcome) and
Situations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.app.catalogue import Catalogue
from maturity.app.portfolio import Portfolio, part_titles
from maturity.io.store import publish, temporary_beside
from maturity.model.text import CELL_TEXT_LIMIT, cell_text
from maturity.model.vocabulary import RAG_WORDS, SEVERITY_WORDS, column_title

if TYPE_CHECKING:
    from maturity.app.batch import FileOutcome
    from maturity.io.output import FileOutput

INSTALL = "a .xlsx summary needs XlsxWriter, an optional extra: pip install 'maturity[xlsx]' (or write a .csv summary)"
RAG_FILLS = {"red": ("#A4161A", "#FFFFFF"), "amber": ("#F0B429", "#1B1B1B"), "green": ("#1D6B34", "#FFFFFF")}
NUMBER_COLUMNS = frozenset({"overall_score", "overall_level", "verdict_points", "unanswered", "dont_know"})
WIDTHS = {"file": 40, "organisation": 28, "service": 28, "questionnaire_title": 30, "situation": 24}


def available() -> bool:
    """Whether the xlsx extra is installed."""
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        return False
    return True


class XlsxSummary:
    """A summary written as a workbook, row by row; `close()` adds the count sheets and puts the file in place."""

    def __init__(self, path: Path, columns: list[str], catalogue: Catalogue) -> None:
        import xlsxwriter

        self.path, self.columns = Path(path), columns
        fd, self.temporary = temporary_beside(self.path, ".tmp.xlsx")
        os.close(fd)
        self.book = xlsxwriter.Workbook(
            self.temporary,
            {
                "constant_memory": True,
                # user text is text: never a formula, a link or a number, whatever it starts with
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.tally = Portfolio(catalogue)
        titles = part_titles(catalogue)
        self.header = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#ECECEC"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.number = self.book.add_format({"num_format": "0.###"})
        self.fills = {
            rag: self.book.add_format({"bg_color": back, "font_color": ink, "bold": True})
            for rag, (back, ink) in RAG_FILLS.items()
        }
        self.sheet = self.book.add_worksheet("Contracts")
        for k, column in enumerate(columns):
            width = WIDTHS.get(column, 12 if column.endswith(("_level", "_rag", "_score")) else 16)
            self.sheet.set_column(k, k, width)
        self.sheet.set_row(0, 45)
        for k, column in enumerate(columns):
            self.sheet.write_string(0, k, _text(column_title(column, titles)), self.header)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0
        # the RAG that colours each level and score column: the part's own RAG column
        self.rag_of = {
            k: f"{column.rpartition('_')[0]}_rag"
            for k, column in enumerate(columns)
            if column.endswith(("_level", "_score"))
        }

    def write(self, row: dict[str, Any]) -> None:
        self.rows += 1
        self.tally.tally(row)
        r, sheet = self.rows, self.sheet
        for k, column in enumerate(self.columns):
            value = row.get(column)
            fill = None
            if column.endswith("_rag") or column in self.rag_of.values():
                fill = self.fills.get(str(value)) if value else None
            elif k in self.rag_of:
                fill = self.fills.get(str(row.get(self.rag_of[k]) or ""))
            if value is None or value == "" or value == []:
                if fill is not None:
                    sheet.write_blank(r, k, None, fill)
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, k, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, k, value, fill or self.number)
            elif isinstance(value, list):
                sheet.write_string(r, k, _text("; ".join(map(str, value))))
            elif column == "date":
                try:
                    sheet.write_datetime(r, k, dt.datetime.fromisoformat(str(value)), self.date)
                except ValueError:
                    sheet.write_string(r, k, _text(value))
            elif column.endswith("_rag"):
                sheet.write_string(r, k, _text(RAG_WORDS.get(str(value), value)), fill)
            else:
                sheet.write_string(r, k, _text(value), fill)

    def close(self) -> None:
        """Filters on the contracts, the count sheets, then the finished file renamed into place."""
        try:
            self.sheet.autofilter(0, 0, max(self.rows, 1), len(self.columns) - 1)
            self._counts()
            self.book.close()
            publish(self.temporary, self.path)  # synced, with the permissions a file written in place gets
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Leave no temporary file (on an error or Ctrl-C); the earlier summary, if any, stays as it was."""
        with contextlib.suppress(Exception):
            self.book.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)

    def _counts(self) -> None:
        tally = self.tally
        scored = tally.total - tally.failed
        share = self.book.add_format({"num_format": "0%"})
        sheets: list[tuple[str, list[str], list[list[Any]]]] = [
            (
                "Pain points",
                ["Pain point", "Id", "Severity", "Contracts", "Share of contracts"],
                [
                    [p["title"], p["id"], SEVERITY_WORDS.get(p["severity"], p["severity"]), p["count"], p["share"]]
                    for p in tally.common_pains(tally.pains, scored, limit=len(tally.pains))
                ],
            ),
            (
                "Verdicts",
                ["Verdict", "Id", "RAG", "Contracts", "Share of contracts"],
                [
                    [label, outcome, RAG_WORDS.get(rag, rag), n, n / scored if scored else 0]
                    for (outcome, label, rag), n in sorted(tally.verdicts.items(), key=lambda kv: -kv[1])
                ],
            ),
            (
                "Situations",
                ["Situation", "Contracts", "Share of contracts"],
                [[s, n, n / scored if scored else 0] for s, n in tally.situations.most_common()],
            ),
        ]
        for name, header, rows in sheets:
            sheet = self.book.add_worksheet(name)
            sheet.set_column(0, 0, 60 if name == "Pain points" else 36)
            sheet.set_column(1, len(header) - 1, 16)
            for k, title in enumerate(header):
                sheet.write_string(0, k, _text(title), self.header)
            sheet.freeze_panes(1, 0)
            for r, values in enumerate(rows, 1):
                for k, value in enumerate(values):
                    if isinstance(value, (int, float)):
                        last = k == len(values) - 1
                        sheet.write_number(r, k, value, share if last else None)
                    else:
                        fill = self.fills.get(next((g for g, w in RAG_WORDS.items() if w == value), ""))
                        sheet.write_string(r, k, _text(value), fill if header[k] == "RAG" else None)
            sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)


def _text(value: Any) -> str:
    """Every text a workbook holds, user-typed or from a model's definitions, on one line without controls,
    escape sequences or bidirectional overrides, within a cell's 32,767 characters."""
    return cell_text(str(value), CELL_TEXT_LIMIT)


# ------------------------------------------------------------------------------------------------- summaries


class SummarySink:
    """Where `score --summary` rows go, whatever the format: CSV or JSON lines rendered by the workers (`format`),
    or a workbook written from each row in this process. Entered on an ExitStack, so an error or Ctrl-C leaves
    no half-written file and the earlier summary as it was."""

    def __init__(
        self, output: FileOutput, catalogue: Catalogue, stack: contextlib.ExitStack[Any], excel: bool = False
    ) -> None:
        from maturity.app.summaries import ROW_FIELDS, SummaryFormat, SummaryWriter, stage_columns
        from maturity.io.store import atomic_writer

        suffix = output.path.suffix.lower()  # the format is the named file's; a link's target is written
        path = output.target
        columns = stage_columns(catalogue)
        self.workbook: XlsxSummary | None = None
        self.writer: SummaryWriter | None = None
        self.format: SummaryFormat | None = None
        if suffix == ".xlsx":
            self.workbook = XlsxSummary(path, [*ROW_FIELDS[:-2], *columns, *ROW_FIELDS[-2:]], catalogue)
            stack.callback(self._discard)
        else:
            handle = stack.enter_context(atomic_writer(path, buffering=1 << 20))
            if excel and suffix == ".csv":
                handle.write("\ufeff")  # the byte-order mark by which spreadsheets know the file is UTF-8
            self.format = SummaryFormat("json" if suffix == ".json" else "csv", columns)
            self.writer = SummaryWriter(handle, self.format)
        self.closed = False

    def take(self, outcome: FileOutcome) -> None:
        """One file's outcome: its worker-rendered line, or its row for the workbook."""
        if self.writer is not None and outcome.summary_text is not None:
            self.writer.write_rendered(outcome.summary_text)
        elif self.workbook is not None:
            self.workbook.write(outcome.row)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.workbook is not None:
            self.workbook.close()
        self.closed = True

    def _discard(self) -> None:
        if self.workbook is not None and not self.closed:
            self.workbook.discard()
