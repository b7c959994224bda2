"""Validating definitions: find the files, load each, pair rules and answers with their questionnaire, check all.

Also the public way to load one definition with every check applied (`load_questionnaire`, `load_rules`,
`load_answers`), which raises `DefinitionError` carrying all the problems found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maturity.checks.answers import check_answers
from maturity.checks.migrations import check_migrations
from maturity.checks.questionnaire import check_questionnaire
from maturity.checks.rules import check_rules
from maturity.io import loader
from maturity.io.files import is_definition_name, not_a_regular_file, walk
from maturity.io.resources import bundled_dir
from maturity.model.definitions import AnswersFile, Questionnaire, RuleCases, Rules
from maturity.model.document import Loaded
from maturity.model.problems import DefinitionError, MaturityError, Problem, capped, has_errors


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def ok(self, strict: bool = False) -> bool:
        return not (self.errors or (strict and self.warnings))


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """Definition files and template folders under the given paths, in a stable order (the walk every command
    uses: `io.files.walk`)."""
    files: list[Path] = []
    template_dirs: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = walk(str(path), problems, accept=lambda name: is_definition_name(name) or name.endswith(".j2"))
            files.extend(Path(f) for f in found if not f.endswith(".j2"))
            template_dirs.extend(dict.fromkeys(Path(f).parent for f in found if f.endswith(".j2")))
        elif path.is_file():
            if path.suffix == ".j2":
                template_dirs.append(path.parent)
            else:
                files.append(path)
        elif path.exists():  # a named pipe, a device or a socket: refused unopened, with the reason
            problems.append(
                not_a_regular_file(str(path), path.stat()) or Problem.make("MQ001", "not a file", str(path))
            )
        else:
            problems.append(Problem.make("MQ001", "no such file or folder", str(path)))
    return list(dict.fromkeys(files)), list(dict.fromkeys(template_dirs)), problems


def validate_paths(paths: Iterable[Path], max_bytes: int | None = None) -> ValidationReport:
    files, template_dirs, problems = discover(paths)
    report = ValidationReport(problems=problems, files=[str(f) for f in files])
    loaded: list[Loaded[Any]] = []
    for path in files:
        try:
            loaded.append(loader.load_file(path, max_bytes=max_bytes))
        except MaturityError as exc:
            report.problems.extend(exc.problems)
    questionnaires = [x for x in loaded if isinstance(x.model, Questionnaire)]
    rules_files = [x for x in loaded if isinstance(x.model, Rules)]
    for q in questionnaires:
        report.problems.extend(check_questionnaire(q))
        if q.model.migrations:
            report.problems.extend(check_migrations(q, _versions_of(q.model.id, questionnaires)))
    _duplicate_definitions(questionnaires, report)
    covered: set[str] = set()
    for r in rules_files:
        found = _find_questionnaire(r.model.questionnaire.id, r.model.questionnaire.version, questionnaires)
        if found is None:
            report.problems.extend(check_rules(r, None))
            report.problems.append(
                r.problem(
                    "MQ311",
                    f"no questionnaire '{r.model.questionnaire.id}' was found beside these rules or among the "
                    "bundled ones; validate them together",
                    ("questionnaire", "id"),
                )
            )
            continue
        covered.add(found.model.id)
        report.problems.extend(check_rules(r, found))
    for q in questionnaires:
        if q.model.id not in covered:
            report.problems.append(
                q.problem(
                    "MQ502",
                    f"no scoring rules for '{q.model.id}' were validated with "
                    "it, so nothing checks that its questions count",
                    ("id",),
                )
            )
    for x in loaded:
        if isinstance(x.model, AnswersFile):
            ref = x.model.questionnaire
            partner = _find_questionnaire(ref.id, ref.version, questionnaires)
            if partner is None:
                report.problems.append(
                    x.problem(
                        "MQ603",
                        f"no questionnaire '{ref.id}' was found to check these answers against",
                        ("questionnaire", "id"),
                    )
                )
            else:
                report.problems.extend(check_answers(x, partner))
        elif isinstance(x.model, RuleCases):
            report.problems.extend(_check_cases(x, rules_files))
    if template_dirs:
        from maturity.render.report import check_templates

        for directory in template_dirs:
            report.problems.extend(check_templates(directory, require_all=directory.name == "report_templates"))
    # at most MAX_PROBLEMS_PER_FILE problems a file (errors first), and one that counts the rest
    by_file: dict[str, list[Problem]] = {}
    for problem in sorted(report.problems, key=lambda p: (p.file, p.line, p.column, p.code)):
        by_file.setdefault(problem.file, []).append(problem)
    report.problems = sorted(
        (kept for found in by_file.values() for kept in capped(found)), key=lambda p: (p.file, p.line, p.column, p.code)
    )
    return report


def _duplicate_definitions(questionnaires: list[Loaded[Questionnaire]], report: ValidationReport) -> None:
    seen: dict[tuple[str, str], str] = {}
    for q in questionnaires:
        key = (q.model.id, q.model.version)
        if key in seen:
            report.problems.append(
                q.problem("MQ201", f"questionnaire '{key[0]}' version {key[1]} is also defined in {seen[key]}", ("id",))
            )
        else:
            seen[key] = q.path


def _find_questionnaire(qid: str, version: str, found: list[Loaded[Questionnaire]]) -> Loaded[Questionnaire] | None:
    """Prefer the exact version among the files validated, then any version there, then the bundled ones."""
    candidates = [q for q in found if q.model.id == qid]
    if not candidates:
        candidates = _bundled_questionnaires(qid)
    exact = [q for q in candidates if q.model.version == version]
    best = exact or candidates
    return best[0] if best else None


def _versions_of(qid: str, found: list[Loaded[Questionnaire]]) -> dict[str, Questionnaire]:
    """Every version of a questionnaire at hand: those validated, then the bundled ones."""
    versions: dict[str, Questionnaire] = {}
    for q in [*found, *_bundled_questionnaires(qid)]:
        if q.model.id == qid:
            versions.setdefault(q.model.version, q.model)
    return versions


def _bundled_questionnaires(qid: str) -> list[Loaded[Questionnaire]]:
    folder = bundled_dir("questionnaires")
    out: list[Loaded[Questionnaire]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            q = loader.load_questionnaire_file(path)
        except MaturityError:
            continue
        if q.model.id == qid:
            out.append(q)
    return out


def _check_cases(cases: Loaded[RuleCases], rules_files: list[Loaded[Rules]]) -> list[Problem]:
    problems: list[Problem] = []
    if not any(r.model.id == cases.model.rules for r in rules_files):
        problems.append(
            cases.problem(
                "MQ311", f"no scoring rules '{cases.model.rules}' were validated with these cases", ("rules",)
            )
        )
    base = Path(cases.path).parent
    for i, case in enumerate(cases.model.cases):
        if not (base / case.answers).is_file():
            problems.append(
                cases.problem("MQ001", f"case '{case.name}': no answers file '{case.answers}'", ("cases", i, "answers"))
            )
    return problems


# ------------------------------------------------------------------------------------------------ public API


def _raise_on_errors(problems: list[Problem]) -> None:
    if has_errors(problems):
        raise DefinitionError([p for p in problems if p.is_error])


def load_questionnaire(path: str | Path, max_bytes: int | None = None) -> Loaded[Questionnaire]:
    """Load a questionnaire and check it; raises DefinitionError listing every error."""
    loaded = loader.load_questionnaire_file(path, max_bytes)
    _raise_on_errors(check_questionnaire(loaded))
    return loaded


def load_rules(path: str | Path, questionnaire: Loaded[Questionnaire], max_bytes: int | None = None) -> Loaded[Rules]:
    loaded = loader.load_rules_file(path, max_bytes)
    _raise_on_errors(check_rules(loaded, questionnaire))
    return loaded


def load_answers(
    path: str | Path, questionnaire: Loaded[Questionnaire], max_bytes: int | None = None
) -> Loaded[AnswersFile]:
    loaded = loader.load_answers_file(path, max_bytes)
    _raise_on_errors(check_answers(loaded, questionnaire))
    return loaded


def find_rules(questionnaire: Loaded[Questionnaire], folders: Iterable[Path] = ()) -> Loaded[Rules]:
    """The scoring rules for a questionnaire: from the given folders, else the bundled ones."""
    q = questionnaire.model
    for folder in [*folders, bundled_dir("scoring_rules")]:
        for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
            try:
                candidate = loader.load_rules_file(path)
            except MaturityError:
                continue
            ref = candidate.model.questionnaire
            if ref.id == q.id and ref.version == q.version:
                _raise_on_errors(check_rules(candidate, questionnaire))
                return candidate
    raise DefinitionError(
        Problem.make("MQ311", f"no scoring rules for questionnaire '{q.id}' version {q.version}", questionnaire.path)
    )
