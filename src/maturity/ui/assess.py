"""`maturity assess`: an interview that never loses an answer, then the score and the reports.

The answers file is written atomically after every answer, so Ctrl-C, a closed terminal (SIGHUP), SIGTERM or
even SIGKILL lose at most the answer being typed. The first three also say how to resume and exit 130.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path

from maturity.app.batch import located_at_version, render_reports, terminate_as_interrupt
from maturity.app.catalogue import Catalogue, version_key
from maturity.engine.interview import InputEnded, Interview, answers_data, run
from maturity.io import loader
from maturity.io.output import file_output, write_problem
from maturity.io.resources import DEFAULT_QUESTIONNAIRE
from maturity.io.store import write_atomic
from maturity.model.definitions import Questionnaire
from maturity.model.problems import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, MaturityError, UsageError

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


def _load_questionnaire(name: str | None, catalogue: Catalogue) -> tuple[Questionnaire, str | None]:
    from maturity.checks.validation import load_questionnaire

    if name is not None and (Path(name).is_file() or name.endswith((".yaml", ".yml"))):
        loaded = load_questionnaire(name)
        return loaded.model, loaded.document.digest
    wanted = name or DEFAULT_QUESTIONNAIRE
    versions = [v for (qid, v) in catalogue.questionnaires() if qid == wanted]
    if not versions:
        raise _missing(wanted)
    found = catalogue.get(wanted, sorted(versions, key=version_key)[-1])
    return found.questionnaire.model, found.questionnaire.document.digest


def _missing(name: str) -> MaturityError:
    from maturity.model.problems import Problem

    return MaturityError(Problem.make("MQ001", f"no questionnaire file or bundled questionnaire called '{name}'"))


def _check_answers_target(path: Path, inputs: list[str | Path]) -> None:
    """The answers file is written after every answer, atomically, and read back by --resume: it must be a
    regular file (or a new one) that is none of the definitions; raises UsageError or MaturityError."""
    destination = file_output(path, inputs, option="--answers")
    if destination.direct:
        from maturity.model.problems import Problem

        raise UsageError(
            Problem.make("MQ021", "--answers: this is not a regular file; answers are saved to a file", str(path))
        )


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
            try:
                found = catalogue.get(ref.id, ref.version)
            except MaturityError as exc:
                raise located_at_version(exc, answers) from None
            problems = [p for p in check_answers(answers, found.questionnaire, found.index) if p.is_error]
            if problems:
                raise MaturityError(problems)
            interview = Interview.resume(found.questionnaire.model, answers.model, found.questionnaire.document.digest)
            path: Path | None = answers_path or resume
        else:
            questionnaire, digest = _load_questionnaire(questionnaire_name, catalogue)
            interview = Interview(questionnaire, digest=digest)
            path = answers_path  # decided once the organisation and service are known
        # the answers file is an output: never a questionnaire or rules file, a folder or a read-only file
        inputs: list[str | Path] = [*catalogue.files(), *([questionnaire_name] if questionnaire_name else [])]
        if path is not None:
            _check_answers_target(path, inputs)
    except MaturityError as exc:
        for problem in exc.problems:
            err(str(problem))
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_PROBLEMS

    from maturity.ui.terminal import PlainPrompter, RichPrompter

    interactive = sys.stdin.isatty()
    if resume is None and answers_path is not None and answers_path.exists():
        question = f"{answers_path} already holds answers. Overwrite it? Type yes to overwrite: "
        if not interactive or input(question).strip().lower() != "yes":
            err(
                f"{answers_path} already exists and was left as it is. Carry on with it: maturity assess --resume "
                f"{answers_path}; or choose another name with --answers."
            )
            return EXIT_USAGE
    prompter = (
        RichPrompter(interview.questionnaire) if interactive and not plain else PlainPrompter(interview.questionnaire)
    )
    target: list[Path] = [path] if path is not None else []

    def save(current: Interview) -> None:
        if not target:
            target.append(default_answers_path(current))
            _check_answers_target(target[0], inputs)
        try:
            write_atomic(target[0], loader.dump_yaml(answers_data(current.to_file())))
        except OSError as exc:
            raise MaturityError(write_problem(target[0], exc)) from None

    def where() -> str:
        return str(target[0]) if target else "(nothing saved yet)"

    try:
        with terminate_as_interrupt():  # SIGTERM and SIGHUP save and say how to resume, as Ctrl-C does
            if resume is not None:
                start = None
                if not review and interview.first_unanswered() is None:
                    say("Every question already has an answer; scoring it. (Use --review to change answers.)")
                outcome = run(interview, prompter, save, start, review)
            else:
                outcome = run(interview, prompter, save)
    except KeyboardInterrupt:
        if interview.details is not None:
            try:
                save(interview)
            except MaturityError as exc:
                for problem in exc.problems:
                    err(str(problem))
                err("\nInterrupted, and the answers could not be saved.")
                return EXIT_INTERRUPTED
            err(
                f"\nInterrupted. Your answers are saved in {where()}. Carry on with: maturity assess --resume {where()}"
            )
        else:
            err("\nInterrupted before any answer was given; nothing was saved.")
        return EXIT_INTERRUPTED
    except (InputEnded, EOFError) as exc:
        if interview.details is not None:
            save(interview)
        err(
            f"Input ended: {exc}. The answers so far are saved in {where()}; carry on with: maturity assess "
            f"--resume {where()}"
        )
        return EXIT_PROBLEMS
    except MaturityError as exc:  # the answers could not be saved (a full disk, a folder made read-only)
        for problem in exc.problems:
            err(str(problem))
        saved = f"; what was saved before is in {where()}" if target and target[0].exists() else ""
        err(f"The interview stopped because the answers could not be saved{saved}.")
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_PROBLEMS
    if outcome == "quit":
        err(f"Saved in {where()}. Carry on with: maturity assess --resume {where()}")
        return EXIT_INTERRUPTED
    return _finish(target[0], catalogue, say, err)


def _finish(path: Path, catalogue: Catalogue, say: Say, err: Say) -> int:
    """Score the finished answers, print the summary (verdict first) and write the reports beside them."""
    from maturity.app.batch import load_and_score

    try:
        assessment, _ = load_and_score(path, catalogue)
        reports = []
        for fmt, text in render_reports(assessment, catalogue, ("md", "html")).items():
            report_path = path.with_name(path.name.removesuffix(".yaml").removesuffix(".answers") + f".report.{fmt}")
            # checked (never over the answers or a definition, never a folder) and written atomically
            file_output(report_path, [path, *catalogue.files()], option="report").write(text)
            reports.append(report_path)
    except MaturityError as exc:
        for problem in exc.problems:
            err(str(problem))
        err(f"Your answers are saved in {path}, but they could not be scored and reported.")
        return EXIT_PROBLEMS
    for line in summary_lines(assessment):
        say(line)
    say("")
    say(f"Answers: {path}")
    say(f"Reports: {reports[0]} and {reports[1]}")
    return EXIT_OK


def summary_lines(assessment: object) -> list[str]:
    """The terminal summary: verdict first, then each stage's level and RAG, then the top pain points."""
    from maturity.model.assessment import Assessment

    assert isinstance(assessment, Assessment)
    v = assessment.verdict
    lines = []
    if v.assessed:
        lines.append(f"Verdict: {v.label.upper()} ({v.rag}): {v.title}")
        if v.vetoed_by is not None:
            lines.append(f"  because {v.vetoed_by.reason}")
        if v.low_confidence:
            lines.append(f"  {v.low_confidence_message}")
    else:
        lines.append(f"Verdict: not assessed ({v.not_assessed_reason})")
    overall = assessment.overall
    lines.append(
        f"Overall maturity: level {overall.level} {overall.level_name or ''} (score "
        f"{'none' if overall.score is None else f'{overall.score:.2f}'}, {overall.rag or 'no RAG'})"
    )
    for stage in assessment.stages():
        level = f"level {stage.level} {stage.level_name}" if stage.level is not None else "no level"
        lines.append(f"  {stage.title:<45} {level:<22} {(stage.rag or '-').upper()}")
    if assessment.pain_points:
        lines.append("Top pain points:")
        for pain in assessment.pain_points[:5]:
            lines.append(f"  [{pain.severity}] {pain.title}: {pain.action}")
    return lines
