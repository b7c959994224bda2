"""`maturity questionnaire`: the blank form, for reading ahead or a workshop, in md, html and pdf."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import ROOT

runner = CliRunner()
LIFECYCLE = ROOT / "questionnaires" / "outsourcing-lifecycle.yaml"


def _questions(path: Path) -> list[dict]:  # type: ignore[type-arg]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = list(data.get("context", []))
    for stage in data["stages"]:
        for group in stage.get("groups") or [{"questions": stage.get("questions", [])}]:
            found.extend(group["questions"])
    return found


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_markdown_form_has_every_question_in_the_interviews_order() -> None:
    result = runner.invoke(app, ["questionnaire"])
    assert result.exit_code == 0, result.output
    # each question is a numbered heading ending with its id (Markdown escapes an underscore in it)
    headings = re.findall(r"^### \d+\. .* \((\S+)\)$", result.stdout, re.M)
    assert [h.replace("\\_", "_") for h in headings] == [q["id"] for q in _questions(LIFECYCLE)]
    # a question asked only in some situations says when, in the questionnaire's own words
    assert 'Asked only when the answer to situation ("Which situation does this assessment cover?")' in result.stdout


def test_the_html_form_is_self_contained_and_lists_the_levels(tmp_path: Path) -> None:
    out = tmp_path / "form.html"
    result = runner.invoke(app, ["questionnaire", "--out", str(out)])
    assert result.exit_code == 0, result.output
    parser = _Text()
    parser.feed(out.read_text(encoding="utf-8"))
    text = " ".join(parser.text)
    assert parser.scripts == 0
    first_scale = next(q for q in _questions(LIFECYCLE) if q.get("kind") == "scale")
    assert first_scale["text"] in text


def test_the_pdf_form_is_a4_with_page_numbers(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "form.pdf"
    result = runner.invoke(app, ["questionnaire", "outsourcing-a-problem", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(str(out))
    pages = len(reader.pages)
    assert pages > 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    last = reader.pages[-1].extract_text()
    assert re.search(rf"page {pages} of {pages}", last)
    words = " ".join(page.extract_text() for page in reader.pages)
    for question in _questions(ROOT / "questionnaires" / "outsourcing-a-problem.yaml"):
        assert f"({question['id']})" in words.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "form.txt"], "'.txt' is not a report format"),
        (["--out", "form.html", "--format", "md"], "names a html file but --format md"),
        (["--format", "docx"], "docx"),
    ],
)
def test_a_format_is_never_written_under_another_name(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["questionnaire", *[str(tmp_path / a) if a.startswith("form.") else a for a in args]])
    assert result.exit_code == 2 and message in result.output
    assert not list(tmp_path.iterdir())


def test_text_a_model_author_wrote_is_escaped(tmp_path: Path) -> None:
    text = LIFECYCLE.read_text(encoding="utf-8")
    first = _questions(LIFECYCLE)[3]["text"]
    hostile = tmp_path / "q.yaml"
    hostile.write_text(text.replace(first, "<script>alert(1)</script> & more", 1), encoding="utf-8")
    for fmt in ("html", "md"):
        result = runner.invoke(app, ["questionnaire", str(hostile), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "<script>" not in result.stdout and "alert(1)" in result.stdout
