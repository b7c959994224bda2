"""A portfolio of contracts in one document: which are red, what they have in common, where the portfolio is weak.

Built on the batch (`batch.score_many`): the files are scored on every core exactly as `score --summary` scores
them, and each file's summary row is folded into running tallies here, so memory stays flat however many files
there are. The one thing that grows with the files, the heatmap's row per contract, is spooled to temporary
files (one per verdict RAG, so the worst contracts come first without a sort) and streamed into the document
when it is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from maturity.app.batch import REPORT_SUFFIXES, FileOutcome, result_names, score_many
from maturity.app.catalogue import Catalogue
from maturity.model.problems import MaturityError, Problem
from maturity.model.vocabulary import RAG_ORDER, SEVERITY_ORDER

if TYPE_CHECKING:
    from maturity.io.output import Output

# The heatmap's groups, worst first: contracts whose verdict is red, amber, green, those without a verdict
# (a model with levels only, or a verdict not assessed), and files that could not be scored.
GROUPS = ("red", "amber", "green", "none", "failed")
TOP_PAIN_POINTS = 15


@dataclass
class PartTally:
    """One stage (or reported roll-up node) across the portfolio: how many contracts have it, their levels."""

    id: str
    title: str
    kind: str  # "stage" or "node"
    order: int
    low: int = 1  # the rules' lowest and highest levels, so parts of models on other scales rank fairly
    high: int = 5
    contracts: int = 0
    scored: int = 0
    score_sum: float = 0.0
    level_sum: int = 0
    levels: int = 0
    rags: Counter[str] = field(default_factory=Counter)
    # the same, over the contracts whose verdict is red
    red_levels: int = 0
    red_level_sum: int = 0

    def add(self, level: int | None, score: float | None, rag: str | None, red: bool) -> None:
        self.contracts += 1
        if score is not None:
            self.scored += 1
            self.score_sum += score
        if level is not None:
            self.levels += 1
            self.level_sum += level
            if red:
                self.red_levels += 1
                self.red_level_sum += level
        if rag:
            self.rags[rag] += 1


@dataclass(frozen=True)
class Shape:
    """What the portfolio needs to know of one questionnaire: its title, whether it is the situation's, its parts
    (stages then reported nodes, with titles), its pain points' titles and severities, its verdict's outcomes."""

    id: str
    version: str
    title: str
    parts: tuple[tuple[str, str, str], ...]  # (id, title, kind)
    pains: dict[str, tuple[str, str]]  # id -> (title, severity)
    outcomes: dict[str, tuple[str, str]]  # id -> (label, rag)
    outcome_order: tuple[str, ...]
    parts_count: int  # how many questions it asks (so a short pre-check can be told from a full assessment)
    low: int  # the lowest and highest levels of its rules
    high: int


@dataclass
class Portfolio:
    """Running tallies over every file's summary row; the heatmap rows go to `spool`."""

    catalogue: Catalogue
    spool: Spool | None = None  # None: tallies only (the spreadsheet summary's counts)
    total: int = 0
    failed: int = 0
    red: int = 0
    verdicts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (outcome, label, rag)
    situations: Counter[str] = field(default_factory=Counter)
    cross: Counter[tuple[str, str]] = field(default_factory=Counter)  # (situation, rag or "none")
    pains: Counter[str] = field(default_factory=Counter)
    red_pains: Counter[str] = field(default_factory=Counter)
    red_situations: Counter[str] = field(default_factory=Counter)
    questionnaires: Counter[tuple[str, str]] = field(default_factory=Counter)
    parts: dict[str, PartTally] = field(default_factory=dict)
    pain_words: dict[str, tuple[str, str]] = field(default_factory=dict)
    shapes: dict[tuple[str, str], Shape] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def shape(self, qid: str, version: str) -> Shape | None:
        key = (qid, version)
        if key not in self.shapes:
            try:
                found = self.catalogue.get(qid, version)
            except MaturityError:
                return None
            q, rules = found.questionnaire.model, found.rules.model
            titles = {s.id: s.title for s in q.stages}
            parts = [(s.id, s.title, "stage") for s in q.stages]
            parts += [(n.id, n.title or n.id, "node") for n in rules.rollup.nodes if n.reported and n.id not in titles]
            verdict = rules.verdict
            self.shapes[key] = Shape(
                qid,
                version,
                q.title,
                tuple(parts),
                {p.id: (p.title, p.severity) for p in rules.pain_points},
                {o.id: (o.label, o.rag) for o in verdict.outcomes} if verdict else {},
                tuple(o.id for o in verdict.outcomes) if verdict else (),
                len(q.questions()),
                min(b.level for b in rules.levels),
                max(b.level for b in rules.levels),
            )
        return self.shapes[key]

    def add(self, outcome: FileOutcome, link: str | None) -> None:
        """Fold one file's outcome into the tallies and spool its heatmap row (rendered by the worker that scored
        the file: render.portfolio.HeatmapRows)."""
        row = outcome.row
        group = self.tally(row)
        if self.spool is None:
            return
        if group == "failed":
            failed = {"file": row.get("file"), "error_code": row.get("error_code"), "error": row.get("error")}
            self.spool.write("failed", "\t" + json.dumps(failed, ensure_ascii=False))
        else:
            self.spool.write(group, f"{link or ''}\t{outcome.summary_text}")

    def tally(self, row: dict[str, Any]) -> str:
        """Fold one summary row into the tallies; the heatmap group it belongs in (GROUPS)."""
        self.total += 1
        if row.get("status") != "scored":
            self.failed += 1
            return "failed"
        shape = self.shape(str(row["questionnaire"]), str(row["version"]))
        rag = str(row.get("verdict_rag") or "")
        red = rag == "red"
        situation = str(row.get("situation") or "") or "not stated"
        self.questionnaires[(str(row["questionnaire"]), str(row["version"]))] += 1
        if shape is not None and shape.outcomes:  # rules with levels only have no verdict to count
            self.verdicts[(str(row.get("verdict")), str(row.get("verdict_label")), rag)] += 1
        self.situations[situation] += 1
        self.cross[(situation, rag or "none")] += 1
        pains = list(row.get("pain_points") or [])
        self.pains.update(pains)
        if red:
            self.red += 1
            self.red_pains.update(pains)
            self.red_situations[situation] += 1
        for order, (part_id, title, kind) in enumerate(shape.parts if shape else ()):
            tally = self.parts.get(part_id)
            if tally is None and shape is not None:
                tally = self.parts[part_id] = PartTally(part_id, title, kind, order, shape.low, shape.high)
            assert tally is not None
            tally.add(row.get(f"{part_id}_level"), row.get(f"{part_id}_score"), row.get(f"{part_id}_rag"), red)
        if shape is not None:
            for pain in pains:
                self.pain_words.setdefault(pain, shape.pains.get(pain, (pain, "medium")))
        return rag if rag in RAG_ORDER else "none"

    # ------------------------------------------------------------------------------------------------ summaries

    def weakest_parts(self, red_only: bool = False) -> list[dict[str, Any]]:
        """Stages and reported nodes, weakest first: by mean level (as a share of the way from the rules' lowest level
        to their highest, so that models on other scales rank fairly), then by the share of contracts red in it."""
        out = []
        for tally in self.parts.values():
            levels, total = (tally.red_levels, tally.red_level_sum) if red_only else (tally.levels, tally.level_sum)
            if not levels:
                continue
            out.append(
                {
                    "id": tally.id,
                    "title": tally.title,
                    "kind": tally.kind,
                    "contracts": tally.contracts,
                    "mean_level": total / levels,
                    "high": tally.high,
                    "standing": (total / levels - tally.low) / (tally.high - tally.low or 1),
                    "mean_score": tally.score_sum / tally.scored if tally.scored else None,
                    "red": tally.rags["red"],
                    "red_share": tally.rags["red"] / tally.contracts if tally.contracts else 0.0,
                    "amber": tally.rags["amber"],
                    "green": tally.rags["green"],
                    "order": tally.order,
                }
            )
        return sorted(out, key=lambda p: (p["standing"], -p["red_share"], p["order"]))

    def common_pains(self, counter: Counter[str], of: int, limit: int = TOP_PAIN_POINTS) -> list[dict[str, Any]]:
        """The commonest pain points, most contracts first; among equally common ones the most severe first, then
        by title, so that a high pain point is never listed below a low one that as many contracts share."""

        def words(pain: str) -> tuple[str, str]:
            return self.pain_words.get(pain, (pain, "medium"))

        def rank(item: tuple[str, int]) -> tuple[int, int, str]:
            title, severity = words(item[0])
            return -item[1], SEVERITY_ORDER.get(severity, 1), title.casefold()

        return [
            {
                "id": pain,
                "title": words(pain)[0],
                "severity": words(pain)[1],
                "count": count,
                "share": count / of if of else 0.0,
            }
            for pain, count in sorted(counter.items(), key=rank)[:limit]
        ]


class Spool:
    """The heatmap rows, one temporary file of JSON lines per group, so memory stays flat; read back in order."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="maturity-portfolio-")
        self.handles: dict[str, TextIO] = {}
        self.counts: Counter[str] = Counter()

    def write(self, group: str, line: str) -> None:
        """One row (a line without a line break) to a group's file."""
        handle = self.handles.get(group)
        if handle is None:
            handle = self.handles[group] = open(  # noqa: SIM115 (closed in close())
                os.path.join(self.folder.name, f"{group}.rows"), "w+", encoding="utf-8"
            )
        handle.write(line + "\n")
        self.counts[group] += 1

    def lines(self, group: str) -> Iterator[str]:
        handle = self.handles.get(group)
        if handle is None:
            return
        handle.flush()
        handle.seek(0)
        for line in handle:
            yield line.rstrip("\n")

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.folder.cleanup()


def build(
    files: Sequence[str],
    folders: list[Path],
    catalogue: Catalogue,
    *,
    reports: Path | None = None,
    report_format: str = "html",
    document_format: str = "html",
    link_from: Path | None = None,
    workers: int | None = None,
    on_outcome: Any = None,
) -> Portfolio:
    """Score the files (as `score` does, on every core) and fold them into a Portfolio.

    With `reports`, each contract's own report (in `report_format`) and result are written there by the batch,
    named as `score --out` names them, and the heatmap links to each report relative to `link_from` (the folder
    the portfolio document is written in). `on_outcome` is called with every outcome (for progress and problems).
    """
    from maturity.render.portfolio import HeatmapRows

    names = result_names(list(files)) if reports is not None else None
    portfolio = Portfolio(catalogue, Spool())
    outcomes: Iterable[FileOutcome] = score_many(
        files,
        folders,
        out_dir=reports,
        reports=(report_format,) if reports is not None else (),
        workers=workers,
        summary=HeatmapRows(document_format, part_titles(catalogue)),
    )
    base = os.path.abspath(link_from) if link_from is not None else os.getcwd()
    for k, outcome in enumerate(outcomes):
        link = None
        if reports is not None and names is not None and outcome.row.get("status") == "scored":
            target = os.path.join(os.path.abspath(reports), names[k] + REPORT_SUFFIXES[report_format])
            link = os.path.relpath(target, base).replace(os.sep, "/")
        portfolio.add(outcome, link)
        if on_outcome is not None:
            on_outcome(outcome)
    return portfolio


FORMATS = ("md", "html", "pdf")


def part_titles(catalogue: Catalogue) -> dict[str, str]:
    """The title of every stage and reported node of the catalogue's questionnaires, for the heatmap's cells."""
    titles: dict[str, str] = {}
    for qid, version in catalogue.questionnaires():
        try:
            found = catalogue.get(qid, version)
        except MaturityError:
            continue
        for stage in found.questionnaire.model.stages:
            titles.setdefault(stage.id, stage.title)
        for node in found.rules.model.rollup.nodes:
            if node.reported:
                titles.setdefault(node.id, node.title or node.id)
    return titles


def write(portfolio: Portfolio, destination: Output, fmt: str, templates: Path | None = None) -> None:
    """Write the portfolio document to its checked destination (a file, atomically, or standard output): the
    heatmap is streamed from the spool, so the document is never held whole, except as a PDF, which is made
    from the whole HTML. Raises MaturityError (MQ022) when it cannot be written."""
    import io

    from maturity.render.portfolio import write_document
    from maturity.render.report import html_to_pdf

    if fmt == "pdf":
        buffer = io.StringIO()
        write_document(portfolio, buffer, "html", templates)
        destination.write(html_to_pdf(buffer.getvalue()), "binary")
        return
    with destination.stream() as handle:
        write_document(portfolio, handle, fmt, templates)
