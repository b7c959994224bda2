"""Reports: Markdown and HTML from the bundled templates, escaping of user text, sandboxed user templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.batch import load_and_score
from maturity.catalogue import Catalogue
from maturity.cli import app
from maturity.problems import DefinitionError
from maturity.report import render_report

from .conftest import FIXTURES

VALID = FIXTURES / "valid"
runner = CliRunner()


def _render(fmt: str, templates: Path | None = None) -> str:
    catalogue = Catalogue.from_folders([VALID])
    assessment, _ = load_and_score(VALID / "demo.answers.yaml", catalogue)
    found = catalogue.get("demo", "1.2.0")
    return render_report(assessment, found.questionnaire.model, found.rules.model, fmt, templates)


def test_markdown_report_in_order() -> None:
    text = _render("md")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Verdict: At risk", "## Maturity: level 3 Defined", "## Top pain points",
                        "## Evidence gaps", "## Appendix: answers", "## References"]
    assert "| Contract management | 2.25 | 2 Developing | Amber |" in text
    assert "Questionnaire demo 1.2.0, rules demo-rules 1.0.0" in text


def test_user_text_is_escaped_in_markdown_and_html() -> None:
    md = _render("md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and {{ 7\\*7 }}" in md
    html = _render("html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def test_html_is_self_contained_and_says_rag_in_words() -> None:
    html = _render("html")
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert "http://" not in html.split("</style>")[0] and "<link" not in html
    assert '<span class="rag rag-amber">Amber</span>' in html
    assert "@media print" in html and "<th scope=\"col\">" in html


def test_json_report_is_versioned() -> None:
    body = json.loads(_render("json"))
    assert body["report_format_version"] == 1
    assert body["assessment"]["verdict"]["outcome"] == "at-risk"


@pytest.mark.parametrize(("template", "code"), [
    ("{{ details.organisation.__class__.__mro__ }}", "MQ403"),
    ("{{ no_such_variable }}", "MQ403"),
    ("{% if %}", "MQ402"),
    ("{{ ''.__class__.__base__.__subclasses__() }}", "MQ403"),
])
def test_user_templates_are_sandboxed_and_strict(tmp_path: Path, template: str, code: str) -> None:
    (tmp_path / "report.md.j2").write_text(template, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        _render("md", tmp_path)
    assert caught.value.problems[0].code == code


def test_user_template_overrides_by_name(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{{ details.organisation|md }}: {{ verdict.label }}\n", encoding="utf-8")
    assert _render("md", tmp_path) == "Example Borough Council: At risk\n"
    assert _render("html", tmp_path).startswith("<!DOCTYPE html>")


def test_report_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-f", "html",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
