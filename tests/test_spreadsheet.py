"""Summaries a consultant opens in a spreadsheet: the xlsx read back with openpyxl (and opened by LibreOffice when
it is installed), and the CSV's columns, numbers and byte-order mark."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import ROOT

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MODEL = ROOT / "examples" / "models" / "data-stewardship"
runner = CliRunner()


def _score(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    result = runner.invoke(
        app, ["score", *map(str, EXAMPLES), str(MODEL / "answers"), "-d", str(MODEL), "--summary", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, list[dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("xlsx")
    hostile = tmp / "hostile.yaml"
    text = EXAMPLES[0].read_text(encoding="utf-8")
    hostile.write_text(
        re.sub(r"\n  organisation: .*", '\n  organisation: "=HYPERLINK(1) Council"', text, count=1), "utf-8"
    )
    out = tmp / "portfolio.xlsx"
    files = [*map(str, EXAMPLES), str(hostile), str(MODEL / "answers")]
    result = runner.invoke(app, ["score", *files, "-d", str(MODEL), "--summary", str(out)])
    assert result.exit_code == 0, result.output
    reference = tmp / "portfolio.csv"
    assert runner.invoke(app, ["score", *files, "-d", str(MODEL), "--summary", str(reference)]).exit_code == 0
    return openpyxl.load_workbook(out), _csv_rows(reference)


def test_the_workbook_has_its_sheets_a_frozen_header_and_filters(workbook: tuple[object, list[dict[str, str]]]) -> None:
    book, rows = workbook
    assert book.sheetnames == ["Contracts", "Pain points", "Verdicts", "Situations"]  # type: ignore[attr-defined]
    sheet = book["Contracts"]  # type: ignore[index]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(rows) + 1
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{len(rows) + 1}"
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["File", "Status", "Organisation", "Service"]
    assert "Procurement, evaluation and award: level" in headers  # stage titles, not ids
    assert "Handle data: level" in headers and "Handle data: score" in headers  # reported roll-up nodes
    assert "Situation" in headers and "Questionnaire title" in headers


def test_cells_are_typed_and_rag_cells_filled(workbook: tuple[object, list[dict[str, str]]]) -> None:
    book, rows = workbook
    sheet = book["Contracts"]  # type: ignore[index]
    headers = [c.value for c in sheet[1]]
    col = {h: k for k, h in enumerate(headers)}
    for r, row in enumerate(rows, start=2):
        cells = list(sheet[r])
        score = cells[col["Overall score"]]
        assert score.data_type == "n" and score.value == pytest.approx(float(row["overall_score"]))
        assert isinstance(cells[col["Date"]].value, dt.datetime)
        assert cells[col["Low confidence"]].value is (row["low_confidence"] == "yes")
        assert cells[col["Organisation"]].data_type == "s"
        rag = row["overall_rag"]
        fill = cells[col["Overall RAG"]].fill.fgColor.rgb
        assert fill == {"red": "FFA4161A", "amber": "FFF0B429", "green": "FF1D6B34"}[rag]
        assert cells[col["Overall RAG"]].value == rag.capitalize()
    hostile = next(r for r, row in enumerate(rows, start=2) if row["organisation"].startswith(("'=", "=")))
    cell = sheet.cell(hostile, col["Organisation"] + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(1)")  # text, not a formula, no apostrophe


def test_the_count_sheets_agree_with_the_rows(workbook: tuple[object, list[dict[str, str]]]) -> None:
    book, rows = workbook
    pains = Counter(p for row in rows for p in row["pain_points"].split(";") if p)
    found = {r[1]: r[3] for r in book["Pain points"].iter_rows(min_row=2, values_only=True)}  # type: ignore[index]
    assert found == dict(pains)
    verdicts = Counter(row["verdict_label"] for row in rows if row["verdict_label"])
    counted = {r[0]: r[3] for r in book["Verdicts"].iter_rows(min_row=2, values_only=True)}  # type: ignore[index]
    assert counted == dict(verdicts)
    situations = Counter(row["situation"] for row in rows)
    listed = {r[0]: r[1] for r in book["Situations"].iter_rows(min_row=2, values_only=True)}  # type: ignore[index]
    assert listed == dict(situations)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(tmp_path: Path) -> None:
    out = _score(tmp_path, "portfolio.xlsx")
    converted = tmp_path / "converted"
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "csv",
            "--outdir",
            str(converted),
            str(out),
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = _csv_rows(converted / "portfolio.csv")
    reference = _csv_rows(_score(tmp_path, "portfolio.csv"))
    assert [r["Organisation"] for r in rows] == [r["organisation"] for r in reference]
    assert [r["Overall level"] for r in rows] == [r["overall_level"] for r in reference]


def test_the_csv_says_the_situation_and_title_and_writes_whole_numbers_whole(tmp_path: Path) -> None:
    rows = _csv_rows(_score(tmp_path, "s.csv"))
    by_service = {r["service"]: r for r in rows}
    group = by_service["Coastal ecology group"]
    assert group["situation"] == "A research group"
    assert group["questionnaire_title"] == "Research data stewardship maturity"
    assert group["share_score"] == "0.438"  # 0.4375, rounded half up as every display rounds it
    assert group["verdict"] == "" and group["verdict_label"] == ""  # rules with levels only: no verdict
    institution = by_service["Whole institute"]
    assert institution["storage_score"] == "3" and institution["handle_level"] == "3"  # not 3.0
    lifecycle = next(r for r in rows if r["questionnaire"] == "outsourcing-lifecycle")
    assert lifecycle["situation"] and lifecycle["verdict_rag"] in ("red", "amber", "green")
    precheck = next(r for r in rows if r["questionnaire"] == "outsourcing-a-problem")
    # a pre-check's levels never sit unmarked beside a full assessment's: its questionnaire and title say which
    assert precheck["questionnaire_title"] != lifecycle["questionnaire_title"]


def test_excel_csv_starts_with_the_byte_order_mark(tmp_path: Path) -> None:
    accented = tmp_path / "accented.yaml"
    accented.write_text(
        EXAMPLES[0].read_text(encoding="utf-8").replace("organisation: ", "organisation: Conseil de Besançon ", 1),
        encoding="utf-8",
    )
    out = tmp_path / "excel.csv"
    result = runner.invoke(app, ["score", str(accented), "--summary", str(out), "--excel-csv"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbffile,")
    assert _csv_rows(out, "utf-8-sig")[0]["organisation"].startswith("Conseil de Besançon")
    plain = tmp_path / "plain.csv"
    assert runner.invoke(app, ["score", str(accented), "--summary", str(plain)]).exit_code == 0
    assert plain.read_bytes().startswith(b"file,")  # scripts' CSV stays as it was
    refused = runner.invoke(app, ["score", str(accented), "--summary", str(tmp_path / "s.json"), "--excel-csv"])
    assert refused.exit_code == 2 and "--excel-csv is for a .csv summary" in refused.stderr


def test_without_the_extra_a_workbook_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import maturity.app.spreadsheet as spreadsheet

    monkeypatch.setattr(spreadsheet, "available", lambda: False)
    result = runner.invoke(app, ["score", str(EXAMPLES[0]), "--summary", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 2 and "pip install 'maturity[xlsx]'" in result.stderr
    assert not (tmp_path / "s.xlsx").exists()


def test_the_workbook_gets_the_permissions_a_file_written_in_place_would(tmp_path: Path) -> None:
    """XlsxWriter writes its own temporary file; it must be shared as the CSV is (what the umask allows, or the
    earlier summary's permissions), never left private to its owner."""
    out = tmp_path / "s.xlsx"
    before = os.umask(0o022)
    try:
        assert runner.invoke(app, ["score", *map(str, EXAMPLES), "--summary", str(out)]).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o644
        out.chmod(0o640)
        assert runner.invoke(app, ["score", *map(str, EXAMPLES), "--summary", str(out)]).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(before)
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]  # no temporary file left
