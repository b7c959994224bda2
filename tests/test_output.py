"""Exact output of every problem format, on a fixed pair of problems."""

from __future__ import annotations

import json

from maturity import __version__
from maturity.model.problems import Problem
from maturity.render.output import as_github, as_json, as_junit, as_sarif, as_text, render, summary_line

PROBLEMS = [
    Problem.make("MQ101", "unknown key 'levles' in stages[0]; did you mean 'levels'?", "q,1.yaml", 12, 9),
    Problem.make("MQ501", "question 'X' feeds no score\nat all: 100%", "q,1.yaml", 30, 5),
]
FILES = ["q,1.yaml", "rules.yaml"]


def test_text() -> None:
    assert as_text(PROBLEMS) == (
        "q,1.yaml:12:9: MQ101 error: unknown key 'levles' in stages[0]; did you mean 'levels'?\n"
        "q,1.yaml:30:5: MQ501 warning: question 'X' feeds no score at all: 100%\n"  # one line per problem
    )


def test_text_without_a_line() -> None:
    assert as_text([Problem.make("MQ005", "the file is empty", "e.yaml")]) == "e.yaml: MQ005 error: the file is empty\n"


def test_summary_line() -> None:
    assert summary_line(PROBLEMS, 2) == "1 error, 1 warning in 2 files"
    assert summary_line([], 1) == "0 errors, 0 warnings in 1 file"


def test_github_escapes_data_and_properties_differently() -> None:
    assert as_github(PROBLEMS) == (
        "::error file=q%2C1.yaml,line=12,col=9,title=MQ101 unknown key::"
        "MQ101 unknown key 'levles' in stages[0]; did you mean 'levels'?\n"
        "::warning file=q%2C1.yaml,line=30,col=5,title=MQ501 question feeds no score%2C pain point or verdict::"
        "MQ501 question 'X' feeds no score%0Aat all: 100%25\n"
    )


def test_json() -> None:
    body = json.loads(as_json(PROBLEMS, FILES))
    assert body == {
        "format_version": 1,
        "tool": {"name": "maturity", "version": __version__},
        "files": FILES,
        "summary": {"errors": 1, "warnings": 1, "files": 2},
        "problems": [
            {
                "file": "q,1.yaml",
                "line": 12,
                "column": 9,
                "code": "MQ101",
                "severity": "error",
                "message": "unknown key 'levles' in stages[0]; did you mean 'levels'?",
            },
            {
                "file": "q,1.yaml",
                "line": 30,
                "column": 5,
                "code": "MQ501",
                "severity": "warning",
                "message": "question 'X' feeds no score\nat all: 100%",
            },
        ],
    }


def test_sarif() -> None:
    body = json.loads(as_sarif(PROBLEMS))
    assert body["version"] == "2.1.0"
    run = body["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MQ101", "MQ501"]
    assert run["results"][1] == {
        "ruleId": "MQ501",
        "ruleIndex": 1,
        "level": "warning",
        "message": {"text": "question 'X' feeds no score\nat all: 100%"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "q,1.yaml"},
                    "region": {"startLine": 30, "startColumn": 5},
                }
            }
        ],
    }


def test_junit() -> None:
    assert as_junit(PROBLEMS, FILES) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuite name="maturity validate" tests="2" failures="1" errors="0">\n'
        '  <testcase classname="maturity.validate" name="q,1.yaml">\n'
        "    <failure message=\"1 problem(s)\">q,1.yaml:12:9: MQ101 error: unknown key 'levles' in stages[0]; "
        "did you mean 'levels'?\n</failure>\n"
        "    <system-out>q,1.yaml:30:5: MQ501 warning: question 'X' feeds no score at all: 100%\n</system-out>\n"
        "  </testcase>\n"
        '  <testcase classname="maturity.validate" name="rules.yaml">\n'
        "  </testcase>\n"
        "</testsuite>\n"
    )


def test_render_dispatches_on_format() -> None:
    assert render(PROBLEMS, FILES, "text") == as_text(PROBLEMS)
    assert render(PROBLEMS, FILES, "github") == as_github(PROBLEMS)
