"""Scoring many answers files: spread over every core, streamed, one bad file never stopping the rest.

Each worker process loads the definitions once (through a `Catalogue`) and turns an answers file into a flat
summary row, so the parent only ever holds one small row per file in flight, never an Assessment. Results come
back in input order, so summaries are reproducible run to run.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import glob
import io
import json
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

from maturity.app.catalogue import Catalogue
from maturity.io.output import FileOutput, FolderOutput, Kind, file_output, folder_output, identity, write_problem
from maturity.model.problems import MaturityError, Problem, UsageError, problem_count
from maturity.model.text import LIST_CELL_LIMIT, csv_cell, is_plain_cell, json_safe, one_line
from maturity.model.vocabulary import round_half_up

if TYPE_CHECKING:
    from maturity.model.document import Loaded
    from maturity.model.assessment import Assessment, Summary
    from maturity.model.definitions import AnswersFile

ROW_FIELDS = [
    "file",
    "status",
    "organisation",
    "service",
    "assessor",
    "date",
    "questionnaire",
    "questionnaire_title",
    "version",
    "situation",
    "overall_score",
    "overall_level",
    "overall_level_name",
    "overall_rag",
    "verdict",
    "verdict_label",
    "verdict_rag",
    "verdict_points",
    "low_confidence",
    "pain_points",
    "top_pain_point",
    "top_pain_point_title",
    "unanswered",
    "dont_know",
    "error_code",
    "error",
]


RESULT_SUFFIX = ".result.json"  # distinct from any answers file's name, so a result never overwrites one


def result_names(paths: Sequence[str]) -> list[str]:
    """Where each file's result goes under --out (before RESULT_SUFFIX), no two files ever sharing a name.

    Results mirror the files' folders below the deepest folder holding them all (a/x.yaml and b/x.yaml give
    a/x and b/x); a file's extension is dropped unless another file would then share its name (x.yaml and
    x.json give x.yaml and x.json). Names are compared ignoring case, as some file systems do.
    """
    absolute = [os.path.abspath(p) for p in paths]
    try:
        base = os.path.commonpath([os.path.dirname(p) for p in absolute]) if absolute else ""
        relative = [os.path.relpath(p, base) for p in absolute]
    except ValueError:  # files on different drives share no folder: keep each path, less its drive
        relative = [os.path.splitdrive(p)[1].lstrip("\\/") for p in absolute]
    names = [os.path.splitext(r)[0] for r in relative]
    changed = True
    while changed:  # a name that keeps its extension can clash with one that dropped it (x.yaml, x.yaml.yml)
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            seen.setdefault(name.casefold(), []).append(i)
        clashes = [i for group in seen.values() if len(group) > 1 for i in group if names[i] != relative[i]]
        for i in clashes:
            names[i] = relative[i]
        changed = bool(clashes)
    taken: set[str] = set()  # the same file given twice over: number the repeats
    for i, name in enumerate(names):
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{name}~{n}"
        taken.add(candidate.casefold())
        names[i] = candidate
    return names


def is_own_output(name: str) -> bool:
    """Whether a file of this name, in an --out folder, is one that `score --out` writes."""
    lowered = name.casefold()
    return lowered.endswith(RESULT_SUFFIX) or any(lowered.endswith(suffix) for suffix in REPORT_SUFFIXES.values())


def without_outputs(files: list[str], summary: str | Path | None, out: str | Path | None) -> list[str]:
    """The files less what a batch writes, so scoring a folder again does not read its own summary and results:
    the summary file (found by identity: another spelling or a link to it is the same file), and the files in
    the `out` folder named as results and reports are (NAME.result.json, ...).

    A summary that is not one an earlier run wrote (an answers file, say) is not left out: `plan_outputs` then
    refuses to write over it. Paths in the `out` folder are compared as absolute paths, with the folder's links
    resolved: resolving every input's links too would cost a system call per folder of every path.
    """
    if summary is None and out is None:
        return files
    summary_id = identity(summary) if summary is not None and looks_like_a_summary(summary) else None
    folders = (
        tuple(os.path.normcase(os.path.join(p, "")) for p in {os.path.abspath(out), os.path.realpath(out)})
        if out is not None
        else ()
    )
    kept = []
    for file in files:
        if folders and is_own_output(os.path.basename(file)):
            absolute = os.path.normcase(os.path.abspath(file))
            if absolute.startswith(folders):
                continue
        if summary_id is not None and identity(file) == summary_id:
            continue
        kept.append(file)
    return kept


class RowFormat(Protocol):
    """How a batch worker renders each file's summary row as text (a CSV line, a JSON object, a heatmap row),
    so that the process reading the outcomes only writes them out."""

    def render(self, row: dict[str, Any]) -> str: ...


def looks_like_a_summary(path: str | Path) -> bool:
    """Whether a file is a summary an earlier run wrote (a CSV with our header, a JSON array, or a workbook with
    our Contracts sheet), never an answers file, which is a mapping."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(64).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return False
    if start.startswith(b"PK\x03\x04"):
        return _is_summary_workbook(path)
    return start.startswith((b"[", ROW_FIELDS[0].encode() + b"," + ROW_FIELDS[1].encode() + b","))


def _is_summary_workbook(path: str | Path) -> bool:
    """A workbook `score --summary x.xlsx` wrote: its first sheet is called Contracts (read from the workbook's
    index inside the zip, a few hundred bytes, never the sheets)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book, book.open("xl/workbook.xml") as member:
            index = member.read(65536)  # read no further: a hostile zip may unpack to gigabytes
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    return b'<sheet name="Contracts"' in index


def _holds_something_else(path: str | Path) -> bool:
    """An existing, non-empty file that is not a summary: what a summary must never be written over."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return False
    return size > 0 and not looks_like_a_summary(path)


@dataclass
class BatchOutputs:
    """Where a batch writes, checked before anything is scored, and the files left to score."""

    files: list[str]
    left_out: int = 0
    summary: FileOutput | None = None
    out: FolderOutput | None = None
    created: list[Path] = field(default_factory=list)

    def create(self) -> None:
        """Make the folders the results and the summary go into; raises MaturityError if one cannot be made."""
        if self.out is not None:
            self.out.create()
            self.created += self.out.created
        if self.summary is not None:
            self.summary.prepare()
            self.created += self.summary.created


def plan_outputs(files: list[str], summary: str | Path | None, out: str | Path | None) -> BatchOutputs:
    """Check the summary file and the results folder before anything is scored (a run of an hour must not fail
    at its last step; `create` then makes their folders), and leave out the files an earlier run wrote there.

    The summary may not be one of the files to score (by identity) unless it is a summary an earlier run wrote;
    it may not be a folder, nor read-only. Raises UsageError or MaturityError with located problems."""
    folder = folder_output(out) if out is not None else None
    kept = without_outputs(files, summary, out)
    target = None
    if summary is not None:
        target = file_output(summary, kept, option="--summary")
        if not target.direct and _holds_something_else(target.target):
            raise UsageError(
                Problem.make(
                    "MQ020",
                    "--summary: this file is not a summary an earlier run wrote: writing here would replace it; "
                    "name another file, or move this one away first",
                    str(summary),
                )
            )
    return BatchOutputs(kept, len(files) - len(kept), target, folder)


@dataclass
class FileOutcome:
    """What happened to one file: a summary row, and the problems when it could not be scored."""

    row: dict[str, Any]
    problems: list[Problem]
    stages: list[str]
    # the row as the batch was asked to render it, in the worker: a summary line and a table line
    summary_text: str | None = None
    table_text: str | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


# --------------------------------------------------------------------------------------------- the worker

_catalogue: Catalogue | None = None
_out_dir: Path | None = None
_reports: tuple[str, ...] = ()
_summary: RowFormat | None = None
_table = False
_max_bytes: int | None = None
REPORT_SUFFIXES = {
    "md": ".report.md",
    "html": ".report.html",
    "json": ".report.json",
    "terminal": ".report.txt",
    "pdf": ".report.pdf",
}


_catalogues: dict[tuple[tuple[str, ...], bool], Catalogue] = {}


def catalogue_for(folders: list[str], bundled: bool = True) -> Catalogue:
    """One catalogue per set of folders in a process. Built in the parent before the pool starts, it is inherited
    by forked workers with its definitions checked and its scoring plans made, instead of rebuilt in each."""
    key = (tuple(folders), bundled)
    if key not in _catalogues:
        _catalogues[key] = Catalogue.from_folders([Path(f) for f in folders], bundled=bundled)
    return _catalogues[key]


def _init_worker(
    folders: list[str],
    bundled: bool,
    out_dir: str | None,
    reports: tuple[str, ...] = (),
    summary: RowFormat | None = None,
    table: bool = False,
    max_bytes: int | None = None,
) -> None:
    global _catalogue, _out_dir, _reports, _summary, _table, _max_bytes
    _reports, _summary, _table, _max_bytes = reports, summary, table, max_bytes
    _catalogue = catalogue_for(folders, bundled)
    _out_dir = Path(out_dir) if out_dir else None


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
) -> tuple[Any, list[Problem]]:
    """Load, check and score one answers file. Returns the Assessment and any warnings; raises MaturityError."""
    from maturity.engine.scoring import score

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    return score(definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True), problems


def score_file(
    path: Path,
    catalogue: Catalogue,
    out_dir: Path | None = None,
    reports: tuple[str, ...] = (),
    name: str | None = None,
    max_bytes: int | None = None,
    text: str | None = None,
) -> FileOutcome:
    """Score one file into a summary row; every failure becomes located problems on the outcome.

    The row needs only numbers, so the explained Assessment (hundreds of result models, costlier than parsing
    the file) is built only when it is written to `out_dir`, as `name`.json (default: the file's name without
    its extension); otherwise `summarise` gives the same figures.
    """
    row: dict[str, Any] = {"file": str(path), "status": "failed"}
    try:
        if out_dir is not None:
            assessment, problems = load_and_score(path, catalogue, max_bytes, text)
            summary = assessment.summary()
        else:
            summary, problems = _load_and_summarise(path, catalogue, max_bytes, text)
    except MaturityError as exc:
        return failed_outcome(path, exc.problems)
    except (MemoryError, RecursionError):  # one file must not end the batch, whatever it holds
        return failed_outcome(path, [Problem.make("MQ007", "scoring this file ran out of memory", str(path))])
    row.update(summary_row(summary, catalogue))
    row["status"] = "scored"
    if out_dir is not None:
        from maturity.io.store import write_atomic

        stem = out_dir / (name or path.stem)
        try:
            stem.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(stem.with_name(stem.name + RESULT_SUFFIX), assessment_json(assessment))
        except OSError as exc:  # a full disk, a folder made read-only: this file's row says so, the rest go on
            problem = write_problem(str(stem) + RESULT_SUFFIX, exc)
            row.update(status="failed", error_code=problem.code, error=f"the result was not written: {problem.message}")
            return FileOutcome(row, [*problems, problem], [])
        if reports:
            try:
                _write_reports(assessment, catalogue, stem, reports)
            except MaturityError as exc:  # a broken user template: the scores stand, the report is reported
                return FileOutcome(row, [*problems, *exc.problems], [s.id for s in summary.stages])
            except OSError as exc:  # the disk filled up between the result and its reports
                problem = write_problem(str(stem), exc)
                return FileOutcome(row, [*problems, problem], [s.id for s in summary.stages])
    return FileOutcome(row, problems, [s.id for s in summary.stages])


def failed_outcome(path: str | Path, problems: Sequence[Problem]) -> FileOutcome:
    """The outcome of a file that could not be scored: its row says failed, with the first problem's code and
    where it is, and how many more there are."""
    row: dict[str, Any] = {"file": str(path), "status": "failed"}
    located = [p if p.file else Problem.make(p.code, p.message, str(path), p.line, p.column) for p in problems]
    first = located[0] if located else Problem.make("MQ001", "unknown problem", str(path))
    where = f"line {first.line}, column {first.column or 1}: " if first.line else ""
    others = problem_count(located) - 1
    more = f" (and {others:,} more)" if others > 0 else ""
    row.update(error_code=first.code, error=f"{where}{first.message}{more}")
    return FileOutcome(row, located, [])


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


def _write_reports(assessment: Assessment, catalogue: Catalogue, stem: Path, reports: tuple[str, ...]) -> None:
    """The reports beside the file's JSON result, each written atomically and made safe for its format."""
    from maturity.io.output import encoded
    from maturity.io.store import write_atomic_bytes

    for fmt, data in render_reports(assessment, catalogue, reports).items():
        write_atomic_bytes(stem.with_name(stem.name + REPORT_SUFFIXES[fmt]), encoded(data, report_kind(fmt)))


def _load_and_summarise(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Summary, list[Problem]]:
    """`load_and_score` for the figures alone."""
    from maturity.engine.scoring import summarise

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    return summarise(definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True), problems


def _work(item: str | Path | tuple[str, str]) -> FileOutcome:
    """One file: a path, or with --out a (path, result name) pair."""
    assert _catalogue is not None
    path, name = item if isinstance(item, tuple) else (item, None)
    return _rendered(score_file(Path(path), _catalogue, _out_dir, _reports, name, _max_bytes))


def _work_chunk(items: Sequence[str | Path | tuple[str, str]]) -> list[FileOutcome]:
    return [_work(item) for item in items]


def summary_row(summary: Summary, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """One flat row a spreadsheet can pivot: overall and per-stage figures, the verdict, the pain point ids; with
    the catalogue, also the questionnaire's title, the situation's label and the verdict's RAG."""
    d = summary.details
    pains = summary.pain_point_ids
    words = _words_for(summary.questionnaire_id, summary.questionnaire_version, catalogue)
    situation = "" if summary.situation is None or words.situation is None else words.label(summary.situation)
    row: dict[str, Any] = {
        "organisation": d.organisation,
        "service": d.service,
        "assessor": d.assessor or "",
        "date": d.date.isoformat() if d.date else "",
        "questionnaire": summary.questionnaire_id,
        "questionnaire_title": words.title,
        "version": summary.questionnaire_version,
        "situation": situation,
        "overall_score": _round(summary.overall_score),
        "overall_level": summary.overall_level,
        "overall_level_name": summary.overall_level_name or "",
        "overall_rag": summary.overall_rag or "",
        "verdict": summary.verdict_outcome,
        "verdict_label": summary.verdict_label,
        "verdict_rag": words.outcome_rags.get(summary.verdict_outcome, ""),
        "verdict_points": _round(summary.verdict_points),
        "low_confidence": summary.low_confidence,
        "pain_points": list(pains),  # CSV joins them with ';'
        "top_pain_point": pains[0] if pains else "",
        "top_pain_point_title": summary.pain_point_titles[0] if pains else "",
        "unanswered": summary.unanswered,
        "dont_know": summary.dont_know,
        "error_code": "",
        "error": "",
    }
    for stage in summary.stages:
        score_key, level_key, rag_key = _stage_keys.get(stage.id) or _keys_for(stage.id)
        row[score_key] = None if stage.score is None else round_half_up(stage.score)
        row[level_key] = stage.level
        row[rag_key] = stage.rag or ""
    for node in summary.reported:  # roll-up nodes the rules report like stages (a model's functions, say)
        score_key, level_key, _ = _stage_keys.get(node.id) or _keys_for(node.id)
        row[score_key] = None if node.score is None else round_half_up(node.score)
        row[level_key] = node.level
    if words.questionnaire is not None and not words.outcome_rags:  # rules with levels only: no verdict to show
        row.update(verdict="", verdict_label="")
    return row


@dataclass(frozen=True)
class _Words:
    """What a summary row says in words for one questionnaire: its title, the situation's labels, verdict RAGs."""

    title: str
    situation: Any  # the situation question, or None
    questionnaire: Any
    outcome_rags: dict[str, str]

    def label(self, value: Any) -> str:
        return str(self.questionnaire.answer_label(self.situation, value))


_NO_WORDS = _Words("", None, None, {})
_words: dict[tuple[str, str], _Words] = {}


def _words_for(qid: str, version: str, catalogue: Catalogue | None) -> _Words:
    """Found once per questionnaire and process: a batch makes thousands of rows from a few questionnaires."""
    if catalogue is None:
        return _NO_WORDS
    key = (qid, version)
    found = _words.get(key)
    if found is None:
        try:
            definitions = catalogue.get(qid, version)
        except MaturityError:
            return _NO_WORDS
        q, rules = definitions.questionnaire.model, definitions.rules.model
        rags: dict[str, str] = {o.id: o.rag for o in rules.verdict.outcomes} if rules.verdict else {}
        found = _words[key] = _Words(q.title, q.situation_question(), q, rags)
    return found


_stage_keys: dict[str, tuple[str, str, str]] = {}


def _keys_for(stage_id: str) -> tuple[str, str, str]:
    keys = _stage_keys[stage_id] = (f"{stage_id}_score", f"{stage_id}_level", f"{stage_id}_rag")
    return keys


TABLE_COLUMNS = (
    ("file", 28),
    ("organisation", 24),
    ("service", 22),
    ("level", 16),
    ("verdict", 38),
    ("top pain point", 0),
)


def table_header() -> str:
    return "  ".join(_cell(name.upper(), width) for name, width in TABLE_COLUMNS).rstrip() + "\n"


def table_line(row: dict[str, Any]) -> str:
    """One file's line of the terminal table: file, organisation, service, level, verdict, top pain point."""
    name = str(row["file"])
    if row.get("status") != "scored":
        cells = [name, "-", "-", "-", f"FAILED {row.get('error_code', '')}", ""]
    else:
        level = (
            f"{row['overall_level']} {row['overall_level_name']}" if row.get("overall_level") is not None else "none"
        )
        verdict = str(row.get("verdict_label") or "-") + (" (low confidence)" if row.get("low_confidence") else "")
        cells = [
            name,
            str(row.get("organisation", "")),
            str(row.get("service", "")),
            level,
            verdict,
            str(row.get("top_pain_point_title") or "-"),
        ]
    return (
        "  ".join(
            _cell(one_line(c), w) if i else _path_cell(one_line(c), w)
            for i, (c, (_, w)) in enumerate(zip(cells, TABLE_COLUMNS, strict=True))
        ).rstrip()
        + "\n"
    )


def _cell(text: str, width: int) -> str:
    if not width:
        return text
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def _path_cell(path: str, width: int) -> str:
    """A path cut from the left, so the end that tells files apart stays."""
    return (path if len(path) <= width else "…" + path[len(path) - width + 1 :]).ljust(width)


def _round(value: float | None) -> float | int | None:
    return None if value is None else round_half_up(value)


def assessment_json(assessment: Assessment) -> str:
    """The full result as JSON; characters a terminal would act on are written as \\u escapes."""
    return json_safe(json.dumps(assessment.model_dump(mode="json"), indent=2, ensure_ascii=False)) + "\n"


# ----------------------------------------------------------------------------------------------- the pool


def score_many(
    paths: Sequence[str | Path],
    folders: list[Path],
    *,
    bundled: bool = True,
    out_dir: Path | None = None,
    reports: tuple[str, ...] = (),
    workers: int | None = None,
    chunksize: int = 32,
    summary: RowFormat | None = None,
    table: bool = False,
    max_bytes: int | None = None,
    notice: Callable[[str], None] | None = None,
) -> Iterator[FileOutcome]:
    """Score every file, in input order, on `workers` processes (default: every core).

    With `summary` and `table`, each outcome also carries its row rendered as a summary line and a table line,
    done in the workers so that the process reading the outcomes only writes them out. With `out_dir`, each
    file's result is written under the name `result_names` gives it. A worker lost on the way (see WorkerPool)
    is reported to `notice`, and its files are scored again or, lost twice, become failed rows.
    """
    workers = workers or os.cpu_count() or 1
    items: Sequence[str | Path | tuple[str, str]] = paths
    if out_dir is not None:
        items = list(zip(map(str, paths), result_names([str(p) for p in paths]), strict=True))
    setup = ([str(f) for f in folders], bundled, str(out_dir) if out_dir else None, reports, summary, table, max_bytes)
    _init_worker(*setup)
    catalogue_for([str(f) for f in folders], bundled).preload()
    with _collector_for_batches():
        if workers == 1 or len(items) < 4:
            yield from map(_work, items)
            return
        pool = WorkerPool(workers, _work_chunk, _init_worker, setup, lost=lost_outcome, cleanup=_remove_temporaries)
        yield from pool.map(items, chunksize, notice)


def lost_outcome(item: str | Path | tuple[str, str], how: str) -> FileOutcome:
    """The outcome of a file whose worker was lost twice while scoring it: a failed row (MQ007), rendered for the
    summary and the table as the batch asked (in the parent, after `_init_worker`)."""
    path = item[0] if isinstance(item, tuple) else item
    problem = Problem.make(
        "MQ007",
        f"the process scoring this file was lost twice ({how}), so it was not scored; if it is very large, "
        "score it on its own, with more memory",
        str(path),
    )
    return _rendered(failed_outcome(path, [problem]))


def _rendered(outcome: FileOutcome) -> FileOutcome:
    """An outcome with its summary line and table line, as a worker would have rendered them."""
    if _summary is not None:
        outcome.summary_text = _summary.render(outcome.row)
    if _table:
        outcome.table_text = table_line(outcome.row)
    return outcome


def _remove_temporaries(items: Sequence[str | Path | tuple[str, str]]) -> None:
    """Remove the temporary files a lost worker may have left beside these files' results and reports (an
    atomic write names them .NAME.XXXXXXXX.tmp, beside NAME)."""
    if _out_dir is None:
        return
    suffixes = [RESULT_SUFFIX, *(REPORT_SUFFIXES[fmt] for fmt in _reports)]
    for item in items:
        if not isinstance(item, tuple):
            continue
        stem = _out_dir / item[1]
        for suffix in suffixes:
            pattern = os.path.join(glob.escape(str(stem.parent)), f".{glob.escape(stem.name + suffix)}.*.tmp")
            for temporary in glob.glob(pattern):
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (and SIGHUP, a closed terminal) end the work the way Ctrl-C does, as KeyboardInterrupt: a batch
    then ends its workers and removes its temporary summary, an interview saves and says how to resume, instead
    of the process dying with nothing done. Only in the main thread, where signal handlers can be set."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


# A chunk of work for a worker: (chunk number, offset in the chunk, items, attempt).
_Task = tuple[int, int, list[Any], int]


class _WorkerFailed:
    """What a worker sends back instead of outcomes when scoring a chunk raised (a bug, not bad input)."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass
class _Run:
    """Where one `WorkerPool.map` stands: the outcomes of each chunk so far (None where one is awaited), how many
    each still awaits, the files to try again one by one, and whom to tell of a lost worker."""

    say: Callable[[str], None]
    slots: dict[int, list[Any]] = field(default_factory=dict)
    waiting: dict[int, int] = field(default_factory=dict)
    retries: deque[_Task] = field(default_factory=deque)


class _Worker:
    def __init__(self, process: Any, conn: Any) -> None:
        self.process, self.conn = process, conn
        self.task: _Task | None = None
        self.done = 0  # chunks completed


def _worker_main(conn: Any, parent: int, work: Callable[[list[Any]], list[Any]], initializer: Any, setup: Any) -> None:
    """A worker: score the chunks the parent sends until it sends None, goes away, or sends SIGTERM."""

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)  # unwinds, so an atomic write in progress removes its temporary file

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, leave)
    initializer(*setup)
    while True:
        if not conn.poll(1.0):
            if os.getppid() != parent:  # the parent died without saying goodbye (SIGKILL): so does its worker
                return
            continue
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result: Any = work(task)
        except Exception as exc:  # a bug while scoring: say so, and let the parent try the files one by one
            result = _WorkerFailed(f"{type(exc).__name__}: {exc}")
        conn.send(result)


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = ", as the out-of-memory killer does" if -exitcode == getattr(signal, "SIGKILL", 9) else ""
        return f"killed by {name}{why}"
    return f"it exited with code {exitcode}"


class WorkerPool:
    """Worker processes that score chunks of files, survive losing one, and end cleanly when told to stop.

    Each worker is given one chunk at a time over its own pipe, so the pool always knows which files a worker
    holds. A worker that dies (killed by the out-of-memory killer, say: SIGKILL, no goodbye) is replaced, and the
    files of the chunk it held are tried again one at a time: the innocent ones are scored, and one that loses
    its worker again becomes a failed row (through `lost`), so the run goes on to its summary. `notice` hears
    of each loss. Results come back in input order, at most a few chunks per worker ahead of the one being read,
    so the parent holds little however many files there are.

    Stopping early (an error, Ctrl-C, or SIGTERM turned into KeyboardInterrupt) ends every worker: SIGTERM
    first, which a worker turns into an orderly exit (an atomic write in progress removes its temporary file),
    then SIGKILL for any still alive after GRACE seconds; `cleanup` is then given the files that were in hand.
    """

    GRACE = 3.0
    AHEAD = 4  # chunks per worker handed out ahead of the one being read

    def __init__(
        self,
        size: int,
        work: Callable[[list[Any]], list[Any]],
        initializer: Callable[..., None],
        setup: Sequence[Any],
        lost: Callable[[Any, str], Any],
        cleanup: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self.size, self.work, self.initializer, self.setup = size, work, initializer, tuple(setup)
        self.lost, self.cleanup = lost, cleanup or (lambda items: None)
        methods = multiprocessing.get_all_start_methods()
        # fork where there is one: the workers inherit the definitions already loaded, checked and planned
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.workers: list[_Worker] = []
        self.idle_losses = 0

    def _start(self) -> None:
        for stream in (sys.stdout, sys.stderr):  # a forked child must not inherit (and flush again) pending output
            with contextlib.suppress(Exception):
                stream.flush()
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main,
            args=(child_end, os.getpid(), self.work, self.initializer, self.setup),
            daemon=True,
        )
        process.start()
        child_end.close()
        self.workers.append(_Worker(process, parent_end))

    def map(self, items: Sequence[Any], chunksize: int, notice: Callable[[str], None] | None = None) -> Iterator[Any]:
        """The outcome of every item, in order."""
        run = _Run(notice or (lambda message: None))
        chunks = (len(items) + chunksize - 1) // chunksize
        handed = 0  # chunks handed out so far
        reading = 0  # the chunk to yield next
        finished = False
        try:
            while reading < chunks:
                while reading in run.slots and run.waiting[reading] == 0:
                    del run.waiting[reading]
                    yield from run.slots.pop(reading)
                    reading += 1
                if reading >= chunks:
                    break
                while len(self.workers) < self.size:
                    self._start()
                for worker in self.workers:
                    if worker.task is not None:
                        continue
                    if run.retries:
                        task = run.retries.popleft()
                    elif handed < min(chunks, reading + self.size * self.AHEAD):
                        start = handed * chunksize
                        task = (handed, 0, list(items[start : start + chunksize]), 1)
                        run.slots[handed] = [None] * len(task[2])
                        run.waiting[handed] = len(task[2])
                        handed += 1
                    else:
                        break
                    worker.task = task
                    with contextlib.suppress(OSError):  # it has just died: its sentinel says so, below
                        worker.conn.send(task[2])
                busy = {w.conn: w for w in self.workers if w.task is not None}
                ended = {w.process.sentinel: w for w in self.workers}
                for ready in wait([*busy, *ended]):
                    worker = busy.get(ready) or ended[ready]
                    if worker not in self.workers:
                        continue  # already handled through its other handle
                    result = self._receive(worker)
                    if result is not None:
                        held = worker.task
                        assert held is not None
                        worker.task = None
                        worker.done += 1
                        self._settle(held, result, run)
                    if not worker.process.is_alive():
                        self._bury(worker, run)
            finished = True
        finally:
            self._stop(finished)

    def _receive(self, worker: _Worker) -> Any:
        """A worker's reply if one is waiting in its pipe (it may have replied, then died)."""
        try:
            if worker.task is not None and worker.conn.poll():
                return worker.conn.recv()
        except Exception:  # a reply cut short by the worker's death: the death is what counts
            pass
        return None

    def _settle(self, task: _Task, result: Any, run: _Run) -> None:
        chunk, offset = task[0], task[1]
        if isinstance(result, _WorkerFailed):
            self._retry_or_fail(task, f"it failed: {result.message}", run)
            return
        run.slots[chunk][offset : offset + len(result)] = result
        run.waiting[chunk] -= len(result)

    def _retry_or_fail(self, task: _Task, how: str, run: _Run) -> None:
        chunk, offset, items, attempt = task
        self.cleanup(items)
        if attempt == 1:
            run.say(
                f"a worker process was lost ({how}) while scoring {len(items)} file(s); each is scored again on its own"
            )
            run.retries.extend((chunk, offset + i, [item], 2) for i, item in enumerate(items))
            return
        for i, item in enumerate(items):
            run.slots[chunk][offset + i] = self.lost(item, how)
        run.waiting[chunk] -= len(items)

    def _bury(self, worker: _Worker, run: _Run) -> None:
        """A worker died: replace it (by the next round of the loop), and retry or fail what it held."""
        worker.process.join()
        self.workers.remove(worker)
        with contextlib.suppress(OSError):
            worker.conn.close()
        how = _how_it_ended(worker.process.exitcode)
        if worker.task is not None:
            self._retry_or_fail(worker.task, how, run)
        elif worker.done == 0:
            self.idle_losses += 1
            if self.idle_losses > 3 * self.size:  # workers that cannot even start: stop trying
                raise MaturityError(
                    Problem.make("MQ007", f"the worker processes keep failing as they start ({how}); try --workers 1")
                )

    def _stop(self, finished: bool) -> None:
        """End every worker: politely when the work is done, by SIGTERM (then SIGKILL) when it was cut short."""
        in_hand = [item for w in self.workers if w.task is not None for item in w.task[2]]
        for worker in self.workers:
            with contextlib.suppress(Exception):
                if finished:
                    worker.conn.send(None)
                else:
                    worker.process.terminate()
        deadline = _now() + self.GRACE
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - _now()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            with contextlib.suppress(OSError):
                worker.conn.close()
        self.workers = []
        if in_hand:
            self.cleanup(in_hand)


def _now() -> float:
    import time

    return time.monotonic()


@contextmanager
def _collector_for_batches() -> Iterator[None]:
    """Keep the garbage collector off the long-lived heap while files are scored, then put it back.

    Scoring a file allocates thousands of short-lived objects, so the collector's default young-generation
    threshold (700) runs it several times per file, and each run rewalks what is alive at that moment. The
    definitions, plans and modules loaded so far are frozen (also sparing forked workers copy-on-write of their
    pages, as the gc documentation advises) and the threshold raised, so collections come every few files;
    reference cycles are still collected, so memory stays flat.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], 20_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


# ------------------------------------------------------------------------------------------- the summary


def stage_columns(catalogue: Catalogue) -> list[str]:
    """Per-stage columns (and per reported roll-up node) for every questionnaire the catalogue knows, so the CSV
    header is fixed up front."""
    from maturity.model.definitions import Questionnaire

    columns: list[str] = []
    found: list[tuple[str, str, Questionnaire]] = []
    for qid, version in catalogue.questionnaires():
        try:
            found.append((qid, version, catalogue.get(qid, version).questionnaire.model))
        except MaturityError:
            continue
    # the questionnaire with the most stages first, so a shorter one's stages fall into its order
    for qid, version, questionnaire in sorted(found, key=lambda f: -len(f[2].stages)):
        parts: list[tuple[str, tuple[str, ...]]] = [(s.id, ("score", "level", "rag")) for s in questionnaire.stages]
        rules = catalogue.get(qid, version).rules.model
        parts += [(n.id, ("score", "level")) for n in rules.rollup.nodes if n.reported]  # reported nodes: no RAG
        for part, suffixes in parts:
            for suffix in suffixes:
                name = f"{part}_{suffix}"
                if name not in columns:
                    columns.append(name)
    return columns


class SummaryFormat:
    """How each file's row is written in a summary: a CSV line, or one JSON object of an array.

    Pure text, so batch workers render their own rows and the parent only writes them out. CSV follows RFC 4180
    (CRLF line endings, quotes where needed), and every cell is one line of at most 1,000 characters that no
    spreadsheet will run as a formula (model.text.csv_cell): a reader that splits rows on line breaks, whatever
    it makes of quotes, still sees one row per file. JSON escapes what a terminal would act on.
    """

    def __init__(self, fmt: str, columns: list[str]) -> None:
        self.fmt, self.columns = fmt, [*ROW_FIELDS[:-2], *columns, *ROW_FIELDS[-2:]]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")

    def header(self) -> str:
        return self._csv_line(self.columns) if self.fmt == "csv" else "["

    def footer(self) -> str:
        return "" if self.fmt == "csv" else "\n]\n"

    def render(self, row: dict[str, Any]) -> str:
        """The row as one CSV line (with its newline), or as one JSON object (without separators)."""
        if self.fmt == "csv":
            # thousands of rows of dozens of cells: only text that is long, not printable or could start a
            # formula, booleans, lists and empty cells need a second look
            return self._csv_line(
                [
                    value
                    if value.__class__ in _PLAIN or (value.__class__ is str and is_plain_cell(value))
                    else _csv_cell(value)
                    for value in map(row.get, self.columns)
                ]
            )
        return json_safe(json.dumps({k: row.get(k) for k in self.columns if k in row}, ensure_ascii=False))

    def __getstate__(self) -> dict[str, Any]:  # for platforms that start workers afresh and pickle their setup
        return {"fmt": self.fmt, "columns": self.columns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.fmt, self.columns = state["fmt"], state["columns"]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")

    def _csv_line(self, cells: list[Any]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._csv.writerow(cells)
        return buffer.getvalue()


class SummaryWriter:
    """Streams rows to a summary file as they arrive: CSV, or JSON as one array written element by element."""

    def __init__(self, handle: io.TextIOBase, fmt: str | SummaryFormat, columns: list[str] | None = None) -> None:
        self.format = fmt if isinstance(fmt, SummaryFormat) else SummaryFormat(fmt, columns or [])
        self.handle = handle
        self.count = 0
        handle.write(self.format.header())

    def write(self, row: dict[str, Any]) -> None:
        self.write_rendered(self.format.render(row))

    def write_rendered(self, text: str) -> None:
        """A row already rendered by this writer's format (as batch workers do)."""
        if self.format.fmt == "csv":
            self.handle.write(text)
        else:
            self.handle.write(("," if self.count else "") + "\n  " + text)
        self.count += 1

    def close(self) -> None:
        self.handle.write(self.format.footer())


_PLAIN = frozenset({int, float})


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return csv_cell(";".join(map(str, value)), LIST_CELL_LIMIT)
    if isinstance(value, str):
        return csv_cell(value)  # one line, not too long, and never run as a formula: text a user typed stays text
    return value
