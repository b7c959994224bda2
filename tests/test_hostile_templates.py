"""Hostile templates: a user's template that would run for ever, build gigabytes or reach Python's internals is
stopped by the sandbox's budget and reported where it went wrong (MQ403/MQ404 with the template's file and
line), through `maturity report --templates`, and a template file that cannot be a template says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .hostile_support import GOOD

runner = CliRunner()

# Each would hang or exhaust memory without a limit (the first ones ran for days, the rest built gigabytes).
RUNAWAYS = [
    "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}{% endfor %}{% endfor %}"
    "{% endfor %}",
    "{% set s = 'x' * 5000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}",
    "{% for x in [[1]] * 10000 recursive %}{% for y in range(10000) %}{% endfor %}{% endfor %}",
    "{{ ((9 ** 1000) ** 1000) ** 1000 }}",
    "{% set ns = namespace(x=10 ** 999) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
    "{{ range(10)|slice(10 ** 9)|list|length }}",
    "{% set ns = namespace(x='a') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
    "{% set l = ['x'] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
    "{% set ns = namespace(x='aa') %}{% for i in range(40) %}{% set ns.x = ns.x|replace('a', 'aa') %}{% endfor %}",
    "{{ ('a' * 10000)|replace('a', 'a' * 10000)|length }}",
    "{{ 'x'.ljust(10 ** 9) }}",
    "{{ ('\t' * 1000).expandtabs(10 ** 6) }}",
    "{{ '{:>{w}}'.format(1, w=999999999) }}",
    "{% set ns = namespace(x='ab') %}{% for i in range(10000) %}{% set ns.x = ns.x + ns.x[:10000] %}{% endfor %}",
]

# Attempts to leave the sandbox: each is refused as a template failure, never run.
ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ ''['__class__'] }}",
    "{{ '{0.__class__.__mro__}'.format('') }}",
]


def _report(templates: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["report", str(GOOD), "--templates", str(templates), "--format", "md"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize("body", RUNAWAYS, ids=range(len(RUNAWAYS)))
def test_a_runaway_template_is_stopped_at_its_line(tmp_path: Path, body: str) -> None:
    (tmp_path / "report.md.j2").write_text(f"line one\n{body}\n", encoding="utf-8")
    code, said = _report(tmp_path)
    assert code == 1, said
    assert f"{tmp_path / 'report.md.j2'}:2:1: MQ404" in said, said


@pytest.mark.parametrize("body", ESCAPES, ids=range(len(ESCAPES)))
def test_a_template_reaching_for_python_internals_fails_located(tmp_path: Path, body: str) -> None:
    (tmp_path / "report.md.j2").write_text(body, encoding="utf-8")
    code, said = _report(tmp_path)
    assert code == 1, said
    assert f"{tmp_path / 'report.md.j2'}:1:1: MQ403" in said, said


def test_the_bundled_reports_stay_within_the_budget(tmp_path: Path) -> None:
    """The limits are far above what a real report spends: every bundled format still renders."""
    for fmt in ("terminal", "md", "html"):
        result = runner.invoke(app, ["report", str(GOOD), "--format", fmt])
        assert result.exit_code == 0, result.output


def _not_a_file(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="named pipes and devices as POSIX has them")
@pytest.mark.parametrize(("kind", "said"), [("fifo", "MQ006"), ("folder", "MQ001"), ("device", "MQ006")])
@pytest.mark.parametrize("included", [False, True], ids=["override", "included"])
def test_a_template_that_is_not_a_regular_file_is_refused_not_passed_over(
    tmp_path: Path, kind: str, said: str, included: bool
) -> None:
    """Before, a pipe, a folder or /dev/zero named report.md.j2 was silently passed over for the bundled
    template (or, included, blocked or read for ever)."""
    name = "part.md.j2" if included else "report.md.j2"
    if included:
        (tmp_path / "report.md.j2").write_text('{% include "part.md.j2" %}\n', encoding="utf-8")
    _not_a_file(kind, tmp_path / name)
    code, stderr = _report(tmp_path)
    assert code == 1, stderr
    assert f"{tmp_path / name}: {said}" in stderr, stderr


@pytest.mark.parametrize("name", ["missing.md.j2", "/etc/passwd", "../../../../etc/passwd", "sub/../../x.j2"])
@pytest.mark.parametrize("statement", ["include", "extends", "import"])
def test_a_template_named_by_another_is_looked_for_only_in_the_folders(
    tmp_path: Path, name: str, statement: str
) -> None:
    """The name is the one the template gave, on the line that gave it; before, a missing include was 'the
    template report.md.j2 is missing' and an absolute name a write failure on <stdout> (MQ022)."""
    tail = " as x" if statement == "import" else ""
    (tmp_path / "report.md.j2").write_text(f'first\n{{% {statement} "{name}"{tail} %}}\n', encoding="utf-8")
    code, stderr = _report(tmp_path)
    assert code == 1, stderr
    assert f"{tmp_path / 'report.md.j2'}:2:1: MQ401 error: the template '{name}'" in stderr, stderr
