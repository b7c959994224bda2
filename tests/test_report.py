"""Reports: Markdown and HTML from the bundled templates, escaping of user text, sandboxed user templates."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.batch import load_and_score
from maturity.app.catalogue import Catalogue
from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.cli import app
from maturity.engine.roadmap import build_roadmap
from maturity.engine.scoring import score
from maturity.model.problems import DefinitionError
from maturity.render.report import render_report, report_context

from .conftest import FIXTURES, ROOT

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
    assert headings == [
        "## Verdict: At risk",
        "## Maturity: level 3 Defined",
        "## Top pain points",
        "## Evidence gaps",
        "## Roadmap: the fewest changes that would make a difference",
        "## Appendix: answers",
        "## References",
    ]
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
    assert "@media print" in html and '<th scope="col">' in html


def test_json_report_is_versioned() -> None:
    body = json.loads(_render("json"))
    assert body["report_format_version"] == 1
    assert body["assessment"]["verdict"]["outcome"] == "at-risk"


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("{{ details.organisation.__class__.__mro__ }}", "MQ403"),
        ("{{ no_such_variable }}", "MQ403"),
        ("{% if %}", "MQ402"),
        ("{{ ''.__class__.__base__.__subclasses__() }}", "MQ403"),
    ],
)
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
    result = runner.invoke(
        app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ------------------------------------------------------------------------------------------ bundled examples

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_DATE = "2025-01-01"
GOLDEN_EXAMPLES = ["well-run-retender", "failing-service-rushed-to-market"]
DOCUMENTED_KEYS = ["report_format_version", "tool_version", "generated", "questionnaire", "assessment", "roadmap"]


def _bundled(name: str, fmt: str) -> str:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / f"{name}.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    return render_report(assessment, q.model, rules.model, fmt, generated=GOLDEN_DATE)


@pytest.mark.parametrize("fmt", ["md", "json"])
@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
def test_report_matches_golden_file(name: str, fmt: str) -> None:
    """Byte for byte; after an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff."""
    text = _bundled(name, fmt)
    path = GOLDEN / f"{name}.{fmt}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True), str(path), "rendered"
            )
        )
        pytest.fail(f"the {fmt} report of {name} differs from {path} (UPDATE_GOLDEN=1 to accept):\n{diff}")


def test_json_report_carries_the_documented_keys() -> None:
    body = json.loads(_bundled("live-contract-in-trouble", "json"))
    assert body["report_format_version"] == 1
    assert list(body) == DOCUMENTED_KEYS
    doc = (ROOT / "docs" / "report-format.md").read_text(encoding="utf-8")
    goal = next(g for g in body["roadmap"]["goals"] if g["changes"])
    for key in [*DOCUMENTED_KEYS, *body["roadmap"], *goal, *goal["changes"][0]]:
        assert f"`{key}`" in doc, key
    assert body["generated"] == GOLDEN_DATE
    assert "verdict:at-risk" in [g["id"] for g in body["roadmap"]["goals"]]


def test_reports_show_the_roadmap_and_next_levels() -> None:
    md = _bundled("live-contract-in-trouble", "md")
    assert "### Move the verdict to At risk" in md
    assert "| STR-1: " in md and "indicator decision-driver: red to green" in md
    html = _bundled("failing-service-rushed-to-market", "html")
    assert html.index('id="gaps"') < html.index('id="roadmap"') < html.index('id="answers"')
    assert html.count('class="next-level"') == 8 and "next level 2 Developing, from a score of 2" in html
    assert 'rag-red">Red</span>' in html


def test_a_given_roadmap_is_used_and_generated_is_fixed() -> None:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / "mid-maturity-council.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    roadmap = build_roadmap(q.model, rules.model, answers.model, assessment)
    context = report_context(assessment, q.model, rules.model, generated="2000-01-02", roadmap=roadmap)
    assert context["generated"] == "2000-01-02" and context["roadmap"] == roadmap.to_dict()


def test_terminal_report_is_plain_text_without_control_characters(tmp_path: Path) -> None:
    text = (
        (VALID / "demo.answers.yaml")
        .read_text(encoding="utf-8")
        .replace("Example Borough Council", '"Example \\e[31mBorough\\e[0m Council"')
    )
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["report", str(tmp_path / "a.yaml"), "-d", str(VALID)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "Example [31mBorough[0m Council" in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Demo readiness check"
    assert any(line.startswith("VERDICT: AT RISK (Amber)") for line in lines)


@pytest.mark.parametrize(
    ("out", "start"), [("r.html", "<!DOCTYPE html>"), ("r.md", "# Demo readiness check"), ("r.json", "{")]
)
def test_report_format_follows_the_out_extension(tmp_path: Path, out: str, start: str) -> None:
    result = runner.invoke(
        app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-o", str(tmp_path / out)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / out).read_text(encoding="utf-8").startswith(start)
