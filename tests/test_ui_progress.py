"""The progress bar of `score` and `portfolio`: shown on a terminal, never in a pipe, a file or a CI log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pexpect = pytest.importorskip("pexpect")
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("command", [["score"], ["portfolio", "-f", "md"]])
def test_a_terminal_sees_the_bar_and_a_pipe_never_does(tmp_path: Path, command: list[str]) -> None:
    args = ["-m", "maturity", *command, *EXAMPLES, "--workers", "1"]
    child = pexpect.spawn(sys.executable, args, cwd=str(tmp_path), encoding="utf-8", timeout=120, dimensions=(24, 120))
    child.expect(pexpect.EOF)
    child.close()
    seen = child.before or ""
    # the bar: its description, its count of files and its line (rich draws it with U+2501)
    assert "scoring" in seen and f"/{len(EXAMPLES)}" in seen and "\u2501" in seen
    assert child.exitstatus == 0
    piped = subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stderr and "\u2501" not in piped.stderr and "scoring " not in piped.stderr
