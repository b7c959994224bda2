"""The command line through typer's CliRunner: exit codes, formats, help with examples on every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity import __version__
from maturity.cli import app

from .conftest import FIXTURES

runner = CliRunner()
BROKEN = FIXTURES / "broken"


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"maturity {__version__}\n"


@pytest.mark.parametrize("command", ["validate", "schema"])
def test_every_command_has_help_with_examples(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"maturity {command}" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "validate" in result.output
    assert result.exit_code in (0, 2)


def test_valid_files_exit_zero_and_summarise_on_stderr(valid_dir: Path) -> None:
    result = invoke("validate", str(valid_dir / "demo.questionnaire.yaml"), str(valid_dir / "demo.rules.yaml"))
    assert result.exit_code == 0
    assert "MQ501 warning" in result.stdout
    assert result.stderr == "0 errors, 1 warning in 2 files (valid)\n"


def test_strict_fails_on_warnings(valid_dir: Path) -> None:
    assert invoke("validate", "--strict", str(valid_dir)).exit_code == 1


def test_problems_exit_one() -> None:
    result = invoke("validate", str(BROKEN / "duplicate-key.yaml"))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{BROKEN / 'duplicate-key.yaml'}:30:5: MQ011 error: the key 'title' appears twice")


def test_usage_error_exits_two() -> None:
    assert invoke("validate", "--format", "xml").exit_code == 2
    assert invoke("validate", "--no-such-option").exit_code == 2
    assert invoke("schema").exit_code == 2


def test_missing_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "MQ001" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_are_json(fmt: str) -> None:
    result = invoke("validate", "--format", fmt, str(BROKEN / "unknown-key.yaml"))
    assert result.exit_code == 1
    assert json.loads(result.stdout)


def test_junit_format() -> None:
    result = invoke("validate", "--format", "junit", str(BROKEN / "unknown-key.yaml"))
    assert result.stdout.startswith('<?xml version="1.0"')
    assert 'failures="1"' in result.stdout


def test_auto_format_is_github_under_actions() -> None:
    result = invoke("validate", str(BROKEN / "unknown-key.yaml"), env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::group::")
    assert "\n::error file=" in result.stdout
    result = invoke("validate", str(BROKEN / "unknown-key.yaml"), env={"GITHUB_ACTIONS": ""})
    assert ": MQ101 error:" in result.stdout


def test_max_file_size_option(valid_dir: Path) -> None:
    result = invoke("validate", "--max-file-size", "100", str(valid_dir / "demo.rules.yaml"))
    assert result.exit_code == 1
    assert "MQ002" in result.stdout


def test_every_broken_fixture_fails_cleanly_through_the_cli() -> None:
    result = invoke("validate", str(BROKEN))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_schema_prints_draft_07() -> None:
    result = invoke("schema", "questionnaire")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in result.stdout
    assert schema["properties"]["kind"]["const"] == "questionnaire"


def test_schema_out_writes_every_format(tmp_path: Path) -> None:
    result = invoke("schema", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "answers.schema.json",
        "questionnaire.schema.json",
        "rule_cases.schema.json",
        "scoring_rules.schema.json",
        "validate_output.schema.json",
    ]


def test_python_dash_m_runs_the_same_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "maturity", "--version"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0
    assert completed.stdout == f"maturity {__version__}\n"


@pytest.mark.parametrize("kind", ["questionnaire", "scoring_rules", "answers", "rule_cases", "validate_output"])
def test_committed_schemas_are_up_to_date(kind: str) -> None:
    from maturity.render.schema import json_schema_text

    committed = (FIXTURES.parents[1] / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(kind), "run: maturity schema --out schemas/"
