"""Where the bundled definitions live: inside the installed package, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

BUNDLED = ("questionnaires", "scoring_rules", "report_templates", "examples", "schemas")
DEFAULT_QUESTIONNAIRE = "outsourcing-lifecycle"


def bundled_dir(name: str) -> Path:
    """The wheel carries the folders under maturity/data; an editable install reads them from the checkout."""
    if name not in BUNDLED:
        raise ValueError(f"unknown bundled folder {name!r}")
    packaged = Path(__file__).parent.parent / "data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def bundled_definition_dirs() -> list[Path]:
    return [d for d in (bundled_dir(n) for n in ("questionnaires", "scoring_rules", "report_templates")) if d.is_dir()]


def schema_modeline(kind: str) -> str:
    """The first line that makes editors with the YAML language server check a file of this kind as it is typed:
    the installed package's own schema, so it resolves wherever the file is saved on this machine."""
    return f"# yaml-language-server: $schema={(bundled_dir('schemas') / f'{kind}.schema.json').resolve().as_uri()}\n"


PROBLEM_EXAMPLES = Path(__file__).resolve().parent.parent / "problem_examples"


def problem_example(code: str) -> tuple[list[Path], list[Path]]:
    """A problem code's minimal example: its own files (in a folder named after the code), and the files it is
    checked with (a `# with:` first line, relative to the examples folder)."""
    folder = PROBLEM_EXAMPLES / code
    own = (
        sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))  # .maturity.toml: settings
        if folder.is_dir()
        else []
    )
    companions: list[Path] = []
    for path in own:
        head = path.read_bytes()[:500].decode("utf-8", errors="replace").splitlines()[:1]
        if head and head[0].startswith("# with: "):
            companions += [PROBLEM_EXAMPLES / name for name in head[0].removeprefix("# with: ").split()]
    return own, companions
