"""JSON Schema for each definition format, in the draft-07 dialect that editors' YAML language servers read."""

from __future__ import annotations

import json
from typing import Any

from maturity.model.definitions import MODELS

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
KINDS = tuple(MODELS)
_SCALAR_ANSWER = [
    {"type": "boolean"},
    {"type": "number"},
    {"type": "string"},
    {"type": "array", "items": {"type": "string"}},
]


def json_schema(kind: str) -> dict[str, Any]:
    model = MODELS[kind]
    schema = model.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    out: dict[str, Any] = {"$schema": DRAFT_07, "$id": f"urn:maturity:schema:{kind}", **schema}
    if definitions:
        out["definitions"] = definitions
    if kind == "answers":
        # An answer may be written short (`STR-1: 3`); the model accepts it, so the schema must too.
        answers = out["properties"]["answers"]
        either = {"anyOf": [{"$ref": "#/definitions/Answer"}, *_SCALAR_ANSWER]}
        answers["patternProperties"] = {pattern: either for pattern in answers.get("patternProperties", {})}
        answers["additionalProperties"] = False  # ids that do not match the pattern are not question ids
    return out


def json_schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
