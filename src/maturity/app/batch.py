"""Scoring many answers files: spread over every core, streamed, one bad file never stopping the rest.

Each worker process loads the definitions once (through a `Catalogue`) and turns an answers file into a flat
summary row, so the parent only ever holds one small row per file in flight, never an Assessment. Results come
back in input order, so summaries are reproducible run to run.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.app.catalogue import Catalogue
from maturity.app.pipeline import (
    assessment_json,
    catalogue_for,
    load_and_summarise,
    load_score_and_summarise,
    render_reports,
    report_kind,
)
from maturity.app.summaries import RowFormat, looks_like_a_summary, summary_row, table_line
from maturity.app.workers import WorkerPool, collector_for_batches
from maturity.io.files import declared_kind
from maturity.io.output import (
    FileOutput,
    FolderOutput,
    Identity,
    file_output,
    folder_output,
    identity,
    write_problem,
)
from maturity.model.problems import MaturityError, Problem, UsageError, problem_count

if TYPE_CHECKING:
    from maturity.model.assessment import Assessment


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
    inside: dict[Identity, str] = {}  # the inputs in the results folder, which a result could land on
    for file in files:
        if folders and os.path.normcase(os.path.abspath(file)).startswith(folders):
            if is_own_output(os.path.basename(file)) and declared_kind(file) is None:
                continue  # an earlier run's result or report; an answers file of that name is still an input
            inside.setdefault(identity(file) or (0, 0), file)
        if summary_id is not None and identity(file) == summary_id:
            continue
        kept.append(file)
    if out is not None and inside:
        _refuse_results_over_inputs(kept, out, inside)
    return kept


def _refuse_results_over_inputs(files: list[str], out: str | Path, inputs: dict[Identity, str]) -> None:
    """A file's result or report may not land on one of the inputs (an answers file named x.result.json in
    the results folder, say): refused, by identity, before anything is scored."""
    suffixes = (RESULT_SUFFIX, *REPORT_SUFFIXES.values())
    for file, name in zip(files, result_names(files), strict=True):
        for suffix in suffixes:
            hit = inputs.get(identity(os.path.join(out, name + suffix)) or (-1, -1))
            if hit is not None:
                raise UsageError(
                    Problem.make(
                        "MQ020",
                        f"the results folder: the result or report of {file} would be written over this file, "
                        "one of the inputs; write the results to another folder, or rename this file",
                        hit,
                    )
                )


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
            assessment, summary, problems = load_score_and_summarise(path, catalogue, max_bytes, text)
        else:
            summary, problems = load_and_summarise(path, catalogue, max_bytes, text)
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


def _write_reports(assessment: Assessment, catalogue: Catalogue, stem: Path, reports: tuple[str, ...]) -> None:
    """The reports beside the file's JSON result, each written atomically and made safe for its format."""
    from maturity.io.output import encoded
    from maturity.io.store import write_atomic_bytes

    for fmt, data in render_reports(assessment, catalogue, reports).items():
        write_atomic_bytes(stem.with_name(stem.name + REPORT_SUFFIXES[fmt]), encoded(data, report_kind(fmt)))


def _work(item: str | Path | tuple[str, str]) -> FileOutcome:
    """One file: a path, or with --out a (path, result name) pair."""
    assert _catalogue is not None
    path, name = item if isinstance(item, tuple) else (item, None)
    return _rendered(score_file(Path(path), _catalogue, _out_dir, _reports, name, _max_bytes))


def _work_chunk(items: Sequence[str | Path | tuple[str, str]]) -> list[FileOutcome]:
    return [_work(item) for item in items]


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
    with collector_for_batches():
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
