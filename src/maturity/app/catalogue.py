"""Finding the questionnaire and rules an answers file was given against.

An answers file names its questionnaire's id and version; the catalogue finds them among the folders a user
gave and the bundled definitions, loads each pair once, and refuses a version it does not have rather than
scoring answers against the wrong questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from maturity.checks.index import Index, index_questionnaire
from maturity.checks.questionnaire import check_questionnaire
from maturity.checks.rules import check_rules
from maturity.checks.validation import version_key as version_key  # its home is checks (a lower layer)
from maturity.io import loader
from maturity.io.files import walk
from maturity.io.resources import bundled_dir
from maturity.model.definitions import Questionnaire, Rules
from maturity.model.document import Document, Loaded
from maturity.model.problems import DefinitionError, MaturityError, Problem, Severity


@dataclass
class Definitions:
    """A questionnaire with the rules that score it, checked together, and the index used to check answers."""

    questionnaire: Loaded[Questionnaire]
    rules: Loaded[Rules]
    index: Index


@dataclass
class Catalogue:
    """Questionnaires and rules found in some folders (user folders first, then the bundled ones)."""

    folders: list[Path] = field(default_factory=list)
    _questionnaires: dict[tuple[str, str], Path] = field(default_factory=dict)
    _rules: dict[tuple[str, str], Path] = field(default_factory=dict)
    _rules_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    _documents: dict[Path, Document] = field(default_factory=dict)  # parsed once, when registered
    _loaded: dict[tuple[str, str], Definitions] = field(default_factory=dict)
    # what the caller should hear about the folders: one missing (an error), a file there that cannot be read,
    # or a definition that hides another of the same id and version (warnings)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def from_folders(cls, folders: Iterable[Path] = (), bundled: bool = True) -> Catalogue:
        given = [*folders]
        chosen = [*given, *([bundled_dir("questionnaires"), bundled_dir("scoring_rules")] if bundled else [])]
        catalogue = cls(chosen)
        for number, folder in enumerate(chosen):
            mine = number < len(given)
            if mine and not folder.exists():
                catalogue.problems.append(
                    Problem.make("MQ001", "no such file or folder (given with --definitions)", str(folder))
                )
            found: list[Problem] = []
            paths = walk(str(folder), found) if folder.is_dir() else [str(folder)] if folder.exists() else []
            if mine:
                catalogue.problems.extend(_as_warning(p, "") for p in found)
            for path in paths:
                catalogue._register(Path(path), warn=mine)
        return catalogue

    def _register(self, path: Path, warn: bool) -> None:
        try:
            document = loader.read_document(path)
        except MaturityError as exc:
            # `maturity validate` reports broken definitions in full; here they are not candidates, but a user
            # who pointed at them should know why their questionnaire is "not found"
            if warn:
                self.problems.extend(_as_warning(p, "skipped: ") for p in exc.problems)
            return
        data = document.data
        kind = data.get("kind")
        if kind in ("questionnaire", "scoring_rules"):
            self._documents[path] = document
        if kind == "questionnaire":
            self._add(self._questionnaires, (str(data.get("id")), str(data.get("version"))), path, "questionnaire")
        elif kind == "scoring_rules" and isinstance(data.get("questionnaire"), dict):
            ref = data["questionnaire"]
            key = (str(ref.get("id")), str(ref.get("version")))
            self._add(self._rules, key, path, "scoring rules for questionnaire")
            self._rules_ids.setdefault(str(data.get("id")), key)

    def _add(self, found: dict[tuple[str, str], Path], key: tuple[str, str], path: Path, what: str) -> None:
        """The first definition of an id and version wins (folders given first, then the bundled ones); one that
        hides another with different contents is a warning, as the two would score differently."""
        first = found.setdefault(key, path)
        if first != path and self._documents[first].digest != self._documents[path].digest:
            self.problems.append(
                Problem.make(
                    "MQ503",
                    f"{what} '{key[0]}' version {key[1]} is also in {first}, which is used instead (folders "
                    "given with --definitions come first, in order)",
                    str(path),
                )
            )

    def files(self) -> list[Path]:
        """Every questionnaire and rules file found, so that a command's outputs can be checked against them."""
        return list(self._documents)

    def for_rules(self, rules_id: str) -> Definitions:
        """The definitions whose scoring rules have this id (rule cases name their rules this way)."""
        key = self._rules_ids.get(rules_id)
        if key is None:
            raise DefinitionError(Problem.make("MQ311", f"no scoring rules with id '{rules_id}' were found"))
        return self.get(*key)

    def preload(self) -> None:
        """Load, check and plan every pair now, so that forked worker processes inherit them ready to use."""
        from maturity.engine.scoring import plan_for

        for key in self.questionnaires():
            try:
                found = self.get(*key)
            except MaturityError:
                continue  # reported to whoever asks for this pair
            plan_for(found.questionnaire.model, found.rules.model)

    def questionnaires(self) -> list[tuple[str, str]]:
        return sorted(self._questionnaires)

    def versions(self, questionnaire_id: str) -> dict[str, Questionnaire]:
        """Every version of a questionnaire that loads and checks cleanly, scorable or not (for migrations)."""
        found: dict[str, Questionnaire] = {}
        for (qid, version), path in self._questionnaires.items():
            if qid != questionnaire_id:
                continue
            try:
                loaded = loader.load_document(self._documents[path], "questionnaire")
            except MaturityError:
                continue
            if not any(p.is_error for p in check_questionnaire(loaded)):
                found[version] = loaded.model
        return found

    def migration_target(self, questionnaire_id: str, version: str) -> str | None:
        """The newest version with scoring rules that a declared chain of migrations reaches from `version`."""
        from maturity.engine.migrate import chain

        versions = self.versions(questionnaire_id)
        if version not in versions:
            return None
        scorable = [v for (qid, v) in self._rules if qid == questionnaire_id and v in versions and v != version]
        for target in sorted(scorable, key=version_key, reverse=True):
            try:
                chain(versions, version, target)
            except MaturityError:
                continue
            return target
        return None

    def get(self, questionnaire_id: str, version: str) -> Definitions:
        """The checked questionnaire and rules for this id and version; DefinitionError when missing or broken."""
        key = (questionnaire_id, version)
        if key in self._loaded:
            return self._loaded[key]
        qpath = self._questionnaires.get(key)
        if qpath is None:
            known = sorted(v for (i, v) in self._questionnaires if i == questionnaire_id)
            hint = f"; versions available: {', '.join(known)}" if known else "; give its folder with --definitions"
            raise DefinitionError(
                Problem.make("MQ603", f"questionnaire '{questionnaire_id}' version {version} was not found{hint}")
            )
        rpath = self._rules.get(key)
        if rpath is None:
            raise DefinitionError(
                Problem.make(
                    "MQ311", f"no scoring rules for questionnaire '{questionnaire_id}' version {version}", str(qpath)
                )
            )
        questionnaire = loader.load_document(self._documents[qpath], "questionnaire")
        rules = loader.load_document(self._documents[rpath], "scoring_rules")
        problems = [*check_questionnaire(questionnaire), *check_rules(rules, questionnaire)]
        errors = [p for p in problems if p.is_error]
        if errors:
            raise DefinitionError(errors)
        definitions = Definitions(questionnaire, rules, index_questionnaire(questionnaire.model))
        self._loaded[key] = definitions
        return definitions


def _as_warning(problem: Problem, prefix: str) -> Problem:
    return Problem(problem.file, problem.line, problem.column, problem.code, prefix + problem.message, Severity.WARNING)
