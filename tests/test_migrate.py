"""Versions and migration: a questionnaire declares what changed since an earlier version, `validate` checks the
declaration, `maturity migrate` carries an answers file forward, and `score` carries an old file forward in memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from maturity.cli import app
from maturity.io.loader import load_answers_file

runner = CliRunner()

LEVELS = [{"level": n, "label": f"Level {n}"} for n in range(1, 5)]


def question(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "text": f"Question {qid}?", "kind": "scale", "levels": LEVELS, **extra}


OLD = {
    "kind": "questionnaire",
    "id": "demo",
    "version": "1.0.0",
    "title": "Demo",
    "stages": [
        {
            "id": "s",
            "title": "Stage",
            "questions": [question(q) for q in ("KEEP", "OLDNAME", "BOTH-A", "BOTH-B", "SPLITME", "GONE", "SCALE3")],
        }
    ],
}

CHANGES = [
    {"change": "renamed", "from": ["OLDNAME"], "to": ["NEWNAME"]},
    {"change": "merged", "from": ["BOTH-A", "BOTH-B"], "to": ["BOTH"], "combine": "lowest"},
    {"change": "split", "from": ["SPLITME"], "to": ["PART-1", "PART-2"], "note": "one question asked two things"},
    {"change": "removed", "from": ["GONE"], "note": "covered by PART-2"},
    {"change": "rescaled", "from": ["SCALE3"], "to": ["SCALE3"], "map": {"3": 4, "4": 4}},
    {"change": "added", "to": ["FRESH"], "note": "a new topic"},
]


def new_version(changes: list[dict[str, Any]] = CHANGES) -> dict[str, Any]:
    ids = ("KEEP", "NEWNAME", "BOTH", "PART-1", "PART-2", "SCALE3", "FRESH")
    return {
        **OLD,
        "version": "2.0.0",
        "stages": [{"id": "s", "title": "Stage", "questions": [question(q) for q in ids]}],
        "migrations": [{"from": "1.0.0", "summary": "Questions merged and split.", "changes": changes}],
    }


RULES = {
    "kind": "scoring_rules",
    "id": "demo-rules",
    "version": "1.0.0",
    "title": "Demo rules",
    "questionnaire": {"id": "demo", "version": "2.0.0"},
    "levels": [
        {"level": 1, "name": "One", "from": 1, "to": 2},
        {"level": 2, "name": "Two", "from": 2, "to": 3},
        {"level": 3, "name": "Three", "from": 3, "to": 4},
        {"level": 4, "name": "Four", "from": 4, "to": 4},
    ],
}

OLD_ANSWERS = {
    "kind": "answers",
    "questionnaire": {"id": "demo", "version": "1.0.0"},
    "assessment": {"organisation": "Org", "service": "Svc"},
    "answers": {
        "KEEP": {"value": 3, "note": "kept note", "evidence": ["audit.pdf"]},
        "OLDNAME": {"value": 2, "note": "renamed note"},
        "BOTH-A": {"value": 4, "note": "first half"},
        "BOTH-B": {"value": 2, "evidence": ["minutes.docx"]},
        "SPLITME": 3,
        "GONE": {"value": 1, "note": "was weak"},
        "SCALE3": 3,
    },
}


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def defs(tmp_path: Path) -> Path:
    folder = tmp_path / "defs"
    folder.mkdir()
    write(folder, "demo-1.json", OLD)
    write(folder, "demo-2.json", new_version())
    write(folder, "rules.json", RULES)
    return folder


def test_migrate_carries_every_answer_its_notes_and_evidence(defs: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "last-year.answers.json", OLD_ANSWERS)
    result = runner.invoke(app, ["migrate", str(old), "--definitions", str(defs)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "last-year-2.0.0.answers.yaml"
    assert f"wrote {written}" in result.stderr
    assert "FRESH: needs an answer (new in this version: a new topic)" in result.stderr
    answers = load_answers_file(written).model
    assert answers.questionnaire.version == "2.0.0"
    got = answers.answers
    assert (got["KEEP"].value, got["KEEP"].note, got["KEEP"].evidence) == (3, "kept note", ["audit.pdf"])
    assert (got["NEWNAME"].value, got["NEWNAME"].note) == (2, "renamed note")
    # merged: the lowest level, with the notes and evidence of both
    assert (got["BOTH"].value, got["BOTH"].note, got["BOTH"].evidence) == (2, "first half", ["minutes.docx"])
    assert got["PART-1"].value == got["PART-2"].value == 3
    assert got["SCALE3"].value == 4  # rescaled by the map
    assert "FRESH" not in got
    assert "GONE was 1 (note: was weak)" in (answers.assessment.notes or "")
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Carried forward from version 1.0.0 to 2.0.0")
    assert "#   PART-1: one question asked two things" in text


def test_migrate_never_replaces_an_existing_file(defs: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "a.answers.json", OLD_ANSWERS)
    (tmp_path / "a-2.0.0.answers.yaml").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["migrate", str(old), "--definitions", str(defs)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert (tmp_path / "a-2.0.0.answers.yaml").read_text(encoding="utf-8") == "mine"
    # --out naming the input is refused as every command refuses an output that is one of its inputs (usage, 2)
    same = runner.invoke(app, ["migrate", str(old), "--definitions", str(defs), "--out", str(old)])
    assert same.exit_code == 2 and "MQ020" in same.stderr


def test_migrate_to_stdout_and_a_file_already_current(defs: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "a.answers.json", OLD_ANSWERS)
    result = runner.invoke(app, ["migrate", str(old), "-d", str(defs), "--out", "-"])
    assert result.exit_code == 0
    assert "version: 2.0.0" in result.stdout
    current = write(
        tmp_path, "now.json", {**OLD_ANSWERS, "questionnaire": {"id": "demo", "version": "2.0.0"}, "answers": {}}
    )
    result = runner.invoke(app, ["migrate", str(current), "-d", str(defs)])
    assert result.exit_code == 1
    assert "MQ604" in result.stderr and "nothing to migrate" in result.stderr


def test_score_carries_an_old_file_forward_and_says_so(defs: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", OLD_ANSWERS)
    result = runner.invoke(app, ["score", str(old), "-d", str(defs), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "MQ607" in result.stderr and "maturity migrate" in result.stderr and "FRESH" in result.stderr
    assessment = json.loads(result.stdout)
    assert assessment["questionnaire"]["version"] == "2.0.0"


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ([c for c in CHANGES if c["change"] != "added"], "MQ213", "question 'FRESH' is new"),
        ([c for c in CHANGES if c["change"] != "removed"], "MQ213", "question 'GONE' of the previous version is gone"),
        ([*CHANGES, {"change": "renamed", "from": ["NOPE"], "to": ["KEEP"]}], "MQ212", "no question 'NOPE'"),
        ([*CHANGES, {"change": "added", "to": ["NOPE"]}], "MQ212", "this version has no question 'NOPE'"),
        ([*CHANGES, {"change": "renamed", "from": ["KEEP"], "to": ["KEEP", "NEWNAME"]}], "MQ215", "exactly one"),
        (
            [{**c, "combine": None} if c["change"] == "merged" else c for c in CHANGES],
            "MQ215",
            "say which old answer a merged question keeps",
        ),
        (
            [*CHANGES[:4], {"change": "rescaled", "from": ["SCALE3"], "to": ["SCALE3"], "map": {"9": 4}}, CHANGES[5]],
            "MQ214",
            "no answer '9'",
        ),
        (
            [*CHANGES[:4], {"change": "rescaled", "from": ["SCALE3"], "to": ["SCALE3"], "map": {"3": 7}}, CHANGES[5]],
            "MQ214",
            "there is no level 7",
        ),
    ],
)
def test_validate_checks_the_migration(tmp_path: Path, changes: list[dict[str, Any]], code: str, words: str) -> None:
    write(tmp_path, "demo-1.json", OLD)
    write(tmp_path, "demo-2.json", new_version([{k: v for k, v in c.items() if v is not None} for c in changes]))
    write(tmp_path, "rules.json", RULES)
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert code in result.output and words in result.output


def test_validate_accepts_a_sound_migration_and_warns_without_the_old_version(tmp_path: Path) -> None:
    write(tmp_path, "demo-1.json", OLD)
    write(tmp_path, "demo-2.json", new_version())
    write(tmp_path, "rules.json", RULES)
    assert runner.invoke(app, ["validate", "--strict", str(tmp_path)]).exit_code == 0
    (tmp_path / "demo-1.json").unlink()
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert "MQ505" in result.output


def test_resume_of_an_old_file_says_to_migrate_it_first(defs: Path, tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", OLD_ANSWERS)
    before = old.read_text(encoding="utf-8")
    result = runner.invoke(app, ["assess", "--resume", str(old), "-d", str(defs), "--plain"], input="")
    assert result.exit_code == 1
    assert "MQ604" in result.output and f"maturity migrate {old}" in result.output
    assert old.read_text(encoding="utf-8") == before
