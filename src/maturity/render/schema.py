"""JSON Schema for each definition format, in the draft-07 dialect that editors' YAML language servers read."""

from __future__ import annotations

import json
from typing import Any

from maturity.model.definitions import MODELS

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DEFINITION_KINDS = tuple(MODELS)

# What `maturity validate --format json` writes (render.output.as_json), for the programs that read it.
VALIDATE_OUTPUT: dict[str, Any] = {
    "title": "maturity validate --format json",
    "description": "The problems found in definition and answers files, with a summary. A reader should check "
    "format_version: it changes only when a field changes meaning or goes away.",
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "tool", "ok", "strict", "files", "summary", "problems"],
    "properties": {
        "format_version": {"description": "The version of this format.", "const": 2},
        "tool": {
            "description": "The program that wrote the report.",
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "version"],
            "properties": {
                "name": {"description": "Always maturity.", "const": "maturity"},
                "version": {"description": "The version of maturity.", "type": "string"},
            },
        },
        "ok": {
            "description": "True when the run passed: no errors, and no warnings either with --strict. The exit "
            "code is 0 exactly when this is true.",
            "type": "boolean",
        },
        "strict": {"description": "Whether --strict was given (warnings fail the run).", "type": "boolean"},
        "files": {
            "description": "Every file that was read, in the order checked.",
            "type": "array",
            "items": {"type": "string"},
        },
        "summary": {
            "description": "Counts over the whole run.",
            "type": "object",
            "additionalProperties": False,
            "required": ["errors", "warnings", "files", "files_with_problems"],
            "properties": {
                "errors": {"description": "Problems of severity error.", "type": "integer", "minimum": 0},
                "warnings": {"description": "Problems of severity warning.", "type": "integer", "minimum": 0},
                "files": {"description": "Files read.", "type": "integer", "minimum": 0},
                "files_with_problems": {
                    "description": "Files (or paths) with at least one problem.",
                    "type": "integer",
                    "minimum": 0,
                },
            },
        },
        "problems": {
            "description": "Every problem, ordered by file, line, column and code.",
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["file", "line", "column", "code", "severity", "title", "message"],
                "properties": {
                    "file": {"description": "The file as it was named; empty when none applies.", "type": "string"},
                    "line": {"description": "1-based line; 0 for the whole file.", "type": "integer", "minimum": 0},
                    "column": {
                        "description": "1-based column; 0 when there is no line.",
                        "type": "integer",
                        "minimum": 0,
                    },
                    "code": {
                        "description": "The stable problem code (MQ and three digits); see maturity.problems.CODES.",
                        "type": "string",
                        "pattern": "^MQ[0-9]{3}$",
                    },
                    "severity": {"description": "error or warning.", "enum": ["error", "warning"]},
                    "title": {"description": "The code's short title.", "type": "string"},
                    "message": {"description": "What is wrong here and how to put it right.", "type": "string"},
                },
            },
        },
    },
}
OUTPUT_KINDS = ("validate_output",)
KINDS = (*DEFINITION_KINDS, *OUTPUT_KINDS)
_SCALAR_ANSWER = [
    {"type": "boolean"},
    {"type": "number"},
    {"type": "string"},
    {"type": "array", "items": {"type": "string"}},
]


def _required(*keys: str) -> dict[str, Any]:
    return {"required": list(keys)}


def _none_of(*keys: str) -> dict[str, Any]:
    return {"not": {"anyOf": [_required(k) for k in keys]}}


_LOGIC = ("all", "any", "not")
_SUBJECTS = ("question", "score", "level", "indicator", "count", "pain_point")
_TESTS = ("equals", "not_equals", "in", "not_in", "includes", "at_least", "at_most", "is")

# The rules the models check beyond each field's type (MQ105: keys that go together, or one of which is needed),
# said in JSON Schema so that an editor flags them as they are typed. The checks stay the authority: these only
# repeat them, and tests/test_schema.py holds each up against the loader on the same files.
COMBINATIONS: dict[str, dict[str, Any]] = {
    "Condition": {
        "description": "Exactly one subject (question, score, level, indicator, count, pain_point) with its "
        "comparison, or one of all, any and not.",
        "oneOf": [_required(k) for k in (*_LOGIC, *_SUBJECTS)],
        "dependencies": {
            **{k: _none_of(*_TESTS) for k in _LOGIC},
            **{k: {"anyOf": [_required(t) for t in _TESTS]} for k in _SUBJECTS},
        },
        "not": {
            "anyOf": [
                _required(a, b)
                for i, a in enumerate(_TESTS)
                for b in _TESTS[i + 1 :]
                if {a, b} != {"at_least", "at_most"}
            ]
        },
    },
    "Question": {
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": "scale"}}},
                "then": {"oneOf": [_required("levels"), _required("answer_set")], **_none_of("options")},
            },
            {
                "if": {"properties": {"kind": {"enum": ["single", "multiple"]}}},
                "then": {"oneOf": [_required("options"), _required("answer_set")], **_none_of("levels")},
            },
            {
                "if": {"properties": {"kind": {"enum": ["yes_no", "number", "text"]}}},
                "then": _none_of("levels", "options", "answer_set"),
            },
            {
                "if": {"not": {"properties": {"kind": {"const": "number"}}}},
                "then": {**_none_of("minimum", "maximum", "unit"), "properties": {"integer": {"const": False}}},
            },
            {"if": {"not": {"properties": {"kind": {"const": "text"}}}}, "then": _none_of("max_length")},
        ]
    },
    "AnswerSet": {
        "if": {"properties": {"kind": {"const": "scale"}}},
        "then": {**_required("levels"), **_none_of("options")},
        "else": {**_required("options"), **_none_of("levels")},
    },
    "Stage": {
        "oneOf": [_required("questions"), _required("groups")],
        "properties": {"questions": {"minItems": 1}, "groups": {"minItems": 1}},
    },
    "QuestionPoints": {"oneOf": [_required("map"), _required("bands")]},
    "Answer": {
        "oneOf": [
            {**_required("value"), **_none_of("status")},
            {**_required("status"), **_none_of("value")},
        ]
    },
}


def _add_combinations(definitions: dict[str, Any]) -> None:
    for name, rules in COMBINATIONS.items():
        target = definitions.get(name)
        if target is None:
            continue
        for key, value in rules.items():
            if key == "properties":
                for prop, extra in value.items():
                    target["properties"][prop].update(extra)
            elif key == "description":
                target.setdefault("description", value)
            else:
                target[key] = value


def _describe_references(node: Any, definitions: dict[str, Any]) -> None:
    """A property that only points at a definition gets that definition's description, for hover help (pydantic
    leaves it out when the field's description repeats the model's)."""
    if isinstance(node, dict):
        for value in node.get("properties", {}).values():
            ref = value.get("$ref", "") if isinstance(value, dict) else ""
            if ref.startswith("#/definitions/") and "description" not in value:
                found = definitions.get(ref.rsplit("/", 1)[1], {}).get("description")
                if found:
                    value["description"] = found
        for value in node.values():
            _describe_references(value, definitions)
    elif isinstance(node, list):
        for value in node:
            _describe_references(value, definitions)


def json_schema(kind: str) -> dict[str, Any]:
    if kind == "validate_output":
        return {"$schema": DRAFT_07, "$id": f"urn:maturity:schema:{kind}", **VALIDATE_OUTPUT}
    model = MODELS[kind]
    schema = model.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    out: dict[str, Any] = {"$schema": DRAFT_07, "$id": f"urn:maturity:schema:{kind}", **schema}
    if definitions:
        _add_combinations(definitions)
        out["definitions"] = definitions
    _describe_references(out, definitions)
    if kind == "answers":
        # An answer may be written short (`STR-1: 3`); the model accepts it, so the schema must too.
        answers = out["properties"]["answers"]
        either = {"anyOf": [{"$ref": "#/definitions/Answer"}, *_SCALAR_ANSWER]}
        answers["patternProperties"] = {pattern: either for pattern in answers.get("patternProperties", {})}
        answers["additionalProperties"] = False  # ids that do not match the pattern are not question ids
    return out


def json_schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
