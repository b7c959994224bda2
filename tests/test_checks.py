"""Every broken definition under fixtures/broken names the code and line it must be reported with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from maturity import DefinitionError, load_questionnaire, load_rules
from maturity.app.validate import validate_paths
from maturity.io.resources import bundled_dir

from .conftest import FIXTURES, ROOT

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, int, list[Path]]:
    head = path.read_text(encoding="utf-8").splitlines()[:2]
    match = re.match(r"# expect: (MQ\d{3}) (\d+)$", head[0])
    assert match, f"{path.name} must start with '# expect: CODE LINE'"
    companions = [path.parent / line.split(": ", 1)[1] for line in head[1:] if line.startswith("# with: ")]
    return match.group(1), int(match.group(2)), companions


def test_there_are_at_least_thirty_broken_definitions() -> None:
    assert len(BROKEN) >= 30


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_definition_is_reported_with_its_code_and_line(path: Path) -> None:
    code, line, companions = _expectation(path)
    report = validate_paths([path, *companions])
    mine = [p for p in report.errors if p.file == str(path)]
    assert mine, f"no error reported for {path.name}"
    assert (mine[0].code, mine[0].line) == (code, line), [str(p) for p in mine]
    assert mine[0].column >= 1
    assert mine[0].message and "Traceback" not in mine[0].message


def test_valid_fixture_has_only_the_expected_warning(valid_dir: Path) -> None:
    report = validate_paths([valid_dir])
    assert report.errors == []
    assert [(p.code, p.line) for p in report.warnings] == [("MQ501", 81)]
    assert "MGT-4" in report.warnings[0].message
    assert report.ok() and not report.ok(strict=True)


@pytest.mark.parametrize("folder", ["questionnaires", "scoring_rules", "report_templates", "examples"])
def test_every_bundled_definition_validates_clean(folder: str) -> None:
    path = ROOT / folder
    files = [p for p in path.rglob("*") if p.is_file()]
    if not files:
        pytest.skip(f"nothing in {folder}/ yet")
    # validate with the questionnaires and rules, so rules, answers and cases find their partners
    report = validate_paths([path, ROOT / "questionnaires", ROOT / "scoring_rules"])
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("folder", ["questionnaires", "scoring_rules", "report_templates", "examples"])
def test_the_installed_package_carries_every_bundled_file(folder: str) -> None:
    """Editable or not, the package finds the same files as the checkout holds."""

    def names(path: Path) -> list[str]:
        return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())

    assert names(bundled_dir(folder)) == names(ROOT / folder)


def test_load_questionnaire_raises_with_every_error_listed() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(FIXTURES / "broken" / "condition-cycle.yaml")
    assert [(p.code, p.line) for p in caught.value.problems] == [("MQ206", 50)]


def test_rules_for_another_questionnaire_are_refused(valid_dir: Path, tmp_path: Path) -> None:
    questionnaire = load_questionnaire(valid_dir / "demo.questionnaire.yaml")
    text = (valid_dir / "demo.rules.yaml").read_text().replace("{id: demo, version", "{id: other, version")
    (tmp_path / "rules.yaml").write_text(text)
    with pytest.raises(DefinitionError) as caught:
        load_rules(tmp_path / "rules.yaml", questionnaire)
    assert [(p.code, p.line) for p in caught.value.problems] == [("MQ301", 6)]


CONDITION_CASES = [
    # (condition in YAML flow style, expected code or None)
    ("{question: situation, equals: live}", None),
    ("{question: situation, in: [live, first-time]}", None),
    ("{question: STR-1, at_least: 2, at_most: 4}", None),
    ("{question: STR-1, at_least: 4, at_most: 2}", "MQ205"),
    ("{question: STR-1, equals: 9}", "MQ203"),
    ("{question: STR-1, equals: 'three'}", "MQ204"),
    ("{question: STR-1, includes: all}", "MQ204"),
    ("{question: situation, is: dont_know}", "MQ205"),
    ("{question: situation, is: fired}", "MQ204"),
    ("{not: {question: situation, equals: live}}", None),
    ("{all: [{question: situation, equals: live}, {any: [{question: situation, equals: nope}]}]}", "MQ203"),
    ("{question: situation}", "MQ105"),
    ("{question: situation, equals: live, in: [live]}", "MQ105"),
    ("{indicator: options-compared, equals: red}", "MQ211"),
]


@pytest.mark.parametrize(("condition", "code"), CONDITION_CASES)
def test_conditions_on_a_question_are_checked(
    condition: str, code: str | None, valid_dir: Path, tmp_path: Path
) -> None:
    text = (valid_dir / "demo.questionnaire.yaml").read_text()
    text = text.replace("when: {question: situation, equals: first-time}", f"when: {condition}")
    (tmp_path / "q.yaml").write_text(text)
    report = validate_paths([tmp_path / "q.yaml"])
    codes = [p.code for p in report.errors]
    assert codes == ([] if code is None else [code])
