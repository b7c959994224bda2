"""The `maturity` command: a thin adapter over the library. The only module that imports typer.

Heavy modules (pydantic models, yaml, jinja2, rich) are imported inside the commands that use them, so that
`maturity --help` starts about as fast as typer itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from typer.models import CommandFunctionType

from maturity.model.problems import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from maturity.model.version import __version__

if TYPE_CHECKING:  # the CLI imports the library lazily, so that `maturity --help` stays fast
    from maturity.app.batch import BatchOutputs, FileOutcome
    from maturity.app.catalogue import Catalogue
    from maturity.model.assessment import Assessment
    from maturity.model.problems import Problem


class _Command(typer.core.TyperCommand):
    """A command whose help names each argument by its metavar alone; typer would add the Python type after it
    (`PATH <list[Path]>`), which means nothing to a contract manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument):
                param.display_type_rich = _no_type  # type: ignore[method-assign]


def _no_type(ctx: Any) -> None:
    return None


class _Typer(typer.Typer):
    def command(self, *args: Any, **kwargs: Any) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _Typer(
    name="maturity",
    help="Outsourcing maturity self-assessment: validate definitions, score answers, report the verdict.",
    epilog="Exit codes: 0 ok, 1 problems found, 2 usage error, 130 interrupted. Docs: README.md.",
    no_args_is_help=True,
    # completion is `maturity completion SHELL`: typer's --show-completion ignores the shell it is given
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _at_least_one(value: int | None) -> int | None:
    """A count or a size: checked here rather than with typer's min=1, which prints `[x>=1]` in the help."""
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not allowed: give 1 or more")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"maturity {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
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
    """A diagnostic on stderr, made safe for a terminal (see maturity.model.text)."""
    from maturity.model.text import for_terminal

    with contextlib.suppress(OSError):  # stderr itself gone: there is nowhere left to say anything
        typer.echo(for_terminal(message), err=True)


def _say(message: str) -> None:
    """A line of data on stdout, made safe for a terminal and flushed (see maturity.io.output)."""
    from maturity.io.output import write_stdout

    write_stdout(message + "\n")


def _out(text: str, kind: str = "text") -> None:
    """Data on stdout, made safe for where it goes; a closed pipe or a full device exits 1 with its problem."""
    from maturity.io.output import write_stdout
    from maturity.model.problems import MaturityError

    try:
        write_stdout(text, kind)  # type: ignore[arg-type]
    except MaturityError as exc:
        _fail(exc)


def _fail(exc: Exception, path: Path | None = None) -> NoReturn:
    """Report a MaturityError's problems on stderr (naming the file when a problem does not) and exit 1, or 2
    for a usage error (an output that would replace an input, say)."""
    from maturity.model.problems import UsageError

    for problem in getattr(exc, "problems", []):
        _err(str(problem if problem.file or path is None else dataclasses.replace(problem, file=str(path))))
    raise typer.Exit(EXIT_USAGE if isinstance(exc, UsageError) else EXIT_PROBLEMS)


def _warn(problems: list[Any]) -> None:
    for problem in problems:
        _err(str(problem))


_CONFIG_HELP = (
    "A configuration file (.maturity.toml, or pyproject.toml with [tool.maturity]). Default: the nearest one from "
    "here up."
)

# Options several commands share, declared once.
StdinFilename = Annotated[
    Optional[str],
    typer.Option(
        "--stdin-filename",
        help="The name to give standard input (-) in messages; a name ending in .json is read as JSON.",
        show_default=False,
        metavar="NAME",
    ),
]
ConfigFile = Annotated[Optional[Path], typer.Option("--config", help=_CONFIG_HELP, show_default=False, metavar="FILE")]
Workers = Annotated[
    Optional[int],
    typer.Option(
        "--workers",
        "-j",
        callback=_at_least_one,
        help="Processes to use (default: one per core).",
        show_default=False,
        metavar="N",
    ),
]
Definitions = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--definitions",
        "-d",
        help="Folders (or files) holding your own questionnaires and rules; the bundled ones are always available.",
        show_default=False,
        metavar="DIR",
    ),
]
MaxFileSize = Annotated[
    Optional[int],
    typer.Option(
        "--max-file-size",
        callback=_at_least_one,
        help="Largest file to read, in bytes (default 4 MiB, or max-file-size in the configuration).",
        show_default=False,
        metavar="BYTES",
    ),
]


def _config(path: Path | None, **options: Any) -> Any:
    """The configuration (named, or the nearest one) with the command line's options over it; exit 2 if bad."""
    from maturity.app.config import load_config
    from maturity.model.problems import UsageError

    try:
        return load_config(path).with_options(**options)
    except UsageError as exc:
        for problem in exc.problems:
            _err(str(problem))
        raise typer.Exit(EXIT_USAGE) from None


def _codes(values: list[str] | None, option: str) -> tuple[str, ...] | None:
    from maturity.app.config import parse_codes
    from maturity.model.problems import UsageError

    if not values:
        return None
    try:
        return parse_codes(values, option)
    except UsageError as exc:
        _err(str(exc.problems[0]).removeprefix("<input>: "))
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def validate(
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="Files or folders to validate; - reads one file from standard input. Default: the configured "
            "definitions folders, else the bundled questionnaires, scoring rules and templates.",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    output_format: Annotated[
        Optional[OutputFormat],
        typer.Option(
            "--format",
            "-f",
            help="text (file:line:col: CODE message), json, github, sarif or junit; auto (the default) picks "
            "github under GitHub Actions, else text.",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    strict: Annotated[
        Optional[bool], typer.Option("--strict/--no-strict", help="Fail on warnings too.", show_default=False)
    ] = None,
    select: Annotated[
        Optional[list[str]],
        typer.Option(
            "--select",
            help="Report only these codes or prefixes (MQ5, MQ501), comma-separated.",
            show_default=False,
            metavar="CODES",
        ),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],
        typer.Option("--ignore", help="Never report these codes or prefixes.", show_default=False, metavar="CODES"),
    ] = None,
    no_warnings: Annotated[bool, typer.Option("--no-warnings", help="Report errors only.")] = False,
    max_file_size: MaxFileSize = None,
    config_file: ConfigFile = None,
    stdin_filename: StdinFilename = None,
    list_files: Annotated[
        bool, typer.Option("--list-files", help="List the files that would be checked, and check nothing.")
    ] = False,
    skip_other: Annotated[
        bool,
        typer.Option(
            "--skip-other-files",
            help="Pass over named files that are not maturity files (no maturity kind, outside the definitions "
            "folders), as a pre-commit hook that names every YAML file needs.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line on stderr.")] = False,
    explain: Annotated[
        Optional[str],
        typer.Option(
            "--explain",
            help="Print what a problem code means, how to put it right and an example that raises it; check nothing.",
            show_default=False,
            metavar="CODE",
        ),
    ] = None,
) -> None:
    """Check questionnaires, scoring rules, answers and report templates, and report every problem.

    Problems go to stdout in the chosen format; a summary goes to stderr. A file named on its own is checked
    with the questionnaires and rules it needs, found beside it. Exit 0 when valid, 1 when there are errors
    (or warnings with --strict), 2 on a usage error.

    Settings come from .maturity.toml or [tool.maturity] in pyproject.toml (the nearest, from here up);
    options override them. `# maturity: disable=MQ502` at the end of a line silences that code there.

    \b
    Examples:
      maturity validate
      maturity validate questionnaires/ scoring_rules/ --strict
      maturity validate my-questionnaire.yaml --format json > problems.json
      maturity validate --select MQ1,MQ2 --ignore MQ501 --format sarif > maturity.sarif
      cat answers.yaml | maturity validate - --stdin-filename answers.yaml
      maturity validate --explain MQ312
    """
    import time

    from maturity.app.validate import explain as explain_code
    from maturity.app.validate import validate as run_validation
    from maturity.render.output import Run, render, summary_line

    if explain is not None:
        entry = explain_code(explain)
        if entry is None:
            _err(f"--explain {explain}: not a problem code (MQ and three digits, as in MQ101); see maturity.CODES")
            raise typer.Exit(EXIT_USAGE)
        _out(entry)
        raise typer.Exit(EXIT_OK)

    config = _config(
        config_file,
        strict=strict,
        max_file_size=max_file_size,
        select=_codes(select, "--select"),
        ignore=_codes(ignore, "--ignore"),
        format=output_format.value if output_format else None,
    )
    started, clock = Run().started, time.perf_counter()
    outcome = run_validation(
        list(paths or []),
        config,
        stdin=_standard_input() if "-" in (paths or []) else None,
        stdin_name=stdin_filename,
        warnings=not no_warnings,
        skip_other=skip_other,
        list_only=list_files,
    )
    if list_files:
        for problem in outcome.problems:
            _err(str(problem))
        _out("".join(f"{name}\n" for name in outcome.files))
        raise typer.Exit(EXIT_PROBLEMS if any(p.is_error for p in outcome.problems) else EXIT_OK)
    fmt = config.format or "auto"
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    run = Run(strict=config.strict, started=started, seconds=time.perf_counter() - clock)
    _out(render(outcome.problems, outcome.files, fmt, run), "json" if fmt in ("json", "sarif") else "text")
    ok = run.ok(outcome.problems)
    if not quiet:
        skipped = f"; passed over {len(outcome.skipped)} other file(s)" if outcome.skipped else ""
        _err(summary_line(outcome.problems, len(outcome.files)) + skipped + (" (valid)" if ok else ""))
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)


class SchemaKind(str, Enum):
    questionnaire = "questionnaire"
    scoring_rules = "scoring_rules"
    answers = "answers"
    rule_cases = "rule_cases"
    validate_output = "validate_output"


@app.command()
def schema(
    kind: Annotated[
        Optional[SchemaKind], typer.Argument(help="Which format's schema to print.", show_default=False, metavar="KIND")
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            "-o",
            help="Write every format's schema into this folder as KIND.schema.json.",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
) -> None:
    """Print the JSON Schema (draft-07) of a definition format, for editor completion and checking.

    Put `# yaml-language-server: $schema=schemas/questionnaire.schema.json` on the first line of a YAML file
    and editors with the YAML language server complete and check it as you type.

    \b
    Examples:
      maturity schema questionnaire > questionnaire.schema.json
      maturity schema --out schemas/
    """
    from maturity.io.output import folder_output
    from maturity.model.problems import MaturityError
    from maturity.render.schema import KINDS, json_schema_text

    if out is None and kind is None:
        _err("Say which schema to print (" + ", ".join(k.value for k in SchemaKind) + "), or use --out DIR.")
        raise typer.Exit(EXIT_USAGE)
    if out is not None:
        try:
            folder = folder_output(out)
            for name in [kind.value] if kind else KINDS:
                target = folder.file(f"{name}.schema.json")
                target.write(json_schema_text(name), "json")
                _err(f"wrote {target.path}")
        except MaturityError as exc:
            _fail(exc)
        return
    assert kind is not None
    _out(json_schema_text(kind.value), "json")


@app.command()
def assess(
    questionnaire: Annotated[
        Optional[str],
        typer.Argument(
            help="A questionnaire file, or the id of a bundled one. Default: the outsourcing lifecycle questionnaire.",
            show_default=False,
            metavar="QUESTIONNAIRE",
        ),
    ] = None,
    answers_path: Annotated[
        Optional[Path],
        typer.Option(
            "--answers",
            "-a",
            help="Where to save the answers (default: organisation-service-date.answers.yaml here).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    resume: Annotated[
        Optional[Path],
        typer.Option(
            "--resume",
            "-r",
            help="Carry on an assessment from its answers file, after the question answered last.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    review: Annotated[
        bool,
        typer.Option("--review", help="With --resume: walk through every answer to change some (Enter keeps one)."),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Screen-reader friendly: plain lines, no boxes or colour (also when ACCESSIBLE is set or TERM=dumb).",
        ),
    ] = False,
    definitions: Definitions = None,
    stages: Annotated[
        Optional[str],
        typer.Option(
            "--stages",
            help="Answer only these stages or questions, comma-separated: stage ids, their question prefixes "
            "(STR,RDY) or question ids; the context questions are always asked. For colleagues who each answer "
            "their part, then `maturity merge`.",
            show_default=False,
            metavar="PARTS",
        ),
    ] = None,
    prefill: Annotated[
        Optional[Path],
        typer.Option(
            "--prefill",
            help="Start from an earlier answers file (last year's, or a colleague's): each earlier answer is the "
            "default, and the new file records which were confirmed, changed or left as they were.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Answer a questionnaire in the terminal; every answer is saved as you go, then the report is written.

    Keys at each question: a number answers, ? help, b back, s skip, d don't know, n not applicable, e add a
    note, v add evidence, q save and quit. Ctrl-C, a closed terminal or a kill also save; resume with --resume.
    When input is not a terminal, answers are read one per line and running out of input is an error.

    \b
    Examples:
      maturity assess                                   # the outsourcing lifecycle questionnaire
      maturity assess outsourcing-a-problem --plain     # another one, by its id (maturity list)
      maturity assess --resume northmoor-waste-2026-11-21.answers.yaml
      maturity assess --resume my.answers.yaml --review
      maturity assess my-questionnaire.yaml -d my-rules/
      maturity assess --stages STR,RDY --answers finance.answers.yaml
      maturity assess --prefill last-year.answers.yaml
    """
    from maturity.ui.assess import run_assessment

    if review and resume is None:
        _err("--review needs --resume FILE: the answers to review")
        raise typer.Exit(EXIT_USAGE)
    accessible = plain or bool(os.environ.get("ACCESSIBLE")) or os.environ.get("TERM") == "dumb"
    parts = [p for p in (stages or "").split(",") if p.strip()]
    code = run_assessment(
        questionnaire,
        answers_path,
        resume,
        review,
        accessible,
        list(definitions or []),
        _say,
        _err,
        parts,
        prefill,
    )
    raise typer.Exit(code)


class FormFormat(str, Enum):
    md = "md"
    html = "html"
    pdf = "pdf"


@app.command("questionnaire")
def questionnaire_form(
    questionnaire: Annotated[
        Optional[str],
        typer.Argument(
            help="A questionnaire file, or the id of a bundled one. Default: the outsourcing lifecycle questionnaire.",
            show_default=False,
            metavar="QUESTIONNAIRE",
        ),
    ] = None,
    output_format: Annotated[
        Optional[FormFormat],
        typer.Option(
            "--format",
            "-f",
            help="md, html or pdf (pdf needs: pip install 'maturity[pdf]'). Default: from the --out file's extension "
            "(.md, .html, .pdf), else md.",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out", "-o", help="Write the form to this file instead of stdout.", show_default=False, metavar="FILE"
        ),
    ] = None,
    definitions: Definitions = None,
) -> None:
    """Write the questionnaire as a blank, printable form: every question with its levels, help and space for the
    answer, a note and the evidence, in the interview's order, saying when a question is asked only sometimes.

    \b
    Examples:
      maturity questionnaire --out form.html
      maturity questionnaire --out form.pdf                            # A4, for printing (the pdf extra)
      maturity questionnaire outsourcing-a-problem --format md > pre-check.md
    """
    from maturity.app.pipeline import catalogue_for
    from maturity.io.output import output
    from maturity.model.problems import MaturityError
    from maturity.render.form import FORMATS, render_form
    from maturity.render.report import html_to_pdf
    from maturity.ui.assess import questionnaire_named

    fmt = _output_format(output_format or (None if out is not None else FormFormat.md), out, FORMATS)
    definitions_read = catalogue_for([str(d) for d in definitions or []]).files()
    inputs: list[str | Path] = [*([questionnaire] if questionnaire else []), *definitions_read]
    try:  # checked before any work: never over the questionnaire or a definition, never into a folder
        destination = output(out, inputs)
        text = render_form(questionnaire_named(questionnaire, list(definitions or [])), "html" if fmt == "pdf" else fmt)
        data = html_to_pdf(text) if fmt == "pdf" else text
    except MaturityError as exc:
        _fail(exc, Path(questionnaire or "."))
    _write(destination, data, fmt)


class MergePolicy(str, Enum):
    open = "open"
    lowest = "lowest"
    median = "median"


@app.command()
def merge(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more respondents' answers files, one per person.", show_default=False, metavar="FILE"
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Where to write the combined answers file (never over an existing one).", metavar="FILE"
        ),
    ],
    policy: Annotated[
        MergePolicy,
        typer.Option(
            "--policy",
            help="Where respondents differ: open leaves disagreements for discussion (resume the combined file to "
            "settle them), lowest takes the lowest answer, median the median (the lower middle one).",
            metavar="POLICY",
        ),
    ] = MergePolicy.open,
    definitions: Definitions = None,
) -> None:
    """Combine several respondents' answers into one file; where they disagree, the file and its report say who
    said what, and how the combined answer was chosen.

    A disagreement is a scale answered more than one level apart, different choices, numbers or yes/no, or a
    don't know beside an answer. Files of another questionnaire or version, for another organisation or service,
    or with errors are refused with their located problems.

    \b
    Examples:
      maturity merge finance.answers.yaml service.answers.yaml contracts.answers.yaml --out combined.answers.yaml
      maturity merge a.yaml b.yaml --policy median --out combined.yaml
    """
    from maturity.app.merging import merge_files
    from maturity.io.output import output
    from maturity.model.problems import MaturityError, UsageError

    if out.exists():
        _err(f"{out} already exists and was left as it is; give another name with --out")
        raise typer.Exit(EXIT_USAGE)
    catalogue = _catalogue(definitions)
    try:  # checked before any work: never into a folder, a read-only place or one of the inputs
        destination = output(out, [*files, *catalogue.files()])
        result = merge_files(list(files), catalogue, policy.value)
    except MaturityError as exc:
        for problem in exc.problems:
            _err(str(problem))
        raise typer.Exit(EXIT_USAGE if isinstance(exc, UsageError) else EXIT_PROBLEMS) from None
    _warn(result.warnings)
    for line in result.lines():
        _err(line)
    _write(destination, result.text, "raw")  # YAML: the dumper has escaped what needs escaping


class ReportFormat(str, Enum):
    terminal = "terminal"
    md = "md"
    html = "html"
    json = "json"
    pdf = "pdf"


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def score(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Answers files (YAML or JSON), folders or glob patterns.", show_default=False, metavar="PATH"
        ),
    ],
    summary: Annotated[
        Optional[Path],
        typer.Option(
            "--summary",
            "-s",
            help="Write every file's scores, levels, verdict and pain point ids to this file: CSV, "
            "JSON when it ends in .json, a spreadsheet when it ends in .xlsx (pip install 'maturity[xlsx]').",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    excel_csv: Annotated[
        bool,
        typer.Option(
            "--excel-csv",
            help="Start the CSV summary with the byte-order mark by which spreadsheet programs know it is UTF-8 "
            "(names with accents then open as written).",
        ),
    ] = False,
    output_format: Annotated[
        ScoreFormat,
        typer.Option(
            "--format",
            "-f",
            help="table: one line per file; json: one file's full result, explanations included.",
            metavar="FORMAT",
        ),
    ] = ScoreFormat.table,
    explain: Annotated[bool, typer.Option("--explain", help="Print how every number was reached (one file).")] = False,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            "-o",
            help="Write each file's full result as JSON into this folder (NAME.result.json, mirroring "
            "the answers files' folders).",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    report_formats: Annotated[
        Optional[list[ReportFormat]],
        typer.Option(
            "--report",
            "-r",
            help="With --out: also write each file's report in this format (repeat for several: "
            "md, html, json, terminal, pdf).",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    definitions: Definitions = None,
    workers: Workers = None,
    max_file_size: MaxFileSize = None,
    stdin_filename: StdinFilename = None,
    config_file: ConfigFile = None,
) -> None:
    """Score answers files against their questionnaire's rules: one line per file, and a summary to pivot.

    Each answers file names its questionnaire and version; the matching rules are found among --definitions and
    the bundled ones. A file that cannot be scored is reported with its located problem on stderr and the rest
    are still scored; the exit code is then 1.

    \b
    Examples:
      maturity score examples/well-run-retender.yaml --explain
      maturity score answers/ --summary portfolio.csv
      maturity score 'answers/**/*.json' --out results/ --summary portfolio.json
      maturity score answers/ --out results/ --report html --report md
      maturity score examples/mid-maturity-council.yaml --format json > result.json
    """
    single = output_format is ScoreFormat.json or explain
    if single and (summary is not None or out is not None or report_formats):
        _err(
            "--format json and --explain print one file's result on stdout; they do not take --summary, --out or "
            "--report"
        )
        raise typer.Exit(EXIT_USAGE)
    if report_formats and out is None:
        _err("--report writes reports beside each result: give --out DIR too")
        raise typer.Exit(EXIT_USAGE)
    if report_formats and ReportFormat.pdf in report_formats:
        _output_format(ReportFormat.pdf, Path("report.pdf"))  # exits 2, saying how to install it, without the extra
    if summary is not None and summary.suffix.lower() not in (".csv", ".json", ".xlsx"):
        _err(f"--summary {summary}: name a .csv, .json or .xlsx file (the extension chooses the format)")
        raise typer.Exit(EXIT_USAGE)
    if summary is not None and summary.suffix.lower() == ".xlsx":
        from maturity.app.spreadsheet import INSTALL, available

        if not available():
            _err(f"--summary {summary}: {INSTALL}")
            raise typer.Exit(EXIT_USAGE)
    if excel_csv and (summary is None or summary.suffix.lower() != ".csv"):
        _err("--excel-csv is for a .csv summary: give --summary FILE.csv")
        raise typer.Exit(EXIT_USAGE)
    config = _config(config_file, max_file_size=max_file_size)
    definitions = list(definitions or config.definitions)
    catalogue = _catalogue(definitions)
    if "-" in paths:
        _score_stdin(paths, stdin_filename, catalogue, config.max_file_size, explain, single, summary, out)
    _score_files(
        paths,
        catalogue,
        summary,
        explain,
        out,
        report_formats,
        definitions,
        workers,
        single,
        config.max_file_size,
        excel_csv,
    )


def _standard_input() -> Any:
    from maturity.io.loader import standard_input

    return standard_input()  # a stream even when the program was started with standard input closed


def _read_stdin(name: str | None, max_bytes: int | None) -> tuple[str, str]:
    """Standard input as one file: its name for messages, and its text (exit 1 when it cannot be read)."""
    from maturity.app.validate import read_stdin

    shown, texts, problems = read_stdin(_standard_input(), name, max_bytes)
    for problem in problems:
        _err(str(problem))
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)
    return shown, texts[shown]


def _score_stdin(
    paths: list[str],
    name: str | None,
    catalogue: Catalogue,
    max_bytes: int | None,
    explain: bool,
    single: bool,
    summary: Path | None,
    out: Path | None,
) -> NoReturn:
    """`score -`: one answers file from standard input, scored in this process."""
    from maturity.app.batch import score_file
    from maturity.app.summaries import table_header, table_line

    if paths != ["-"] or summary is not None or out is not None:
        _err("- reads one answers file from standard input: give it alone, without --summary or --out")
        raise typer.Exit(EXIT_USAGE)
    shown, text = _read_stdin(name, max_bytes)
    if single:
        _score_one(Path(shown), catalogue, explain, text)
        raise typer.Exit(EXIT_OK)
    outcome = score_file(Path(shown), catalogue, text=text)
    for problem in outcome.problems:
        _err(str(problem))
    _out(table_header() + table_line(outcome.row))
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_PROBLEMS)


def _score_files(
    paths: list[str],
    catalogue: Catalogue,
    summary: Path | None,
    explain: bool,
    out: Path | None,
    report_formats: list[ReportFormat] | None,
    definitions: list[Path] | None,
    workers: int | None,
    single: bool,
    max_bytes: int | None = None,
    excel_csv: bool = False,
) -> None:
    from maturity.app.batch import plan_outputs
    from maturity.app.workers import terminate_as_interrupt
    from maturity.io.files import expand
    from maturity.model.problems import MaturityError

    files, problems = expand(paths)
    plan = None
    if not single:
        try:  # before anything is scored: never over an input, never a folder for a file
            plan = plan_outputs(files, summary, out)
        except MaturityError as exc:
            _fail(exc)
        if plan.left_out:
            _err(f"note: left out {plan.left_out} file(s) that this command writes (--summary, --out)")
        files = plan.files
    for problem in problems:
        _err(str(problem))
    if not files:
        _err("no answers files to score")
        raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_USAGE)
    if single and len(files) != 1:
        _err("--format json and --explain show one file in full: give exactly one file (use --out DIR for many)")
        raise typer.Exit(EXIT_USAGE)
    folders = list(definitions or [])
    if plan is None:
        _score_one(Path(files[0]), catalogue, explain, max_bytes=max_bytes)
        return
    reports = tuple(dict.fromkeys(f.value for f in report_formats or []))
    try:
        plan.create()
        for folder in plan.created:
            _err(f"created the folder {folder}")
        with terminate_as_interrupt():  # SIGTERM ends the workers and removes the temporary summary too
            failed, table_cut = _score_batch(files, folders, catalogue, plan, reports, workers, max_bytes, excel_csv)
    except MaturityError as exc:
        _fail(exc)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM: the workers are ended and no temporary file is left
        _err(
            "interrupted: scoring stopped; no summary was written"
            + (" (the earlier one is as it was)" if summary else "")
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as exc:  # the summary (a full disk, say); the old summary is left as it was
        from maturity.io.output import write_problem

        _err(str(write_problem(exc.filename or summary or out or "", exc)))
        raise typer.Exit(EXIT_PROBLEMS) from None
    _err(
        f"{len(files) - failed} scored, {failed} failed"
        + (f"; summary in {summary}" if summary else "")
        + (f"; results in {out}" if out else "")
    )
    if table_cut is not None:
        from maturity.io.output import STDOUT, write_problem

        _err(str(write_problem(STDOUT, table_cut)))
    lost_output = table_cut is not None and summary is None and out is None  # the table was the only output
    raise typer.Exit(EXIT_PROBLEMS if failed or problems or lost_output else EXIT_OK)


def _catalogue(definitions: list[Path] | None, reported: frozenset[str] = frozenset()) -> Catalogue:
    """The definitions to score against; a --definitions path that is missing stops the command (exit 1), and a
    file there that cannot be used, or that another hides, is a warning (unless its file is among `reported`)."""
    from maturity.app.pipeline import catalogue_for

    catalogue = catalogue_for([str(f) for f in definitions or []])
    for problem in catalogue.problems:
        if problem.file not in reported:
            _err(str(problem))
    if any(p.is_error for p in catalogue.problems):
        raise typer.Exit(EXIT_PROBLEMS)
    return catalogue


def _score_batch(
    files: list[str],
    folders: list[Path],
    catalogue: Catalogue,
    plan: BatchOutputs,
    reports: tuple[str, ...],
    workers: int | None,
    max_bytes: int | None = None,
    excel_csv: bool = False,
) -> tuple[int, OSError | None]:
    """Score the files, writing the table to stdout and the summary (atomically) as rows arrive; the count of
    files that failed, and why the table was cut short, if it was (its reader went away, a full device)."""
    from contextlib import ExitStack

    from maturity.app.batch import score_many
    from maturity.app.spreadsheet import SummarySink
    from maturity.app.summaries import table_header
    from maturity.ui.progress import progress_bar

    failed = 0
    summary, out = plan.summary, plan.out
    with ExitStack() as stack:
        sink = SummarySink(summary, catalogue, stack, excel_csv) if summary is not None else None
        progress = progress_bar(len(files))
        stack.callback(progress.close)
        # one line per file, thousands of them: written directly rather than through typer.echo
        table = _Table()
        table.write(table_header())
        for outcome in score_many(
            files,
            folders,
            out_dir=out.path if out is not None else None,
            reports=reports,
            workers=workers,
            summary=sink.format if sink else None,
            table=True,
            max_bytes=max_bytes,
            notice=lambda message: _err(f"warning: {message}"),
        ):
            if sink is not None:
                sink.take(outcome)
            if not outcome.ok:
                failed += 1
            for problem in outcome.problems:
                _err(str(problem))
            table.write(outcome.table_text or "")
            progress.advance()
        if sink is not None:
            sink.close()
        table.close()
    return failed, table.gone


class _Table:
    """The table on stdout. When it cannot be written (its reader went away, `| head`; a full device), the rest
    of the table is dropped and the scoring goes on, so the summary and results are still complete; `gone`
    then holds the error, reported at the end."""

    def __init__(self) -> None:
        self.gone: OSError | None = None

    def write(self, text: str) -> None:
        if self.gone is not None:
            return
        try:
            if sys.stdout is None:  # closed before the command started (`>&-`)
                raise OSError(errno.EBADF, "standard output is closed")
            sys.stdout.write(text)
        except OSError as exc:
            from maturity.io.output import silence_stdout

            self.gone = exc
            silence_stdout()  # so that flushing stdout at exit cannot fail again

    def close(self) -> None:
        if self.gone is None and sys.stdout is not None:
            try:
                sys.stdout.flush()
            except OSError as exc:
                from maturity.io.output import silence_stdout

                self.gone = exc
                silence_stdout()


def _score_one(
    path: Path, catalogue: Catalogue, explain: bool, text: str | None = None, max_bytes: int | None = None
) -> None:
    from maturity.app.pipeline import assessment_json, load_and_score
    from maturity.model.problems import MaturityError

    try:
        assessment, warnings = load_and_score(path, catalogue, max_bytes, text)
    except MaturityError as exc:
        _fail(exc, path)
    _warn(warnings)
    if explain:
        _out("\n".join(assessment.explain_lines()) + "\n")
    else:
        _out(assessment_json(assessment), "json")


@app.command()
def report(
    answers: Annotated[
        Path,
        typer.Argument(
            help="An answers file (YAML or JSON); - reads it from standard input.",
            show_default=False,
            metavar="ANSWERS",
        ),
    ],
    output_format: Annotated[
        Optional[ReportFormat],
        typer.Option(
            "--format",
            "-f",
            help="terminal, md, html, json or pdf (pdf needs: pip install 'maturity[pdf]'). Default: from the "
            "--out file's extension (.txt, .md, .html, .json, .pdf), else terminal.",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out", "-o", help="Write the report to this file instead of stdout.", show_default=False, metavar="FILE"
        ),
    ] = None,
    templates: Annotated[
        Optional[Path],
        typer.Option(
            "--templates",
            help="A folder of report templates that override the bundled ones by name "
            "(report.md.j2, report.html.j2); they run sandboxed.",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    definitions: Definitions = None,
    stdin_filename: StdinFilename = None,
    config_file: ConfigFile = None,
) -> None:
    """Score one answers file and write its report: verdict, levels, pain points, gaps and every answer.

    \b
    Examples:
      maturity report examples/well-run-retender.yaml
      maturity report answers.yaml --out report.html
      maturity report answers.yaml --format md > report.md
    """
    from maturity.app.pipeline import load_and_score
    from maturity.io.output import output
    from maturity.model.problems import MaturityError
    from maturity.render.report import render_report_bytes

    fmt = _output_format(output_format, out)
    config = _config(config_file)
    catalogue = _catalogue(list(definitions or config.definitions))
    try:  # checked before any work: never over one of the inputs, never into a folder
        inputs = [*([answers] if str(answers) != "-" else []), *catalogue.files(), *_files_in(templates)]
        destination = output(out, inputs)
    except MaturityError as exc:
        _fail(exc)
    text_in: str | None = None
    if str(answers) == "-":
        shown, text_in = _read_stdin(stdin_filename, config.max_file_size)
        answers = Path(shown)
    try:
        assessment, warnings = load_and_score(answers, catalogue, config.max_file_size, text_in)
        ref = assessment.questionnaire
        found = catalogue.get(ref.id, ref.version)
        data = render_report_bytes(
            assessment,
            found.questionnaire.model,
            found.rules.model,
            fmt,
            templates,
            found.questionnaire.document.digest,
        )
    except MaturityError as exc:
        _fail(exc, answers)
    _warn(warnings)
    _write(destination, data, fmt)


def _files_in(folder: Path | None) -> list[Path]:
    """The files directly in a folder (a templates folder, whose files are inputs too); none for None."""
    if folder is None or not folder.is_dir():
        return []
    with contextlib.suppress(OSError):
        return [p for p in folder.iterdir() if p.is_file()]
    return []


def _write(destination: Any, data: str | bytes, fmt: str) -> None:
    """Write a command's document where it was checked to go (made safe for its format: JSON escaped, a PDF as it
    is, any other text cleaned), saying where when that is a file."""
    from maturity.app.pipeline import report_kind
    from maturity.io.output import FileOutput
    from maturity.model.problems import MaturityError

    kind = "raw" if fmt == "raw" else report_kind(fmt)
    try:
        destination.write(data, kind)
    except MaturityError as exc:
        _fail(exc)
    if isinstance(destination, FileOutput):
        for folder in destination.created:
            _err(f"created the folder {folder}")
        _err(f"wrote {destination.path}")


def _output_format(chosen: Enum | None, out: Path | None, formats: tuple[str, ...] | None = None) -> str:
    """The format from --out's extension (strictly) and --format; a mismatch or a missing extra exits 2."""
    from maturity.render.report import FORMATS, FormatError, FormatUnavailable, output_format, require_pdf

    try:
        fmt = output_format(chosen.value if chosen else None, out, formats or FORMATS)
        if fmt == "pdf":
            require_pdf()
    except (FormatError, FormatUnavailable) as exc:
        _err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        _err("a PDF is not for the terminal: give --out FILE.pdf, or redirect the output to a file")
        raise typer.Exit(EXIT_USAGE)
    return fmt


@app.command()
def migrate(
    answers: Annotated[
        Path,
        typer.Argument(
            help="An answers file for an earlier questionnaire version.", show_default=False, metavar="ANSWERS"
        ),
    ],
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            "-o",
            help="Where to write the carried-forward file ('-' for stdout). Default: beside it, named with the new "
            "version; an existing file is never replaced.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    to_version: Annotated[
        Optional[str],
        typer.Option(
            "--to", help="The version to carry it to. Default: the newest.", show_default=False, metavar="VERSION"
        ),
    ] = None,
    definitions: Definitions = None,
) -> None:
    """Carry an answers file forward to a newer version of its questionnaire, keeping every note and evidence.

    Questions that changed are mapped as the new questionnaire declares; the new file lists, at the top and on
    stderr, the questions that need a fresh answer or a second look.

    \b
    Examples:
      maturity migrate last-year.answers.yaml
      maturity migrate last-year.answers.yaml --out this-year.answers.yaml
    """
    from maturity.app.migration import default_output, migrate_file
    from maturity.io.output import output
    from maturity.model.problems import MaturityError

    catalogue = _catalogue(definitions)
    inputs = [answers, *catalogue.files()]
    try:  # an output given is checked before any work: never over the answers it was given, nor a definition
        destination = output(None if out is None or str(out) == "-" else out, inputs)
    except MaturityError as exc:
        _fail(exc)
    try:
        moved, text = migrate_file(answers, catalogue, to_version)
    except MaturityError as exc:
        _fail(exc, answers)
    for line in moved.lines():
        _err(line)
    if out is None:
        target = default_output(answers, moved.to_version)
        if target.exists():
            _err(f"{target} already exists; give another name with --out")
            raise typer.Exit(EXIT_PROBLEMS)
        try:
            destination = output(target, inputs)
        except MaturityError as exc:
            _fail(exc)
    _write(destination, text, "raw")  # YAML: the dumper has escaped what needs escaping


@app.command("test")
def test_cases(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(
            help="Rule-case files or folders holding them. Default: the bundled scoring rules' cases.",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    definitions: Definitions = None,
) -> None:
    """Run rule cases: answers files beside the rules with the levels, pain points and verdict they must give.

    Each failing case prints every expectation that did not hold, expected beside found. Exit 0 when all pass.

    \b
    Examples:
      maturity test
      maturity test scoring_rules/cases/ --definitions questionnaires/ --definitions scoring_rules/
    """
    from maturity.app.cases import find_case_files, run_cases
    from maturity.io.resources import bundled_dir

    targets = list(paths) if paths else [bundled_dir("scoring_rules")]
    files, problems = find_case_files(targets)
    for problem in problems:
        _err(str(problem))
    if not files:
        _err("no rule-case files (kind: rule_cases) found")
        raise typer.Exit(EXIT_PROBLEMS)
    catalogue = _catalogue(
        [*(definitions or []), *(p for p in targets if p.is_dir())], reported=frozenset(p.file for p in problems)
    )
    passed = failed = 0
    for path in files:
        for result in run_cases(path, catalogue):
            if result.passed:
                passed += 1
                _out(f"PASS {result.name}  ({result.file})\n")
                continue
            failed += 1
            _out(f"FAIL {result.name}  ({result.file})\n")
            for difference in result.differences:
                _out(f"  - {difference}\n")
            for problem in result.problems:
                _err(str(problem))
    unusable = f", {len(problems)} file(s) could not be read" if problems else ""
    _err(f"{passed} passed, {failed} failed{unusable}")
    raise typer.Exit(EXIT_PROBLEMS if failed or problems else EXIT_OK)


# ----------------------------------------------------------------------------------------------- portfolio


@app.command()
def portfolio(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Answers files (YAML or JSON), folders or glob patterns.", show_default=False, metavar="PATHS..."
        ),
    ],
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out",
            "-o",
            help="Write the report to this file (.html, .md or .pdf).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    output_format: Annotated[
        Optional[ReportFormat],
        typer.Option(
            "--format",
            "-f",
            help="html, md or pdf. Default: from the --out file's extension, else md.",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    reports: Annotated[
        Optional[Path],
        typer.Option(
            "--reports",
            help="Also write each contract's own report (and result) into this folder, linked from the portfolio.",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    templates: Annotated[
        Optional[Path],
        typer.Option(
            "--templates",
            help="A folder of templates that override the bundled ones by name (portfolio.html.j2, report.html.j2...).",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    definitions: Definitions = None,
    workers: Workers = None,
) -> None:
    """A portfolio of contracts in one report: which are red and what they have in common, counts by verdict and
    situation, the stages weakest across the portfolio, the commonest pain points and a heatmap of every contract.

    The files are scored as `maturity score` scores them (on every core; a file that cannot be scored is listed,
    and the exit code is then 1). With --reports DIR each contract's own report is written there too, and the
    heatmap links to it. HTML is self-contained, without script.

    \b
    Examples:
      maturity portfolio answers/ --out portfolio.html
      maturity portfolio answers/ --out portfolio.html --reports reports/
      maturity portfolio 'answers/**/*.yaml' --out portfolio.md
    """
    from maturity.app import portfolio as folio
    from maturity.io.files import expand
    from maturity.io.output import folder_output, output
    from maturity.model.problems import MaturityError
    from maturity.ui.progress import progress_bar

    fmt = _output_format(output_format or (None if out is not None else ReportFormat("md")), out, folio.FORMATS)
    catalogue = _catalogue(definitions)
    files, problems = expand(paths)
    for problem in problems:
        _err(str(problem))
    if not files:
        _err("no answers files to score")
        raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_USAGE)
    try:  # checked before any scoring: never over an answers file or a definition, never into a folder
        if reports is not None:  # a rerun into the same folder leaves out the results and reports it wrote
            from maturity.app.batch import without_outputs

            files = without_outputs(files, None, reports)
        destination = output(out, [*files, *catalogue.files(), *_files_in(templates)])
        if reports is not None:
            report_folder = folder_output(reports, option="--reports")
            report_folder.create()
            for folder in report_folder.created:
                _err(f"created the folder {folder}")
    except MaturityError as exc:
        _fail(exc)

    progress = progress_bar(len(files))

    def report_problems(outcome: FileOutcome) -> None:
        for problem in outcome.problems:
            _err(str(problem))
        progress.advance()

    try:
        found = folio.build(
            files,
            list(definitions or []),
            catalogue,
            reports=reports,
            report_format="md" if fmt == "md" else "html",
            document_format="md" if fmt == "md" else "html",
            link_from=out.parent if out is not None else None,
            workers=workers,
            on_outcome=report_problems,
        )
    finally:
        progress.close()
    try:
        folio.write(found, destination, fmt, templates)
    except MaturityError as exc:
        _fail(exc, out or Path("-"))
    finally:
        if found.spool is not None:
            found.spool.close()
    _err(
        f"{found.total - found.failed} scored, {found.failed} failed"
        + (f"; {found.red} red" if found.verdicts else "")
        + (f"; wrote {out}" if out else "")
        + (f"; reports in {reports}" if reports else "")
    )
    raise typer.Exit(EXIT_PROBLEMS if found.failed or problems else EXIT_OK)


# ------------------------------------------------------------------------------------------------- compare


@app.command()
def compare(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more assessments of one service, each an answers file or a scored result (JSON from "
            "`maturity score --format json` or `--out`); they are put in date order.",
            show_default=False,
            metavar="FILES...",
        ),
    ],
    target: Annotated[
        Optional[Path],
        typer.Option(
            "--target",
            "-t",
            help="An assessment to aim for (answers file or scored result, e.g. the answers you "
            "want to be able to give): reports how far the newest is from its verdict and stage levels.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    output_format: Annotated[
        Optional[ReportFormat],
        typer.Option(
            "--format",
            "-f",
            help="terminal, md, html, json or pdf. Default: from the --out file's extension, else terminal.",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", help="Write to this file instead of stdout.", show_default=False, metavar="FILE"),
    ] = None,
    templates: Annotated[
        Optional[Path],
        typer.Option(
            "--templates",
            help="A folder of templates that override the bundled ones by name (compare.md.j2, "
            "compare.html.j2); they run sandboxed.",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    definitions: Definitions = None,
) -> None:
    """The course of two or more assessments of one service: each stage's and the verdict's, and what improved
    and regressed at each step.

    Each is an answers file (kind: answers; scored now) or a saved result (JSON with the verdict and nodes, as
    `maturity score` writes it), put in date order. Different versions of a questionnaire are compared with a
    warning; different questionnaires (a pre-check, then the full assessment) are compared on the questions they
    share, and say how many. Stages are ranked by level, then by score; the verdict by its RAG (red, amber,
    green). With --target, the gap from the newest to the target's verdict and stage levels is reported too.

    \b
    Examples:
      maturity compare baseline.answers.yaml this-year.answers.yaml
      maturity compare q1.yaml q2.yaml q3.yaml q4.yaml --out trend.html
      maturity compare results/2024.result.json results/2025.result.json --format html --out progress.html
      maturity compare baseline.yaml now.yaml --target goal.answers.yaml
      maturity compare baseline.yaml now.yaml --format json > comparison.json
    """
    from maturity.app.trends import trend_document
    from maturity.io.output import output
    from maturity.model.problems import MaturityError

    if len(paths) < 2:
        _err("give two or more assessments to compare")
        raise typer.Exit(EXIT_USAGE)
    fmt = _output_format(output_format, out)
    catalogue = _catalogue(definitions)
    inputs = [*paths, *([target] if target is not None else []), *catalogue.files(), *_files_in(templates)]
    try:  # checked before any work: never over one of the inputs, never into a folder
        destination = output(out, inputs)
    except MaturityError as exc:
        _fail(exc)
    loaded = []
    for path in [*paths, *([target] if target is not None else [])]:
        try:
            assessment, warnings = _load_assessment(path, catalogue)
        except MaturityError as exc:
            _fail(exc, path)
        _warn(warnings)
        loaded.append(assessment)
    try:
        course, data = trend_document(loaded[: len(paths)], loaded[-1] if target is not None else None, fmt, templates)
    except MaturityError as exc:
        _fail(exc, paths[-1])
    for warning in course.warnings:
        _err(f"warning: {warning}")
    _write(destination, data, fmt)


def _load_assessment(path: Path, catalogue: Catalogue) -> tuple[Assessment, list[Problem]]:
    """An Assessment from an answers file (scored now) or from a saved result, told apart by content.

    A saved result is read back rather than re-scored, so a comparison shows what was reported at the time even
    if the rules have since changed. `maturity report --format json` output (the result under `assessment`) is
    accepted too.
    """
    from maturity.app.pipeline import load_and_score
    from maturity.io.loader import read_document, to_model
    from maturity.model.assessment import Assessment
    from maturity.model.document import Document
    from maturity.model.problems import DefinitionError

    document = read_document(path)
    data = document.data
    if data.get("kind") == "answers":
        return load_and_score(path, catalogue)
    if "verdict" in data and "nodes" in data:
        return to_model(document, Assessment), []
    if "report_format_version" in data and isinstance(data.get("assessment"), dict):
        inner = Document(
            document.path, data["assessment"], document.digest, lambda loc: document.locate(("assessment", *loc))
        )
        return to_model(inner, Assessment), []
    raise DefinitionError(
        document.problem(
            "MQ016",
            "this is neither an answers file (kind: answers) nor a scored result (the JSON of "
            "`maturity score --format json`)",
            ("kind",) if "kind" in data else (),
        )
    )


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


COMPLETE_VAR = "_MATURITY_COMPLETE"


@app.command()
def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish or powershell.", metavar="SHELL")]) -> None:
    """Print the shell completion script for SHELL: commands, options, formats and files complete on Tab.

    \b
    Examples:
      eval "$(maturity completion bash)"                            # in ~/.bashrc
      maturity completion zsh > ~/.zfunc/_maturity                  # with fpath+=(~/.zfunc) before compinit
      maturity completion fish > ~/.config/fish/completions/maturity.fish
    """
    from typer._completion_shared import get_completion_script  # typer's own scripts

    typer.echo(get_completion_script(prog_name="maturity", complete_var=COMPLETE_VAR, shell=shell.value))


@app.command("list")
def list_command(
    definitions: Definitions = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per questionnaire, in a list.")] = False,
) -> None:
    """List the questionnaires you can assess: id, version, question count and title, bundled and your own.

    \b
    Examples:
      maturity list
      maturity list --definitions my-definitions/
      maturity assess outsourcing-a-problem          # then answer one, by its id
    """
    from maturity.app.listing import listing_json, listing_lines
    from maturity.checks.validation import list_questionnaires

    infos, problems = list_questionnaires(definitions or [])
    for problem in problems:
        _err(str(problem))
    _out(
        listing_json(infos) if as_json else "".join(f"{line}\n" for line in listing_lines(infos)),
        "json" if as_json else "text",
    )
    raise typer.Exit(EXIT_PROBLEMS if any(p.is_error and p.code == "MQ001" for p in problems) else EXIT_OK)


def run() -> None:
    """Entry point: exit 130 on Ctrl-C (or SIGTERM, where a command turns it into one) rather than a traceback,
    and exit 1 with a message when stdout or stderr cannot be written (a full device, a closed pipe)."""
    if COMPLETE_VAR in os.environ:  # a shell asking for completions, through the script `completion` prints
        from typer._completion_classes import completion_init  # typer's protocol

        completion_init()
    try:
        app(prog_name="maturity")
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:  # stdout or stderr that cannot be written (a full device, a closed pipe): no traceback
        from maturity.io.output import STDOUT, silence_stdout, write_problem

        silence_stdout()
        _err(str(write_problem(STDOUT, exc)))
        sys.exit(EXIT_PROBLEMS)
