"""Answers files read for another piece of work: an earlier assessment to start from (`assess --prefill`), and
respondents' files to combine (`maturity merge`).

Each is checked against its questionnaire the way `score` checks it, and refused with its located problems when
it does not fit, so nothing built on it starts from a file with errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from maturity.app.catalogue import Catalogue
from maturity.checks.answers import check_answers, resolve_labels
from maturity.checks.index import index_questionnaire
from maturity.io import loader
from maturity.model.definitions import AnswersFile, Questionnaire
from maturity.model.document import Loaded
from maturity.model.problems import MaturityError, Problem


@dataclass
class Earlier:
    """An earlier answers file, carried forward (in memory) to the version of the questionnaire now answered."""

    answers: Loaded[AnswersFile]
    questionnaire: Questionnaire
    carried: list[str] = field(default_factory=list)  # what carrying it forward means, one line each
    warnings: list[Problem] = field(default_factory=list)


def load_earlier(path: Path, catalogue: Catalogue, questionnaire: Questionnaire | None) -> Earlier:
    """The earlier answers for `questionnaire` (by default the newest version of the questionnaire they answer),
    carried forward through its declared migrations when they are for an earlier version."""
    from maturity.app.catalogue import version_key
    from maturity.engine.migrate import migrate_through

    answers = loader.load_answers_file(path)
    ref = answers.model.questionnaire
    versions = catalogue.versions(ref.id)
    if questionnaire is None:
        if not versions:
            raise MaturityError(
                answers.problem("MQ603", f"no questionnaire '{ref.id}' was found", ("questionnaire", "id"))
            )
        questionnaire = versions[max(versions, key=version_key)]
    if ref.id != questionnaire.id:
        raise MaturityError(
            answers.problem(
                "MQ603",
                f"these answers are for questionnaire '{ref.id}', not '{questionnaire.id}' which is being answered",
                ("questionnaire", "id"),
            )
        )
    carried: list[str] = []
    model = answers.model
    if ref.version != questionnaire.version:
        if ref.version not in versions:
            raise MaturityError(
                answers.problem(
                    "MQ604",
                    f"these answers are for version {ref.version} of '{ref.id}', which is not available to carry "
                    f"forward to version {questionnaire.version}",
                    ("questionnaire", "version"),
                )
            )
        try:
            moved = migrate_through(model, {**versions, questionnaire.version: questionnaire}, questionnaire.version)
        except MaturityError as exc:
            raise MaturityError([_at_version(answers, p) for p in exc.problems]) from None
        model, carried = moved.answers, moved.lines()
    loaded = Loaded(model, answers.document)
    problems = check_answers(loaded, questionnaire)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise MaturityError(errors)
    # answers given by label ("Yes, for most") are kept as their level or option id, as the interview records them
    resolved = Loaded(resolve_labels(model, index_questionnaire(questionnaire)), answers.document)
    return Earlier(resolved, questionnaire, carried, [p for p in problems if not p.is_error])


def _at_version(answers: Loaded[AnswersFile], problem: Problem) -> Problem:
    if problem.file:
        return problem
    return answers.problem(problem.code, problem.message, ("questionnaire", "version"))


def load_respondent(path: Path, catalogue: Catalogue) -> tuple[Loaded[AnswersFile], Questionnaire, list[Problem]]:
    """One respondent's answers and the questionnaire version they answer (rules are not needed to combine);
    raises MaturityError with the file's own problems when it cannot be read or does not fit."""
    answers = loader.load_answers_file(path)
    ref = answers.model.questionnaire
    versions = catalogue.versions(ref.id)
    if ref.version not in versions:
        known = ", ".join(sorted(versions)) or "none"
        raise MaturityError(
            answers.problem(
                "MQ603" if not versions else "MQ604",
                f"questionnaire '{ref.id}' version {ref.version} was not found (versions available: {known}); give "
                "its folder with --definitions",
                ("questionnaire", "version") if versions else ("questionnaire", "id"),
            )
        )
    questionnaire = versions[ref.version]
    problems = check_answers(answers, questionnaire)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise MaturityError(errors)
    resolved = Loaded(resolve_labels(answers.model, index_questionnaire(questionnaire)), answers.document)
    return resolved, questionnaire, [p for p in problems if not p.is_error]
