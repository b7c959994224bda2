"""Rule cases: answers files with the levels, pain points and verdict a rules author expects from them.

Running them after every change to the rules shows at once what the change moved, the way a test suite does for
code. Each failing case lists every expectation that did not hold, expected beside found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from maturity.app.catalogue import Catalogue
from maturity.app.pipeline import load_and_score
from maturity.io import loader
from maturity.io.files import walk
from maturity.model.definitions import Expectation, RuleCases
from maturity.model.problems import MaturityError, Problem
from maturity.model.vocabulary import format_number

if TYPE_CHECKING:
    from maturity.model.assessment import Assessment


@dataclass
class CaseResult:
    file: str
    name: str
    differences: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences and not self.problems


def compare(expect: Expectation, assessment: Assessment) -> list[str]:
    """Every expectation that does not hold, as 'what: expected X, found Y'."""
    out: list[str] = []
    verdict = assessment.verdict
    if expect.verdict is not None and verdict.outcome != expect.verdict:
        out.append(
            f"verdict: expected {expect.verdict}, found {verdict.outcome} ({verdict.points} points"
            + (f", vetoed: {verdict.vetoed_by.reason}" if verdict.vetoed_by else "")
            + ")"
        )
    if expect.low_confidence is not None and verdict.low_confidence != expect.low_confidence:
        out.append(
            f"low confidence: expected {str(expect.low_confidence).lower()}, found "
            f"{str(verdict.low_confidence).lower()} ({verdict.unknown} indicators unknown)"
        )
    nodes = {n.id: n for n in assessment.nodes}
    for node_id, level in expect.levels.items():
        node = nodes.get(node_id)
        if node is None:
            out.append(f"level of {node_id}: there is no such stage, group or node")
        elif node.level != level:
            out.append(f"level of {node_id}: expected {level}, found {node.level} (score {format_number(node.score)})")
    for node_id, expected_score in expect.scores.items():
        node = nodes.get(node_id)
        if node is None:
            out.append(f"score of {node_id}: there is no such stage, group or node")
        elif format_number(node.score) != format_number(
            expected_score
        ):  # to 3 decimal places, as explanations print scores
            out.append(
                f"score of {node_id}: expected {format_number(expected_score)}, found {format_number(node.score)}"
            )
    for node_id, rag in expect.rag.items():
        node = nodes.get(node_id)
        if node is None or node.rag != rag:
            out.append(f"RAG of {node_id}: expected {rag}, found {node.rag if node else 'no such node'}")
    ratings = {i.id: i for i in verdict.indicators}
    for indicator_id, rating in expect.indicators.items():
        found = ratings.get(indicator_id)
        if rating == "not_applicable":
            if indicator_id not in verdict.not_applying:
                shown = found.rating if found else "no such indicator"
                out.append(f"indicator {indicator_id}: expected not to apply, found {shown}")
        elif found is None or found.rating != rating:
            missing = "does not apply" if indicator_id in verdict.not_applying else "no such indicator"
            out.append(
                f"indicator {indicator_id}: expected {rating}, found "
                f"{found.rating + (' (unknown)' if found.unknown else '') if found else missing}"
            )
    fired = [p.id for p in assessment.pain_points]
    for pain in expect.pain_points:
        if pain not in fired:
            out.append(f"pain point {pain}: expected to fire, did not")
    for pain in expect.not_pain_points:
        if pain in fired:
            out.append(f"pain point {pain}: expected not to fire, fired")
    top = fired[: len(expect.top_pain_points)]
    if expect.top_pain_points and top != expect.top_pain_points:
        out.append(f"top pain points: expected {', '.join(expect.top_pain_points)}, found {', '.join(top) or 'none'}")
    return out


def run_cases(path: Path, catalogue: Catalogue) -> list[CaseResult]:
    """Run every case in one cases file. A file that cannot be loaded is one failing result with its problems."""
    try:
        loaded = loader.load_cases_file(path)
        cases: RuleCases = loaded.model
        try:
            definitions = catalogue.for_rules(cases.rules)
        except MaturityError as exc:  # rules that cannot be found: said where the cases file names them
            line, column = loaded.document.locate(("rules",))
            raise MaturityError(
                [p if p.file else Problem.make(p.code, p.message, str(path), line, column) for p in exc.problems]
            ) from None
    except MaturityError as exc:
        return [CaseResult(str(path), "(cases file)", problems=[_locate(p, path) for p in exc.problems])]
    results = []
    for case in cases.cases:
        result = CaseResult(str(path), case.name)
        answers_path = path.parent / case.answers
        try:
            assessment, _ = load_and_score(answers_path, catalogue)
        except MaturityError as exc:
            result.problems.extend(_locate(p, answers_path) for p in exc.problems)
        else:
            if assessment.rules.id != definitions.rules.model.id:
                result.differences.append(
                    f"the answers were scored with rules '{assessment.rules.id}', not "
                    f"'{cases.rules}': they answer another questionnaire"
                )
            result.differences.extend(compare(case.expect, assessment))
        results.append(result)
    return results


def _locate(problem: Problem, path: Path) -> Problem:
    return (
        problem
        if problem.file
        else Problem.make(problem.code, problem.message, str(path), problem.line, problem.column)
    )


def find_case_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Rule-case files among the given files and folders, and the problems that stop some from being run.

    A file named on its own is always a cases file (if it is not one, running it says why). In a folder, a YAML
    file whose kind is rule_cases, or whose name ends in .cases.yaml, is one; a YAML file there that cannot be
    read is a problem, since it may be a cases file whose failures would otherwise go unseen.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.is_dir():
            if path.exists():
                found.append(path)
            else:
                problems.append(Problem.make("MQ001", "no such file or folder", str(path)))
            continue
        for name in walk(str(path), problems):
            candidate = Path(name)
            try:
                kind = loader.read_document(candidate).data.get("kind")
            except MaturityError as exc:
                problems.extend(_locate(p, candidate) for p in exc.problems)
                continue
            if kind == "rule_cases" or candidate.name.endswith((".cases.yaml", ".cases.yml", ".cases.json")):
                found.append(candidate)
    return found, problems
