"""Every problem format, checked by the validator of the program that reads it.

SARIF against the OASIS 2.1.0 schema with format checks (so URIs must really be URI references) and GitHub code
scanning's documented requirements; JUnit against the Ant JUnit XSD and Jenkins' xUnit XSD; the JSON format
against its own published schema; GitHub annotations as the runner parses workflow commands.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from maturity import __version__
from maturity.cli import app
from maturity.model.problems import CODES, Problem
from maturity.render.output import Run, as_github, as_json, as_junit, as_sarif, as_text, render, summary_line
from maturity.render.schema import json_schema

from .conftest import FIXTURES

jsonschema = pytest.importorskip("jsonschema")
VENDOR = Path(__file__).parent / "vendor"

PROBLEMS = [
    Problem.make("MQ101", "unknown key 'levles' in stages[0]; did you mean 'levels'?", "q,1.yaml", 12, 9),
    Problem.make("MQ501", "question 'X' feeds no score\nat all: 100%", "q,1.yaml", 30, 5),
]
FILES = ["q,1.yaml", "rules.yaml"]
# file names a URI must encode: a space, non-ASCII, '%', ':' and ',', a folder, and one outside the root
AWKWARD = ["my file.yaml", "défini/ção.yaml", "100%.yaml", "a:b,c.yaml", "sub dir/x#y?.yaml"]
HOSTILE = "bad\x1b[31m red\x07 bell\x00 nul\u009b csi"


def awkward_problems(root: Path) -> list[Problem]:
    out = [Problem.make("MQ101", f"unknown key in {name}", name, 3, 2) for name in AWKWARD]
    out.append(Problem.make("MQ005", "the file is empty", str(root.parent / "else where" / "é.yaml")))
    out.append(Problem.make("MQ502", HOSTILE, "rules.yaml", 1, 1))
    return out


def sarif_validator() -> Any:
    schema = json.loads((VENDOR / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


# -------------------------------------------------------------------------------------------------------- text


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


def test_every_code_has_a_title_and_an_explanation() -> None:
    assert all(CODES[c].title and CODES[c].explanation.endswith(".") for c in CODES)


# ------------------------------------------------------------------------------------------------------ GitHub


def test_github_escapes_data_and_properties_differently_in_a_group_per_file() -> None:
    problems = [*PROBLEMS, Problem.make("MQ005", "the file is empty", "rules.yaml")]
    assert as_github(problems) == (
        "::group::q,1.yaml\n"
        "::error file=q%2C1.yaml,line=12,col=9,title=MQ101 unknown key::"
        "MQ101 unknown key 'levles' in stages[0]; did you mean 'levels'?\n"
        "::warning file=q%2C1.yaml,line=30,col=5,title=MQ501 question feeds no score%2C pain point or verdict::"
        "MQ501 question 'X' feeds no score at all: 100%25\n"
        "::endgroup::\n"
        "::group::rules.yaml\n"
        "::error file=rules.yaml,title=MQ005 file is empty::MQ005 the file is empty\n"
        "::endgroup::\n"
    )


def test_github_annotations_carry_no_control_characters() -> None:
    text = as_github([Problem.make("MQ502", HOSTILE, "r\x1b]0;x\x07.yaml", 1, 1)])
    assert re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text) is None
    # every line is a workflow command: nothing a file says can start a command of its own
    assert all(line.startswith("::") for line in text.splitlines())


# -------------------------------------------------------------------------------------------------------- JSON


def test_json() -> None:
    body = json.loads(as_json(PROBLEMS, FILES))
    assert body == {
        "format_version": 2,
        "tool": {"name": "maturity", "version": __version__},
        "ok": False,
        "strict": False,
        "files": FILES,
        "summary": {"errors": 1, "warnings": 1, "files": 2, "files_with_problems": 1},
        "problems": [
            {
                "file": "q,1.yaml",
                "line": 12,
                "column": 9,
                "code": "MQ101",
                "severity": "error",
                "title": "unknown key",
                "message": "unknown key 'levles' in stages[0]; did you mean 'levels'?",
            },
            {
                "file": "q,1.yaml",
                "line": 30,
                "column": 5,
                "code": "MQ501",
                "severity": "warning",
                "title": "question feeds no score, pain point or verdict",
                "message": "question 'X' feeds no score\nat all: 100%",
            },
        ],
    }


@pytest.mark.parametrize(
    ("problems", "strict", "ok"), [([], False, True), (PROBLEMS[1:], False, True), (PROBLEMS[1:], True, False)]
)
def test_json_ok_follows_the_exit_code_and_passes_its_schema(problems: list[Problem], strict: bool, ok: bool) -> None:
    body = json.loads(as_json(problems, FILES, Run(strict=strict)))
    assert body["ok"] is ok
    validator = jsonschema.Draft7Validator(json_schema("validate_output"), format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(body)] == []


def test_the_json_schema_rejects_what_is_not_our_output() -> None:
    validator = jsonschema.Draft7Validator(json_schema("validate_output"))
    body = json.loads(as_json(PROBLEMS, FILES))
    del body["ok"]
    body["problems"][0]["severity"] = "fatal"
    assert len(list(validator.iter_errors(body))) == 2


# ------------------------------------------------------------------------------------------------------- SARIF


def test_sarif_passes_the_official_schema_with_format_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = json.loads(as_sarif(awkward_problems(tmp_path)))
    assert [e.message for e in sarif_validator().iter_errors(body)] == []


def test_the_format_checks_are_real() -> None:
    """The validator used above rejects what an earlier version wrote: raw paths with spaces as URIs."""
    body = json.loads(as_sarif(PROBLEMS))
    body["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "my file.yaml"
    body["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] = "not a uri"
    assert len(list(sarif_validator().iter_errors(body))) == 2


def test_sarif_has_what_github_code_scanning_requires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub's documented requirements (docs.github.com, 'SARIF support for code scanning'): rules with a name,
    short and full descriptions and help; results located by relative URIs under a uriBaseId it can resolve."""
    monkeypatch.chdir(tmp_path)
    run = json.loads(as_sarif(awkward_problems(tmp_path)))["runs"][0]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base == tmp_path.as_uri() + "/"
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["name"] != rule["id"] and re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["name"])
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] == CODES[rule["id"]].explanation
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"**{rule['id']}**")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    inside = [u for u in uris if "uriBaseId" in u]
    assert [u["uri"] for u in inside] == [
        "my%20file.yaml",
        "d%C3%A9fini/%C3%A7%C3%A3o.yaml",
        "100%25.yaml",
        "a%3Ab%2Cc.yaml",
        "sub%20dir/x%23y%3F.yaml",
        "rules.yaml",
    ]
    assert all(u["uriBaseId"] == "SRCROOT" for u in inside)
    [outside] = [u for u in uris if "uriBaseId" not in u]  # outside the checkout: an absolute file URI
    assert outside["uri"] == (tmp_path.parent / "else where" / "é.yaml").as_uri()
    driver = run["tool"]["driver"]
    assert "informationUri" not in driver or driver["informationUri"].startswith("https://")
    assert "pypi.org" not in json.dumps(driver)


def test_sarif_result_fields() -> None:
    run = json.loads(as_sarif(PROBLEMS))["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MQ101", "MQ501"]
    assert run["tool"]["driver"]["rules"][0]["name"] == "UnknownKey"
    assert run["results"][1] == {
        "ruleId": "MQ501",
        "ruleIndex": 1,
        "level": "warning",
        "message": {"text": "question 'X' feeds no score\nat all: 100%"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "q%2C1.yaml", "uriBaseId": "SRCROOT"},
                    "region": {"startLine": 30, "startColumn": 5},
                }
            }
        ],
    }


# ------------------------------------------------------------------------------------------------------- JUnit


@pytest.fixture(scope="module", params=["ant-junit.xsd", "jenkins-junit-10.xsd"])
def junit_schema(request: pytest.FixtureRequest) -> Any:
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(VENDOR / request.param)))


def parse_junit(text: str, schema: Any) -> Any:
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(root), schema.error_log
    return root


def test_junit_passes_the_published_schemas(junit_schema: Any, tmp_path: Path) -> None:
    started = dt.datetime(2026, 11, 21, 9, 30, 5, tzinfo=dt.timezone.utc)
    problems = awkward_problems(tmp_path)
    root = parse_junit(as_junit(problems, FILES, Run(started=started, seconds=0.25)), junit_schema)
    assert (root.get("timestamp"), root.get("time")) == ("2026-11-21T09:30:05", "0.250")
    assert root.get("hostname")
    failures = root.findall("testcase/failure")
    assert len(failures) == int(root.get("failures")) == len(AWKWARD) + 1
    assert [f.get("type") for f in failures][:2] == ["MQ101", "MQ101"]
    assert "\x1b" not in as_junit(problems, FILES)  # control characters are not allowed in XML 1.0


@pytest.mark.parametrize(("strict", "failures"), [(False, 1), (True, 1)])
def test_junit_failures_are_what_fails_the_run(junit_schema: Any, strict: bool, failures: int) -> None:
    root = parse_junit(as_junit(PROBLEMS, FILES, Run(strict=strict)), junit_schema)
    assert int(root.get("failures")) == failures
    [failure] = root.findall("testcase/failure")
    assert failure.get("type") == ("MQ101 MQ501" if strict else "MQ101")
    assert ("MQ501" in (root.findtext("system-out") or "")) is not strict


def test_strict_with_only_warnings_fails_in_the_report_as_in_the_exit_code(junit_schema: Any) -> None:
    warnings = FIXTURES / "valid"
    result = CliRunner().invoke(app, ["validate", "--strict", "--format", "junit", str(warnings)])
    assert result.exit_code == 1
    root = parse_junit(result.stdout, junit_schema)
    assert int(root.get("failures")) >= 1
    assert {f.get("type") for f in root.iter("failure")} == {"MQ501"}
    relaxed = CliRunner().invoke(app, ["validate", "--format", "junit", str(warnings)])
    assert relaxed.exit_code == 0
    assert parse_junit(relaxed.stdout, junit_schema).get("failures") == "0"


def test_render_dispatches_on_format() -> None:
    assert render(PROBLEMS, FILES, "text") == as_text(PROBLEMS)
    assert render(PROBLEMS, FILES, "github") == as_github(PROBLEMS)
