"""The published JSON Schemas are valid draft-07 and accept every definition the loader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.io.loader import read_document
from maturity.render.schema import KINDS, json_schema

from .conftest import FIXTURES, ROOT

jsonschema = pytest.importorskip("jsonschema")

GOOD = sorted(
    [
        *(FIXTURES / "valid").rglob("*.yaml"),
        *(ROOT / "questionnaires").glob("*.yaml"),
        *(ROOT / "scoring_rules").rglob("*.yaml"),
        *(ROOT / "examples").glob("*.yaml"),
    ]
)


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_07(kind: str) -> None:
    jsonschema.Draft7Validator.check_schema(json_schema(kind))


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_every_good_definition_passes_its_schema(path: Path) -> None:
    data = read_document(path).data
    errors = list(jsonschema.Draft7Validator(json_schema(data["kind"])).iter_errors(data))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize(("name", "fragment"), [("unknown-key.yaml", "source"), ("bad-question-kind.yaml", "slider")])
def test_schema_catches_what_an_editor_should_flag(name: str, fragment: str) -> None:
    data = read_document(FIXTURES / "broken" / name).data
    errors = list(jsonschema.Draft7Validator(json_schema("questionnaire")).iter_errors(data))
    assert errors
