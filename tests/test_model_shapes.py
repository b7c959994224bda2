"""Models of other shapes: answers given by label, 'not applicable' worth a number, ids that start with a digit."""

from __future__ import annotations

from typing import Any

import pytest

from maturity.checks.answers import check_answers
from maturity.engine.scoring import score, summarise

from .test_scoring import make_answers, make_questionnaire, make_rules

GUID_STAGE = "3f2b9c1e-0000-4a5b-9c3d-1e2f3a4b5c6d"
LEVELS = [
    {"level": 0, "label": "No"},
    {"level": 1, "label": "Yes, for some applications"},
    {"level": 2, "label": "Yes, for most applications"},
    {"level": 3, "label": "Yes, for all applications"},
]


def model(not_applicable: Any = "exclude") -> tuple[Any, Any]:
    q = make_questionnaire(
        [
            {
                "id": GUID_STAGE,
                "title": "Practice",
                "questions": [
                    {
                        "id": "1a",
                        "text": "Is it done?",
                        "kind": "scale",
                        "levels": LEVELS,
                        "allow_not_applicable": True,
                    },
                    {"id": "1b", "text": "Is it measured?", "kind": "scale", "levels": LEVELS},
                    {
                        "id": "1c",
                        "text": "Which?",
                        "kind": "multiple",
                        "options": [{"id": "x", "label": "Training"}, {"id": "y", "label": "Metrics"}],
                    },
                ],
            }
        ]
    )
    rules = make_rules(
        levels=[{"level": 0, "name": "None", "from": 0, "to": 1}, {"level": 1, "name": "Some", "from": 1, "to": 3}],
        points={"not_applicable": not_applicable, "questions": {"1c": {"map": {"x": 1, "y": 2}}}},
    )
    return q, rules


@pytest.mark.parametrize(
    ("given", "values"),
    [
        ({"1a": "Yes, for most applications", "1b": 1}, {"1a": 2, "1b": 1}),
        ({"1a": "yes, FOR ALL applications", "1b": "No"}, {"1a": 3, "1b": 0}),
        ({"1a": 2, "1b": 2, "1c": ["Training", "y"]}, {"1c": ["x", "y"]}),
    ],
)
def test_answers_may_give_a_label_instead_of_the_level_or_option(given: dict[str, Any], values: dict[str, Any]) -> None:
    q, rules = model()
    answers = make_answers(given)
    assert check_answers(answers, q) == []
    result = score(q, rules, answers)
    assert {k: result.question(k).value for k in values} == values
    assert summarise(q, rules, answers).overall_score == result.overall.score


def test_an_unknown_label_is_still_refused_with_the_choices() -> None:
    q, _ = model()
    problems = check_answers(make_answers({"1a": "Mostly"}), q)
    assert [p.code for p in problems] == ["MQ602"]
    assert "answer with a level number (0 to 3)" in problems[0].message


@pytest.mark.parametrize(("treatment", "overall"), [("exclude", 2.0), (0, 1.0)])
def test_not_applicable_is_left_out_or_counts_as_the_rules_say(treatment: Any, overall: float) -> None:
    q, rules = model(treatment)
    result = score(q, rules, make_answers({"1a": {"status": "not_applicable"}, "1b": 2}))
    assert result.overall.score == overall
    assert result.question("1a").points == (None if treatment == "exclude" else 0)
    words = result.question("1a").no_points if treatment == "exclude" else result.question("1a").points_rule
    assert words == ("not applicable: excluded" if treatment == "exclude" else "not applicable, as the rules set")


def test_ids_may_start_with_a_digit() -> None:
    q, rules = model()
    result = score(q, rules, make_answers({"1a": 1, "1b": 1}))
    assert result.node(GUID_STAGE).score == 1.0


def test_reported_nodes_are_marked_and_summarised_and_need_no_warning(tmp_path: Any) -> None:
    from maturity.app.validate import validate_paths

    q = make_questionnaire(
        [
            {
                "id": "p1",
                "title": "Practice 1",
                "questions": [{"id": "Q1", "text": "?", "kind": "scale", "levels": LEVELS}],
            },
            {
                "id": "p2",
                "title": "Practice 2",
                "questions": [{"id": "Q2", "text": "?", "kind": "scale", "levels": LEVELS}],
            },
        ]
    )
    rules = make_rules(
        levels=[{"level": 0, "name": "None", "from": 0, "to": 1}, {"level": 1, "name": "Some", "from": 1, "to": 3}],
        rollup={
            "overall": {"method": "mean"},
            "nodes": [
                {"id": "governance", "title": "Governance", "of": ["p1", "p2"], "method": "sum", "reported": True}
            ],
        },
    )
    result = score(q, rules, make_answers({"Q1": 1, "Q2": 2}))
    governance = result.node("governance")
    assert governance.reported and governance.score == 3.0
    assert not [n for n in result.nodes if n.kind == "group" and n.reported]
    summary = summarise(q, rules, make_answers({"Q1": 1, "Q2": 2}))
    assert [(s.id, s.score) for s in summary.reported] == [("governance", 3.0)]
    (tmp_path / "q.json").write_text(q.model_dump_json(by_alias=True, exclude_none=True), encoding="utf-8")
    (tmp_path / "r.json").write_text(rules.model_dump_json(by_alias=True, exclude_none=True), encoding="utf-8")
    assert not [p for p in validate_paths([tmp_path]).problems if p.code == "MQ312"]
