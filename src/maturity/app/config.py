"""Project configuration: `[tool.maturity]` in pyproject.toml, or a `.maturity.toml`, found as ruff finds its own.

The nearest folder (the current one, then each one above it) holding a `.maturity.toml`, or a `pyproject.toml`
with a `[tool.maturity]` table, gives the settings; `--config FILE` names one instead. Options on the command
line win over the file. Settings travel as parameters from here to the loader and the checks, never through the
environment, so worker processes and library callers see the same values.

    [tool.maturity]
    select = ["MQ1", "MQ2", "MQ601"]    # codes or prefixes to report (default: all)
    ignore = ["MQ501"]                  # codes or prefixes never to report
    strict = true                       # warnings fail the run
    max-file-size = 1048576             # bytes
    definitions = ["defs/"]             # folders of questionnaires and rules (relative to this file)
    format = "github"                   # validate's default output format

A problem can also be silenced on its own line with a comment: `id: demo  # maturity: disable=MQ502`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from maturity.io.files import read_bytes
from maturity.io.loader import max_bytes_default, read_text
from maturity.model.problems import CODES, DefinitionError, Problem, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAMES = (".maturity.toml", "pyproject.toml")
FORMATS = ("auto", "text", "json", "github", "sarif", "junit")
_KEYS = ("select", "ignore", "strict", "max-file-size", "definitions", "format")
_CODE_PREFIX = re.compile(r"^MQ[0-9]{0,3}$")
DISABLE_COMMENT = re.compile(r"#\s*maturity:\s*disable=([A-Za-z0-9, ]+)")


@dataclass(frozen=True)
class Config:
    """The settings of one run. Empty `select` means every code."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    max_file_size: int | None = None
    definitions: tuple[Path, ...] = ()
    format: str | None = None
    source: Path | None = field(default=None, compare=False)  # the file the settings came from

    def reports(self, code: str) -> bool:
        """Whether a problem with this code is reported: selected (by code or prefix) and not ignored."""
        selected = not self.select or any(code.startswith(p) for p in self.select)
        return selected and not any(code.startswith(p) for p in self.ignore)

    def with_options(self, **options: Any) -> Config:
        """These settings with the options given on the command line (those not None) put over them."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def find_config(start: Path | None = None) -> Path | None:
    """The nearest configuration file from `start` (default: the current folder) upwards."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        dotfile = candidate / ".maturity.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_our_table(pyproject):
            return pyproject
    return None


def _has_our_table(pyproject: Path) -> bool:
    try:
        return "maturity" in _read_toml(pyproject).get("tool", {})
    except UsageError:
        return False  # someone else's broken pyproject.toml is not our configuration


MAX_CONFIG_BYTES = 1024 * 1024  # a configuration is a few lines; /dev/zero or a huge file is not one


def _read_toml(path: Path) -> dict[str, Any]:
    """The configuration's table, read as every input is (a named pipe or a device is refused, not waited on
    or read for ever); a fault is a usage error, since the command cannot start without its settings."""
    try:
        data: dict[str, Any] = tomllib.loads(read_text(path, MAX_CONFIG_BYTES)[0])
        return data
    except DefinitionError as exc:
        raise UsageError(exc.problems) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(Problem.make("MQ010", f"TOML syntax error: {exc}", str(path))) from None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """The settings in `path`, or in the nearest configuration file; the defaults when there is none.

    Raises UsageError for a file that cannot be read or holds a setting that is not one of ours.
    """
    found = path if path is not None else find_config(start)
    if found is None:
        return Config()
    data = _read_toml(found)
    table = data.get("tool", {}).get("maturity", {}) if found.name == "pyproject.toml" else data
    if found.name == "pyproject.toml" and path is not None and "maturity" not in data.get("tool", {}):
        raise UsageError(Problem.make("MQ102", "this pyproject.toml has no [tool.maturity] table", str(found)))
    if not isinstance(table, dict):
        raise UsageError(Problem.make("MQ103", "[tool.maturity] must be a table", str(found)))
    return _parse(table, found)


def _parse(table: dict[str, Any], source: Path) -> Config:
    name = str(source)
    for key in table:
        if key not in _KEYS:
            hint = get_close_matches(key.replace("_", "-"), _KEYS, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else f"; the settings are: {', '.join(_KEYS)}"
            raise UsageError(Problem.make("MQ101", f"unknown setting '{key}'{tip}", name))

    def codes(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(Problem.make("MQ103", f"'{key}' must be a list of codes such as [\"MQ501\"]", name))
        return parse_codes(value, f"'{key}' in {name}")

    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise UsageError(Problem.make("MQ103", "'strict' must be true or false", name))
    size = table.get("max-file-size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise UsageError(Problem.make("MQ104", "'max-file-size' must be a whole number of bytes, at least 1", name))
    folders = table.get("definitions", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise UsageError(Problem.make("MQ103", "'definitions' must be a list of folders", name))
    fmt = table.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(Problem.make("MQ104", f"'format' must be one of {', '.join(FORMATS)}, not {fmt!r}", name))
    return Config(
        select=codes("select"),
        ignore=codes("ignore"),
        strict=strict,
        max_file_size=size,
        definitions=tuple(source.parent / f for f in folders),
        format=fmt,
        source=source,
    )


def parse_codes(values: Iterable[str], where: str) -> tuple[str, ...]:
    """Codes or code prefixes (MQ5 is every MQ5xx), comma-separated or listed; UsageError for one that is not."""
    out: list[str] = []
    for value in values:
        for part in (p.strip().upper() for p in value.split(",")):
            if not part:
                continue
            if not _CODE_PREFIX.match(part) or (len(part) == 5 and part not in CODES):
                raise UsageError(
                    Problem.make("MQ104", f"{where}: {part!r} is not a problem code or prefix (MQ5, MQ501)")
                )
            out.append(part)
    return tuple(out)


def disabled_on(line: str) -> frozenset[str]:
    """The codes a `# maturity: disable=CODE[,CODE]` comment on this line turns off."""
    found = DISABLE_COMMENT.search(line)
    if found is None:
        return frozenset()
    return frozenset(c.strip().upper() for c in found.group(1).split(",") if c.strip())


def without_disabled(problems: list[Problem], texts: Mapping[str, str] | None = None) -> list[Problem]:
    """The problems less those silenced by a disable comment on their own line.

    Only the files with a located problem are read again, and each once; `texts` holds the files already read
    (standard input) by name.
    """
    known = texts or {}
    lines: dict[str, list[str] | None] = {}
    kept = []
    for problem in problems:
        if problem.file and problem.line:
            if problem.file not in lines:
                text = known[problem.file] if problem.file in known else _read_quietly(problem.file)
                lines[problem.file] = text.splitlines() if text is not None else None
            file_lines = lines[problem.file]
            if (
                file_lines is not None
                and problem.line <= len(file_lines)
                and problem.code in disabled_on(file_lines[problem.line - 1])
            ):
                continue
        kept.append(problem)
    return kept


def _read_quietly(name: str) -> str | None:
    try:
        return read_bytes(name, max_bytes_default()).decode("utf-8", errors="replace")
    except DefinitionError:
        return None


def filter_problems(
    problems: list[Problem], config: Config, warnings: bool = True, texts: Mapping[str, str] | None = None
) -> list[Problem]:
    """What a run reports: the selected codes, less the ignored ones, less those disabled on their line, less the
    warnings when `warnings` is False."""
    chosen = [p for p in problems if config.reports(p.code) and (warnings or p.is_error)]
    return without_disabled(chosen, texts)
