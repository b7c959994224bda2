"""What a command-line user expects of any tool: clean help with examples as written, diagnostics on stderr,
completion that works in the shells themselves, a list of what can be assessed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from maturity import load_questionnaire
from maturity.cli import app

from .conftest import FIXTURES

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
BROKEN = FIXTURES / "broken" / "unknown-key.yaml"
ANSWERS_BROKEN = FIXTURES / "broken" / "answers-bad-level.yaml"


def docstring_examples(command: str) -> list[str]:
    group = typer.main.get_command(app)
    help_text = group.commands[command].help or ""  # type: ignore[attr-defined]
    block = help_text.split("Examples:", 1)[1]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_every_command_is_covered() -> None:
    assert COMMANDS == [
        "assess",
        "compare",
        "completion",
        "list",
        "merge",
        "migrate",
        "portfolio",
        "questionnaire",
        "report",
        "schema",
        "score",
        "test",
        "validate",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_examples_verbatim_and_no_python_types(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    examples = docstring_examples(command)
    assert examples and all("maturity " + command in e for e in examples[:1])
    lines = [line.strip() for line in result.stdout.splitlines()]
    for example in examples:
        assert example in lines  # a whole line, never re-wrapped mid-command, even at 80 columns
    assert re.search(r"<(list\[|int range|str>|path>|int>|float>)|\[x[<>]=", result.stdout) is None, result.stdout
    assert "Usage: maturity " + command in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["score", str(ANSWERS_BROKEN), "-d", str(FIXTURES / "valid")], "MQ602"),
        (["report", str(ANSWERS_BROKEN), "-d", str(FIXTURES / "valid")], "MQ602"),
        (["compare", str(ANSWERS_BROKEN), str(ANSWERS_BROKEN), "-d", str(FIXTURES / "valid")], "MQ602"),
        (["test", str(BROKEN)], "MQ016"),
        (["migrate", str(ANSWERS_BROKEN)], "MQ603"),
        (["merge", str(ANSWERS_BROKEN), str(BROKEN.parent / "answers-bad-date.yaml"), "-o", "m.yaml"], "MQ603"),
        (["questionnaire", "no-such-questionnaire"], "MQ001"),
        (["assess", "no-such-questionnaire"], "MQ001"),
        (["schema"], "Say which schema"),
        (["list", "--definitions", "no-such-folder"], "MQ001"),
        (["validate", "--config", "no-such.toml"], "MQ001"),
    ],
)
def test_diagnostics_go_to_stderr_for_every_command(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert fragment in result.stderr
    assert f"{fragment} error" not in result.stdout  # a score table may name the code in a failed row: data


# ------------------------------------------------------------------------------------------------ completion


def maturity_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH finds this interpreter's `maturity` (the shell scripts call it by name)."""
    found = shutil.which("maturity", path=os.path.dirname(sys.executable)) or shutil.which("maturity")
    if found is None:
        pytest.skip("no maturity script installed")
    return {**os.environ, "PATH": f"{os.path.dirname(found)}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_the_script_of_the_shell_asked_for(shell: str) -> None:
    result = runner.invoke(app, ["completion", shell])
    assert result.exit_code == 0
    marker = {"bash": "complete -o", "zsh": "compdef", "fish": "complete --command", "powershell": "Register-"}
    assert marker[shell] in result.stdout


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_options_and_choices(tmp_path: Path) -> None:
    script = tmp_path / "maturity.fish"
    script.write_text(runner.invoke(app, ["completion", "fish"]).stdout, encoding="utf-8")
    probe = f"source {script}; complete -C'maturity val'; complete -C'maturity validate --str'"
    probe += "; complete -C'maturity schema '"
    done = subprocess.run(
        ["fish", "--no-config", "-c", probe], capture_output=True, text=True, env=maturity_on_path(tmp_path), timeout=60
    )
    words = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert "validate" in words and "--strict" in words and "scoring_rules" in words, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_a_command_on_tab(tmp_path: Path) -> None:
    """A real interactive zsh (driven through its zpty module) loads the script and completes `maturity val`."""
    script = tmp_path / "_maturity"
    script.write_text(runner.invoke(app, ["completion", "zsh"]).stdout, encoding="utf-8")
    driver = tmp_path / "drive.zsh"
    driver.write_text(
        f"""zmodload zsh/zpty
zpty -b z zsh -f -i
zpty -w z "PS1='%% '; autoload -U compinit; compinit -u -D; source {script}"
zpty -w -n z $'maturity val\\t'
out=''
for i in {{1..150}}; do
  while zpty -r -t z chunk; do out+=$chunk; done
  [[ $out == *'maturity validate'* ]] && break
  sleep 0.1
done
zpty -d z
print -r -- $out
""",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["zsh", "-f", str(driver)], capture_output=True, text=True, env=maturity_on_path(tmp_path), timeout=60
    )
    assert "maturity validate" in done.stdout.replace("\r", ""), done.stdout[-2000:]


def test_completion_answers_through_the_program_itself(tmp_path: Path) -> None:
    """The protocol every script uses: the shell runs `maturity` with the words typed so far."""
    env = {**maturity_on_path(tmp_path), "_MATURITY_COMPLETE": "complete_bash", "COMP_WORDS": "maturity sco"}
    env["COMP_CWORD"] = "1"
    done = subprocess.run(["maturity"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert "score" in done.stdout


# ------------------------------------------------------------------------------------------------------ list


def test_list_shows_bundled_and_own_questionnaires() -> None:
    result = runner.invoke(app, ["list", "--definitions", str(FIXTURES / "valid")])
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "VERSION", "QUESTIONS", "TITLE"]
    listed = [tuple(row.split()[:3]) for row in rows]
    assert listed[0] == ("demo", "1.2.0", "8") and "demo.questionnaire.yaml" in rows[0]
    body = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    assert {q["id"] for q in body} == {"outsourcing-a-problem", "outsourcing-lifecycle"} and all(
        q["bundled"] for q in body
    )
    for entry in body:  # each line says what the file holds
        model = load_questionnaire(entry["path"]).model
        assert (entry["version"], entry["questions"], entry["title"]) == (
            model.version,
            len(model.questions()),
            model.title,
        )
        assert (entry["id"], entry["version"], str(entry["questions"])) in listed


@pytest.mark.parametrize("args", [["validate", "--max-file-size", "0"], ["score", "x.yaml", "--workers", "0"]])
def test_counts_and_sizes_below_one_are_usage_errors(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "give 1 or more" in result.stderr
