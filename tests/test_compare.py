"""`maturity compare`: two assessments of one questionnaire, what moved between them, and the gap to a target."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.catalogue import Catalogue
from maturity.app.pipeline import assessment_json, load_and_score
from maturity.cli import app
from maturity.engine.compare import compare, comparison_context, gap, terminal_lines
from maturity.model.assessment import Assessment
from maturity.model.problems import DefinitionError, MaturityError
from maturity.render.report import render_template

from .conftest import ROOT

EXAMPLES = ROOT / "examples"
FAILING = EXAMPLES / "failing-service-rushed-to-market.yaml"
WELL_RUN = EXAMPLES / "well-run-retender.yaml"
MID = EXAMPLES / "mid-maturity-council.yaml"
PRECHECK = EXAMPLES / "precheck-leisure-first-time.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_folders([])


def _score(path: Path, catalogue: Catalogue) -> Assessment:
    assessment, _ = load_and_score(path, catalogue)
    assert isinstance(assessment, Assessment)
    return assessment


def _improved(tmp_path: Path, note: str | None = None) -> Path:
    """The failing service a year on: every readiness answer raised to 4, with a document to show it, nothing else
    touched (so the decision still leans on cost and on being rid of the trouble, and the verdict is at risk)."""
    text = re.sub(
        r"(\n  RDY-\d+: \{value: )\d", r'\g<1>4, evidence: ["Service review"]', FAILING.read_text(encoding="utf-8")
    )
    if note is not None:
        text = re.sub(
            r'\n  RDY-1: \{value: 4, evidence: \["Service review"\], note: "[^"]*"\}',
            f'\n  RDY-1: {{value: 4, evidence: ["Service review"], note: {json.dumps(note)}}}',
            text,
        )
    path = tmp_path / "improved.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# The readiness pain points the improved copy resolves, in report order.
RESOLVED = [
    "pp-service-failing-in-house",
    "pp-root-causes-unfixed",
    "pp-unreliable-numbers",
    "pp-standards-breached",
    "pp-cost-or-demand-out-of-control",
    "pp-outcomes-not-defined",
    "pp-silos-and-systems",
]

# ------------------------------------------------------------------------------------------------ the library


def test_an_improved_copy_shows_exactly_what_moved(tmp_path: Path, catalogue: Catalogue) -> None:
    result = compare(_score(FAILING, catalogue), _score(_improved(tmp_path), catalogue))
    assert (result.verdict.old_outcome, result.verdict.new_outcome) == ("outsourcing-a-problem", "at-risk")
    assert (result.verdict.old_rag, result.verdict.new_rag, result.verdict.direction) == ("red", "amber", "better")
    assert result.stages_by("improved") == ["readiness"]
    assert result.stages_by("regressed") == []
    readiness = next(s for s in result.stages if s.id == "readiness")
    assert (readiness.old_level, readiness.new_level, readiness.level_delta) == (1, 4, 3)
    assert (result.overall.old_level, result.overall.new_level, result.overall.direction) == (1, 2, "improved")
    assert [p.id for p in result.pain_points_resolved] == RESOLVED
    assert result.pain_points_new == ()
    assert "pp-cost-only-driver" in [p.id for p in result.pain_points_still]
    assert [a.question for a in result.answers] == [f"RDY-{n}" for n in (*range(1, 10), 11, 12, 13)]
    assert (result.answers[2].old_words, result.answers[2].new_words) == ("1", "4")
    changed = {i.id: (i.old_rating, i.new_rating, i.direction) for i in result.indicators}
    assert changed["current-performance"] == ("red", "green", "better")
    assert "decision-driver" not in changed  # unchanged indicators are not listed
    assert result.warnings == ()


def test_the_other_way_round_is_a_regression(tmp_path: Path, catalogue: Catalogue) -> None:
    result = compare(_score(_improved(tmp_path), catalogue), _score(FAILING, catalogue))
    assert result.verdict.direction == "worse"
    assert result.stages_by("regressed") == ["readiness"]
    assert [p.id for p in result.pain_points_new] == RESOLVED
    assert result.pain_points_resolved == ()


def test_an_assessment_compared_with_itself_changes_nothing(catalogue: Catalogue) -> None:
    mid = _score(MID, catalogue)
    result = compare(mid, mid)
    assert result.verdict.direction == "same" and not result.verdict.changed
    assert {s.direction for s in result.stages} == {"unchanged"}
    assert result.answers == () and result.indicators == ()
    assert result.pain_points_resolved == result.pain_points_new == ()
    assert len(result.pain_points_still) == len(mid.pain_points)


def test_different_organisations_of_one_questionnaire_compare_with_a_warning(catalogue: Catalogue) -> None:
    result = compare(_score(FAILING, catalogue), _score(WELL_RUN, catalogue))
    assert result.verdict.direction == "better" and result.verdict.new_outcome == "clear"
    assert len(result.stages_by("improved")) == 8
    assert result.pain_points_still == () and result.pain_points_new == ()
    assert len(result.pain_points_resolved) == len(_score(FAILING, catalogue).pain_points)
    assert any("different services" in w for w in result.warnings)


def _question_ids(path: Path) -> list[str]:
    from maturity.checks.validation import load_questionnaire

    return [q.id for q in load_questionnaire(path).model.questions()]


def test_different_questionnaires_compare_on_the_questions_they_share(catalogue: Catalogue) -> None:
    full = _question_ids(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    short = _question_ids(ROOT / "questionnaires" / "outsourcing-a-problem.yaml")
    both = [q for q in short if q in full]
    result = compare(_score(MID, catalogue), _score(PRECHECK, catalogue))
    assert result.shared is not None
    assert (result.shared.shared, result.shared.old_total, result.shared.new_total) == (
        len(both),
        len(full),
        len(short),
    )
    assert {a.question for a in result.answers} <= set(both)  # only shared questions are compared
    assert any(f"the {len(both)} questions they share" in w for w in result.warnings)
    assert all(a.direction in ("improved", "regressed", "changed") for a in result.answers)


def test_questionnaires_with_no_question_in_common_are_refused(catalogue: Catalogue) -> None:
    model = ROOT / "examples" / "models" / "data-stewardship"
    other, _ = load_and_score(model / "answers" / "department-managed.answers.yaml", Catalogue.from_folders([model]))
    with pytest.raises(MaturityError) as caught:
        compare(_score(MID, catalogue), other)
    assert caught.value.problems[0].code == "MQ603" and "share no question" in str(caught.value)


def test_different_versions_are_compared_with_a_warning(catalogue: Catalogue) -> None:
    mid = _score(MID, catalogue)
    older = mid.model_copy(update={"questionnaire": mid.questionnaire.model_copy(update={"version": "0.9.0"})})
    result = compare(older, mid)
    assert any("different versions" in w and "0.9.0" in w for w in result.warnings)
    assert (result.old.questionnaire_version, result.new.questionnaire_version) == ("0.9.0", "2.0.0")


def test_gap_to_a_target(catalogue: Catalogue) -> None:
    target = gap(_score(MID, catalogue), _score(WELL_RUN, catalogue))
    assert not target.met and not target.verdict_met
    assert (target.verdict_rag, target.target_rag) == ("amber", "green")
    shorts = {g.id: g.levels_short for g in target.stages}
    assert shorts["strategy"] == 2 and shorts["readiness"] == 0 and shorts["exit"] == 1
    assert (target.overall.level, target.overall.target_level, target.overall.levels_short) == (2, 3, 1)
    assert gap(_score(WELL_RUN, catalogue), _score(MID, catalogue)).met
    with pytest.raises(MaturityError):
        gap(_score(MID, catalogue), _score(PRECHECK, catalogue))


def test_terminal_lines_put_the_verdict_first(tmp_path: Path, catalogue: Catalogue) -> None:
    lines = terminal_lines(compare(_score(FAILING, catalogue), _score(_improved(tmp_path), catalogue)))
    verdicts = [line for line in lines if line.startswith("Verdict:")]
    assert verdicts == ["Verdict: Outsourcing a problem (red) -> At risk (amber): better"]
    assert lines.index(verdicts[0]) < next(i for i, line in enumerate(lines) if line.startswith("Overall:"))
    readiness = next(line for line in lines if "Service understanding and baseline" in line)
    assert "level 1 -> 4" in readiness and "red -> " in readiness and readiness.endswith("improved")
    assert "Pain points resolved: 7" in lines


def test_a_user_template_overrides_by_name_and_a_broken_one_is_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    context = comparison_context(compare(_score(MID, catalogue), _score(MID, catalogue)))
    (tmp_path / "compare.md.j2").write_text("{{ verdict.direction }} {{ questionnaire_id|md }}\n", encoding="utf-8")
    assert render_template("compare.md.j2", context, tmp_path) == "same outsourcing-lifecycle\n"
    (tmp_path / "compare.md.j2").write_text("{{ no_such_thing.x }}", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        render_template("compare.md.j2", context, tmp_path)
    assert caught.value.problems[0].code == "MQ403"
    with pytest.raises(DefinitionError) as missing:
        render_template("no-such.md.j2", context, tmp_path)
    assert missing.value.problems[0].code == "MQ401"


# ------------------------------------------------------------------------------------------------- the command


def test_cli_terminal(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(FAILING), str(_improved(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Verdict: Outsourcing a problem (red) -> At risk (amber)" in lines
    assert "  verdict: Outsourcing a problem (red) -> At risk (amber): better" in lines
    assert "  improved: Overall, Service understanding and baseline" in lines
    assert "  regressed: nothing" in lines
    readiness = next(line for line in lines if line.startswith("  Service understanding and baseline"))
    assert readiness.split() == ["Service", "understanding", "and", "baseline", "L1", "1.92", "L4", "4", "improved"]
    assert "The service is failing, or has not held its targets for long" in result.stdout
    assert result.stderr == ""


def test_cli_json_is_versioned(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(FAILING), str(_improved(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["comparison_format_version"] == 2
    (step,) = body["steps"]
    assert step["verdict"]["direction"] == "better"
    assert [s["id"] for s in step["stages"] if s["direction"] == "improved"] == ["readiness"]
    assert [p["id"] for p in step["pain_points_resolved"]] == RESOLVED
    assert body["target"] is None
    overall = next(c for c in body["courses"] if c["id"] == "overall")
    assert [v["level"] for v in overall["values"]] == [1, 2] and overall["direction"] == "improved"


def test_cli_markdown(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(FAILING), str(_improved(tmp_path)), "-f", "md"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Harrowden District Council: Housing benefit and council tax support processing\n")
    assert "## The verdict's course" in text and "## Each part's course" in text
    assert "| Service understanding and baseline | L1 1.92 Red | L4 4 Green | improved |" in text
    assert "- **Pain points resolved:** The service is failing, or has not held its targets for long;" in text


def test_cli_html_escapes_user_text_and_says_rag_in_words(tmp_path: Path) -> None:
    improved = _improved(tmp_path, note="<script>alert(1)</script> fixed & proven")
    out = tmp_path / "comparison.html"
    result = runner.invoke(app, ["compare", str(FAILING), str(improved), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fixed &amp; proven" in html
    assert "<script" not in html.lower()
    assert (
        '2025-02-11: Outsourcing a problem <span class="rag rag-red">Red</span> → 2025-02-11: At risk '
        '<span class="rag rag-amber">Amber</span>'
    ) in html
    assert '<td><span class="rag rag-red">Red</span> → <span class="rag rag-green">Green</span></td>' in html
    assert "▲ improved" in html and "<link" not in html and "@media print" in html
    assert "<svg" in html and "<polyline" in html


def test_cli_scored_results_compare_like_answers(tmp_path: Path, catalogue: Catalogue) -> None:
    old = tmp_path / "old.json"
    old.write_text(assessment_json(_score(FAILING, catalogue)), encoding="utf-8")
    scored = runner.invoke(app, ["score", str(_improved(tmp_path)), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    new = tmp_path / "new.json"
    new.write_text(scored.stdout, encoding="utf-8")
    from_results = runner.invoke(app, ["compare", str(old), str(new), "-f", "json"])
    from_answers = runner.invoke(app, ["compare", str(FAILING), str(_improved(tmp_path)), "-f", "json"])
    assert from_results.exit_code == 0, from_results.output
    assert json.loads(from_results.stdout) == json.loads(from_answers.stdout)
    mixed = runner.invoke(app, ["compare", str(old), str(_improved(tmp_path)), "-f", "json"])
    assert mixed.exit_code == 0 and json.loads(mixed.stdout) == json.loads(from_answers.stdout)


def test_cli_report_json_is_accepted_too(tmp_path: Path) -> None:
    report = runner.invoke(app, ["report", str(MID), "--format", "json"])
    path = tmp_path / "report.json"
    path.write_text(report.stdout, encoding="utf-8")
    result = runner.invoke(app, ["compare", str(path), str(MID)])
    assert result.exit_code == 0, result.output
    assert "  verdict: At risk (amber) -> At risk (amber): no change" in result.stdout


def test_cli_target(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(FAILING), str(MID), "--target", str(WELL_RUN)])
    assert result.exit_code == 0, result.output
    assert (
        "Against the target (Kestrel Vale Borough Council, Household waste and recycling collection): "
        "not yet met" in result.stdout
    )
    assert "  verdict: At risk (amber), target No sign of outsourcing a problem (green): short" in result.stdout
    assert "  Sourcing strategy and decision: level 2, target 4: 2 levels short" in result.stdout
    body = json.loads(runner.invoke(app, ["compare", str(FAILING), str(MID), "-t", str(WELL_RUN), "-f", "json"]).stdout)
    assert body["target"]["overall"] == {
        "id": "overall",
        "title": "Overall",
        "level": 2,
        "target_level": 3,
        "levels_short": 1,
        "met": False,
    }
    html = runner.invoke(app, ["compare", str(FAILING), str(MID), "-t", str(WELL_RUN), "-f", "html"]).stdout
    assert "Against the target: not yet met" in html


def test_cli_different_questionnaires_compare_on_what_they_share(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(MID), str(PRECHECK)])
    assert result.exit_code == 0, result.output
    assert "questions they share" in result.stderr
    assert "compared on the 23 questions both questionnaires ask (of 66 and 23)" in result.stdout
    target = runner.invoke(app, ["compare", str(FAILING), str(MID), "--target", str(PRECHECK)])
    assert target.exit_code == 1 and "MQ603" in target.stderr


def test_cli_problems_exit_one(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["compare", str(tmp_path / "nope.yaml"), str(MID)])
    assert missing.exit_code == 1 and "MQ001" in missing.stderr
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}', encoding="utf-8")
    neither = runner.invoke(app, ["compare", str(other), str(MID)])
    assert neither.exit_code == 1 and "MQ016" in neither.stderr and "neither an answers file" in neither.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"verdict": {}, "nodes": []}', encoding="utf-8")
    invalid = runner.invoke(app, ["compare", str(broken), str(MID)])
    assert invalid.exit_code == 1 and "MQ102" in invalid.stderr


def test_cli_usage_errors_exit_two() -> None:
    assert runner.invoke(app, ["compare", str(MID)]).exit_code == 2
    assert runner.invoke(app, ["compare", str(MID), str(MID), "--format", "xml"]).exit_code == 2


def test_cli_help_has_examples() -> None:
    result = runner.invoke(app, ["compare", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "maturity compare baseline.yaml now.yaml --target" in result.stdout


def test_bundled_compare_templates_compile() -> None:
    from maturity.io.resources import bundled_dir
    from maturity.render.report import check_templates

    folder = bundled_dir("report_templates")
    assert (folder / "compare.md.j2").is_file() and (folder / "compare.html.j2").is_file()
    assert check_templates(folder, require_all=True) == []


# ---------------------------------------------------------------------------------------------------- trends


def _dated(tmp_path: Path, source: Path, date: str, name: str) -> Path:
    text = re.sub(r"\n  date: [0-9-]+", f"\n  date: {date}", source.read_text(encoding="utf-8"), count=1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_trend_puts_assessments_in_date_order_and_says_what_moved_at_each_step(tmp_path: Path) -> None:
    from maturity.engine.compare import trend

    catalogue = Catalogue.from_folders([])
    q1 = _dated(tmp_path, FAILING, "2025-01-15", "q1.yaml")
    q2 = _dated(tmp_path, _improved(tmp_path), "2025-04-15", "q2.yaml")
    q3 = _dated(tmp_path, FAILING, "2025-07-15", "q3.yaml")  # back where it started
    found = trend([_score(p, catalogue) for p in (q3, q1, q2)])
    assert [a.details.date.isoformat() for a in found.assessments if a.details.date] == [
        "2025-01-15",
        "2025-04-15",
        "2025-07-15",
    ]
    readiness = next(c for c in found.courses if c.id == "readiness")
    assert [v.level for v in readiness.values if v] == [1, 4, 1]
    assert readiness.steps == ("improved", "regressed") and readiness.direction == "unchanged"
    assert [s.verdict.direction for s in found.steps] == ["better", "worse"]
    assert [p.id for p in found.steps[1].pain_points_new] == RESOLVED
    assert found.courses[0].id == "overall" and found.warnings == ()
    result = runner.invoke(app, ["compare", str(q3), str(q1), str(q2)])
    assert result.exit_code == 0, result.output
    assert "Verdict: Outsourcing a problem (red) -> At risk (amber) -> Outsourcing a problem (red)" in result.stdout
    assert "From 2025-04-15 to 2025-07-15:" in result.stdout


def test_undated_assessments_keep_the_order_given_with_a_warning(tmp_path: Path) -> None:
    from maturity.engine.compare import trend

    catalogue = Catalogue.from_folders([])
    undated = tmp_path / "undated.yaml"
    undated.write_text(re.sub(r"\n  date: [0-9-]+", "", MID.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    found = trend([_score(undated, catalogue), _score(MID, catalogue)])
    assert found.assessments[0].details.date is None
    assert any("no date" in w for w in found.warnings)


def test_a_trend_of_a_model_without_a_verdict_shows_its_reported_levels_and_no_verdict(tmp_path: Path) -> None:
    model = ROOT / "examples" / "models" / "data-stewardship"
    early = model / "answers" / "group-starting-out.answers.yaml"
    later = _dated(tmp_path, model / "answers" / "department-managed.answers.yaml", "2027-01-10", "later.yaml")
    for fmt in ("terminal", "md", "html", "json"):
        result = runner.invoke(app, ["compare", str(early), str(later), "-d", str(model), "-f", fmt])
        assert result.exit_code == 0, result.output
        for title in ("Plan and govern", "Handle data", "Share and keep", "Storage and security"):
            assert title in result.stdout, (fmt, title)
        if fmt != "json":
            shown = re.sub(r"(?s)<style.*?</style>|<[^>]*>", " ", result.stdout)
            assert "verdict" not in shown.lower(), fmt
    body = json.loads(result.stdout)
    handle = next(c for c in body["courses"] if c["id"] == "handle")
    assert handle["kind"] == "node" and [v["level"] for v in handle["values"]] == [1, 2]


def test_compare_needs_two_assessments() -> None:
    result = runner.invoke(app, ["compare", str(MID)])
    assert result.exit_code == 2 and "two or more" in result.stderr
