"""The PDF report, rendered by WeasyPrint (the optional extra) and read back with pypdf: A4 pages, each numbered
"Page N of M" with the running header (organisation, service, date, marking), and the verdict on page 1."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import ROOT

pypdf = pytest.importorskip("pypdf")
try:
    import weasyprint  # noqa: F401
except (ImportError, OSError):
    pytest.skip("WeasyPrint is not installed (pip install '.[pdf]')", allow_module_level=True)

runner = CliRunner()
EXAMPLE = ROOT / "examples" / "failing-service-rushed-to-market.yaml"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("pdf") / "cabinet pack.pdf"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def test_every_page_is_numbered_and_carries_the_running_header(pages: list[str]) -> None:
    assert 2 <= len(pages) <= 20  # 47 pain points and 61 answers with notes follow page 1
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in text, n
        assert "Harrowden District Council: Housing benefit and council tax support processing" in text, n
        assert "2025-02-11" in text and "OFFICIAL" in text, n


def test_the_verdict_is_on_page_one(pages: list[str]) -> None:
    first = pages[0]
    assert "Outsourcing a problem" in first
    assert "The service meets fewer than 70% of its own targets, or nobody knows how it is performing." in first
    assert "What decided it" in first and "Next actions" in first
    assert re.search(r"Prepared for", first)


def test_pdf_to_stdout_when_redirected(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLE), "--format", "pdf"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_score_writes_pdf_reports(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(EXAMPLE), "--out", str(tmp_path), "--report", "pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "failing-service-rushed-to-market.report.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("example", sorted(p.stem for p in (ROOT / "examples").glob("*.yaml")))
def test_page_one_holds_the_whole_executive_summary(example: str, tmp_path: Path) -> None:
    """The summary ends with its details and a page break: if it overflows, page two is a stub of two lines."""
    out = tmp_path / f"{example}.pdf"
    result = runner.invoke(app, ["report", str(ROOT / "examples" / f"{example}.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    first, second = (" ".join(reader.pages[n].extract_text().split()) for n in (0, 1))
    assert "Protective marking" in first and "Questionnaire" in first
    assert "Protective marking" not in second
    assert "The verdict" in second or "Maturity: level" in second  # page two starts the next section
