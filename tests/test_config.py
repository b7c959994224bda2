"""Configuration (as ruff and yamllint do it), standard input, per-line disable comments, related files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.config import Config, find_config, load_config
from maturity.cli import app
from maturity.model.problems import UsageError

from .conftest import FIXTURES, ROOT

runner = CliRunner()
VALID = FIXTURES / "valid"


def invoke(*args: str, stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the demo questionnaire alone (so MQ502 warns), as the current folder."""
    shutil.copy(VALID / "demo.questionnaire.yaml", tmp_path / "q.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------- finding settings


def test_the_nearest_file_wins_and_dotfile_beats_pyproject(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[tool.maturity]\nstrict = true\n")
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.maturity]: not ours
    assert find_config(deep) == tmp_path / "pyproject.toml"
    assert load_config(start=deep).strict is True
    (tmp_path / "a" / ".maturity.toml").write_text("ignore = ['MQ5']\n")
    assert find_config(deep) == tmp_path / "a" / ".maturity.toml"
    assert load_config(start=deep) == Config(ignore=("MQ5",))


def test_settings_are_read_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".maturity.toml"
    path.write_text(
        'select = ["MQ1", "MQ601"]\nignore = ["mq501"]\nstrict = true\nmax-file-size = 1000\n'
        'definitions = ["defs"]\nformat = "sarif"\n'
    )
    config = load_config(path)
    assert config == Config(("MQ1", "MQ601"), ("MQ501",), True, 1000, (tmp_path / "defs",), "sarif")
    assert config.reports("MQ101") and config.reports("MQ601")
    assert not config.reports("MQ501") and not config.reports("MQ202")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("strict = 1\n", "'strict' must be true or false"),
        ("selct = ['MQ1']\n", "did you mean 'select'?"),
        ("ignore = ['XX1']\n", "'XX1' is not a problem code"),
        ("ignore = ['MQ999']\n", "'MQ999' is not a problem code"),
        ("max-file-size = 0\n", "at least 1"),
        ("format = 'xml'\n", "must be one of"),
        ("strict = \n", "TOML syntax error"),
    ],
)
def test_a_bad_setting_is_a_usage_error_that_names_it(project: Path, text: str, fragment: str) -> None:
    (project / ".maturity.toml").write_text(text)
    with pytest.raises(UsageError) as caught:
        load_config()
    assert fragment in caught.value.problems[0].message
    result = invoke("validate", "q.yaml")
    assert result.exit_code == 2
    assert fragment in result.stderr and "Traceback" not in result.output


# ------------------------------------------------------------------------------------------- settings at work


def test_configuration_ignores_and_command_line_overrides(project: Path) -> None:
    assert "MQ502" in invoke("validate", "q.yaml").stdout
    (project / "pyproject.toml").write_text("[tool.maturity]\nignore = ['MQ502']\nstrict = true\n")
    assert invoke("validate", "q.yaml").exit_code == 0  # MQ502 ignored, so strict has nothing to fail on
    (project / "pyproject.toml").write_text("[tool.maturity]\nstrict = true\n")
    assert invoke("validate", "q.yaml").exit_code == 1
    assert invoke("validate", "q.yaml", "--no-strict").exit_code == 0
    assert invoke("validate", "q.yaml", "--ignore", "MQ5").stdout == ""
    assert invoke("validate", "q.yaml", "--select", "MQ1,MQ2").stdout == ""
    assert invoke("validate", "q.yaml", "--select", "MQ9x").exit_code == 2


def test_format_and_size_cap_come_from_the_configuration(project: Path) -> None:
    (project / ".maturity.toml").write_text("format = 'json'\nmax-file-size = 100\n")
    body = json.loads(invoke("validate", "q.yaml").stdout)
    assert [p["code"] for p in body["problems"]] == ["MQ002"]
    assert "max-file-size in the configuration" in body["problems"][0]["message"]
    assert invoke("validate", "q.yaml", "--max-file-size", "100000", "--format", "text").exit_code == 0


def test_definitions_folders_are_the_default_targets(project: Path) -> None:
    (project / "defs").mkdir()
    shutil.move(project / "q.yaml", project / "defs" / "q.yaml")
    (project / ".maturity.toml").write_text("definitions = ['defs']\n")
    result = invoke("validate", "--list-files")
    assert result.exit_code == 0
    assert result.stdout == f"{project / 'defs' / 'q.yaml'}\n"


def test_a_comment_disables_one_code_on_its_own_line(project: Path) -> None:
    text = (project / "q.yaml").read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("id:"))
    (project / "q.yaml").write_text(text.replace(line, line + "  # maturity: disable=MQ502"))
    assert invoke("validate", "q.yaml", "--strict").exit_code == 0
    (project / "q.yaml").write_text(text.replace(line, line + "  # maturity: disable=MQ501"))
    assert "MQ502" in invoke("validate", "q.yaml").stdout  # another code on that line is not enough


def test_no_warnings_reports_errors_only(project: Path) -> None:
    result = invoke("validate", "q.yaml", "--no-warnings", "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


# --------------------------------------------------------------------------------------------- standard input


def test_validate_reads_standard_input_under_the_name_given(project: Path) -> None:
    broken = (FIXTURES / "broken" / "unknown-key.yaml").read_text()
    result = invoke("validate", "-", "--stdin-filename", "questionnaires/mine.yaml", stdin=broken)
    assert result.exit_code == 1
    assert result.stdout.startswith("questionnaires/mine.yaml:35:9: MQ101 error:")
    assert invoke("validate", "-", stdin=broken).stdout.startswith("<stdin>:35:9: MQ101")


def test_standard_input_has_the_same_caps_and_decoding(project: Path) -> None:
    assert "MQ003" in invoke("validate", "-", stdin=b"kind: answers\nx: \xff\n").stdout
    assert "MQ002" in invoke("validate", "-", "--max-file-size", "10", stdin="kind: answers\n" * 10).stdout
    assert "MQ005" in invoke("validate", "-", stdin="").stdout


def test_json_on_standard_input_is_read_as_json_when_named_so(project: Path) -> None:
    result = invoke("validate", "-", "--stdin-filename", "x.json", stdin='{"kind": "answers", "kind": 1}')
    assert "MQ011" in result.stdout


def test_score_and_report_read_standard_input() -> None:
    answers = (ROOT / "examples" / "well-run-retender.yaml").read_text()
    scored = invoke("score", "-", "--stdin-filename", "retender.yaml", stdin=answers)
    assert scored.exit_code == 0, scored.output
    _header, row = scored.stdout.splitlines()
    assert row.startswith("retender.yaml ") and "Kestrel Vale" in row and "failed" not in row
    as_json = invoke("score", "-", "--format", "json", stdin=answers)
    assert json.loads(as_json.stdout)["verdict"]["outcome"]
    report = invoke("report", "-", "--format", "md", stdin=answers)
    assert report.exit_code == 0 and "# Kestrel Vale Borough Council" in report.stdout
    bad = invoke("report", "-", "--stdin-filename", "mine.yaml", stdin="kind: answers\n")
    assert bad.exit_code == 1 and bad.stderr.startswith("mine.yaml")
    assert invoke("score", "-", "examples/", stdin=answers).exit_code == 2


# ----------------------------------------------------------------------------------------------- related files


def test_a_named_file_is_checked_with_the_files_it_needs(tmp_path: Path) -> None:
    """Rules named alone find their questionnaire beside them, in a conventional layout."""
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "scoring_rules").mkdir()
    shutil.copy(VALID / "demo.questionnaire.yaml", tmp_path / "questionnaires" / "demo.yaml")
    shutil.copy(VALID / "demo.rules.yaml", tmp_path / "scoring_rules" / "demo.yaml")
    listed = invoke("validate", "--list-files", str(tmp_path / "scoring_rules" / "demo.yaml"))
    assert listed.stdout.splitlines() == [
        str(tmp_path / "scoring_rules" / "demo.yaml"),
        str(tmp_path / "questionnaires" / "demo.yaml"),
    ]
    result = invoke("validate", str(tmp_path / "scoring_rules" / "demo.yaml"))
    assert "MQ311" not in result.stdout
    assert result.exit_code == 0


def test_other_yaml_files_are_passed_over_only_when_asked(tmp_path: Path) -> None:
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: push\njobs: {a: &x {runs-on: b}}\n")
    assert invoke("validate", str(workflow)).exit_code == 1
    result = invoke("validate", "--skip-other-files", str(workflow))
    assert result.exit_code == 0
    assert "passed over 1 other file" in result.stderr


def test_standard_input_finds_its_definitions_by_the_name_it_was_given(tmp_path: Path) -> None:
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "answers").mkdir()
    shutil.copy(VALID / "demo.questionnaire.yaml", tmp_path / "questionnaires" / "demo.yaml")
    answers = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    name = str(tmp_path / "answers" / "mine.yaml")
    result = invoke("validate", "-", "--stdin-filename", name, stdin=answers)
    assert "MQ603" not in result.stdout, result.stdout  # its questionnaire was found beside where it would be
    broken = invoke("validate", "-", "--stdin-filename", name, stdin=answers.replace("MGT-1: 2", "MGT-1: 9999"))
    assert f"{name}:" in broken.stdout and "MQ602" in broken.stdout
