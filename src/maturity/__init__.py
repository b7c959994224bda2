"""maturity: outsourcing maturity self-assessment, from YAML questionnaires to a verdict a board can read.

The library is the product; the `maturity` command is a thin adapter over it::

    from maturity import load_questionnaire, find_rules, load_answers, score
    questionnaire = load_questionnaire("questionnaires/outsourcing-lifecycle.yaml")
    rules = find_rules(questionnaire)
    answers = load_answers("examples/well-run-retender.yaml", questionnaire)
    assessment = score(questionnaire.model, rules.model, answers.model)

Names are imported lazily so that `maturity --help` does not pay for pydantic, yaml or jinja2.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "load_questionnaire": "checks.validation",
    "load_rules": "checks.validation",
    "load_answers": "checks.validation",
    "find_rules": "checks.validation",
    "validate_paths": "checks.validation",
    "ValidationReport": "checks.validation",
    "Problem": "model.problems",
    "MaturityError": "model.problems",
    "DefinitionError": "model.problems",
    "UsageError": "model.problems",
    "Questionnaire": "model.definitions",
    "Rules": "model.definitions",
    "AnswersFile": "model.definitions",
    "score": "engine.scoring",
    "Assessment": "model.assessment",
    "render_report": "render.report",
}

__all__ = [  # noqa: RUF022 - grouped as _LAZY is
    "__version__",
    "load_questionnaire",
    "load_rules",
    "load_answers",
    "find_rules",
    "validate_paths",
    "ValidationReport",
    "Problem",
    "MaturityError",
    "DefinitionError",
    "UsageError",
    "Questionnaire",
    "Rules",
    "AnswersFile",
    "score",
    "Assessment",
    "render_report",
]

if TYPE_CHECKING:  # pragma: no cover
    from maturity.checks.validation import (
        ValidationReport,
        find_rules,
        load_answers,
        load_questionnaire,
        load_rules,
        validate_paths,
    )
    from maturity.engine.scoring import score
    from maturity.model.assessment import Assessment
    from maturity.model.definitions import AnswersFile, Questionnaire, Rules
    from maturity.model.problems import DefinitionError, MaturityError, Problem, UsageError
    from maturity.render.report import render_report


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'maturity' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
