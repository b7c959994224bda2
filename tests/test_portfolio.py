"""`maturity portfolio`: many contracts in one report, built on the batch; which are red and what they share."""

from __future__ import annotations

import csv
import html.parser
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MODEL = ROOT / "examples" / "models" / "data-stewardship"
runner = CliRunner()


class _Links(html.parser.HTMLParser):
    """The document as a browser's parser reads it: links, scripts, and the heatmap's group headings in order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts = 0
        self.groups: list[str] = []
        self._in_group = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "script":
            self.scripts += 1
        self._in_group = tag == "th" and "group-title" in (found.get("class") or "")

    def handle_data(self, data: str) -> None:
        if self._in_group and data.strip():
            self.groups.append(data.strip())
            self._in_group = False


def _summary(tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "summary.csv"
    result = runner.invoke(app, ["score", *args, "--summary", str(out)])
    assert result.exit_code in (0, 1), result.output
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_portfolio_says_which_contracts_are_red_and_links_their_reports(tmp_path: Path) -> None:
    out = tmp_path / "site" / "portfolio.html"
    reports = tmp_path / "site" / "reports"
    result = runner.invoke(app, ["portfolio", *map(str, EXAMPLES), "--out", str(out), "--reports", str(reports)])
    assert result.exit_code == 0, result.output
    rows = _summary(tmp_path, *map(str, EXAMPLES))
    red = [r for r in rows if r["verdict_rag"] == "red"]
    text = out.read_text(encoding="utf-8")
    assert f"{len(rows)} contracts: {len(red)} red" in text
    assert f"{len(red)} of {len(rows)} contracts are red" in text
    parsed = _Links()
    parsed.feed(text)
    assert parsed.scripts == 0 and "<link" not in text  # self-contained, no script
    assert parsed.groups[0] == f"Red: {len(red)}"  # the red contracts come first
    assert len(parsed.links) == len(rows)
    for link in parsed.links:  # every contract's own report, relative to the portfolio
        assert (out.parent / link).is_file(), link
    # the red contracts, by name, sit in the red group, before the first other group
    red_part = text[text.index("Red: ") : text.index("Amber: ")]
    for r in red:
        assert r["organisation"] in red_part
    # counts by verdict, as the summary gives them
    for label, count in Counter(r["verdict_label"] for r in rows).items():
        assert re.search(rf"{re.escape(label)}</th><td class=\"n\">{count} \(", text), label


def test_what_the_red_contracts_have_in_common_is_counted_over_them(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.md"
    result = runner.invoke(app, ["portfolio", *map(str, EXAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _summary(tmp_path, *map(str, EXAMPLES))
    red = [r for r in rows if r["verdict_rag"] == "red"]
    shared = Counter(p for r in red for p in r["pain_points"].split(";") if p)
    text = out.read_text(encoding="utf-8")
    section = text[text.index("## What the red contracts have in common") : text.index("## Contracts by verdict")]
    top_count = max(shared.values())
    assert f"| {top_count} ({round(100 * top_count / len(red))}%) |" in section
    situations = Counter(r["situation"] for r in rows)
    for name, count in situations.items():
        assert re.search(rf"\| {re.escape(name)} \| {count} \|", text), name


def test_pain_points_as_common_as_each_other_are_listed_worst_first() -> None:
    result = runner.invoke(app, ["portfolio", *map(str, EXAMPLES), "-f", "md"])
    assert result.exit_code == 0, result.output
    order = {"High": 0, "Medium": 1, "Low": 2}
    for title in ("## What the red contracts have in common", "## The commonest pain points"):
        section = result.stdout[result.stdout.index(title) :].split("\n## ", 1)[0]
        rows = re.findall(r"^\| (.+?) \| (High|Medium|Low) \| (\d+) \(", section, re.M)
        assert len(rows) > 3, section
        ranks = [(-int(count), order[severity]) for _, severity, count in rows]
        assert ranks == sorted(ranks), rows


def test_a_model_without_a_verdict_gets_levels_only_and_its_reported_nodes(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.html"
    answers = MODEL / "answers"
    result = runner.invoke(app, ["portfolio", str(answers), "-d", str(MODEL), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    shown = re.sub(r"(?s)<style.*?</style>|<[^>]*>", " ", text)
    assert "verdict" not in shown.lower() and "are red" not in shown
    for part in ("Plan and govern", "Handle data", "Share and keep", "Preservation and disposal"):
        assert part in shown
    assert "Contracts: 3" in shown


def test_a_file_that_cannot_be_scored_is_listed_and_the_rest_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: answers\nquestionnaire: {id: nope, version: 1.0.0}\n", encoding="utf-8")
    out = tmp_path / "portfolio.html"
    result = runner.invoke(app, ["portfolio", str(EXAMPLES[0]), str(broken), "--out", str(out)])
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert "Could not be scored: 1" in text and "broken.yaml" in text
    assert "1 scored, 1 failed" in result.stderr


def _with_organisation(path: Path, prefix: str) -> Path:
    """The first example with `prefix` written where its organisation's name starts (YAML as typed)."""
    text = EXAMPLES[0].read_text(encoding="utf-8")
    path.write_text(text.replace("organisation: ", f"organisation: {prefix}", 1), encoding="utf-8")
    return path


def test_user_text_is_escaped(tmp_path: Path) -> None:
    hostile = _with_organisation(tmp_path / "hostile.yaml", "<script>alert(1)</script> & ")
    out = tmp_path / "p.html"
    result = runner.invoke(app, ["portfolio", str(hostile), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in text
    md = runner.invoke(app, ["portfolio", str(hostile), "-f", "md"])
    assert "<script" not in md.stdout


def test_the_portfolio_never_writes_over_an_input_and_is_checked_before_scoring(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_bytes(EXAMPLES[0].read_bytes())
    before = answers.read_bytes()
    link = tmp_path / "link.html"
    link.symlink_to(answers)
    hard = tmp_path / "hard.md"
    hard.hardlink_to(answers)
    for out in (link, hard):
        result = runner.invoke(app, ["portfolio", str(answers), "--out", str(out)])
        assert result.exit_code == 2 and "MQ020" in result.stderr, result.output
        assert "scored" not in result.stderr  # refused before any work
    assert answers.read_bytes() == before
    folder = tmp_path / "folder.html"
    folder.mkdir()
    result = runner.invoke(app, ["portfolio", str(answers), "--out", str(folder)])
    assert result.exit_code != 0 and "MQ021" in result.stderr
    out = tmp_path / "p.html"
    result = runner.invoke(app, ["portfolio", str(answers), "--out", str(out), "--reports", str(answers)])
    assert result.exit_code != 0 and "MQ021" in result.stderr


def test_escape_sequences_typed_in_answers_leave_no_document(tmp_path: Path) -> None:
    sneaky = _with_organisation(tmp_path / "sneaky.yaml", '"\\e]8;;http://x\\e\\\\Council\\u202e" # ')
    for fmt in ("md", "html"):
        out = tmp_path / f"p.{fmt}"
        result = runner.invoke(app, ["portfolio", str(sneaky), "--out", str(out)])
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        assert "Council" in text and "\x1b" not in text and "\u202e" not in text
        stdout = runner.invoke(app, ["portfolio", str(sneaky), "-f", fmt])
        assert "Council" in stdout.stdout and "\x1b" not in stdout.stdout


def test_a_rerun_into_the_same_folder_leaves_its_own_reports_out(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    for example in EXAMPLES[:3]:
        (answers / example.name).write_bytes(example.read_bytes())
    out = tmp_path / "portfolio.html"
    command = ["portfolio", str(answers), "--out", str(out), "--reports", str(answers)]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    assert any(p.name.endswith(".result.json") for p in answers.iterdir())
    second = runner.invoke(app, command)
    assert second.exit_code == 0, second.output
    assert "3 scored, 0 failed" in second.stderr


def test_the_pdf_is_a_document_a_pdf_reader_opens(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "portfolio.pdf"
    result = runner.invoke(app, ["portfolio", *map(str, EXAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(str(out))
    words = " ".join(page.extract_text() for page in reader.pages)
    assert f"{len(EXAMPLES)} contracts" in words and "What the red contracts have in common" in words


def test_the_printed_heatmap_fits_the_page(tmp_path: Path) -> None:
    """No column of the heatmap is cut off at the page's right edge: every piece of text on every page starts
    inside its right margin (with many stages the last column once fell off the page)."""
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "portfolio.pdf"
    assert runner.invoke(app, ["portfolio", *map(str, EXAMPLES), "--out", str(out)]).exit_code == 0
    for page in pypdf.PdfReader(str(out)).pages:
        width = float(page.mediabox.width)
        starts = _text_starts(page)
        assert starts and max(starts) < width - 20, (max(starts), width)  # inside the right margin


def _text_starts(page: Any) -> list[float]:
    """Where each piece of text on a PDF page starts, left to right, in points (as the PDF reader places it)."""
    starts: list[float] = []

    def seen(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            starts.append(cm[4] + tm[4] * cm[0])

    page.extract_text(visitor_text=seen)
    return starts


def test_the_portfolio_command_has_help_with_examples() -> None:
    result = runner.invoke(app, ["portfolio", "--help"])
    assert result.exit_code == 0 and "maturity portfolio answers/ --out portfolio.html --reports reports/" in (
        result.stdout
    )
    assert runner.invoke(app, ["portfolio", str(EXAMPLES[0]), "--out", "x.txt"]).exit_code == 2
