"""`maturity assess`: an interview that never loses an answer, then the score and the reports.

The answers file is written atomically after every answer, so Ctrl-C, a closed terminal (SIGHUP), SIGTERM or
even SIGKILL lose at most the answer being typed. The first three also say how to resume and exit 130.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from maturity.app.catalogue import Catalogue, version_key
from maturity.engine.interview import InputEnded, Interview, answers_data, run
from maturity.io import loader
from maturity.io.resources import DEFAULT_QUESTIONNAIRE, schema_modeline
from maturity.io.store import write_atomic, write_atomic_bytes
from maturity.model.definitions import Questionnaire
from maturity.model.problems import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, MaturityError

Say = Callable[[str], None]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "assessment"


def default_answers_path(interview: Interview, folder: Path = Path(".")) -> Path:
    """organisation-service-date.answers.yaml, never the name of another assessment already there."""
    details = interview.details
    assert details is not None
    stem = f"{slug(details.organisation)}-{slug(details.service)}-{(details.date or dt.date.today()).isoformat()}"
    path = folder / f"{stem}.answers.yaml"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.answers.yaml"
        n += 1
    return path


@contextmanager
def interrupts_as_keyboard_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal) end the interview the way Ctrl-C does: saved, with a way back."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _load_questionnaire(name: str | None, catalogue: Catalogue) -> tuple[Questionnaire, str | None]:
    from maturity.checks.validation import load_questionnaire

    if name is not None and (Path(name).is_file() or name.endswith((".yaml", ".yml"))):
        loaded = load_questionnaire(name)
        return loaded.model, loaded.document.digest
    wanted = name or DEFAULT_QUESTIONNAIRE
    versions = [v for (qid, v) in catalogue.questionnaires() if qid == wanted]
    if not versions:
        raise _missing(wanted, sorted({qid for qid, _ in catalogue.questionnaires()}))
    found = catalogue.get(wanted, sorted(versions, key=version_key)[-1])
    return found.questionnaire.model, found.questionnaire.document.digest


def _missing(name: str, known: list[str]) -> MaturityError:
    from difflib import get_close_matches

    from maturity.model.problems import Problem

    hint = get_close_matches(name, known, n=1, cutoff=0.6)
    tip = f"; did you mean '{hint[0]}'?" if hint else f"; `maturity list` shows them ({', '.join(known)})"
    return MaturityError(Problem.make("MQ001", f"no questionnaire file or bundled questionnaire called '{name}'{tip}"))


def program() -> str:
    """How to run this program again, as a shell would need it typed: `maturity` when that name on PATH is this
    program, else the path it was started by (or `python -m maturity`), quoted."""
    started = sys.argv[0] if sys.argv else ""
    on_path = shutil.which("maturity")
    if on_path and started and os.path.realpath(on_path) == os.path.realpath(started):
        return "maturity"
    if started and os.path.basename(started).startswith("maturity") and os.path.isfile(started):
        return shlex.quote(os.path.abspath(started))
    return f"{shlex.quote(sys.executable)} -m maturity"


def resume_command(path: Path | str) -> str:
    """The command that carries on this assessment, runnable exactly as printed."""
    return f"{program()} assess --resume {shlex.quote(str(path))}"


def run_assessment(
    questionnaire_name: str | None,
    answers_path: Path | None,
    resume: Path | None,
    review: bool,
    plain: bool,
    folders: list[Path],
    say: Say,
    err: Say,
) -> int:
    if questionnaire_name is not None and Path(questionnaire_name).is_file():
        # rules kept beside a questionnaire file are found without --definitions
        folders = [Path(questionnaire_name).resolve().parent, *folders]
    catalogue = Catalogue.from_folders(folders)
    try:
        if resume is not None:
            from maturity.checks.answers import check_answers

            answers = loader.load_answers_file(resume)
            ref = answers.model.questionnaire
            newer = catalogue.migration_target(ref.id, ref.version)
            if newer is not None:
                raise MaturityError(
                    answers.problem(
                        "MQ604",
                        f"these answers are for version {ref.version} of '{ref.id}', and version {newer} is current: "
                        f"run `maturity migrate {resume}`, then resume the file it writes",
                        ("questionnaire", "version"),
                    )
                )
            found = catalogue.get(ref.id, ref.version)
            problems = [p for p in check_answers(answers, found.questionnaire, found.index) if p.is_error]
            if problems:
                raise MaturityError(problems)
            interview = Interview.resume(found.questionnaire.model, answers.model, found.questionnaire.document.digest)
            path: Path | None = answers_path or resume
        else:
            questionnaire, digest = _load_questionnaire(questionnaire_name, catalogue)
            interview = Interview(questionnaire, digest=digest)
            path = answers_path  # decided once the organisation and service are known
    except MaturityError as exc:
        for problem in exc.problems:
            err(str(problem))
        return EXIT_PROBLEMS

    from maturity.ui.terminal import PlainPrompter, RichPrompter

    interactive = sys.stdin.isatty()
    if resume is None and answers_path is not None and answers_path.exists():
        question = f"{answers_path} already holds answers. Overwrite it? Type yes to overwrite: "
        if not interactive or input(question).strip().lower() != "yes":
            err(
                f"{answers_path} already exists and was left as it is. Carry on with it: {resume_command(answers_path)}"
                "; or choose another name with --answers."
            )
            return EXIT_USAGE
    prompter = (
        RichPrompter(interview.questionnaire) if interactive and not plain else PlainPrompter(interview.questionnaire)
    )
    target: list[Path] = [path] if path is not None else []

    def save(current: Interview) -> None:
        if not target:
            target.append(default_answers_path(current))
        write_atomic(target[0], schema_modeline("answers") + loader.dump_yaml(answers_data(current.to_file())))

    def where() -> str:
        return str(target[0]) if target else "(nothing saved yet)"

    try:
        with interrupts_as_keyboard_interrupt():
            if resume is not None:
                start = None
                if not review and interview.first_unanswered() is None:
                    say("Every question already has an answer; scoring it. (Use --review to change answers.)")
                outcome = run(interview, prompter, save, start, review)
            else:
                outcome = run(interview, prompter, save)
    except KeyboardInterrupt:
        if interview.details is not None:
            save(interview)
            err(f"\nInterrupted. Your answers are saved in {where()}. Carry on with: {resume_command(where())}")
        else:
            err("\nInterrupted before any answer was given; nothing was saved.")
        return EXIT_INTERRUPTED
    except (InputEnded, EOFError) as exc:
        if interview.details is not None:
            save(interview)
        err(f"Input ended: {exc}. The answers so far are saved in {where()}; carry on with: {resume_command(where())}")
        return EXIT_PROBLEMS
    if outcome == "quit":
        err(f"Saved in {where()}. Carry on with: {resume_command(where())}")
        return EXIT_INTERRUPTED
    return _finish(target[0], catalogue, say, err)


def _finish(path: Path, catalogue: Catalogue, say: Say, err: Say) -> int:
    """Score the finished answers, print the summary (verdict first) and write the reports beside them: Markdown
    and HTML, and PDF when the optional extra is installed."""
    import shutil

    from maturity.app.batch import load_and_score
    from maturity.render.report import FormatUnavailable, render_report_bytes, require_pdf, summary_lines

    try:
        assessment, _ = load_and_score(path, catalogue)
        ref = assessment.questionnaire
        found = catalogue.get(ref.id, ref.version)
        from maturity.engine.roadmap import answers_from_assessment, build_roadmap

        questionnaire, rules = found.questionnaire.model, found.rules.model
        roadmap = build_roadmap(questionnaire, rules, answers_from_assessment(assessment), assessment)
        formats = ["md", "html"]
        pdf_note = None
        try:
            require_pdf()
            formats.append("pdf")
        except FormatUnavailable:
            pdf_note = "For a PDF as well: pip install 'maturity[pdf]', then maturity report --out FILE.pdf"
        reports = []
        for fmt in formats:
            report_path = path.with_name(path.name.removesuffix(".yaml").removesuffix(".answers") + f".report.{fmt}")
            write_atomic_bytes(
                report_path,
                render_report_bytes(
                    assessment,
                    questionnaire,
                    rules,
                    fmt,
                    roadmap=roadmap,
                    questionnaire_digest=found.questionnaire.document.digest,
                ),
            )
            reports.append(report_path)
    except MaturityError as exc:
        for problem in exc.problems:
            err(str(problem))
        err(f"Your answers are saved in {path}, but they could not be scored.")
        return EXIT_PROBLEMS
    width = shutil.get_terminal_size((100, 24)).columns
    for line in summary_lines(assessment, questionnaire, rules, width=max(40, min(width, 160))):
        say(line)
    say("")
    say(f"Answers: {path}")
    say(f"Reports: {', '.join(str(r) for r in reports[:-1])} and {reports[-1]}")
    if pdf_note:
        say(pdf_note)
    return EXIT_OK
