"""Checks for model authors: rule cases checked against their rules, and a check skipped (and said to be) when
the file it would be made against has errors of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maturity.app.validate import validate_paths

from .conftest import ROOT

MODEL = ROOT / "examples" / "models" / "data-stewardship"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(MODEL, folder)
    return folder


def _codes(folder: Path) -> list[tuple[str, str, int]]:
    return [(Path(p.file).name, p.code, p.line) for p in validate_paths([folder]).problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = "data-stewardship.cases.yaml"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "pain_points: [pp-restore-never-tested, pp-plans",
            "pain_points: [pp-restore-untested, pp-plans",
            "pain point 'pp-restore-untested', which rules 'data-stewardship-rules' do not have; did you mean "
            "'pp-restore-never-tested'?",
        ),
        (
            "levels: {overall: 1, plan: 1,",
            "levels: {overall: 1, plann: 1,",
            "the level of 'plann', which is no stage, group or roll-up node; did you mean 'plan'?",
        ),
        ("scores: {overall: 2.625,", "scores: {overall: 2.625, handling: 2,", "the score of 'handling'"),
        ("rag: {overall: green}", "rag: {overall: green, storage-backup: green, nope: red}", "the RAG of 'nope'"),
        (
            "rag: {overall: green}",
            "rag: {overall: green}\n      verdict: clear",
            "the verdict 'clear' of rules 'data-stewardship-rules', which define no verdict",
        ),
        (
            "rag: {overall: green}",
            "rag: {overall: green}\n      indicators: {restore-tested: red}",
            "indicator 'restore-tested', which rules 'data-stewardship-rules' do not have",
        ),
    ],
)
def test_a_rule_case_naming_what_the_rules_do_not_have_is_an_error(model: Path, old: str, new: str, words: str) -> None:
    _edit(model / CASES, old, new)
    problems = [p for p in validate_paths([model]).problems if p.code == "MQ320"]
    assert len(problems) == 1 and words in problems[0].message, problems
    assert problems[0].is_error and problems[0].line > 0 and Path(problems[0].file).name == CASES


def test_the_shipped_cases_name_only_what_the_rules_have(model: Path) -> None:
    assert _codes(model) == []


def test_an_indicator_may_be_expected_not_to_apply() -> None:
    """The bundled cases expect indicators of the outsourcing rules, some of them `not_applicable`."""
    folders = [ROOT / "questionnaires", ROOT / "scoring_rules"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "scoring_rules" / "cases").glob("*.yaml"))
    assert ": not_applicable" in text
    assert [p for p in validate_paths(folders).problems if p.code == "MQ320"] == []


def test_rules_against_a_questionnaire_with_errors_say_their_check_was_skipped(model: Path) -> None:
    _edit(model / "questionnaire.yaml", "    intro: Where working data lives", "    intra: Where working data lives")
    found = _codes(model)
    assert ("questionnaire.yaml", "MQ101", 103) in [(f, c, line) for f, c, line in found]
    skipped = [(f, c) for f, c, _ in found if c == "MQ520"]
    # the rules, and each answers file, say so; none is told that no questionnaire was found
    assert ("rules.yaml", "MQ520") in skipped
    assert sum(1 for f, _ in skipped if f.endswith(".answers.yaml")) == 3
    assert not [c for _, c, _ in found if c in ("MQ311", "MQ603")]
    message = next(p.message for p in validate_paths([model]).problems if p.code == "MQ520")
    assert "was skipped" in message and "questionnaire.yaml has errors" in message


def test_cases_against_rules_with_errors_say_their_check_was_skipped(model: Path) -> None:
    _edit(model / "rules.yaml", "  dont_know: 0 ", "  dont_know: nothing ")
    found = _codes(model)
    assert any(c == "MQ102" or c == "MQ101" or c == "MQ103" for f, c, _ in found if f == "rules.yaml"), found
    assert (CASES, "MQ520") in [(f, c) for f, c, _ in found]
    assert ("questionnaire.yaml", "MQ520") in [(f, c) for f, c, _ in found]  # not MQ502: its rules were there
    assert not [c for _, c, _ in found if c in ("MQ311", "MQ502")]
