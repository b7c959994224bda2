"""Scoring many answers files: spread over every core, streamed, one bad file never stopping the rest.

Each worker process loads the definitions once (through a `Catalogue`) and turns an answers file into a flat
summary row, so the parent only ever holds one small row per file in flight, never an Assessment. Results come
back in input order, so summaries are reproducible run to run.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from maturity.app.catalogue import Catalogue
from maturity.model.problems import MaturityError, Problem
from maturity.model.text import one_line
from maturity.model.vocabulary import round_half_up

if TYPE_CHECKING:
    from maturity.model.assessment import Summary

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
    the summary file, and the files in the `out` folder named as results and reports are (NAME.result.json, ...).

    Paths are compared as absolute paths, with the outputs' links resolved: resolving every input's links too
    would cost a system call per folder of every path, a noticeable share of a batch of small files.
    """
    if summary is None and out is None:
        return files
    summaries = (
        {os.path.normcase(os.path.abspath(summary)), os.path.normcase(os.path.realpath(summary))}
        if summary is not None
        else set()
    )
    folders = (
        tuple(os.path.normcase(os.path.join(p, "")) for p in {os.path.abspath(out), os.path.realpath(out)})
        if out is not None
        else ()
    )
    kept = []
    for file in files:
        own = bool(folders) and is_own_output(os.path.basename(file))
        if summaries or own:
            absolute = os.path.normcase(os.path.abspath(file))
            if absolute in summaries or (own and absolute.startswith(folders)):
                continue
        kept.append(file)
    return kept


class RowFormat(Protocol):
    """How a batch worker renders each file's summary row as text (a CSV line, a JSON object, a heatmap row),
    so that the process reading the outcomes only writes them out."""

    def render(self, row: dict[str, Any]) -> str: ...


@dataclass
class Outcome:
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
            # say which answers file asked for the missing questionnaire, at the line that names it
            line, column = answers.document.locate(("questionnaire", "version"))
            raise MaturityError(
                [Problem.make(p.code, p.message, str(path), line, column) if not p.file else p for p in exc.problems]
            ) from None
        answers, carried = carry_forward(answers, catalogue, target)
        definitions = catalogue.get(ref.id, target)
    problems = check_answers(answers, definitions.questionnaire, definitions.index)
    if any(p.is_error for p in problems):
        raise MaturityError([p for p in problems if p.is_error])
    return definitions, answers, [*carried, *problems]


def carry_forward(answers: Any, catalogue: Catalogue, target: str) -> tuple[Any, list[Problem]]:
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
) -> Outcome:
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
        located = [p if p.file else Problem.make(p.code, p.message, str(path), p.line, p.column) for p in exc.problems]
        first = located[0] if located else Problem.make("MQ001", "unknown problem", str(path))
        where = f"line {first.line}, column {first.column or 1}: " if first.line else ""
        more = f" (and {len(located) - 1} more)" if len(located) > 1 else ""
        row.update(error_code=first.code, error=f"{where}{first.message}{more}")
        return Outcome(row, located, [])
    row.update(summary_row(summary, catalogue))
    row["status"] = "scored"
    if out_dir is not None:
        from maturity.io.store import write_atomic

        stem = out_dir / (name or path.stem)
        try:
            stem.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(stem.with_name(stem.name + RESULT_SUFFIX), assessment_json(assessment))
        except OSError as exc:
            problem = Problem.make("MQ001", f"cannot write the result: {exc.strerror}", str(stem) + RESULT_SUFFIX)
            row.update(status="failed", error_code=problem.code, error=problem.message)
            return Outcome(row, [*problems, problem], [])
        if reports:
            try:
                _write_reports(assessment, catalogue, stem, reports)
            except MaturityError as exc:  # a broken user template: the scores stand, the report is reported
                return Outcome(row, [*problems, *exc.problems], [s.id for s in summary.stages])
    return Outcome(row, problems, [s.id for s in summary.stages])


def _write_reports(assessment: Any, catalogue: Catalogue, stem: Path, reports: tuple[str, ...]) -> None:
    """The same reports `maturity report` and `maturity assess` write, beside the file's JSON result."""
    from maturity.engine.roadmap import answers_from_assessment, build_roadmap
    from maturity.io.store import write_atomic_bytes
    from maturity.render.report import render_report_bytes

    found = catalogue.get(assessment.questionnaire.id, assessment.questionnaire.version)
    questionnaire, rules = found.questionnaire.model, found.rules.model
    roadmap = build_roadmap(questionnaire, rules, answers_from_assessment(assessment), assessment)  # once for all
    for fmt in reports:
        data = render_report_bytes(
            assessment,
            questionnaire,
            rules,
            fmt,
            roadmap=roadmap,
            questionnaire_digest=found.questionnaire.document.digest,
        )
        write_atomic_bytes(stem.with_name(stem.name + REPORT_SUFFIXES[fmt]), data)


def _load_and_summarise(
    path: Path, catalogue: Catalogue, max_bytes: int | None = None, text: str | None = None
) -> tuple[Summary, list[Problem]]:
    """`load_and_score` for the figures alone."""
    from maturity.engine.scoring import summarise

    definitions, answers, problems = load_checked(path, catalogue, max_bytes, text)
    return summarise(definitions.questionnaire.model, definitions.rules.model, answers.model, checked=True), problems


def _work(item: str | Path | tuple[str, str]) -> Outcome:
    """One file: a path, or with --out a (path, result name) pair."""
    assert _catalogue is not None
    path, name = item if isinstance(item, tuple) else (item, None)
    outcome = score_file(Path(path), _catalogue, _out_dir, _reports, name, _max_bytes)
    if _summary is not None:
        outcome.summary_text = _summary.render(outcome.row)
    if _table:
        outcome.table_text = table_line(outcome.row)
    return outcome


def _work_chunk(items: Sequence[str | Path | tuple[str, str]]) -> list[Outcome]:
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


def assessment_json(assessment: Any) -> str:
    return json.dumps(assessment.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


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
) -> Iterator[Outcome]:
    """Score every file, in input order, on `workers` processes (default: every core).

    With `summary` and `table`, each outcome also carries its row rendered as a summary line and a table line,
    done in the workers so that the process reading the outcomes only writes them out. With `out_dir`, each
    file's result is written under the name `result_names` gives it.
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
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=setup) as pool:
            # Chunks go out a few per worker ahead of the one being read, not all at once as Executor.map would
            # send them: the parent then holds a bounded number of results however many files there are.
            ahead = workers * 4
            pending: deque[Future[list[Outcome]]] = deque()
            for start in range(0, len(items), chunksize):
                pending.append(pool.submit(_work_chunk, items[start : start + chunksize]))
                if len(pending) >= ahead:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()


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

    Pure text, so batch workers render their own rows and the parent only writes them out.
    """

    def __init__(self, fmt: str, columns: list[str]) -> None:
        self.fmt, self.columns = fmt, [*ROW_FIELDS[:-2], *columns, *ROW_FIELDS[-2:]]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    def header(self) -> str:
        return self._csv_line(self.columns) if self.fmt == "csv" else "["

    def footer(self) -> str:
        return "" if self.fmt == "csv" else "\n]\n"

    def render(self, row: dict[str, Any]) -> str:
        """The row as one CSV line (with its newline), or as one JSON object (without separators)."""
        if self.fmt == "csv":
            # thousands of rows of dozens of cells: only text that could start a formula, booleans and empty
            # cells need a second look
            return self._csv_line(
                [
                    value
                    if value.__class__ in _PLAIN or (value.__class__ is str and (not value or value[0] not in _FORMULA))
                    else _csv_cell(value)
                    for value in map(row.get, self.columns)
                ]
            )
        return json.dumps({k: row.get(k) for k in self.columns if k in row}, ensure_ascii=False)

    def __getstate__(self) -> dict[str, Any]:  # for platforms that start workers afresh and pickle their setup
        return {"fmt": self.fmt, "columns": self.columns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.fmt, self.columns = state["fmt"], state["columns"]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

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
_FORMULA = frozenset("=+-@\t\r")  # a spreadsheet runs a cell starting with one of these as a formula


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value  # a spreadsheet would run it as a formula: text a user typed must stay text
    return value
