"""`maturity migrate`: carry an answers file forward to a newer version of its questionnaire, as a new file.

The migration itself is pure (`engine.migrate`); this module finds the versions, names the new file and writes
the YAML, with a comment at the top saying what the person still has to do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from maturity.app.catalogue import Catalogue, version_key
from maturity.engine.interview import answers_data
from maturity.engine.migrate import Migrated, migrate_through
from maturity.io import loader
from maturity.model.problems import DefinitionError, Problem


def migrate_file(path: Path, catalogue: Catalogue, to_version: str | None = None) -> tuple[Migrated, str]:
    """The carried-forward answers and the text of the new file. Raises MaturityError with located problems."""
    answers = loader.load_answers_file(path)
    ref = answers.model.questionnaire
    versions = catalogue.versions(ref.id)
    if not versions:
        raise DefinitionError(
            answers.problem("MQ603", f"no questionnaire '{ref.id}' was found", ("questionnaire", "id"))
        )
    target = to_version or catalogue.migration_target(ref.id, ref.version) or max(versions, key=version_key)
    if target not in versions:
        known = ", ".join(sorted(versions, key=version_key))
        raise DefinitionError(Problem.make("MQ604", f"there is no version {target} of '{ref.id}' (versions: {known})"))
    if target == ref.version:
        raise DefinitionError(
            answers.problem(
                "MQ604",
                f"these answers are already for version {target}, the newest available: nothing to migrate",
                ("questionnaire", "version"),
            )
        )
    moved = migrate_through(answers.model, versions, target)
    return moved, _file_text(moved)


def default_output(path: Path, version: str) -> Path:
    """`x.answers.yaml` -> `x-2.0.0.answers.yaml` beside it (`x.json` -> `x-2.0.0.json` is written as YAML too)."""
    name = path.name
    for ending in (".answers.yaml", ".answers.yml", ".yaml", ".yml", ".answers.json", ".json"):
        if name.endswith(ending):
            stem = name[: -len(ending)]
            return path.with_name(f"{stem}-{version}{'.answers' if 'answers' in ending else ''}.yaml")
    return path.with_name(f"{name}-{version}.answers.yaml")


def _file_text(moved: Migrated) -> str:
    lines = [
        f"# Carried forward from version {moved.from_version} to {moved.to_version} by `maturity migrate` on "
        f"{dt.date.today().isoformat()}.",
    ]
    if moved.needs_answer:
        lines.append("# Needs an answer (run `maturity assess --resume` on this file to answer them):")
        lines += [f"#   {qid}: {_flat(why)}" for qid, why in moved.needs_answer]
    if moved.review:
        lines.append("# Carried over, but worth a fresh look (`maturity assess --resume FILE --review`):")
        lines += [f"#   {qid}: {_flat(why)}" for qid, why in moved.review]
    if moved.dropped:
        lines.append("# Removed questions: their answers are kept in the assessment notes.")
    return "\n".join(lines) + "\n" + loader.dump_yaml(answers_data(moved.answers))


def _flat(text: str) -> str:
    """One line of a YAML comment: a line break in an author's note would end the comment."""
    return " ".join(text.split())
