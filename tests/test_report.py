"""Reports: the board pack in every format, escaping of user text, sandboxed and limited user templates, formats
chosen strictly from the file name, golden files."""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.catalogue import Catalogue
from maturity.app.pipeline import load_and_score
from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.cli import app
from maturity.engine.roadmap import build_roadmap
from maturity.engine.scoring import score
from maturity.io.loader import load_rules_file
from maturity.model.problems import DefinitionError
from maturity.model.vocabulary import format_number
from maturity.render.report import render_report, render_report_bytes, report_context, summary_lines

from .conftest import FIXTURES, ROOT

VALID = FIXTURES / "valid"
runner = CliRunner()
HAS_PDF = True
try:
    import weasyprint  # noqa: F401
except (ImportError, OSError):
    HAS_PDF = False


def _render(fmt: str, templates: Path | None = None) -> str:
    catalogue = Catalogue.from_folders([VALID])
    assessment, _ = load_and_score(VALID / "demo.answers.yaml", catalogue)
    found = catalogue.get("demo", "1.2.0")
    return render_report(assessment, found.questionnaire.model, found.rules.model, fmt, templates)


def test_markdown_report_puts_the_executive_summary_first() -> None:
    text = _render("md")
    headings = [line for line in text.splitlines() if line.startswith(("# ", "## "))]
    assert headings == [
        "# Example Borough Council: Grounds maintenance",
        "## What decided it",
        "## Next actions",
        "## The verdict: At risk",
        "## Maturity: level 3 Defined",
        "## Top pain points",
        "## Evidence gaps",
        "## Roadmap",
        "## Appendix: answers",
        "## References",
    ]
    assert text.startswith("**OFFICIAL**\n")
    assert "| Protective marking | OFFICIAL |" in text and "| Prepared for | not recorded |" in text
    assert "| Contract management | 2.25 | 2 Developing | Amber | 3 Defined from 3 |" in text
    assert "Questionnaire demo 1.2.0, rules demo-rules 1.0.0" in text


def test_user_text_is_escaped_in_markdown_and_html() -> None:
    md = _render("md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and {{ 7\\*7 }}" in md
    html = _render("html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def test_html_is_self_contained_prints_on_a4_and_says_rag_in_words() -> None:
    html = _render("html")
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert "<link" not in html and "@import" not in html
    assert '<span class="rag rag-amber">Amber</span>' in html
    assert "@media print" in html and "size: A4" in html and 'counter(page) " of " counter(pages)' in html
    assert '<th scope="col">' in html and '<desc id="chart-desc">' in html


def test_the_page_header_cannot_be_broken_out_of_by_user_text(tmp_path: Path) -> None:
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    hostile = '"Evil\\"; } body { display: none } </style><script>x()</script>"'
    (tmp_path / "a.yaml").write_text(text.replace("Example Borough Council", hostile), encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(tmp_path / "a.yaml"), "-d", str(VALID), "--out", str(out)])
    assert result.exit_code == 0, result.output
    style = out.read_text(encoding="utf-8").split("<style>")[1].split("</style>")[0]
    assert "} body { display: none }" not in style and "<script" not in style and "Evil" in style


def test_json_report_is_versioned() -> None:
    body = json.loads(_render("json"))
    assert body["report_format_version"] == 1
    assert body["assessment"]["verdict"]["outcome"] == "at-risk"


def test_references_are_links_only_when_they_are_web_addresses() -> None:
    html = _render("html")
    assert '<a href="https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks">' in html
    md = _render("md")
    assert "](<https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks>)" in md


# ------------------------------------------------------------------------------------------ user templates


@pytest.mark.parametrize(
    ("template", "code", "line"),
    [
        ("{{ details.organisation.__class__.__mro__ }}", "MQ403", 1),
        ("{{ no_such_variable }}", "MQ403", 1),
        ("{% if %}", "MQ402", 1),
        ("{{ ''.__class__.__base__.__subclasses__() }}", "MQ403", 1),
        ("line one\n{{ 1/0 }}", "MQ403", 2),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n\n{{ f(1) }}", "MQ404", 1),
        ("{{ 'a' * 10**12 }}", "MQ404", 1),
        ("{{ 10 ** 100000 }}", "MQ404", 1),
        ("x\n{% for i in range(10**9) %}{% endfor %}", "MQ404", 2),
        ("{{ '%0999999999d'|format(1) }}", "MQ404", 1),
        ("{{ '{:>999999999}'.format(1) }}", "MQ404", 1),
        ("{{ 'x'|center(10**9) }}", None, 0),  # clamped, not refused
        ("{% for i in range(5000) %}{{ 'x' * 5000 }}{% endfor %}", "MQ404", 0),
        ("{{ lipsum(10**6) }}", "MQ403", 1),
    ],
)
def test_user_templates_are_sandboxed_limited_and_located(
    tmp_path: Path, template: str, code: str | None, line: int
) -> None:
    (tmp_path / "report.md.j2").write_text(template, encoding="utf-8")
    if code is None:
        assert len(_render("md", tmp_path)) <= 20_000
        return
    with pytest.raises(DefinitionError) as caught:
        _render("md", tmp_path)
    problem = caught.value.problems[0]
    assert problem.code == code, problem
    assert problem.file.endswith("report.md.j2")
    if line:
        assert problem.line == line, problem


def test_a_template_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_bytes(b"fine\nnot \xff utf-8\n")
    with pytest.raises(DefinitionError) as caught:
        _render("md", tmp_path)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == ("MQ003", 2) and problem.file.endswith("report.md.j2")


def test_user_template_overrides_by_name(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{{ details.organisation|md }}: {{ verdict.label }}\n", encoding="utf-8")
    assert _render("md", tmp_path) == "Example Borough Council: At risk\n"
    assert _render("html", tmp_path).startswith("<!DOCTYPE html>")


def test_an_override_can_extend_the_bundled_template_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text(
        '{% extends "report.md.j2" %}{% block summary %}# Our own summary\n\n{% endblock %}', encoding="utf-8"
    )
    text = _render("md", tmp_path)
    assert text.startswith("# Our own summary\n") and "## What decided it" not in text
    assert "## The verdict: At risk" in text and "## Appendix: answers" in text


def test_a_missing_templates_folder_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "--templates", str(tmp_path / "nope")]
    )
    assert result.exit_code == 1
    assert "MQ401" in result.stderr and "nope" in result.stderr


def test_report_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(
        app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ------------------------------------------------------------------------------------------ formats from names


@pytest.mark.parametrize(
    ("out", "start"),
    [
        ("r.html", b"<!DOCTYPE html>"),
        ("r.HTM", b"<!DOCTYPE html>"),
        ("r.md", b"**OFFICIAL**"),
        ("r.json", b"{"),
        ("r.txt", b"OFFICIAL\nExample Borough Council"),
        pytest.param("cabinet pack.pdf", b"%PDF-", marks=pytest.mark.skipif(not HAS_PDF, reason="no WeasyPrint")),
    ],
)
def test_report_format_follows_the_out_extension(tmp_path: Path, out: str, start: bytes) -> None:
    result = runner.invoke(
        app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-o", str(tmp_path / out)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / out).read_bytes().startswith(start)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-o", "r.docx"], "'.docx' is not a report format"),
        (["-o", "report"], "no extension"),
        (["-o", "r.md", "-f", "html"], "names a md file but --format html"),
        (["-o", "r.pdf", "-f", "terminal"], "names a pdf file"),
    ],
)
def test_an_out_name_that_does_not_match_a_format_is_a_usage_error(tmp_path: Path, args: list[str], says: str) -> None:
    args = [a if not a.startswith("r") and a != "report" else str(tmp_path / a) for a in args]
    result = runner.invoke(app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), *args])
    assert result.exit_code == 2
    assert (says in result.stderr and ".html (html)" in result.stderr) or "--format" in result.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("out", "start"), [("c.html", "<!DOCTYPE html>"), ("c.md", "# "), ("c.txt", "")])
def test_compare_format_follows_the_out_extension(tmp_path: Path, out: str, start: str) -> None:
    answers = str(VALID / "demo.answers.yaml")
    result = runner.invoke(app, ["compare", answers, answers, "-d", str(VALID), "-o", str(tmp_path / out)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / out).read_text(encoding="utf-8")
    assert text.startswith(start) and ("<" not in text.split("\n")[0] if out.endswith(".txt") else True)


def test_compare_refuses_an_unknown_extension(tmp_path: Path) -> None:
    answers = str(VALID / "demo.answers.yaml")
    result = runner.invoke(app, ["compare", answers, answers, "-d", str(VALID), "-o", str(tmp_path / "c.odt")])
    assert result.exit_code == 2 and "'.odt' is not a report format" in result.stderr
    assert not (tmp_path / "c.odt").exists()


def test_pdf_without_the_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now raises ImportError
    out = tmp_path / "r.pdf"
    result = runner.invoke(app, ["report", str(VALID / "demo.answers.yaml"), "-d", str(VALID), "-o", str(out)])
    assert result.exit_code == 2
    assert "pip install 'maturity[pdf]'" in result.stderr and not out.exists()
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), "-o", str(tmp_path), "-r", "pdf"])
    assert result.exit_code == 2 and "pip install 'maturity[pdf]'" in result.stderr


# ------------------------------------------------------------------------------------------ bundled examples

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_DATE = "2025-01-01"
GOLDEN_EXAMPLES = ["well-run-retender", "failing-service-rushed-to-market"]
GOLDEN_SUFFIXES = {"md": "md", "json": "json", "html": "html", "terminal": "txt"}
DOCUMENTED_KEYS = ["report_format_version", "tool_version", "generated", "questionnaire", "assessment", "roadmap"]


def _bundled(name: str, fmt: str) -> str:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / f"{name}.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    return render_report(assessment, q.model, rules.model, fmt, generated=GOLDEN_DATE)


@pytest.mark.parametrize("fmt", list(GOLDEN_SUFFIXES))
@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
def test_report_matches_golden_file(name: str, fmt: str) -> None:
    """Byte for byte; after an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff."""
    text = _bundled(name, fmt)
    path = GOLDEN / f"{name}.{GOLDEN_SUFFIXES[fmt]}"
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
    body = json.loads(_bundled("failing-service-rushed-to-market", "json"))
    assert body["report_format_version"] == 1
    assert list(body) == DOCUMENTED_KEYS
    doc = (ROOT / "docs" / "report-format.md").read_text(encoding="utf-8")
    roadmap = body["roadmap"]
    change = next(c for g in roadmap["goals"] for c in g["changes"])
    for key in [*DOCUMENTED_KEYS, *roadmap, *roadmap["goals"][0], *change, *roadmap["phases"][0]]:
        assert f"`{key}`" in doc, key
    assert body["generated"] == GOLDEN_DATE
    assert roadmap["goals"][0]["id"] == "verdict:at-risk"


def test_plain_english_for_triggers_gaps_and_ids() -> None:
    md = _bundled("failing-service-rushed-to-market", "md")
    assert (
        "RDY-1 Over the last 12 months, how has the service performed against its own targets? answered 2: Often "
        "missing" in md
    )
    assert "is at most" not in md and "(found " not in md  # no rule syntax
    assert "| MGT-7 " in md and "Don't know |" in md  # the gap with its question's text
    assert "indicator current-performance" not in md and "stage readiness" not in md
    live = _bundled("live-contract-in-trouble", "md")
    assert ": Red to Amber" in live or ": Amber to Green" in live or ": Red to Green" in live


def test_page_one_names_the_deciding_findings_with_the_assessors_notes() -> None:
    md = _bundled("failing-service-rushed-to-market", "md")
    summary = md.split("## The verdict")[0]
    assert summary.index("The service meets its own targets") < summary.index("## Next actions")
    assert '"Met 9 of 16 service standards in the last 12 months' in summary
    assert "> **Red: Outsourcing a problem.** The service meets fewer than 70% of its own targets" in summary
    assert "more points mean more signs of the problem" in md  # which way the points run
    assert "The outsourcing-a-problem test: Outsourcing a problem" not in md  # no repeated title


def test_the_chart_is_continuous_labelled_and_has_a_text_equivalent() -> None:
    html = _bundled("failing-service-rushed-to-market", "html")
    svg = html.split("<svg")[1].split("</svg>")[0]
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / "failing-service-rushed-to-market.yaml", q)
    stages = score(q.model, rules.model, answers.model, checked=True).stages()
    assert any(s.score is not None and not float(s.score).is_integer() for s in stages)
    for s in stages:  # each bar is labelled with its score, not its whole level
        assert f"{format_number(s.score, 2)}: level {s.level}" in svg, s.id
        assert f"{s.title}: score {format_number(s.score, 2)}, level {s.level}" in svg  # the text equivalent
    assert "5 Optimised" in svg and "Contract management and</text>" in svg  # bands; names wrapped, not cut
    assert "..." not in svg and "stroke-dasharray" in svg and "<desc" in svg


def test_the_roadmap_is_phased_in_every_format() -> None:
    md = _bundled("live-contract-in-trouble", "md")
    assert md.index("### Now") < md.index("### Before going to market")
    assert "| Question | Now | Needs | Steps | What it moves |" in md
    assert "search reached its budget" not in md
    failing = _bundled("failing-service-rushed-to-market", "md")
    assert "The core problems must be fixed first" in failing
    txt = _bundled("live-contract-in-trouble", "terminal")
    assert "  Now:" in txt and all(len(line) <= 100 for line in txt.splitlines())


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
    assert "Example Borough Council" in result.stdout and "[31m" not in result.stdout  # whole sequences go
    lines = result.stdout.splitlines()
    assert lines[0] == "OFFICIAL"
    assert any(line.startswith("VERDICT: AT RISK (Amber)") for line in lines)


def test_a_model_without_a_verdict_reports_in_every_format(tmp_path: Path) -> None:
    text = (VALID / "demo.rules.yaml").read_text(encoding="utf-8")
    (tmp_path / "r.yaml").write_text(text[: text.index("\nverdict:")] + "\n", encoding="utf-8")
    rules = load_rules_file(tmp_path / "r.yaml").model
    q = load_questionnaire(VALID / "demo.questionnaire.yaml")
    answers = load_answers(VALID / "demo.answers.yaml", q)
    assessment = score(q.model, rules, answers.model, checked=True)
    assert not assessment.verdict.defined
    for fmt in ("md", "html", "terminal", "json"):
        out = render_report(assessment, q.model, rules, fmt)
        assert "Example Borough Council" in out
        if fmt != "json":  # a model with levels only: nothing is said of a verdict it does not have
            shown = re.sub(r"(?s)<style.*?</style>|<[^>]*>", " ", out)  # the words a reader sees
            assert "verdict" not in shown.lower(), fmt
    assert "> **Maturity level 3 Defined" in render_report(assessment, q.model, rules, "md")
    assert not [line for line in assessment.explain_lines() if "verdict" in line.lower()]


def test_the_assess_summary_wraps_at_the_width_and_counts_gaps() -> None:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / "dont-know-heavy.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    lines = summary_lines(assessment, q.model, rules.model, width=60)
    assert lines[0].startswith(f"Verdict: {assessment.verdict.label} (")
    assert all(len(line) <= 60 for line in lines)
    assert any(line.startswith("Overall maturity: level") for line in lines)
    assert any(line.startswith("Top pain points:") for line in lines)
    counts = " ".join(lines[lines.index(next(x for x in lines if x.startswith("Answers: "))) :])
    gaps = sum(len(g.dont_know) for g in assessment.evidence_gaps)
    assert f'{gaps} answered "don\'t know"' in counts


@pytest.mark.skipif(not HAS_PDF, reason="WeasyPrint (pip install '.[pdf]') is not installed")
def test_pdf_bytes_are_a_pdf() -> None:
    catalogue = Catalogue.from_folders([VALID])
    assessment, _ = load_and_score(VALID / "demo.answers.yaml", catalogue)
    found = catalogue.get("demo", "1.2.0")
    data = render_report_bytes(assessment, found.questionnaire.model, found.rules.model, "pdf")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
