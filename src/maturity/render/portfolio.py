"""The portfolio document (HTML, Markdown; PDF from the HTML): the summary sections from a template, the heatmap's
rows streamed in from the portfolio's spool, so a portfolio of any size is written in bounded memory.

The template (portfolio.html.j2, portfolio.md.j2, overridable by name like every report template) writes the
marker `HEATMAP_MARKER` where the heatmap's rows go; the rows are formatted here, escaped, without a template
call per row (a hundred thousand contracts must not cost a hundred thousand template renders).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from maturity.model.version import __version__
from maturity.model.vocabulary import RAG_WORDS, SEVERITY_WORDS, format_number
from maturity.render.report import _md, render_template

# A portfolio (app.portfolio.Portfolio, a later layer): its tallies, shapes and spool are read here.
Portfolio = Any

HEATMAP_MARKER = "<!-- maturity: the heatmap's rows -->"
TEMPLATES = {"html": "portfolio.html.j2", "md": "portfolio.md.j2"}
GROUP_TITLES = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "none": "No verdict",
    "failed": "Could not be scored",
}
# cells without a RAG are shaded by level, light to dark, so a level-only model still reads as a heatmap
LEVEL_SHADES = ("#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252")
RAG_CELLS = {"red": ("#a4161a", "#ffffff"), "amber": ("#f0b429", "#1b1b1b"), "green": ("#1d6b34", "#ffffff")}
RAG_ORDER_OR_LAST = {"red": 0, "amber": 1, "green": 2, "": 3}


class TextOut(Protocol):
    """Where a document is written in pieces: an open text file, a StringIO, or an output's stream."""

    def write(self, text: str, /) -> int: ...


def _share(value: float) -> str:
    return f"{format_number(value * 100, 0)}%"


def columns(portfolio: Portfolio) -> list[dict[str, Any]]:
    """The heatmap's part columns: the stages and reported nodes of the questionnaires in the portfolio, in the
    order of the most used questionnaire, then any the others add."""
    order: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for key, _ in portfolio.questionnaires.most_common():
        shape = portfolio.shapes.get(key)
        for part in shape.parts if shape else ():
            if part[0] not in seen:
                seen.add(part[0])
                order.append(part)
    return [{"id": i, "title": t, "kind": k} for i, t, k in order]


def portfolio_context(portfolio: Portfolio, today: dt.date | None = None) -> dict[str, Any]:
    """What the portfolio templates may show, as plain data."""
    p = portfolio
    scored = p.total - p.failed
    verdicts = [
        {"outcome": o, "label": label, "rag": rag, "count": n, "share": _share(n / scored) if scored else "0%"}
        for (o, label, rag), n in sorted(
            p.verdicts.items(), key=lambda kv: (RAG_ORDER_OR_LAST.get(kv[0][2], 9), -kv[1], kv[0][1])
        )
    ]
    situations = sorted(p.situations, key=lambda s: (-p.situations[s], s))
    rags = [r for r in ("red", "amber", "green", "none") if any(p.cross[(s, r)] for s in situations)]
    questionnaires = [
        {
            "id": qid,
            "version": version,
            "title": p.shapes[(qid, version)].title if (qid, version) in p.shapes else qid,
            "questions": p.shapes[(qid, version)].parts_count if (qid, version) in p.shapes else None,
            "count": n,
        }
        for (qid, version), n in p.questionnaires.most_common()
    ]
    red_parts = p.weakest_parts(red_only=True)
    return {
        "generated": (today or dt.date.today()).isoformat(),
        "tool_version": __version__,
        "total": p.total,
        "scored": scored,
        "failed": p.failed,
        "red": p.red,
        "has_verdict": bool(p.verdicts),
        "verdicts": verdicts,
        "situations": [
            {"name": s, "count": p.situations[s], "by_rag": {r: p.cross[(s, r)] for r in rags}} for s in situations
        ],
        "situation_rags": rags,
        "red_situations": [{"name": s, "count": n} for s, n in p.red_situations.most_common()],
        "questionnaires": questionnaires,
        "several_questionnaires": len(questionnaires) > 1,
        "pain_points": p.common_pains(p.pains, scored),
        "red_pain_points": p.common_pains(p.red_pains, p.red, 8),
        "weakest": p.weakest_parts(),
        "red_weakest": red_parts[:5],
        "columns": columns(p),
        "groups": [
            {"id": g, "title": GROUP_TITLES[g], "count": p.spool.counts[g] if p.spool else 0} for g in GROUP_TITLES
        ],
        "heatmap_marker": HEATMAP_MARKER,
        "rag_words": RAG_WORDS,
        "severity_words": SEVERITY_WORDS,
    }


def write_document(portfolio: Portfolio, handle: TextOut, fmt: str, templates: Path | None = None) -> None:
    """The portfolio document in `fmt` (html or md) written to `handle`, its heatmap streamed from the spool."""
    context = portfolio_context(portfolio)
    text = render_template(TEMPLATES[fmt], context, templates)
    head, marker, tail = text.partition(HEATMAP_MARKER)
    handle.write(head)
    if marker:
        rows = _html_rows if fmt == "html" else _md_rows
        for chunk in rows(portfolio, context):
            handle.write(chunk)
    handle.write(tail)


def _cell_html(level: Any, score: Any, rag: Any, title: str) -> str:
    if level is None and score is None:
        return '<td class="cell empty" title="not assessed">-</td>'
    if rag in RAG_CELLS:
        back, ink = RAG_CELLS[rag]
    else:
        shade = LEVEL_SHADES[min(max(int(level or 0), 0), len(LEVEL_SHADES) - 1)]
        back, ink = shade, "#1b1b1b" if (level or 0) < 3 else "#ffffff"
    words = f"{title}: level {'none' if level is None else level}, score {format_number(score, 2)}"
    words += f", {RAG_WORDS[rag]}" if rag in RAG_WORDS else ""
    shown = "-" if level is None else str(level)
    letter = f" {RAG_WORDS[rag][0]}" if rag in RAG_WORDS else ""  # the RAG in a letter too, not by colour alone
    return (
        f'<td class="cell" style="background:{back};color:{ink}" title="{html.escape(words)}">{shown}'
        f"<small>{letter}</small></td>"
    )


EMPTY_CELL = {"html": '<td class="cell empty" title="not assessed">-</td>', "md": "-"}


class HeatmapRows:
    """Each scored file's heatmap row, rendered in the batch worker that scored it (see summaries.RowFormat) as one
    line of JSON holding the row's escaped pieces: the contract, questionnaire, situation, verdict, overall and
    top pain point, and a cell per stage or reported node. The portfolio joins the pieces when it writes the
    document, once it knows which columns the portfolio needs."""

    def __init__(self, fmt: str, titles: dict[str, str]) -> None:
        self.fmt, self.titles = fmt, titles

    def render(self, row: dict[str, Any]) -> str:
        if row.get("status") != "scored":
            return ""
        esc = html.escape if self.fmt == "html" else _md
        rag = row.get("verdict_rag") or ""
        label = row.get("verdict_label") or ""
        if self.fmt == "html":
            verdict = html.escape(label or "-")
            if rag in RAG_WORDS:
                verdict = f'<span class="rag rag-{rag}">{RAG_WORDS[rag]}</span> {verdict}'
            if row.get("low_confidence"):
                verdict += ' <span class="muted">(low confidence)</span>'
        else:
            verdict = (f"{RAG_WORDS[rag]}: " if rag in RAG_WORDS else "") + _md(label or "-")
        cells: dict[str, str] = {}
        for key, level in row.items():
            if key.endswith("_level") and key != "overall_level":
                part = key[: -len("_level")]
                score, part_rag = row.get(f"{part}_score"), row.get(f"{part}_rag") or None
                cells[part] = self._cell(level, score, part_rag, self.titles.get(part, part))
        record = {
            "name": esc(f"{row.get('organisation')}: {row.get('service')}"),
            "file": esc(str(row.get("file"))),
            "date": esc(str(row.get("date") or "")),
            "q": esc(str(row.get("questionnaire"))),
            "qt": esc(str(row.get("questionnaire_title") or row.get("questionnaire"))),
            "s": esc(str(row.get("situation") or "-")),
            "v": verdict,
            "o": self._cell(
                row.get("overall_level"), row.get("overall_score"), row.get("overall_rag") or None, "Overall"
            ),
            "p": cells,
            "t": esc(str(row.get("top_pain_point_title") or "")),
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    def _cell(self, level: Any, score: Any, rag: Any, title: str) -> str:
        if self.fmt == "html":
            return _cell_html(level, score, rag, title)
        if level is None:
            return "-"
        return f"{level}{' ' + RAG_WORDS[rag] if rag in RAG_WORDS else ''}"


def _records(portfolio: Portfolio, group: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in portfolio.spool.lines(group) if portfolio.spool is not None else ():
        link, _, record = line.partition("\t")
        yield link, json.loads(record)


def _html_rows(portfolio: Portfolio, context: dict[str, Any]) -> Iterator[str]:
    parts = [p["id"] for p in context["columns"]]
    several, verdicts = context["several_questionnaires"], context["has_verdict"]
    width = 4 + len(parts) + (1 if several else 0) + (1 if verdicts else 0)
    empty = EMPTY_CELL["html"]
    for group in context["groups"]:
        if not group["count"]:
            continue
        title = group["title"] if verdicts or group["id"] == "failed" else "Contracts"
        yield (
            f'<tbody class="group group-{group["id"]}"><tr><th colspan="{width}" scope="rowgroup" '
            f'class="group-title">{html.escape(title)}: {group["count"]}</th></tr>\n'
        )
        if group["id"] == "failed":
            for _, row in _records(portfolio, "failed"):
                yield (
                    f'<tr><th scope="row">{html.escape(str(row["file"]))}</th>'
                    f'<td colspan="{width - 1}">{html.escape(str(row.get("error_code") or ""))} '
                    f"{html.escape(str(row.get('error') or ''))}</td></tr>\n"
                )
            yield "</tbody>\n"
            continue
        for link, r in _records(portfolio, group["id"]):
            name = f'<a href="{html.escape(link)}">{r["name"]}</a>' if link else r["name"]
            cells = r["p"]
            yield "".join(
                [
                    f'<tr><th scope="row" title="{r["file"]}">{name} <span class="muted">{r["date"]}</span></th>',
                    f'<td title="{r["qt"]}">{r["q"]}</td>' if several else "",
                    f"<td>{r['s']}</td>",
                    f"<td>{r['v']}</td>" if verdicts else "",
                    r["o"],
                    *(cells.get(p, empty) for p in parts),
                    f"<td>{r['t']}</td></tr>\n",
                ]
            )
        yield "</tbody>\n"


def _md_rows(portfolio: Portfolio, context: dict[str, Any]) -> Iterator[str]:
    parts = context["columns"]
    several, verdicts = context["several_questionnaires"], context["has_verdict"]
    for group in context["groups"]:
        if not group["count"]:
            continue
        yield f"\n### {group['title'] if verdicts or group['id'] == 'failed' else 'Contracts'}: {group['count']}\n\n"
        if group["id"] == "failed":
            for _, row in _records(portfolio, "failed"):
                yield f"- {_md(row['file'])}: {_md(row.get('error_code') or '')} {_md(row.get('error') or '')}\n"
            continue
        head = ["Contract", *(["Questionnaire"] if several else []), "Situation", *(["Verdict"] if verdicts else [])]
        head += ["Overall", *(_md(p["title"]) for p in parts), "Top pain point"]
        yield "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
        for link, r in _records(portfolio, group["id"]):
            name = f"[{r['name']}](<{link.replace('>', '%3E')}>)" if link else r["name"]
            out = [name, *([r["q"]] if several else []), r["s"], *([r["v"]] if verdicts else []), r["o"]]
            out += [r["p"].get(p["id"], "-") for p in parts]
            out.append(r["t"])
            yield "| " + " | ".join(out) + " |\n"
