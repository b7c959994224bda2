"""The worked example of docs/writing-a-model.md: a four-level model with no verdict, shipped under
examples/models/, must stay valid (strictly) and pass its own rule cases, and every level must reach the outputs."""

from __future__ import annotations

from typer.testing import CliRunner

from maturity.cli import app

from .conftest import ROOT

MODEL = ROOT / "examples" / "models" / "data-stewardship"
runner = CliRunner()


def test_the_example_model_validates_strictly() -> None:
    result = runner.invoke(app, ["validate", "--strict", str(MODEL)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.stderr


def test_the_example_model_passes_its_rule_cases() -> None:
    result = runner.invoke(app, ["test", str(MODEL)])
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


def test_every_level_of_the_example_model_reaches_the_report_and_the_terminal() -> None:
    """Functions (reported nodes), practices (stages), streams (groups) and questions are all shown; nothing is
    said of a verdict the rules do not have."""
    from maturity.app.catalogue import Catalogue
    from maturity.app.pipeline import load_and_score
    from maturity.render.report import render_report, summary_lines

    catalogue = Catalogue.from_folders([MODEL])
    assessment, _ = load_and_score(MODEL / "answers" / "department-managed.answers.yaml", catalogue)
    found = catalogue.get("data-stewardship", "1.0.0")
    q, rules = found.questionnaire.model, found.rules.model
    levels = ["Handle data", "Storage and security", "Backup and recovery", "Is working data backed up automatically?"]
    for fmt in ("md", "html", "terminal"):
        text = render_report(assessment, q, rules, fmt)
        assert all(title in text for title in levels[:3]), fmt
        assert "Verdict" not in text and "verdict" not in text.split("<style>")[0], fmt
    assert levels[3] in render_report(assessment, q, rules, "html")  # the answers appendix
    lines = summary_lines(assessment, q, rules)
    assert "  Handle data: level 2 Managed" in lines
    assert "    Storage and security: level 2 Managed, Green" in lines
    assert not any("Verdict" in line for line in lines)
