"""maturity: outsourcing maturity self-assessment, from YAML questionnaires to a verdict a board can read.

The library is the product; the `maturity` command is a thin adapter over it::

    from maturity import bundled_dir, find_rules, load_answers, load_questionnaire, score
    questionnaire = load_questionnaire("outsourcing-lifecycle")    # a bundled one by id, or a file
    rules = find_rules(questionnaire)
    answers = load_answers(bundled_dir("examples") / "well-run-retender.yaml", questionnaire)
    assessment = score(questionnaire.model, rules.model, answers.model)

Names are imported lazily so that `maturity --help` does not pay for pydantic, yaml or jinja2.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from maturity.model.version import __version__

_LAZY = {
    "load_questionnaire": "checks.validation",
    "load_rules": "checks.validation",
    "load_answers": "checks.validation",
    "find_rules": "checks.validation",
    "list_questionnaires": "checks.validation",
    "validate_paths": "app.validate",
    "QuestionnaireInfo": "checks.validation",
    "ValidationReport": "checks.validation",
    "bundled_dir": "io.resources",
    "Problem": "model.problems",
    "Severity": "model.problems",
    "CODES": "model.problems",
    "Code": "model.problems",
    "MaturityError": "model.problems",
    "DefinitionError": "model.problems",
    "UsageError": "model.problems",
    "Document": "model.document",
    "Loaded": "model.document",
    "Questionnaire": "model.definitions",
    "Rules": "model.definitions",
    "AnswersFile": "model.definitions",
    "RuleCases": "model.definitions",
    "score": "engine.scoring",
    "Assessment": "model.assessment",
    "render_report": "render.report",
    "Config": "app.config",
    "load_config": "app.config",
}

__all__ = [  # noqa: RUF022 - grouped as _LAZY is
    "__version__",
    "load_questionnaire",
    "load_rules",
    "load_answers",
    "find_rules",
    "list_questionnaires",
    "validate_paths",
    "QuestionnaireInfo",
    "ValidationReport",
    "bundled_dir",
    "Problem",
    "Severity",
    "CODES",
    "Code",
    "MaturityError",
    "DefinitionError",
    "UsageError",
    "Document",
    "Loaded",
    "Questionnaire",
    "Rules",
    "AnswersFile",
    "RuleCases",
    "score",
    "Assessment",
    "render_report",
    "Config",
    "load_config",
]

if TYPE_CHECKING:  # pragma: no cover
    from maturity.app.config import Config, load_config
    from maturity.app.validate import validate_paths
    from maturity.checks.validation import (
        QuestionnaireInfo,
        ValidationReport,
        find_rules,
        list_questionnaires,
        load_answers,
        load_questionnaire,
        load_rules,
    )
    from maturity.engine.scoring import score
    from maturity.io.resources import bundled_dir
    from maturity.model.assessment import Assessment
    from maturity.model.definitions import AnswersFile, Questionnaire, RuleCases, Rules
    from maturity.model.document import Document, Loaded
    from maturity.model.problems import (
        CODES,
        Code,
        DefinitionError,
        MaturityError,
        Problem,
        Severity,
        UsageError,
    )
    from maturity.render.report import render_report


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'maturity' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
