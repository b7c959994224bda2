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
