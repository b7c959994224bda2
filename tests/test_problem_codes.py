"""The problem code registry: every code has a title, an explanation and a minimal example that raises it, every
fixture names a code that exists, `validate --explain` prints an entry, and the README's table is the registry."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.app.catalogue import Catalogue
from maturity.app.config import find_config, load_config
from maturity.app.validate import validate
from maturity.checks.rules import check_rules
from maturity.cli import app
from maturity.io import loader
from maturity.io.resources import PROBLEM_EXAMPLES, problem_example
from maturity.model.problems import CODES, MaturityError, Problem, Severity

from .conftest import FIXTURES, ROOT

runner = CliRunner()


def raised_by_example(code: str) -> list[Problem]:
    """Everything the example provokes, through the paths a user would take: `maturity validate` on its files
    (with the configuration its folder holds), rules checked against the questionnaire they are given with, and
    each answers file in it scored against the definitions beside it, with the templates beside it; and the
    commands its run.txt shows (`# maturity ...`), run in a copy of its folder, for the codes that a command
    raises rather than a file (an output over an input, a device given as a file)."""
    own, companions = problem_example(code)
    folder = PROBLEM_EXAMPLES / code
    if code == "MQ007":
        return _raised_by_a_lost_worker()
    if (folder / "run.txt").is_file():
        return _run(folder / "run.txt")
    config = (
        load_config(find_config(folder)) if folder.is_dir() and find_config(folder) else load_config(None, Path("/"))
    )
    problems = list(validate([str(p) for p in [*own, *companions]], config).problems)
    loaded = []
    for path in [*own, *companions]:
        try:
            loaded.append(loader.load_file(path))
        except MaturityError:
            continue
    questionnaires = [x for x in loaded if x.document.data.get("kind") == "questionnaire"]
    for rules in (x for x in loaded if x.document.data.get("kind") == "scoring_rules"):
        for questionnaire in questionnaires:
            problems += check_rules(rules, questionnaire)
    answers = [p for p in own if p.suffix == ".yaml" and "kind: answers" in p.read_text(errors="replace")]
    if answers:
        problems += _score(answers, [p for p in [*own, *companions] if p not in answers], folder)
    return problems


def _run(example: Path) -> list[Problem]:
    """The problems a user typing the example's commands is told, in a copy of its folder (which they may write)."""
    import shlex
    import shutil
    import tempfile

    found: list[Problem] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(shutil.copytree(example.parent, Path(tmp) / example.parent.name))
        for line in example.read_text(encoding="utf-8").splitlines():
            if not line.startswith("# maturity "):
                continue
            before = os.getcwd()
            os.chdir(copy)
            try:
                result = runner.invoke(app, shlex.split(line.removeprefix("# maturity ")))
            finally:
                os.chdir(before)
            found += [Problem.make(m[1], line) for m in re.finditer(r"\b(MQ\d{3}) (?:error|warning):", result.output)]
    return found


def _kill_yourself(items: list[str]) -> list[object]:
    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return []


def _no_setup() -> None:
    pass


def _raised_by_a_lost_worker() -> list[Problem]:
    """MQ007's example is a fault of the machine, not a file: a worker process killed (twice) while it scores a
    file, as here, where every worker kills itself."""
    from maturity.app.batch import lost_outcome
    from maturity.app.workers import WorkerPool

    pool = WorkerPool(1, _kill_yourself, _no_setup, (), lost=lost_outcome)
    return [problem for outcome in pool.map(["example.answers.yaml"], 1) for problem in outcome.problems]


def _score(answers: list[Path], definitions: list[Path], folder: Path) -> list[Problem]:
    from maturity.app.merging import merge_files
    from maturity.app.pipeline import load_and_score
    from maturity.render.report import render_report

    catalogue = Catalogue.from_folders(sorted({p.parent for p in definitions}))
    problems = list(catalogue.problems)
    if len(answers) > 1:  # several respondents' files: combined as `maturity merge` combines them
        try:
            merge_files(answers, catalogue, "open")
        except MaturityError as exc:
            problems += exc.problems
    for path in answers:
        try:
            assessment, warnings = load_and_score(path, catalogue)
            problems += warnings
            found = catalogue.get(assessment.questionnaire.id, assessment.questionnaire.version)
            templates = folder / "templates"
            if templates.is_dir():
                render_report(assessment, found.questionnaire.model, found.rules.model, "md", templates)
        except MaturityError as exc:
            problems += exc.problems
    return problems


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_minimal_example_that_raises_it(code: str) -> None:
    own, companions = problem_example(code)
    assert own, f"no example for {code} in {PROBLEM_EXAMPLES}"
    assert all(p.is_file() for p in companions)
    codes = [p.code for p in raised_by_example(code)]
    assert code in codes, f"the example of {code} raises {codes}"


def test_every_entry_is_complete() -> None:
    for code, entry in CODES.items():
        assert re.fullmatch(r"MQ\d{3}", code)
        assert isinstance(entry.severity, Severity) and entry.title and entry.explanation.endswith("."), code
        assert (entry.severity is Severity.WARNING) == code.startswith("MQ5") or code in ("MQ312", "MQ606", "MQ607")


def test_every_example_is_for_a_code_that_exists() -> None:
    names = {p.name.split(".")[0] for p in PROBLEM_EXAMPLES.iterdir() if not p.name.startswith("_")}
    assert names == set(CODES)


def test_every_fixture_expects_a_code_that_exists() -> None:
    expected = set()
    for path in (FIXTURES / "broken").glob("*"):
        found = re.match(r"# expect: (MQ\d{3})", path.read_text(encoding="utf-8", errors="replace"))
        assert found, path
        expected.add(found.group(1))
    assert expected <= set(CODES)


def test_validate_explain_prints_an_entry_with_its_example() -> None:
    result = runner.invoke(app, ["validate", "--explain", "mq312"])
    assert result.exit_code == 0
    title = CODES["MQ312"].title
    assert result.stdout.startswith(f"MQ312 warning: {title}\n")
    assert CODES["MQ312"].explanation in result.stdout.replace("\n", " ")
    assert "nodes: [{id: unused, of: [P1, P2]}]" in result.stdout  # the example itself
    unknown = runner.invoke(app, ["validate", "--explain", "MQ999"])
    assert unknown.exit_code == 2 and "MQ999" in unknown.stderr


def test_the_readme_table_is_the_registry() -> None:
    from maturity.render.output import codes_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert codes_table() in readme, "the README's table of codes differs from the registry: paste codes_table()"
