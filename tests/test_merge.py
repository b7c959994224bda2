"""`maturity merge` and the report of a combined file, through the CLI: the policies, who said what, and the
files it refuses (another questionnaire or version, another service, a file with errors, one given twice)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app
from maturity.io.loader import load_answers_file

from .conftest import FIXTURES

VALID = FIXTURES / "valid"
runner = CliRunner()
HEAD = (
    "kind: answers\nquestionnaire: {{id: {qid}, version: {version}}}\n"
    "assessment: {{organisation: Example Council, service: {service}, assessor: {who}, date: {date}}}\nanswers:\n"
)


def _file(
    tmp_path: Path,
    name: str,
    answers: str,
    who: str = "Ana",
    version: str = "1.2.0",
    qid: str = "demo",
    service: str = "Parks",
    date: str = "2026-11-01",
) -> Path:
    path = tmp_path / name
    path.write_text(HEAD.format(qid=qid, version=version, service=service, who=who, date=date) + answers, "utf-8")
    return path


FINANCE = """\
  situation: first-time
  STR-1: {value: 2, note: "Only a cost paper."}
  STR-2: "yes"
  STR-3: some
  MGT-1: 2
  MGT-3: 2
"""
SERVICE = """\
  situation: first-time
  STR-1: {value: 4, note: "Audit challenged the appraisal."}
  STR-2: "no"
  STR-3: some
  MGT-1: 2
  MGT-3: {status: dont_know, note: "Never seen the data."}
"""


def _merge(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["merge", *args, "-d", str(VALID)])


@pytest.mark.parametrize(
    ("policy", "str1", "str2", "mgt3"),
    [("open", None, None, None), ("lowest", 2, False, 2), ("median", 2, False, 2)],
)
def test_policies_and_who_said_what(tmp_path: Path, policy: str, str1: object, str2: object, mgt3: object) -> None:
    a, b = _file(tmp_path, "a.yaml", FINANCE, "Ana Finance"), _file(tmp_path, "b.yaml", SERVICE, "Ben Service")
    out = tmp_path / "combined.yaml"
    result = _merge(tmp_path, str(a), str(b), "--policy", policy, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 disagreement(s)" in result.stderr
    assert "STR-1: Ana Finance 2 Discussed; Ben Service 4 Challenged (2 levels apart" in result.stderr
    combined = load_answers_file(out).model
    assert combined.assessment.assessor == "Ana Finance and Ben Service"
    record = combined.assessment.combined
    assert record is not None and record.policy == policy
    assert [r.name for r in record.respondents] == ["Ana Finance", "Ben Service"]
    assert [d.question for d in record.disagreements] == ["STR-1", "STR-2", "MGT-3"]
    said = {a.respondent: (a.value, a.status, a.note) for a in record.disagreements[2].answers}
    assert said == {"Ana Finance": (2, None, None), "Ben Service": (None, "dont_know", "Never seen the data.")}
    answers = combined.answers
    for qid, expected in (("STR-1", str1), ("STR-2", str2), ("MGT-3", mgt3)):
        if expected is None:
            assert answers[qid].status == "skipped"  # left open: resuming the combined file goes back to it
        else:
            assert answers[qid].value in ((expected, "no") if expected is False else (expected,))
    assert answers["STR-3"].value == "some" and answers["MGT-1"].value == 2  # agreed
    # conflicting notes are both kept, each under its author's name
    assert answers["STR-1"].note == "Ana Finance: Only a cost paper.\nBen Service: Audit challenged the appraisal."
    report = runner.invoke(app, ["report", str(out), "-d", str(VALID), "--format", "md"])
    assert report.exit_code == 0, report.output
    assert "## How the answers were combined" in report.stdout
    assert "| STR-1: How was the delivery model chosen? | Ana Finance: 2 Discussed" in report.stdout
    html = runner.invoke(app, ["report", str(out), "-d", str(VALID), "--format", "html"]).stdout
    assert '<h2 id="combined">How the answers were combined</h2>' in html


def test_answers_one_level_apart_are_not_a_disagreement(tmp_path: Path) -> None:
    a = _file(tmp_path, "a.yaml", "  situation: first-time\n  STR-1: 3\n")
    b = _file(tmp_path, "b.yaml", "  situation: first-time\n  STR-1: 4\n", "Ben")
    c = _file(tmp_path, "c.yaml", "  situation: first-time\n  STR-1: 4\n", "Cat")
    out = tmp_path / "m.yaml"
    assert _merge(tmp_path, str(a), str(b), str(c), "--out", str(out)).exit_code == 0
    combined = load_answers_file(out).model
    assert combined.answers["STR-1"].value == 4  # the median of 3, 4, 4
    assert combined.assessment.combined is not None and combined.assessment.combined.disagreements == []


def test_refused_files_are_all_reported_with_their_locations(tmp_path: Path) -> None:
    a = _file(tmp_path, "a.yaml", FINANCE)
    old = _file(tmp_path, "old.yaml", "  situation: first-time\n", "Ben", version="1.0.0")
    other = _file(tmp_path, "other.yaml", "  situation: first-time\n", "Cat", service="Libraries")
    broken = _file(tmp_path, "broken.yaml", "  STR-1: 9\n  NOPE-1: 2\n", "Dan")
    out = tmp_path / "m.yaml"
    result = _merge(tmp_path, str(a), str(old), str(other), str(broken), "--out", str(out))
    assert result.exit_code == 1
    assert f"{old}:2:" in result.stderr and "MQ604" in result.stderr
    assert f"{other}:3:" in result.stderr and "MQ608" in result.stderr and "'Libraries'" in result.stderr
    assert f"{broken}:5:" in result.stderr and "there is no level 9" in result.stderr
    assert "there is no question 'NOPE-1'" in result.stderr
    assert not out.exists()


def test_another_questionnaire_is_refused_and_a_file_given_twice(tmp_path: Path) -> None:
    from maturity.io.resources import bundled_dir

    a = _file(tmp_path, "a.yaml", FINANCE)
    mine = bundled_dir("examples")
    other = next(p for p in sorted(mine.glob("*.yaml")))
    result = _merge(tmp_path, str(a), str(other), "--out", str(tmp_path / "m.yaml"))
    assert result.exit_code == 1 and "MQ603" in result.stderr and "only answers to one questionnaire" in result.stderr
    twice = _merge(tmp_path, str(a), str(a), "--out", str(tmp_path / "m.yaml"))
    assert twice.exit_code == 2 and "given twice" in twice.stderr
    alone = _merge(tmp_path, str(a), "--out", str(tmp_path / "m.yaml"))
    assert alone.exit_code == 2 and "two or more" in alone.stderr
    (tmp_path / "there.yaml").write_text("kept", "utf-8")
    exists = _merge(tmp_path, str(a), str(a), "--out", str(tmp_path / "there.yaml"))
    assert exists.exit_code == 2 and (tmp_path / "there.yaml").read_text("utf-8") == "kept"
