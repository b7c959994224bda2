"""`maturity validate` as a library call: configuration, standard input, related files, then the problems kept.

The command line only declares options; this decides what they mean together, so that a hook, a CI job and a
Python caller get the same answer for the same settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from maturity.app.config import Config, filter_problems
from maturity.checks.validation import ValidationReport, check_paths, select_files
from maturity.io import loader
from maturity.io.resources import bundled_definition_dirs
from maturity.model.problems import MaturityError, Problem

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass
class Validation:
    """What a validation reports: the problems kept after configuration, and what it read or passed over."""

    problems: list[Problem]
    files: list[str]
    skipped: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    report: ValidationReport | None = None


def targets(paths: Sequence[str], config: Config) -> list[Path]:
    """What to validate: the paths given; else the configured definitions folders; else the bundled ones."""
    if paths:
        return [Path(p) for p in paths]
    return list(config.definitions) or bundled_definition_dirs()


def read_stdin(stream: BinaryIO, name: str | None, max_bytes: int | None) -> tuple[str, dict[str, str], list[Problem]]:
    """Standard input as an in-memory file under `name` (default <stdin>): its name, {name: text}, problems."""
    shown = name or STDIN_NAME
    try:
        text, _digest = loader.read_stream(stream, shown, max_bytes)
    except MaturityError as exc:
        return shown, {}, list(exc.problems)
    return shown, {shown: text}, []


def validate(
    paths: Sequence[str],
    config: Config,
    *,
    stdin: BinaryIO | None = None,
    stdin_name: str | None = None,
    warnings: bool = True,
    skip_other: bool = False,
    list_only: bool = False,
) -> Validation:
    """Validate `paths` (`-` is standard input) under `config`.

    Files named one by one are checked with their related questionnaires and rules, found beside them and in
    the configured definitions folders (as a pre-commit hook needs: it names only the files that changed).
    """
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    given = list(paths)
    if STDIN in given:
        if stdin is None:
            raise ValueError("'-' names standard input, but no stream was given")
        shown, texts, problems = read_stdin(stdin, stdin_name, config.max_file_size)
        given = [shown if p == STDIN else p for p in given]
        if not texts:
            given = [p for p in given if p != shown]
            if not given:
                return Validation(problems, [shown])
    chosen = targets(given, config)
    related = bool(given) and any(p in texts or not Path(p).is_dir() for p in given)
    if list_only:
        selection = select_files(
            chosen, texts=texts, related=related, context=config.definitions, skip_other=skip_other
        )
        listed = [*selection.files, *(str(d) for d in selection.template_dirs)]
        return Validation([*problems, *selection.problems], listed, selection.skipped, selection.related)
    report = validate_paths(
        chosen,
        max_bytes=config.max_file_size,
        texts=texts,
        related=related,
        context=config.definitions,
        skip_other=skip_other,
    )
    kept = filter_problems([*problems, *report.problems], config, warnings, texts)
    return Validation(kept, report.files, report.skipped, [], report)


def validate_paths(
    paths: Iterable[Path],
    max_bytes: int | None = None,
    *,
    texts: Mapping[str, str] | None = None,
    related: bool = False,
    context: Iterable[Path] = (),
    skip_other: bool = False,
) -> ValidationReport:
    """Validate the files under `paths` as `maturity validate` does, report templates compiled too (see
    checks.validation.check_paths, which this gives the rendering layer's template check)."""
    from maturity.render.report import check_templates

    return check_paths(
        paths,
        max_bytes,
        texts=texts,
        related=related,
        context=context,
        skip_other=skip_other,
        check_templates=check_templates,
    )


def explain(code: str) -> str | None:
    """The registry's entry for a code (any case) with its example's files, or None for a code that is not one."""
    from maturity.io.resources import PROBLEM_EXAMPLES, problem_example
    from maturity.model.problems import CODES
    from maturity.render.output import explanation

    wanted = code.strip().upper()
    if wanted not in CODES:
        return None
    own, companions = problem_example(wanted)
    settings = PROBLEM_EXAMPLES / wanted / ".maturity.toml"
    shown = [*([settings] if settings.is_file() else []), *own]
    files = [(str(p.relative_to(PROBLEM_EXAMPLES)), p.read_bytes().decode("utf-8", errors="replace")) for p in shown]
    return explanation(wanted, files, [str(p.relative_to(PROBLEM_EXAMPLES)) for p in companions])
