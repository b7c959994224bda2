"""The library as a Python user meets it: load, score, explain, render, validate, with errors as data."""

from __future__ import annotations

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
    import subprocess
    import sys

    code = (
        "import sys, maturity, maturity.cli; "
        "print(sorted(m for m in ('pydantic', 'yaml', 'jinja2', 'rich.progress') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
