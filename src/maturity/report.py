"""Report templates: the only module that imports jinja2.

Templates, bundled or the user's own, run in jinja2's sandbox with autoescaping for HTML and strict undefined
variables, so a template cannot reach Python internals and a misspelt variable is an error, not a blank.
"""

from __future__ import annotations

from pathlib import Path

from .problems import Problem

# The report formats and the template each is rendered from.
TEMPLATES: dict[str, str] = {"md": "report.md.j2", "html": "report.html.j2"}
MAX_TEMPLATE_BYTES = 1024 * 1024


def _environment(directory: Path):  # type: ignore[no-untyped-def]
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(directory)),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def check_templates(directory: Path, require_all: bool) -> list[Problem]:
    """Every template in the folder must compile; the bundled folder must also hold every report's template."""
    from jinja2 import TemplateSyntaxError

    problems: list[Problem] = []
    if require_all:
        for name in TEMPLATES.values():
            if not (directory / name).is_file():
                problems.append(Problem.make("MQ401", f"the report template '{name}' is missing", str(directory)))
    env = _environment(directory)
    for path in sorted(directory.glob("*.j2")):
        try:
            raw = path.read_bytes()
            if len(raw) > MAX_TEMPLATE_BYTES:
                problems.append(Problem.make("MQ402", "the template is larger than 1 MiB", str(path)))
                continue
            env.parse(raw.decode("utf-8"), name=path.name, filename=str(path))
        except TemplateSyntaxError as exc:
            problems.append(Problem.make("MQ402", f"the template does not compile: {exc.message}", str(path),
                                         exc.lineno or 0, 1))
        except UnicodeDecodeError:
            problems.append(Problem.make("MQ003", "the template is not valid UTF-8", str(path)))
        except OSError as exc:
            problems.append(Problem.make("MQ001", f"cannot read the template: {exc.strerror}", str(path)))
    return problems
