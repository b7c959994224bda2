"""Numbers: NaN and infinity are refused wherever a definition or an answer holds a number, at the line they are
written on; numbers that scoring adds up are bounded, so no result can overflow to infinity or come out NaN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import FIXTURES
from .hostile_support import GOOD

runner = CliRunner()
VALID = FIXTURES / "valid"
QUESTIONNAIRE = VALID / "demo.questionnaire.yaml"
RULES = (VALID / "demo.rules.yaml").read_text(encoding="utf-8")
ANSWERS = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


RULE_CHANGES = [
    ("  dont_know: 1", "  dont_know: .nan", "finite number"),
    ("{level: 2, name: Developing, from: 2, to: 3}", "{level: 2, name: Developing, from: .NaN, to: 3}", "finite"),
    ("{rag: amber, from: 2, to: 3}", "{rag: amber, from: 2, to: .inf}", "finite number"),
    ("weights: {strategy: 2,", "weights: {strategy: .inf,", "finite number"),
    ('{"yes": 5, "no": 1}', '{"yes": -.Inf, "no": 1}', "finite number"),
    ("{question: STR-1, at_most: 2}", "{question: STR-1, at_most: .nan}", "finite number"),
    ("plus: 1}", "plus: 1e400}", "finite number"),  # too large for a float: read as infinity, refused
    ("weights: {strategy: 2,", "weights: {strategy: 2e9,", "at most 1,000,000,000"),  # finite but would overflow
    ('{"yes": 5, "no": 1}', '{"yes": 5, "no": -1e12}', "at least -1,000,000,000"),
]


@pytest.mark.parametrize(("old", "new", "words"), RULE_CHANGES, ids=[c[1] for c in RULE_CHANGES])
def test_nan_infinity_and_overflowing_numbers_in_rules_are_refused_where_written(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    assert old in RULES
    text = RULES.replace(old, new, 1)
    rules = tmp_path / "demo.rules.yaml"
    rules.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(QUESTIONNAIRE), str(rules)])
    assert result.exit_code == 1, result.output
    [problem] = [line for line in result.stdout.splitlines() if line.startswith(str(rules))]
    assert f"{rules}:{_line_of(text, new)}:" in problem and words in problem, problem
    assert "Traceback" not in result.output
    scored = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), "-d", str(QUESTIONNAIRE), "-d", str(rules)])
    assert scored.exit_code == 1 and "nan" not in scored.stdout.lower()  # never scored with them


@pytest.mark.parametrize(
    ("name", "answers", "fragment"),
    [
        ("a.yaml", ANSWERS.replace("  MGT-1: 2", "  MGT-1: .nan"), "MGT-1"),
        ("b.yaml", ANSWERS.replace("  MGT-1: 2", "  MGT-1: {value: -.inf, note: x}"), "MGT-1"),
        ("c.yaml", ANSWERS.replace('  STR-2: "yes"', "  STR-2: .inf"), "STR-2"),
    ],
)
def test_nan_and_infinity_in_yaml_answers_are_refused_where_written(
    tmp_path: Path, name: str, answers: str, fragment: str
) -> None:
    path = tmp_path / name
    path.write_text(answers, encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), "-d", str(VALID)])
    assert result.exit_code == 1
    [problem] = [line for line in result.stderr.splitlines() if "MQ104" in line]
    assert problem.startswith(f"{path}:{_line_of(answers, fragment)}:") and "must be a finite number" in problem


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_in_json_answers_are_refused_where_written(tmp_path: Path, number: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        '{"kind": "answers", "questionnaire": {"id": "demo", "version": "1.2.0"},\n'
        ' "assessment": {"organisation": "O", "service": "S"},\n'
        f' "answers": {{"STR-1": 3,\n   "MGT-1": {number}}}}}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(path), "-d", str(VALID)])
    assert result.exit_code == 1
    assert f"{path}:4:4: MQ104 error: answers.MGT-1.value must be a finite number" in result.stderr


def test_a_saved_result_holding_nan_is_refused_by_compare(tmp_path: Path) -> None:
    saved = runner.invoke(app, ["score", str(GOOD), "--format", "json"])
    data = json.loads(saved.stdout)
    data["nodes"][0]["score"] = float("nan")
    path = tmp_path / "old.result.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")  # json.dumps writes NaN, as a careless tool may
    result = runner.invoke(app, ["compare", str(path), str(GOOD)])
    assert result.exit_code == 1 and "MQ104" in result.stderr and "finite number" in result.stderr
    assert "nodes[0].score" in result.stderr and f"{path}:" in result.stderr


def _refuse(constant: str) -> Any:
    raise AssertionError(f"{constant} in a result")


def test_results_of_the_largest_allowed_numbers_stay_finite(tmp_path: Path) -> None:
    """Weights, points and ratings at the bound, summed and weighted: every number in the result is finite and
    the JSON is strict (no NaN or Infinity), and reports show them."""
    text = (
        RULES.replace("weights: {strategy: 2,", "weights: {strategy: 1e9,")
        .replace('{"yes": 5, "no": 1}', '{"yes": 1e9, "no": -1e9}')
        .replace("  dont_know: 1", "  dont_know: 1e9")
    )
    rules = tmp_path / "demo.rules.yaml"
    rules.write_text(text, encoding="utf-8")
    args = ["-d", str(QUESTIONNAIRE), "-d", str(rules)]
    assert runner.invoke(app, ["validate", str(QUESTIONNAIRE), str(rules)]).exit_code == 0
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout, parse_constant=_refuse)
    for fmt in ("terminal", "md", "html", "json"):
        report = runner.invoke(app, ["report", str(VALID / "demo.answers.yaml"), "--format", fmt, *args])
        assert report.exit_code == 0 and "nan" not in report.stdout.lower().split(), report.output
