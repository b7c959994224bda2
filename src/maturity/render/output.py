"""Problems written out for people and for machines: text, JSON, GitHub annotations, SARIF and JUnit XML.

Each machine format is written for the program that reads it and is checked in the tests by that program's own
validator: the OASIS SARIF 2.1.0 schema with its formats, two published JUnit XSDs, and our own JSON Schema of
the JSON format (`maturity schema validate_output`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from maturity.model.problems import CODES, Problem
from maturity.model.text import one_line
from maturity.model.version import __version__
from maturity.model.vocabulary import plural

FORMATS = ("text", "json", "github", "sarif", "junit")
JSON_FORMAT_VERSION = 2
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "SRCROOT"


@dataclass(frozen=True)
class Run:
    """What a report says about the run besides its problems: whether it failed, when and how long it took."""

    strict: bool = False
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    seconds: float = 0.0
    root: Path | None = None  # relative paths in SARIF are relative to this (default: the current folder)

    def fails(self, problem: Problem) -> bool:
        """Whether this problem fails the run: every error, and with --strict every warning too."""
        return problem.is_error or self.strict

    def ok(self, problems: Iterable[Problem]) -> bool:
        return not any(self.fails(p) for p in problems)


def summary_line(problems: list[Problem], files: int) -> str:
    errors = sum(p.hidden or 1 for p in problems if p.is_error)  # an MQ009 problem stands for those not listed
    warnings = sum(p.hidden or 1 for p in problems if not p.is_error)
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"


def as_text(problems: list[Problem]) -> str:
    return "".join(f"{p}\n" for p in problems)


def as_json(problems: list[Problem], files: list[str], run: Run | None = None) -> str:
    """The JSON format, described by `maturity schema validate_output` (render.schema.VALIDATE_OUTPUT)."""
    run = run or Run()
    body = {
        "format_version": JSON_FORMAT_VERSION,
        "tool": {"name": "maturity", "version": __version__},
        "ok": run.ok(problems),
        "strict": run.strict,
        "files": files,
        "summary": {
            "errors": sum(p.hidden or 1 for p in problems if p.is_error),
            "warnings": sum(p.hidden or 1 for p in problems if not p.is_error),
            "files": len(files),
            "files_with_problems": len({p.file for p in problems}),
        },
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "code": p.code,
                "severity": p.severity.value,
                "title": CODES[p.code][1],
                "message": p.message,
            }
            for p in problems
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------------------ GitHub


def _gh_data(text: str) -> str:
    return one_line(text).replace("%", "%25")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: list[Problem]) -> str:
    """Workflow commands, one group per file so a long log folds; escaped the way GitHub's toolkit escapes them
    (data and properties differ), with control characters removed so a file cannot inject a command."""
    lines: list[str] = []
    current: str | None = None
    for p in problems:
        if p.file != current:
            if current is not None:
                lines.append("::endgroup::\n")
            current = p.file
            lines.append(f"::group::{_gh_data(p.file or '<input>')}\n")
        props = [f"file={_gh_property(p.file)}"] if p.file else []
        if p.line:
            props += [f"line={p.line}", f"col={p.column or 1}"]
        props.append(f"title={_gh_property(p.code + ' ' + CODES[p.code][1])}")
        lines.append(f"::{p.severity.value} {','.join(props)}::{_gh_data(p.code + ' ' + p.message)}\n")
    if current is not None:
        lines.append("::endgroup::\n")
    return "".join(lines)


# ------------------------------------------------------------------------------------------------------- SARIF


def project_url() -> str | None:
    """The project's home page from the installed package's metadata, or None when it names none."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata("maturity")
    except PackageNotFoundError:
        return None
    for entry in map(str, meta.get_all("Project-URL") or []):
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository") and url.strip():
            return url.strip()
    home = str(meta["Home-page"] or "") if "Home-page" in meta else ""
    return home.strip() if home.strip().lower() not in ("", "unknown") else None


def rule_name(code: str) -> str:
    """A rule's name for SARIF readers: its title in PascalCase (MQ101 'unknown key' is UnknownKey)."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", CODES[code][1]))


def _rule(code: str) -> dict[str, object]:
    severity, title, explanation = CODES[code]
    return {
        "id": code,
        "name": rule_name(code),
        "shortDescription": {"text": title[:1].upper() + title[1:]},
        "fullDescription": {"text": explanation},
        "help": {
            "text": f"{code} {title}: {explanation}",
            "markdown": f"**{code}** {title}\n\n{explanation}\n\n"
            f"Problems are listed by `maturity validate`; see `maturity validate --help`.",
        },
        "defaultConfiguration": {"level": severity.value},
        "properties": {"tags": ["maturity", f"{code[:3]}xx"], "precision": "very-high"},
    }


def artifact_location(file: str, root: Path) -> dict[str, str]:
    """A file as SARIF wants it: a relative, percent-encoded URI under %SRCROOT% when it lies below `root`,
    else an absolute file: URI."""
    absolute = Path(os.path.abspath(file))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def as_sarif(problems: list[Problem], run: Run | None = None) -> str:
    """SARIF 2.1.0 as GitHub code scanning reads it: each rule with a name, descriptions and help from the
    problem registry, each result located by a URI relative to %SRCROOT%."""
    run = run or Run()
    root = Path(os.path.abspath(run.root or Path.cwd()))
    used = sorted({p.code for p in problems})
    results = []
    for p in problems:
        result: dict[str, object] = {
            "ruleId": p.code,
            "ruleIndex": used.index(p.code),
            "level": p.severity.value,
            "message": {"text": p.message},
        }
        if p.file:
            location: dict[str, object] = {"artifactLocation": artifact_location(p.file, root)}
            if p.line:
                location["region"] = {"startLine": p.line, "startColumn": p.column or 1}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    driver: dict[str, object] = {"name": "maturity", "version": __version__, "semanticVersion": __version__}
    url = project_url()
    if url:
        driver["informationUri"] = url
    driver["rules"] = [_rule(code) for code in used]
    body = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------------------- JUnit


def _hostname() -> str:
    return one_line(socket.gethostname()).strip() or "localhost"


def as_junit(problems: list[Problem], files: list[str], run: Run | None = None) -> str:
    """One test case per file; a file fails when it has a problem that fails the run (errors, and warnings with
    --strict), so the report and the exit code always agree. The Ant JUnit layout, which both Jenkins' and the
    Ant schema accept: properties, test cases, then the suite's output (problems that do not fail the run)."""
    run = run or Run()
    by_file: dict[str, list[Problem]] = {f: [] for f in files}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    failing = {name: [p for p in ps if run.fails(p)] for name, ps in by_file.items()}
    timestamp = run.started.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<testsuite name="maturity validate" tests="{len(by_file)}" '
        f'failures="{sum(1 for ps in failing.values() if ps)}" errors="0" skipped="0" '
        f'time="{run.seconds:.3f}" timestamp="{timestamp}" hostname={quoteattr(_hostname())}>\n',
        "  <properties>\n",
        f'    <property name="maturity.version" value={quoteattr(__version__)}/>\n',
        f'    <property name="strict" value="{str(run.strict).lower()}"/>\n',
        "  </properties>\n",
    ]
    for name in by_file:
        attrs = f'classname="maturity.validate" name={quoteattr(one_line(name) or "<input>")} time="0"'
        failures = failing[name]
        if not failures:
            out.append(f"  <testcase {attrs}/>\n")
            continue
        codes = " ".join(dict.fromkeys(p.code for p in failures))
        first = one_line(failures[0].message)
        message = first if len(failures) == 1 else f"{first} (and {len(failures) - 1} more)"
        text = "".join(f"{p}\n" for p in failures)
        out.append(f"  <testcase {attrs}>\n")
        out.append(f"    <failure type={quoteattr(codes)} message={quoteattr(message)}>{escape(text)}</failure>\n")
        out.append("  </testcase>\n")
    passing = [p for p in problems if not run.fails(p)]
    out.append(f"  <system-out>{escape(as_text(passing))}</system-out>\n")
    out.append("  <system-err></system-err>\n")
    out.append("</testsuite>\n")
    return "".join(out)


def explanation(code: str, example: list[tuple[str, str]], companions: Sequence[str] = ()) -> str:
    """`maturity validate --explain CODE`: the registry's entry, then the files of its minimal example."""
    severity, title, text = CODES[code]
    out = [f"{code} {severity.value}: {title}", "", *textwrap.wrap(text, 100)]
    if example:
        out += ["", "A minimal example that raises it:"]
        for name, body in example:
            out += ["", f"--- {name}", one_line_ends(body).rstrip()]
    if companions:
        out += ["", f"(checked with {', '.join(companions)}, beside the examples)"]
    return "\n".join(out) + "\n"


def one_line_ends(text: str) -> str:
    """A file's text as it can be shown in a terminal: control characters other than line breaks removed."""
    return "\n".join(one_line(line) for line in text.splitlines())


def codes_table() -> str:
    """The table of every code, as the README shows it (a test keeps the two the same)."""
    rows = ["| code | severity | what it means |", "|---|---|---|"]
    rows += [f"| {code} | {entry.severity.value} | {entry.title} |" for code, entry in CODES.items()]
    return "\n".join(rows) + "\n"


def render(problems: list[Problem], files: list[str], fmt: str, run: Run | None = None) -> str:
    if fmt == "json":
        return as_json(problems, files, run)
    if fmt == "github":
        return as_github(problems)
    if fmt == "sarif":
        return as_sarif(problems, run)
    if fmt == "junit":
        return as_junit(problems, files, run)
    return as_text(problems)
