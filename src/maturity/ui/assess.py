"""`maturity assess`: an interview that never loses an answer, then the score and the reports.

The answers file is written atomically after every answer, so Ctrl-C, a closed terminal (SIGHUP), SIGTERM or
even SIGKILL lose at most the answer being typed. The first three also say how to resume and exit 130.

While an interview holds an answers file it holds a lock on it (io.lock), so a second interview on the same file
is refused with who holds it and since when. A save that fails (a full disk, a folder made read-only) does not
end the interview: it says why, keeps everything in memory and offers to try again or save elsewhere; if the
answers still cannot be saved at the end, a copy goes to the temporary folder and the message says where.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from maturity.app.catalogue import Catalogue, version_key
from maturity.app.pipeline import located_at_version
from maturity.app.workers import terminate_as_interrupt
from maturity.engine.interview import InputEnded, Interview, answers_data, part_names, resolve_parts, run, typed
from maturity.io import loader
from maturity.io.lock import AnswersLock, Busy
from maturity.io.output import file_output
from maturity.io.resources import DEFAULT_QUESTIONNAIRE, schema_modeline
from maturity.io.store import write_atomic
from maturity.model.definitions import Questionnaire
from maturity.model.problems import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    MaturityError,
    Problem,
    UsageError,
)
from maturity.model.text import one_line
from maturity.ui.terminal import PlainPrompter, RichPrompter, stdin_is_terminal

Say = Callable[[str], None]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "assessment"


def default_answers_path(interview: Interview, folder: Path = Path("."), passed: Sequence[Path] = ()) -> Path:
    """organisation-service-questionnaire[-parts]-date.answers.yaml, never the name of another assessment already
    there (nor one in `passed`, names another interview has just taken)."""
    details = interview.details
    assert details is not None
    parts = "-".join(slug(p) for p in interview.parts)[:40]
    words = [slug(details.organisation), slug(details.service), slug(interview.questionnaire.id)]
    stem = "-".join([*words, *([parts] if parts else []), (details.date or dt.date.today()).isoformat()])
    path = folder / f"{stem}.answers.yaml"
    n = 2
    while path.exists() or path in passed:
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
        raise _missing(wanted, sorted({qid for qid, _ in catalogue.questionnaires()}))
    found = catalogue.get(wanted, sorted(versions, key=version_key)[-1])
    return found.questionnaire.model, found.questionnaire.document.digest


def questionnaire_named(name: str | None, folders: list[Path]) -> Questionnaire:
    """A questionnaire by file or bundled id (default: the bundled assessment), as `assess` finds it."""
    if name is not None and Path(name).is_file():
        folders = [Path(name).resolve().parent, *folders]
    return _load_questionnaire(name, Catalogue.from_folders(folders))[0]


def _missing(name: str, known: list[str]) -> MaturityError:
    from difflib import get_close_matches

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


class _Refused(Exception):
    """The interview cannot start; the message says why, and the exit code is given."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Saver:
    """Saves the answers after every change into one file held under a lock; a failed save keeps the interview
    going (what was typed stays in memory) and, with a person at the keyboard, offers to retry or save elsewhere."""

    def __init__(self, path: Path | None, interactive: bool, err: Say) -> None:
        self.prompter: PlainPrompter | None = None  # known once the questionnaire is
        self.target = path
        self.interactive = interactive
        self.err = err
        self.locks: dict[Path, AnswersLock] = {}
        self.unsaved = False
        self.failure: str | None = None

    # ---------------------------------------------------------------------------------------------- locks

    def hold(self, path: Path) -> None:
        """Take the lock on `path` (raises Busy); a file system without locks is said once and passed over."""
        key = Path(os.path.abspath(path))
        if key in self.locks:
            return
        lock = AnswersLock(path).acquire()
        if lock.unavailable:
            self.err(f"note: {path} is not locked against a second interview: {lock.unavailable}")
        self.locks[key] = lock

    def let_go(self, path: Path) -> None:
        lock = self.locks.pop(Path(os.path.abspath(path)), None)
        if lock is not None:
            lock.release()

    def release(self) -> None:
        for lock in self.locks.values():
            lock.release()
        self.locks.clear()

    # ---------------------------------------------------------------------------------------------- saving

    def __call__(self, interview: Interview) -> None:
        if self.target is None:
            self.target = self._claim_default(interview)
        text = schema_modeline("answers") + loader.dump_yaml(answers_data(interview.to_file()))
        while True:
            try:
                write_atomic(self.target, text)
            except OSError as exc:
                if self._after_failure(self.target, exc):
                    continue
                return
            self.unsaved, self.failure = False, None
            return

    def _claim_default(self, interview: Interview) -> Path:
        """The first free default name that no other interview holds."""
        passed: list[Path] = []
        while True:
            path = default_answers_path(interview, passed=passed)
            try:
                self.hold(path)
            except Busy:
                passed.append(path)
                continue
            if path.exists():  # made by another interview between the look and the lock
                self.let_go(path)
                passed.append(path)
                continue
            return path

    def _after_failure(self, path: Path, exc: OSError) -> bool:
        """Say why the save failed; True to try again (the same or another file), False to carry on unsaved."""
        self.unsaved = True
        self.failure = f"{path}: {exc.strerror or exc}"
        assert self.prompter is not None
        say = self.prompter.say
        say(
            f"Could not save your answers to {path}: {exc.strerror or exc}. Nothing is lost yet: everything you "
            "have typed, the last answer included, is kept in memory."
        )
        if not self.interactive:
            self.err(f"warning: could not save to {path} ({exc.strerror or exc}); trying again after the next answer")
            return False
        choice = self.prompter.choose(
            "What do you want to do?",
            [
                ("r", "try again (after freeing some space, say)"),
                ("a", "save to another file"),
                ("c", "carry on answering; saving is tried again after the next answer"),
            ],
            "r",
        )
        if choice == "r":
            return True
        if choice == "a":
            elsewhere = self._ask_elsewhere()
            if elsewhere is not None:
                self.target = elsewhere
                return True
        return False

    def _ask_elsewhere(self) -> Path | None:
        assert self.prompter is not None
        while True:
            text = self.prompter.line("Save to which file? (Enter to go back): ")
            if text is None or not typed(text):
                return None
            path = Path(os.path.expanduser(typed(text)))
            if path.is_dir():
                self.prompter.say(f"{path} is a folder; give a file name in it.")
                continue
            if path.exists() and not self._same(path):
                reply = self.prompter.line(f"{path} already exists. Type yes to replace it: ")
                if reply is None or typed(reply).lower() != "yes":
                    continue
            try:
                self.hold(path)
            except Busy as busy:
                self.prompter.say(f"{path} is held by another interview: {one_line(busy.holder.words())}.")
                continue
            if self.target is not None:
                self.let_go(self.target)
            return path

    def _same(self, path: Path) -> bool:
        try:
            return self.target is not None and os.path.samefile(path, self.target)
        except OSError:
            return False

    def last_try(self, interview: Interview) -> str | None:
        """At the end (or an interruption): save once more without asking; when that fails, a copy goes to the
        temporary folder. Returns the sentence that says where the answers are."""
        if interview.details is None:
            return None
        self.interactive = False
        with contextlib.suppress(OSError):
            self(interview)
        if not self.unsaved:
            return None
        rescue = Path(tempfile.gettempdir()) / f"maturity-unsaved-{os.getpid()}-{(self.target or Path('a')).name}"
        try:
            write_atomic(rescue, schema_modeline("answers") + loader.dump_yaml(answers_data(interview.to_file())))
        except OSError as exc:
            return f"Your answers could not be saved ({self.failure}), nor a copy in {rescue} ({exc.strerror})."
        return f"Your answers could not be saved ({self.failure}); a copy is in {rescue}."

    def where(self) -> str:
        return str(self.target) if self.target is not None else "(nothing saved yet)"


def _exists_elsewhere(path: Path, other: Path | None) -> bool:
    """`path` holds a file, and it is not `other` (the file being resumed)."""
    if not path.exists():
        return False
    try:
        return other is None or not os.path.samefile(path, other)
    except OSError:
        return True


def run_assessment(
    questionnaire_name: str | None,
    answers_path: Path | None,
    resume: Path | None,
    review: bool,
    plain: bool,
    folders: list[Path],
    say: Say,
    err: Say,
    stages: Sequence[str] = (),
    prefill: Path | None = None,
) -> int:
    if prefill is not None and resume is not None:
        err("--prefill starts a new assessment from an earlier one; --resume carries on one: give one of them")
        return EXIT_USAGE
    if questionnaire_name is not None and Path(questionnaire_name).is_file():
        # rules kept beside a questionnaire file are found without --definitions
        folders = [Path(questionnaire_name).resolve().parent, *folders]
    catalogue = Catalogue.from_folders(folders)
    interactive = stdin_is_terminal()
    holder = Saver(answers_path or resume, interactive, err)
    try:
        interview, notes = _start(questionnaire_name, answers_path, resume, prefill, stages, catalogue, holder)
    except MaturityError as exc:
        holder.release()
        for problem in exc.problems:
            err(str(problem))
        return EXIT_PROBLEMS
    except Busy as busy:
        holder.release()
        err(
            f"{busy.path} is being answered in another interview: {one_line(busy.holder.words())}. Wait for it to "
            "finish, or answer into another file with --answers. (A lock is released when its interview ends, "
            "however it ends; if that machine crashed, its lock goes once the folder's server notices.)"
        )
        return EXIT_PROBLEMS
    except _Refused as refused:
        holder.release()
        err(str(refused))
        return refused.code
    prompter = (
        RichPrompter(interview.questionnaire) if interactive and not plain else PlainPrompter(interview.questionnaire)
    )
    saver = holder
    saver.prompter = prompter
    try:
        if answers_path is not None and _exists_elsewhere(answers_path, resume):
            reply = (
                prompter.line(f"{answers_path} already holds answers. Type yes to replace it: ")
                if interactive
                else None
            )
            if reply is None or typed(reply).lower() != "yes":
                err(
                    f"{answers_path} already exists and was left as it is. Carry on with it: "
                    f"{resume_command(answers_path)}; or choose another name with --answers."
                )
                return EXIT_USAGE
        for line in notes:
            prompter.say(line)
        return _interview(interview, prompter, saver, resume is not None, review, catalogue, say, err)
    finally:
        saver.release()


def _check_answers_target(path: Path, inputs: list[str | Path]) -> None:
    """The answers file is written after every answer, atomically, and read back by --resume: it must be a
    regular file (or a new one) that is none of the definitions; raises UsageError or MaturityError."""
    destination = file_output(path, inputs, option="--answers")
    if destination.direct:
        raise UsageError(
            Problem.make("MQ021", "--answers: this is not a regular file; answers are saved to a file", str(path))
        )


def _start(
    questionnaire_name: str | None,
    answers_path: Path | None,
    resume: Path | None,
    prefill: Path | None,
    stages: Sequence[str],
    catalogue: Catalogue,
    saver: Saver,
) -> tuple[Interview, list[str]]:
    """The interview to run (fresh, resumed or prefilled), with its parts, and what to tell the person first.
    Locks the files it will write before reading the one it resumes, so what it reads is what it will save."""
    from maturity.checks.answers import check_answers

    notes: list[str] = []
    if answers_path is not None:
        # an output like any other: never a questionnaire or rules file, a folder, a pipe or a read-only file
        _check_answers_target(answers_path, [*catalogue.files(), *([questionnaire_name] if questionnaire_name else [])])
        saver.hold(answers_path)
    if resume is not None:
        saver.hold(resume)
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
        except MaturityError as exc:  # said of the answers file, at the line that names the version
            raise located_at_version(exc, answers) from None
        problems = [p for p in check_answers(answers, found.questionnaire, found.index) if p.is_error]
        if problems:
            raise MaturityError(problems)
        interview = Interview.resume(found.questionnaire.model, answers.model, found.questionnaire.document.digest)
    elif prefill is not None:
        from maturity.app.answers import load_earlier

        questionnaire, digest = (
            _load_questionnaire(questionnaire_name, catalogue) if questionnaire_name is not None else (None, None)
        )
        earlier = load_earlier(prefill, catalogue, questionnaire)
        if questionnaire is None:
            questionnaire, digest = _load_questionnaire(earlier.questionnaire.id, catalogue)
        interview = Interview.prefill(questionnaire, earlier.answers.model, str(prefill), digest)
        assert interview.prefilled is not None
        notes.append(
            f"Starting from the answers in {prefill}: each earlier answer is shown as the default; Enter keeps it, "
            f"or type another. {len(interview.prefilled.left)} earlier answers to go through."
        )
        notes += [f"  {line}" for line in earlier.carried]
        notes += [f"  {one_line(p.message)}" for p in earlier.warnings]
    else:
        questionnaire, digest = _load_questionnaire(questionnaire_name, catalogue)
        interview = Interview(questionnaire, digest=digest)
    if stages:
        parts, unknown = resolve_parts(interview.questionnaire, stages)
        if unknown or not parts:
            raise _Refused(
                f"--stages: {', '.join(unknown) or 'nothing'} names no stage or question of "
                f"'{interview.questionnaire.id}'. Stages: {', '.join(part_names(interview.questionnaire))}; or give "
                "question ids.",
                EXIT_USAGE,
            )
        interview = _with_parts(interview, parts)
    if interview.parts:
        notes.append(f"Answering only part of the questionnaire: {', '.join(interview.parts)} (and the context).")
    return interview, notes


def _with_parts(interview: Interview, parts: list[str]) -> Interview:
    return Interview(
        interview.questionnaire,
        interview.details,
        interview.answers,
        interview.digest,
        parts=parts,
        prefilled=interview.prefilled,
        earlier=interview.earlier,
        earlier_details=interview.earlier_details,
    )


def _interview(
    interview: Interview,
    prompter: PlainPrompter,
    saver: Saver,
    resuming: bool,
    review: bool,
    catalogue: Catalogue,
    say: Say,
    err: Say,
) -> int:
    try:
        with terminate_as_interrupt():  # SIGTERM and SIGHUP save and say how to resume, as Ctrl-C does
            if resuming and not review and interview.first_unanswered() is None:
                prompter.say("Every question already has an answer. (Use --review to change answers.)")
            outcome = run(interview, prompter, saver, review=review, resuming=resuming and not review)
    except KeyboardInterrupt:
        if interview.details is None:
            err("\nInterrupted before any answer was given; nothing was saved.")
            return EXIT_INTERRUPTED
        rescued = saver.last_try(interview)
        if rescued:
            err(f"\nInterrupted. {rescued}")
        else:
            carry_on = resume_command(saver.where())
            err(f"\nInterrupted. Your answers are saved in {saver.where()}. Carry on with: {carry_on}")
        return EXIT_INTERRUPTED
    except (InputEnded, EOFError) as exc:
        rescued = saver.last_try(interview)
        where = rescued or f"The answers so far are saved in {saver.where()}"
        err(f"Input ended: {exc}. {where}; carry on with: {resume_command(saver.where())}")
        return EXIT_PROBLEMS
    rescued = saver.last_try(interview)
    if rescued:
        err(rescued)
        return EXIT_PROBLEMS
    if outcome == "quit":
        err(f"Saved in {saver.where()}. Carry on with: {resume_command(saver.where())}")
        return EXIT_INTERRUPTED
    assert saver.target is not None
    return _finish(saver.target, catalogue, say, err)


def _finish(path: Path, catalogue: Catalogue, say: Say, err: Say) -> int:
    """Score the finished answers, print the summary (verdict first) and write the reports beside them: Markdown
    and HTML, and PDF when the optional extra is installed."""
    import shutil

    from maturity.app.pipeline import load_and_score, render_reports, report_kind
    from maturity.render.report import FormatUnavailable, require_pdf, summary_lines

    try:
        assessment, _ = load_and_score(path, catalogue)
        found = catalogue.get(assessment.questionnaire.id, assessment.questionnaire.version)
        questionnaire, rules = found.questionnaire.model, found.rules.model
        formats = ["md", "html"]
        pdf_note = None
        try:
            require_pdf()
            formats.append("pdf")
        except FormatUnavailable:
            pdf_note = "For a PDF as well: pip install 'maturity[pdf]', then maturity report --out FILE.pdf"
        reports = []
        for fmt, data in render_reports(assessment, catalogue, formats).items():
            report_path = path.with_name(path.name.removesuffix(".yaml").removesuffix(".answers") + f".report.{fmt}")
            # checked (never over the answers or a definition, never a folder) and written atomically
            file_output(report_path, [path, *catalogue.files()], option="report").write(data, report_kind(fmt))
            reports.append(report_path)
    except MaturityError as exc:
        for problem in exc.problems:
            err(str(problem))
        err(f"Your answers are saved in {path}, but they could not be scored.")
        return EXIT_PROBLEMS
    except OSError as exc:
        err(f"Your answers are saved in {path}, but the reports could not be written: {exc.strerror or exc}.")
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
