"""Where the bundled definitions live: inside the installed package, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

BUNDLED = ("questionnaires", "scoring_rules", "report_templates", "examples")
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
