"""The HTML report in a real browser: it renders, prints to a few A4 pages, and logs no console errors.

Needs Chromium (`/usr/bin/chromium` or `chromium` on PATH); skipped without it, so the rest of the suite runs
anywhere. CI installs it when it can (.ci/run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.engine.scoring import score
from maturity.render.report import render_report

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (/usr/bin/chromium or on PATH)")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / "failing-service-rushed-to-market.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(assessment, q.model, rules.model, "html", generated="2025-01-01"), encoding="utf-8")
    return path


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, timeout=120, check=False
    )


def test_screenshot(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", report.as_uri())
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dom_holds_the_verdict_and_no_console_errors(report: Path, tmp_path: Path) -> None:
    run = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", report.as_uri())
    dom = run.stdout.decode("utf-8")
    assert "Verdict: Outsourcing a problem" in dom
    assert "Roadmap: the fewest changes" in dom
    log = run.stderr.decode("utf-8", "replace")
    assert "Uncaught" not in log and "ERROR:CONSOLE" not in log, log


def test_prints_to_a_few_pages(report: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    _chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    assert pdf.is_file()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    # the verdict, stages, pain points and roadmap take a few pages; the appendix of every answer takes the rest
    assert 1 <= pages <= 16, pages
