"""Validating definitions: find the files, load each, pair rules and answers with their questionnaire, check all.

Also the public way to load one definition with every check applied (`load_questionnaire`, `load_rules`,
`load_answers`), which raises `DefinitionError` carrying all the problems found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from maturity.checks.answers import check_answers
from maturity.checks.migrations import check_migrations
from maturity.checks.questionnaire import check_questionnaire
from maturity.checks.rules import check_rules
from maturity.io import loader
from maturity.io.files import declared_kind, is_definition_name, not_a_regular_file, read_head, walk
from maturity.io.resources import bundled_dir
from maturity.model.definitions import ID_PATTERN, AnswersFile, Questionnaire, RuleCases, Rules
from maturity.model.document import Loaded
from maturity.model.problems import DefinitionError, MaturityError, Problem, capped, has_errors

# Compiles a folder of report templates (the second argument: whether every bundled template must be there) and
# gives its problems; the rendering layer's `check_templates`, passed in, since only rendering imports jinja2.
TemplateCheck = Callable[[Path, bool], list[Problem]]


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # named files that are not maturity files (skip_other)

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


def _definition_files_under(folder: Path, recursive: bool = True) -> list[Path]:
    """YAML and JSON files in a folder (and below it, when `recursive`), found by the one file walk."""
    if recursive:
        return [Path(f) for f in walk(str(folder), [])]
    return sorted(
        p for p in folder.glob("*") if is_definition_name(p.name) and not p.name.startswith(".") and p.is_file()
    )


# The folders definitions conventionally live in; a file in one is ours whatever it holds.
DEFINITION_FOLDERS = frozenset({"questionnaires", "scoring_rules", "report_templates", "examples", "cases"})


def is_maturity_file(path: Path, folders: Iterable[Path] = ()) -> bool:
    """Whether a file named on the command line is one of ours: it says a kind of ours, or it sits in a
    definitions folder (conventional or configured), or it is a report template. Used to pass over the other
    YAML files a pre-commit hook hands over, while a broken file of ours is still checked."""
    absolute = path.resolve()
    if any(part in DEFINITION_FOLDERS for part in path.parent.parts):
        return True
    if any(_is_within(absolute, folder.resolve()) for folder in folders):
        return True
    if path.suffix == ".j2":
        return path.name.startswith(("report.", "compare."))
    if not path.is_file():
        return True  # missing, a pipe or a device: let the loader say why it is not read
    return declared_kind(path) is not None


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


@dataclass
class _Source:
    """Where the definitions come from: files on disk, or text already read (standard input) under a name."""

    max_bytes: int | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    cache: dict[str, Loaded[Any] | list[Problem]] = field(default_factory=dict)

    def load(self, name: str) -> Loaded[Any] | list[Problem]:
        if name not in self.cache:
            try:
                if name in self.texts:
                    text = self.texts[name]
                    document = loader.parse_text(text, name, loader.digest_of(text))
                    self.cache[name] = loader.load_document(document)
                else:
                    self.cache[name] = loader.load_file(name, max_bytes=self.max_bytes)
            except MaturityError as exc:
                self.cache[name] = list(exc.problems)
        return self.cache[name]


def related_folders(named: Iterable[Path], context: Iterable[Path] = ()) -> list[Path]:
    """Where the related definitions of named files are looked for: each file's own folder, the conventional
    questionnaires/ and scoring_rules/ beside it (or above it, for scoring_rules/cases/), and the configured
    definitions folders."""
    out: list[Path] = [*context]
    for path in named:
        folder = path.parent
        out.append(folder)
        for base in (folder.parent, folder.parent.parent):
            out.extend(base / name for name in ("questionnaires", "scoring_rules"))
    seen: set[Path] = set()
    unique = []
    for folder in out:
        key = folder.resolve()
        if key not in seen and folder.is_dir():
            seen.add(key)
            unique.append(folder)
    return unique


_DEFINITION_KIND = re.compile(
    r"""^[ \t{]*["']?kind["']?[ \t]*:[ \t]*["']?(questionnaire|scoring_rules)\b""", re.MULTILINE
)


def _related(named: list[str], source: _Source, context: Iterable[Path]) -> list[str]:
    """The questionnaires and rules the named files need to be checked in full, found beside them: an answers
    file's questionnaire, a questionnaire's rules, rules' questionnaire, rule cases' rules; and so on until
    nothing more is needed."""
    candidates: list[Path] = []
    # standard input is looked up by the name it was given (--stdin-filename), as if the file were there
    for folder in related_folders([Path(n) for n in named], context):
        shallow = folder.name not in DEFINITION_FOLDERS  # a project's top folder is not searched all the way down
        for path in _definition_files_under(folder, recursive=not shallow):
            head = read_head(path, 64 * 1024).decode("utf-8", errors="replace")  # never a whole file, or a pipe
            if _DEFINITION_KIND.search(head):
                candidates.append(path)
    chosen = set(named)
    added: list[str] = []
    changed = True
    while changed:
        changed = False
        wanted_q, wanted_r, wanted_ids = set(), set(), set()
        for name in [*named, *added]:
            found = source.load(name)
            if isinstance(found, list):
                continue
            model = found.model
            if isinstance(model, (AnswersFile, Rules)):
                wanted_q.add((model.questionnaire.id, model.questionnaire.version))
            elif isinstance(model, Questionnaire):
                wanted_r.add((model.id, model.version))
            elif isinstance(model, RuleCases):
                wanted_ids.add(model.rules)
        for path in candidates:
            name = str(path)
            if name in chosen or any(
                Path(name).resolve() == Path(c).resolve() for c in chosen if c not in source.texts
            ):
                continue
            found = source.load(name)
            if isinstance(found, list):
                continue
            model = found.model
            fits = (isinstance(model, Questionnaire) and (model.id, model.version) in wanted_q) or (
                isinstance(model, Rules)
                and ((model.questionnaire.id, model.questionnaire.version) in wanted_r or model.id in wanted_ids)
            )
            if fits:
                chosen.add(name)
                added.append(name)
                changed = True
    return added


@dataclass
class Selection:
    """The files a validation reads: those named (or found in named folders), then the related ones."""

    files: list[str] = field(default_factory=list)
    template_dirs: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def select_files(
    paths: Iterable[Path],
    *,
    texts: Mapping[str, str] | None = None,
    related: bool = False,
    context: Iterable[Path] = (),
    skip_other: bool = False,
    source: _Source | None = None,
) -> Selection:
    """Which files a validation of `paths` reads (see `check_paths`); `maturity validate --list-files`."""
    texts = dict(texts or {})
    source = source or _Source(texts=texts)
    context = list(context)
    on_disk = [p for p in paths if str(p) not in texts]
    files, template_dirs, problems = discover(on_disk)
    selection = Selection(template_dirs=template_dirs, problems=problems)
    named = set(on_disk)
    for path in files:
        if skip_other and path in named and not is_maturity_file(path, context):
            selection.skipped.append(str(path))
        else:
            selection.files.append(str(path))
    selection.files[:0] = [str(p) for p in paths if str(p) in texts]
    if skip_other:
        others = [p for p in on_disk if p.is_file() and p.suffix == ".j2" and not is_maturity_file(p, context)]
        from_folders = set(discover([p for p in on_disk if p.is_dir()])[1])
        named_ours = {p.parent for p in on_disk if p.is_file() and p.suffix == ".j2" and p not in others}
        selection.template_dirs = [d for d in template_dirs if d in from_folders or d in named_ours]
        selection.skipped.extend(str(p) for p in others)
    if related:
        selection.related = _related(selection.files, source, context)
        selection.files.extend(selection.related)
    return selection


def check_paths(
    paths: Iterable[Path],
    max_bytes: int | None = None,
    *,
    texts: Mapping[str, str] | None = None,
    related: bool = False,
    context: Iterable[Path] = (),
    skip_other: bool = False,
    check_templates: TemplateCheck | None = None,
) -> ValidationReport:
    """Validate the files under `paths`, each against the others it refers to, and report every problem.

    `texts` holds files already read (standard input) by the name problems should give them. With `related`,
    the questionnaires and rules that the named files need are found beside them (and in `context`) and checked
    with them, as a pre-commit hook needs when it names only the files that changed. With `skip_other`, named
    files that are not maturity files are passed over (see `is_maturity_file`). Template folders are compiled
    by `check_templates`, the rendering layer's (only rendering imports jinja2), which `maturity.validate_paths`
    (app.validate) passes; without it they are listed but not compiled.
    """
    source = _Source(max_bytes=max_bytes, texts=dict(texts or {}))
    selection = select_files(
        paths, texts=source.texts, related=related, context=context, skip_other=skip_other, source=source
    )
    run = _Validation(source, ValidationReport(list(selection.problems), list(selection.files), selection.skipped))
    run.load(selection.files)
    run.check_questionnaires()
    run.check_rules_files()
    run.check_unscored_questionnaires()
    run.check_answers_and_cases()
    if check_templates is not None:
        for directory in selection.template_dirs:
            run.report.problems.extend(check_templates(directory, directory.name == "report_templates"))
    return run.finish()


class _Validation:
    """One validation, in the order its checks depend on each other: the files loaded, questionnaires checked,
    rules against their questionnaires, questionnaires nothing scores, then answers and rule cases against
    what passed. A file whose partner has errors says its own check was skipped (MQ520) instead of repeating
    them."""

    def __init__(self, source: _Source, report: ValidationReport) -> None:
        self.source, self.report = source, report
        self.loaded: list[Loaded[Any]] = []
        self.broken = _Broken()
        self.covered: set[str] = set()  # questionnaire ids some rules were checked against
        self.checked_rules: dict[str, tuple[Loaded[Rules], Loaded[Questionnaire] | None]] = {}
        self.questionnaires: list[Loaded[Questionnaire]] = []
        self.rules_files: list[Loaded[Rules]] = []
        self.good: list[Loaded[Questionnaire]] = []  # questionnaires without errors of their own

    def load(self, names: list[str]) -> None:
        for name in names:
            result = self.source.load(name)
            if isinstance(result, list):
                self.report.problems.extend(result)
                self.broken.add_unreadable(self.source, name)
            else:
                self.loaded.append(result)
        self.questionnaires = [x for x in self.loaded if isinstance(x.model, Questionnaire)]
        self.rules_files = [x for x in self.loaded if isinstance(x.model, Rules)]

    def check_questionnaires(self) -> None:
        for q in self.questionnaires:
            found = check_questionnaire(q)
            self.report.problems.extend(found)
            if has_errors(found):
                self.broken.questionnaires.setdefault(q.model.id, q.path)
                self.broken.paths.add(q.path)
            if q.model.migrations:
                self.report.problems.extend(check_migrations(q, _versions_of(q.model.id, self.questionnaires)))
        _duplicate_definitions(self.questionnaires, self.report)
        self.good = [q for q in self.questionnaires if q.path not in self.broken.paths]

    def check_rules_files(self) -> None:
        problems, broken = self.report.problems, self.broken
        for r in self.rules_files:
            target = r.model.questionnaire
            if broken.only_broken(target.id, self.good):  # checking against a file with errors only repeats them
                self.covered.add(target.id)
                problems.extend(check_rules(r, None))
                file = broken.questionnaires[target.id]
                problems.append(
                    broken.skipped(r, "these rules", "questionnaire", target.id, file, ("questionnaire", "id"))
                )
                broken.rules.setdefault(r.model.id, r.path)
                continue
            found = _find_questionnaire(target.id, target.version, self.good)
            if found is None:
                problems.extend(check_rules(r, None))
                problems.append(
                    r.problem(
                        "MQ311",
                        f"no questionnaire '{target.id}' was found beside these rules or among the "
                        "bundled ones; validate them together",
                        ("questionnaire", "id"),
                    )
                )
                continue
            self.covered.add(found.model.id)
            rules_problems = check_rules(r, found)
            problems.extend(rules_problems)
            if has_errors(rules_problems):
                broken.rules.setdefault(r.model.id, r.path)
            else:
                self.checked_rules.setdefault(r.model.id, (r, found))

    def check_unscored_questionnaires(self) -> None:
        for q in self.questionnaires:
            qid = q.model.id
            if qid in self.covered:
                continue
            if qid in self.broken.rules_for:
                file = self.broken.rules_for[qid]
                self.report.problems.append(
                    self.broken.skipped(q, "this questionnaire", "scoring rules for", qid, file, ("id",))
                )
            else:
                self.report.problems.append(
                    q.problem(
                        "MQ502",
                        f"no scoring rules for '{qid}' were validated with it, so nothing checks that its questions "
                        "count",
                        ("id",),
                    )
                )

    def check_answers_and_cases(self) -> None:
        for x in self.loaded:
            if isinstance(x.model, AnswersFile):
                self.report.problems.extend(self._answers(x))
            elif isinstance(x.model, RuleCases):
                self.report.problems.extend(self._cases(x))

    def _answers(self, x: Loaded[AnswersFile]) -> list[Problem]:
        ref = x.model.questionnaire
        if self.broken.only_broken(ref.id, self.good):
            file = self.broken.questionnaires[ref.id]
            return [self.broken.skipped(x, "these answers", "questionnaire", ref.id, file, ("questionnaire", "id"))]
        partner = _find_questionnaire(ref.id, ref.version, self.good)
        if partner is None:
            message = f"no questionnaire '{ref.id}' was found to check these answers against"
            return [x.problem("MQ603", message, ("questionnaire", "id"))]
        return check_answers(x, partner)

    def _cases(self, x: Loaded[RuleCases]) -> list[Problem]:
        rules_id = x.model.rules
        if rules_id in self.broken.rules and rules_id not in self.checked_rules:
            file = self.broken.rules[rules_id]
            return [
                self.broken.skipped(x, "these cases", "scoring rules", rules_id, file, ("rules",)),
                *_check_case_files(x),
            ]
        problems = _check_cases(x, self.rules_files)
        pair = self.checked_rules.get(rules_id)
        if pair is not None:
            problems.extend(check_case_expectations(x, pair[0].model, pair[1].model if pair[1] else None))
        return problems

    def finish(self) -> ValidationReport:
        """The report, with at most MAX_PROBLEMS_PER_FILE problems a file (errors first) and one that counts the
        rest, in file and line order."""
        by_file: dict[str, list[Problem]] = {}
        for problem in sorted(self.report.problems, key=_in_order):
            by_file.setdefault(problem.file, []).append(problem)
        self.report.problems = sorted((kept for found in by_file.values() for kept in capped(found)), key=_in_order)
        return self.report


def _in_order(problem: Problem) -> tuple[str, int, int, str]:
    return problem.file, problem.line, problem.column, problem.code


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


@dataclass
class _Broken:
    """The definitions that have errors, by what they define, so that the files that refer to them can say that
    their check against them was skipped because of those errors (rather than that nothing was found)."""

    questionnaires: dict[str, str] = field(default_factory=dict)  # id -> file
    paths: set[str] = field(default_factory=set)  # loaded questionnaires whose own checks found errors
    rules: dict[str, str] = field(default_factory=dict)  # id -> file
    rules_for: dict[str, str] = field(default_factory=dict)  # questionnaire id -> a broken rules file for it

    def add_unreadable(self, source: _Source, name: str) -> None:
        """A file that could not be loaded: what it would define, read from its raw content when it parses."""
        try:
            if name in source.texts:
                text = source.texts[name]
                data = loader.parse_text(text, name, loader.digest_of(text)).data
            else:
                data = loader.read_document(name, max_bytes=source.max_bytes).data
        except MaturityError:
            return  # not even YAML: nothing says what it defines
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return
        if data.get("kind") == "questionnaire":
            self.questionnaires.setdefault(data["id"], name)
        elif data.get("kind") == "scoring_rules":
            self.rules.setdefault(data["id"], name)
            target = data.get("questionnaire")
            if isinstance(target, dict) and isinstance(target.get("id"), str):
                self.rules_for.setdefault(target["id"], name)

    def only_broken(self, qid: str, good: list[Loaded[Questionnaire]]) -> bool:
        """Whether the only questionnaires with this id among those validated have errors (so the check of a file
        against it is skipped, rather than made against a copy found elsewhere)."""
        return qid in self.questionnaires and not any(q.model.id == qid for q in good)

    def skipped(
        self, loaded: Loaded[Any], what: str, kind: str, ident: str, file: str, loc: tuple[str | int, ...]
    ) -> Problem:
        """MQ520 on `loaded`: its check against the `kind` `ident`, defined in `file`, was skipped."""
        return loaded.problem(
            "MQ520",
            f"the check of {what} against {kind} '{ident}' was skipped: {file} has errors (listed for it); "
            "put them right and validate again",
            loc,
        )


def check_case_expectations(
    cases: Loaded[RuleCases], rules: Rules, questionnaire: Questionnaire | None
) -> list[Problem]:
    """Every id a case expects must be one the rules (and their questionnaire) have: a pain point, a node, an
    indicator, a verdict outcome. Otherwise a renamed pain point leaves a case that passes by testing nothing."""
    problems: list[Problem] = []
    pains = {p.id for p in rules.pain_points}
    verdict = rules.verdict
    outcomes = {o.id for o in verdict.outcomes} if verdict else set()
    indicators = {i.id for i in verdict.indicators} if verdict else set()
    nodes: set[str] | None = None
    if questionnaire is not None:
        nodes = {"overall", *(n.id for n in rules.rollup.nodes)}
        for stage in questionnaire.stages:
            nodes.add(stage.id)
            nodes.update(g.id for g in stage.groups or [])

    def unknown(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(cases.problem("MQ320", message, loc))

    for i, case in enumerate(cases.model.cases):
        expect, at = case.expect, ("cases", i, "expect")
        name = f"case '{case.name}'"
        for key in ("pain_points", "not_pain_points", "top_pain_points"):
            for k, pain in enumerate(getattr(expect, key)):
                if pain not in pains:
                    unknown(
                        (*at, key, k),
                        f"{name} expects pain point '{pain}', which rules '{rules.id}' do not have"
                        + _nearest(pain, pains),
                    )
        if expect.verdict is not None and expect.verdict != "not_assessed" and expect.verdict not in outcomes:
            had = f"whose outcomes are {', '.join(sorted(outcomes))}" if outcomes else "which define no verdict"
            unknown((*at, "verdict"), f"{name} expects the verdict '{expect.verdict}' of rules '{rules.id}', {had}")
        for indicator in expect.indicators:
            if indicator not in indicators:
                unknown(
                    (*at, "indicators", indicator),
                    f"{name} expects indicator '{indicator}', which rules "
                    f"'{rules.id}' do not have" + _nearest(indicator, indicators),
                )
        for key in ("levels", "scores", "rag"):
            for node in getattr(expect, key):
                if nodes is not None and node not in nodes:
                    unknown(
                        (*at, key, node),
                        f"{name} expects the {key[:-1] if key != 'rag' else 'RAG'} of "
                        f"'{node}', which is no stage, group or roll-up node" + _nearest(node, nodes),
                    )
    return problems


def _nearest(word: str, choices: Iterable[str]) -> str:
    found = get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{found[0]}'?" if found else ""


def _check_cases(cases: Loaded[RuleCases], rules_files: list[Loaded[Rules]]) -> list[Problem]:
    problems: list[Problem] = []
    if not any(r.model.id == cases.model.rules for r in rules_files):
        problems.append(
            cases.problem(
                "MQ311", f"no scoring rules '{cases.model.rules}' were validated with these cases", ("rules",)
            )
        )
    return problems + _check_case_files(cases)


def _check_case_files(cases: Loaded[RuleCases]) -> list[Problem]:
    """Each case's answers file exists."""
    problems: list[Problem] = []
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


@dataclass(frozen=True)
class QuestionnaireInfo:
    """What `maturity list` shows of a questionnaire: enough to choose one by id."""

    id: str
    version: str
    title: str
    questions: int
    path: str
    bundled: bool


def list_questionnaires(folders: Iterable[Path] = ()) -> tuple[list[QuestionnaireInfo], list[Problem]]:
    """The questionnaires in `folders` (searched recursively) and the bundled ones, ordered by id and version;
    and the problems of the files there that look like questionnaires but cannot be read."""
    infos: list[QuestionnaireInfo] = []
    problems: list[Problem] = []
    for folder, bundled in [*((Path(f), False) for f in folders), (bundled_dir("questionnaires"), True)]:
        if not folder.exists():
            problems.append(Problem.make("MQ001", "no such file or folder", str(folder)))
            continue
        for path in [folder] if folder.is_file() else _definition_files_under(folder):
            head = read_head(path, 64 * 1024).decode("utf-8", errors="replace")  # never a whole file, or a pipe
            if not re.search(r"""^[ \t{]*["']?kind["']?[ \t]*:[ \t]*["']?questionnaire\b""", head, re.MULTILINE):
                continue
            try:
                q = loader.load_questionnaire_file(path).model
            except MaturityError as exc:
                problems.extend(exc.problems)
                continue
            infos.append(QuestionnaireInfo(q.id, q.version, q.title, len(q.questions()), str(path), bundled))
    infos.sort(key=lambda i: (i.id, version_key(i.version), not i.bundled))
    return infos, problems


def version_key(version: str) -> tuple[int, ...]:
    """A semantic version as numbers, for ordering (a pre-release suffix is ignored): 1.10.0 after 1.9.0."""
    head = version.split("-")[0].split("+")[0]
    return tuple(int(part) if part.isdigit() else 0 for part in head.split("."))


def load_questionnaire(
    source: str | Path, max_bytes: int | None = None, *, version: str | None = None, folders: Iterable[Path] = ()
) -> Loaded[Questionnaire]:
    """Load a questionnaire, from a file or by id (`load_questionnaire("outsourcing-lifecycle")`, found in
    `folders` and then among the bundled ones, the newest version unless `version` is given), and check it;
    raises DefinitionError listing every error."""
    path = Path(source)
    if not path.is_file() and not is_definition_name(str(path)) and re.fullmatch(ID_PATTERN, str(source)):
        path = _by_id(str(source), version, folders)
    loaded = loader.load_questionnaire_file(path, max_bytes)
    _raise_on_errors(check_questionnaire(loaded))
    return loaded


def _by_id(qid: str, version: str | None, folders: Iterable[Path]) -> Path:
    infos, _ = list_questionnaires(folders)
    found = [i for i in infos if i.id == qid and (version is None or i.version == version)]
    if not found:
        known = sorted({i.id for i in infos})
        hint = get_close_matches(qid, known, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else f"; known: {', '.join(known)}" if known else ""
        what = f"questionnaire '{qid}'" + (f" version {version}" if version else "")
        raise DefinitionError(Problem.make("MQ001", f"no file or bundled {what}{tip}", qid))
    mine = [i for i in found if not i.bundled]  # a folder given first wins over the bundled copy
    return Path((mine or found)[-1].path)


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
