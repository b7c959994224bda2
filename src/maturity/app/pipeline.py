"""One answers file from disk to results: found, loaded and checked against its definitions, scored (or
summarised), and its reports rendered. `maturity report`, `compare`, `assess`, `test` and every batch worker
call this one pipeline, so a file means the same whichever command reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.app.catalogue import Catalogue
from maturity.io.output import Kind
from maturity.model.problems import MaturityError, Problem
from maturity.model.text import json_safe

if TYPE_CHECKING:
    from maturity.model.assessment import Assessment, Summary
    from maturity.model.definitions import AnswersFile
    from maturity.model.document import Loaded


_catalogues: dict[tuple[tuple[str, ...], bool], Catalogue] = {}


def catalogue_for(folders: list[str], bundled: bool = True) -> Catalogue:
    """One catalogue per set of folders in a process. Built in the parent before the pool starts, it is inherited
    by forked workers with its definitions checked and its scoring plans made, instead of rebuilt in each."""
    key = (tuple(folders), bundled)
    if key not in _catalogues:
        _catalogues[key] = Catalogue.from_folders([Path(f) for f in folders], bundled=bundled)
    return _catalogues[key]


def load_checked(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Any, Any, list[Problem]]:
    """Load an answers file (or `text` already read, from standard input, under the name `path`) and find and
    check it against its definitions.

    Returns (definitions, answers, warnings); raises MaturityError with located problems.
    """
    from maturity.checks.answers import check_answers
    from maturity.io import loader

    if text is None:
        answers = loader.load_answers_file(path, max_bytes)
    else:
        answers = loader.load_document(loader.parse_text(text, str(path), loader.digest_of(text)), "answers")
    ref = answers.model.questionnaire
    carried: list[Problem] = []
    try:
        definitions = catalogue.get(ref.id, ref.version)
    except MaturityError as exc:
        target = catalogue.migration_target(ref.id, ref.version)
        if target is None:
            raise located_at_version(exc, answers) from None
        answers, carried = carry_forward(answers, catalogue, target)
        definitions = catalogue.get(ref.id, target)
    problems = check_answers(answers, definitions.questionnaire, definitions.index)
    if any(p.is_error for p in problems):
        raise MaturityError([p for p in problems if p.is_error])
    return definitions, answers, [*carried, *problems]


def located_at_version(exc: MaturityError, answers: Loaded[AnswersFile]) -> MaturityError:
    """A missing questionnaire or rules, said of the answers file that asked for them, at the line that names
    the version (the catalogue's own problem names no file)."""
    line, column = answers.document.locate(("questionnaire", "version"))
    return MaturityError(
        [Problem.make(p.code, p.message, answers.path, line, column) if not p.file else p for p in exc.problems]
    )


def carry_forward(
    answers: Loaded[AnswersFile], catalogue: Catalogue, target: str
) -> tuple[Loaded[AnswersFile], list[Problem]]:
    """Answers to an earlier version, carried forward in memory to `target` (as `maturity migrate` would write
    them), with a warning that says so and what needs a fresh answer. Lines still point into the original file."""
    from maturity.engine.migrate import migrate_through
    from maturity.model.document import Loaded

    ref = answers.model.questionnaire
    moved = migrate_through(answers.model, catalogue.versions(ref.id), target)
    missing = [q for q, _ in moved.needs_answer]
    shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
    gaps = f"; {len(missing)} question(s) have no answer yet ({shown})" if missing else ""
    warning = answers.problem(
        "MQ607",
        f"these answers are for version {ref.version} of '{ref.id}'; they were carried forward to version {target} "
        f"and scored with its rules{gaps}. Run `maturity migrate {answers.path}` to save the carried-forward file",
        ("questionnaire", "version"),
    )
    return Loaded(moved.answers, answers.document), [warning]


def load_and_score(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Assessment, list[Problem]]:
    """Load, check and score one answers file. Returns the Assessment and any warnings; raises MaturityError."""
    from maturity.engine.scoring import score

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    return score(definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True), problems


def render_reports(assessment: Assessment, catalogue: Catalogue, formats: Sequence[str]) -> dict[str, bytes]:
    """The reports `maturity report`, `maturity assess` and `score --report` write, in each format asked for,
    the roadmap (a search over the answers) computed once for all of them."""
    from maturity.engine.roadmap import answers_from_assessment, build_roadmap
    from maturity.render.report import render_report_bytes

    found = catalogue.get(assessment.questionnaire.id, assessment.questionnaire.version)
    questionnaire, rules = found.questionnaire.model, found.rules.model
    roadmap = build_roadmap(questionnaire, rules, answers_from_assessment(assessment), assessment)
    digest = found.questionnaire.document.digest
    return {
        fmt: render_report_bytes(assessment, questionnaire, rules, fmt, roadmap=roadmap, questionnaire_digest=digest)
        for fmt in formats
    }


def report_kind(fmt: str) -> Kind:
    """How a report format's bytes are made safe on the way out (see io.output.encoded)."""
    return "json" if fmt == "json" else "binary" if fmt == "pdf" else "text"


def load_score_and_summarise(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Assessment, Summary, list[Problem]]:
    """`load_and_score` and `load_and_summarise` at once, from one run of the engine (a batch writing results)."""
    from maturity.engine.scoring import score_and_summarise

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    assessment, summary = score_and_summarise(
        definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True
    )
    return assessment, summary, problems


def load_and_summarise(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Summary, list[Problem]]:
    """`load_and_score` for the figures alone."""
    from maturity.engine.scoring import summarise

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    return summarise(definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True), problems


def assessment_json(assessment: Assessment) -> str:
    """The full result as JSON; characters a terminal would act on are written as \\u escapes."""
    return json_safe(json.dumps(assessment.model_dump(mode="json"), indent=2, ensure_ascii=False)) + "\n"
