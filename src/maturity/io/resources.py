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
