"""The library as a Python user meets it: load, score, explain, render, validate, with errors as data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import maturity
from maturity import (
    DefinitionError,
    MaturityError,
    find_rules,
    load_answers,
    load_questionnaire,
    render_report,
    score,
    validate_paths,
)
from maturity.checks.validation import version_key

from .conftest import FIXTURES

VALID = FIXTURES / "valid"


def test_the_readme_walk_through() -> None:
    questionnaire = load_questionnaire(VALID / "demo.questionnaire.yaml")
    rules = find_rules(questionnaire, [VALID])
    answers = load_answers(VALID / "demo.answers.yaml", questionnaire)
    assessment = score(questionnaire.model, rules.model, answers.model)
    assert (assessment.verdict.outcome, assessment.verdict.label) == ("at-risk", "At risk")
    assert (assessment.overall.level, assessment.overall.level_name) == (3, "Defined")
    assert [(s.id, s.level, s.rag) for s in assessment.stages()] == [("strategy", 3, "green"), ("manage", 2, "amber")]
    assert any("cap (children + 1)" in line for line in assessment.explain_lines())
    assert "\n# Example Borough Council: Grounds maintenance\n" in render_report(
        assessment, questionnaire.model, rules.model, "md"
    )
    assert questionnaire.document.digest.startswith("sha256:")
    assert validate_paths([VALID]).errors == []


def test_errors_are_data() -> None:
    with pytest.raises(MaturityError) as caught:
        load_questionnaire(FIXTURES / "broken" / "unknown-key.yaml")
    assert isinstance(caught.value, DefinitionError)
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("MQ101", 35, 9)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError):
        _ = maturity.no_such_thing  # type: ignore[attr-defined]


def test_importing_the_package_is_light(tmp_path: Path) -> None:
    code = (
        "import sys, maturity, maturity.cli; "
        "print(sorted(m for m in ('pydantic', 'yaml', 'jinja2', 'rich.progress') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


README = Path(__file__).resolve().parents[1] / "README.md"


def readme_python_examples() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.parametrize("number", range(len(readme_python_examples())))
def test_the_readme_examples_run_from_outside_the_checkout(number: int, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_python_examples()[number], encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_bundled_questionnaires_load_by_id_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert maturity.load_questionnaire("outsourcing-a-problem").model.id == "outsourcing-a-problem"
    mine = maturity.load_questionnaire("demo", folders=[VALID])
    assert mine.path == str(VALID / "demo.questionnaire.yaml")
    infos, problems = maturity.list_questionnaires([VALID])
    assert problems == [] and sorted({i.id for i in infos}) == [
        "demo",
        "outsourcing-a-problem",
        "outsourcing-lifecycle",
    ]
    newest = maturity.load_questionnaire("outsourcing-lifecycle").model.version
    assert newest == max((i.version for i in infos if i.id == "outsourcing-lifecycle"), key=version_key)
    with pytest.raises(DefinitionError) as caught:
        maturity.load_questionnaire("outsourcing-lifecycle", version="9.9.9")
    assert "version 9.9.9" in caught.value.problems[0].message


def test_every_public_name_is_exported_and_typed() -> None:
    for name in maturity.__all__:
        assert getattr(maturity, name) is not None
    exported = set(maturity.__all__)
    assert {"Loaded", "Document", "Severity", "RuleCases", "QuestionnaireInfo", "CODES", "Code", "Config"} <= exported
    assert (Path(maturity.__file__).parent / "py.typed").is_file()


USER_SCRIPT = """
from pathlib import Path

from maturity import Assessment, Loaded, Problem, Questionnaire, bundled_dir, find_rules, load_answers
from maturity import load_questionnaire, score, validate_paths


def level_of(name: str) -> tuple[int | None, str]:
    questionnaire: Loaded[Questionnaire] = load_questionnaire(name)
    rules = find_rules(questionnaire)
    answers = load_answers(bundled_dir("examples") / "well-run-retender.yaml", questionnaire)
    assessment: Assessment = score(questionnaire.model, rules.model, answers.model)
    return assessment.overall.level, assessment.verdict.outcome


def problems(folder: Path) -> list[Problem]:
    return validate_paths([folder]).errors
"""


@pytest.mark.parametrize(("extra", "errors"), [("", 0), ("\nwrong: int = level_of('x')[1]\n", 1)])
def test_a_user_script_passes_mypy_strict(tmp_path: Path, extra: str, errors: int) -> None:
    """mypy sees the package's types from outside the checkout (py.typed): a correct script passes --strict,
    and a wrong one is caught, so the types are real rather than Any."""
    pytest.importorskip("mypy")
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT + extra, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.count(": error:") == errors, done.stdout + done.stderr
    assert done.returncode == (1 if errors else 0)


def test_the_installed_distribution_carries_its_licence_and_says_what_it_supports() -> None:
    """What pip installed: the MIT licence file, Python-version and typing classifiers, working floors."""
    from importlib.metadata import files, metadata, requires

    names = [str(f) for f in files("maturity") or []]
    assert any(name.endswith("licenses/LICENSE") for name in names)
    meta = metadata("maturity")
    assert meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier") or []
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)} <= set(classifiers)
    assert "Typing :: Typed" in classifiers
    assert {"typer>=0.23.1", "jinja2>=3.1.6"} <= set(requires("maturity") or [])
