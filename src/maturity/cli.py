"""The `maturity` command: a thin adapter over the library. The only module that imports typer.

Heavy modules (pydantic models, yaml, jinja2, rich) are imported inside the commands that use them, so that
`maturity --help` starts about as fast as typer itself.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="maturity",
    help="Outsourcing maturity self-assessment: validate definitions, score answers, report the verdict.",
    epilog="Exit codes: 0 ok, 1 problems found, 2 usage error, 130 interrupted. Docs: README.md.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"maturity {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """Outsourcing maturity self-assessment: validate definitions, score answers, report the verdict."""


class OutputFormat(str, Enum):
    auto = "auto"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Files or folders to validate. Default: the bundled questionnaires, scoring rules and templates.",
        show_default=False)] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="text (file:line:col: CODE message), json, github, sarif or junit; auto picks "
        "github under GitHub Actions, else text.")] = OutputFormat.auto,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    max_file_size: Annotated[Optional[int], typer.Option(
        "--max-file-size", min=1, help="Largest file to read, in bytes (default 4 MiB, or MATURITY_MAX_FILE_BYTES).",
        show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line on stderr.")] = False,
) -> None:
    """Check questionnaires, scoring rules, answers and report templates, and report every problem.

    Problems go to stdout in the chosen format; a summary goes to stderr. Exit 0 when valid, 1 when there are
    errors (or warnings with --strict), 2 on a usage error.

    Examples:

      maturity validate

      maturity validate questionnaires/ scoring_rules/ --strict

      maturity validate my-questionnaire.yaml --format json > problems.json
    """
    from .output import render, summary_line
    from .resources import bundled_definition_dirs
    from .validation import validate_paths

    targets = list(paths) if paths else bundled_definition_dirs()
    report = validate_paths(targets, max_bytes=max_file_size)
    fmt = output_format.value
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    sys.stdout.write(render(report.problems, report.files, fmt))
    if not quiet:
        _err(summary_line(report.problems, len(report.files)) + (" (valid)" if report.ok(strict) else ""))
    raise typer.Exit(EXIT_OK if report.ok(strict) else EXIT_PROBLEMS)


class SchemaKind(str, Enum):
    questionnaire = "questionnaire"
    scoring_rules = "scoring_rules"
    answers = "answers"
    rule_cases = "rule_cases"


@app.command()
def schema(
    kind: Annotated[Optional[SchemaKind], typer.Argument(help="Which format's schema to print.",
                                                         show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Write every format's schema into this folder as KIND.schema.json.",
        show_default=False)] = None,
) -> None:
    """Print the JSON Schema (draft-07) of a definition format, for editor completion and checking.

    Put `# yaml-language-server: $schema=schemas/questionnaire.schema.json` on the first line of a YAML file
    and editors with the YAML language server complete and check it as you type.

    Examples:

      maturity schema questionnaire > questionnaire.schema.json

      maturity schema --out schemas/
    """
    from .schema import KINDS, json_schema_text

    if out is None and kind is None:
        _err("Say which schema to print (questionnaire, scoring_rules, answers, rule_cases), or use --out DIR.")
        raise typer.Exit(EXIT_USAGE)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name in [kind.value] if kind else KINDS:
            (out / f"{name}.schema.json").write_text(json_schema_text(name), encoding="utf-8")
            _err(f"wrote {out / f'{name}.schema.json'}")
        return
    assert kind is not None
    sys.stdout.write(json_schema_text(kind.value))


def run() -> None:
    """Entry point: exit 130 on Ctrl-C rather than a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
