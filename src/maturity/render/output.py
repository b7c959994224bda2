"""Problems written out for people and for machines: text, JSON, GitHub annotations, SARIF and JUnit XML."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from maturity import __version__
from maturity.model.problems import CODES, Problem
from maturity.model.vocabulary import plural

FORMATS = ("text", "json", "github", "sarif", "junit")
JSON_FORMAT_VERSION = 1


def summary_line(problems: list[Problem], files: int) -> str:
    errors = sum(p.hidden or 1 for p in problems if p.is_error)  # an MQ009 problem stands for those not listed
    warnings = sum(p.hidden or 1 for p in problems if not p.is_error)
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"


def as_text(problems: list[Problem]) -> str:
    return "".join(f"{p}\n" for p in problems)


def as_json(problems: list[Problem], files: list[str]) -> str:
    body = {
        "format_version": JSON_FORMAT_VERSION,
        "tool": {"name": "maturity", "version": __version__},
        "files": files,
        "summary": {
            "errors": sum(p.hidden or 1 for p in problems if p.is_error),
            "warnings": sum(p.hidden or 1 for p in problems if not p.is_error),
            "files": len(files),
        },
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "code": p.code,
                "severity": p.severity.value,
                "message": p.message,
            }
            for p in problems
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: list[Problem]) -> str:
    """Workflow commands, escaped the way GitHub's toolkit escapes them (data and properties differ)."""
    lines = []
    for p in problems:
        props = [f"file={_gh_property(p.file)}"]
        if p.line:
            props += [f"line={p.line}", f"col={p.column or 1}"]
        props.append(f"title={_gh_property(p.code + ' ' + CODES[p.code][1])}")
        level = "error" if p.is_error else "warning"
        lines.append(f"::{level} {','.join(props)}::{_gh_data(p.code + ' ' + p.message)}\n")
    return "".join(lines)


def as_sarif(problems: list[Problem]) -> str:
    used = sorted({p.code for p in problems})
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": CODES[code][1]},
            "defaultConfiguration": {"level": CODES[code][0].value},
        }
        for code in used
    ]
    results = []
    for p in problems:
        location: dict[str, object] = {"artifactLocation": {"uri": p.file.replace("\\", "/")}}
        if p.line:
            location["region"] = {"startLine": p.line, "startColumn": p.column or 1}
        results.append(
            {
                "ruleId": p.code,
                "ruleIndex": used.index(p.code),
                "level": p.severity.value,
                "message": {"text": p.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    body = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "maturity",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/maturity/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def as_junit(problems: list[Problem], files: list[str]) -> str:
    """One test case per file; its problems are the failures, so CI dashboards show which file broke."""
    by_file: dict[str, list[Problem]] = {f: [] for f in files}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    failures = sum(1 for ps in by_file.values() if any(p.is_error for p in ps))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<testsuite name="maturity validate" tests="{len(by_file)}" failures="{failures}" errors="0">\n',
    ]
    for name, ps in by_file.items():
        out.append(f'  <testcase classname="maturity.validate" name={quoteattr(name)}>\n')
        errors = [p for p in ps if p.is_error]
        if errors:
            text = "".join(f"{p}\n" for p in errors)
            out.append(f"    <failure message={quoteattr(f'{len(errors)} problem(s)')}>{escape(text)}</failure>\n")
        warnings = [p for p in ps if not p.is_error]
        if warnings:
            out.append(f"    <system-out>{escape(''.join(f'{p}' + chr(10) for p in warnings))}</system-out>\n")
        out.append("  </testcase>\n")
    out.append("</testsuite>\n")
    return "".join(out)


def render(problems: list[Problem], files: list[str], fmt: str) -> str:
    if fmt == "json":
        return as_json(problems, files)
    if fmt == "github":
        return as_github(problems)
    if fmt == "sarif":
        return as_sarif(problems)
    if fmt == "junit":
        return as_junit(problems, files)
    return as_text(problems)
