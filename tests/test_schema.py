"""The published JSON Schemas are valid draft-07 and accept every definition the loader accepts."""

from __future__ import annotations

import json
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


VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"


def _edited(name: str, old: str, new: str) -> str:
    text = (VALID / name).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


# Each invalid combination of keys (MQ105) the models refuse, as a file: the schema an editor uses must refuse it
# too, so the author sees it while typing rather than at `maturity validate`.
COMBINATIONS = {
    "scale without levels": (BROKEN / "scale-without-levels.yaml").read_text(encoding="utf-8"),
    "stage with questions and groups": (BROKEN / "stage-questions-and-groups.yaml").read_text(encoding="utf-8"),
    "condition with two subjects": (BROKEN / "condition-two-subjects.yaml").read_text(encoding="utf-8"),
    "answer with value and status": (BROKEN / "answers-value-and-status.yaml").read_text(encoding="utf-8"),
    "points by map and bands": _edited(
        "demo.rules.yaml", 'STR-2: {map: {"yes": 5, "no": 1}}', 'STR-2: {map: {"yes": 5}, bands: [{points: 1}]}'
    ),
    "yes/no question with options": _edited(
        "demo.questionnaire.yaml",
        "        kind: yes_no\n",
        "        kind: yes_no\n        options: [{id: a, label: A}]\n",
    ),
    "minimum on a text question": _edited(
        "demo.questionnaire.yaml", "            kind: text\n", "            kind: text\n            minimum: 1\n"
    ),
    "logic beside a comparison": _edited(
        "demo.questionnaire.yaml",
        "when: {any: [{question: MGT-3, at_most: 1}",
        "when: {equals: 1, any: [{question: MGT-3, at_most: 1}",
    ),
    "two comparisons": _edited(
        "demo.questionnaire.yaml",
        "when: {question: situation, equals: first-time}",
        "when: {question: situation, equals: first-time, in: [live]}",
    ),
    "a stage with no questions": _edited(
        "demo.questionnaire.yaml", "    questions:\n", "    questions: []\n    old_questions:\n"
    ),
}


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_the_schemas_refuse_what_the_models_refuse_as_mq105(name: str, tmp_path: Path) -> None:
    from maturity.app.validate import validate_paths

    path = tmp_path / "file.yaml"
    path.write_text(COMBINATIONS[name], encoding="utf-8")
    codes = {p.code for p in validate_paths([path, VALID / "demo.questionnaire.yaml"]).errors}
    assert codes & {"MQ105", "MQ101"}, codes  # the loader refuses it ('a stage with no questions' adds MQ101)
    data = read_document(path).data
    errors = list(jsonschema.Draft7Validator(json_schema(data["kind"])).iter_errors(data))
    assert errors, f"the {data['kind']} schema accepts {name}"


CONSTRAINTS = {"if", "then", "else", "not", "dependencies", "oneOf", "allOf"}  # rules, not properties to edit


@pytest.mark.parametrize("kind", KINDS)
def test_every_property_has_a_description_for_hover_help(kind: str) -> None:
    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if not (isinstance(value, dict) and value.get("description")):
                    missing.append(f"{where}.{key}")
            for key, value in node.items():
                if key not in CONSTRAINTS:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(json_schema(kind), kind)
    assert missing == []


def test_the_bundled_modelines_resolve_to_the_schema_of_their_kind() -> None:
    """Wherever the package is installed (the wheel puts the definitions under maturity/data/ beside schemas/),
    each bundled file's yaml-language-server line names a schema that exists there and that the file passes."""
    from maturity.io.resources import bundled_dir

    files = [p for name in ("questionnaires", "scoring_rules", "examples") for p in bundled_dir(name).rglob("*.yaml")]
    assert len(files) > 10
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
        data = read_document(path).data
        assert schema_path.name == f"{data['kind']}.schema.json", path
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == [], path
