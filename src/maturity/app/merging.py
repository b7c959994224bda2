"""`maturity merge`: respondents' answers files combined into one, refusing what cannot be combined.

Every file is read and checked first, and every problem found in any of them is reported together, so a
workshop lead fixes them all in one go: a file with errors, answers to another questionnaire or another version
of it (carry those forward first with `maturity migrate`), or answers for another organisation or service.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from maturity.app.answers import load_respondent
from maturity.app.catalogue import Catalogue
from maturity.engine.interview import answers_data, value_words
from maturity.engine.merge import Merged, Response, merge, points_order, respondent_names
from maturity.io import loader
from maturity.model.definitions import AnswersFile, Questionnaire
from maturity.model.document import Loaded
from maturity.model.problems import MaturityError, Problem, UsageError
from maturity.model.text import one_line
from maturity.model.vocabulary import COMBINE_POLICIES, CombinePolicy


@dataclass
class MergeResult:
    merged: Merged
    questionnaire: Questionnaire
    text: str
    warnings: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the person running the merge should hear: who, how, and each disagreement with who said what."""
        combined = self.merged.answers.assessment.combined
        assert combined is not None
        names = ", ".join(r.name for r in combined.respondents)
        out = [
            f"combined {len(combined.respondents)} respondents ({names}); policy: {combined.policy} "
            f"({COMBINE_POLICIES[combined.policy]['short']} where they differ)"
        ]
        questions = {q.id: q for q in self.questionnaire.questions()}
        found = self.merged.disagreements
        out.append(f"{len(found)} disagreement(s)" + (":" if found else ""))
        for d in found:
            question = questions[d.question]
            said = "; ".join(
                f"{a.respondent} {_said(self.questionnaire, question, a.value, a.status)}" for a in d.answers
            )
            result = (
                "left open"
                if d.combined is None
                else f"combined: {value_words(self.questionnaire, question, d.combined)}"
            )
            out.append(one_line(f"  {d.question}: {said} ({d.reason}); {result}"))
        return out


def _said(questionnaire: Questionnaire, question: object, value: object, status: str | None) -> str:
    from maturity.model.definitions import Question
    from maturity.model.vocabulary import STATUS_WORDS

    assert isinstance(question, Question)
    if status is not None:
        return STATUS_WORDS[status]
    return value_words(questionnaire, question, value)


def merge_files(paths: list[Path], catalogue: Catalogue, policy: CombinePolicy) -> MergeResult:
    """Combine the respondents' files; raises MaturityError with every problem of every file that cannot be."""
    if len(paths) < 2:
        raise UsageError(Problem.make("MQ001", "give two or more respondents' answers files to combine"))
    _refuse_repeats(paths)
    loaded: list[tuple[Path, Loaded[AnswersFile], Questionnaire]] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for path in paths:
        try:
            answers, questionnaire, found = load_respondent(path, catalogue)
        except MaturityError as exc:
            problems += [p if p.file else Problem.make(p.code, p.message, str(path)) for p in exc.problems]
            continue
        loaded.append((path, answers, questionnaire))
        warnings += found
    if loaded:
        problems += _mismatches(loaded)
    if problems:
        raise MaturityError(problems)
    questionnaire = loaded[0][2]
    ref = loaded[0][1].model.questionnaire
    try:
        rules = catalogue.get(ref.id, ref.version).rules.model
    except MaturityError:
        rules = None  # no rules: choices are ordered by majority only
    names = respondent_names(
        [
            (answers.model.assessment.assessor, path.name.removesuffix(".yaml").removesuffix(".answers"))
            for path, answers, _ in loaded
        ]
    )
    responses = [
        Response(name, answers.model, str(path)) for name, (path, answers, _) in zip(names, loaded, strict=True)
    ]
    merged = merge(questionnaire, responses, policy, points_order(questionnaire, rules))
    return MergeResult(merged, questionnaire, loader.dump_yaml(answers_data(merged.answers)), warnings)


def _refuse_repeats(paths: list[Path]) -> None:
    for i, path in enumerate(paths):
        for other in paths[:i]:
            try:
                same = os.path.samefile(path, other)
            except OSError:
                same = False
            if same:
                raise UsageError(
                    Problem.make(
                        "MQ001", f"this file is given twice (also as {other}); each respondent once", str(path)
                    )
                )


def _mismatches(loaded: list[tuple[Path, Loaded[AnswersFile], Questionnaire]]) -> list[Problem]:
    """Files that answer another questionnaire, version, organisation or service than the first one does."""
    first_path, first, _ = loaded[0]
    ref, details = first.model.questionnaire, first.model.assessment
    problems = []
    for _path, answers, _ in loaded[1:]:
        other = answers.model.questionnaire
        if other.id != ref.id:
            problems.append(
                answers.problem(
                    "MQ603",
                    f"these answers are for questionnaire '{other.id}', but {first_path} answers '{ref.id}': only "
                    "answers to one questionnaire can be combined",
                    ("questionnaire", "id"),
                )
            )
        elif other.version != ref.version:
            problems.append(
                answers.problem(
                    "MQ604",
                    f"these answers are for version {other.version} of '{ref.id}', but {first_path} answers version "
                    f"{ref.version}: carry the older file forward with `maturity migrate`, then combine the file it "
                    "writes",
                    ("questionnaire", "version"),
                )
            )
        mine = answers.model.assessment
        for key in ("organisation", "service"):
            if _plain(getattr(mine, key)) != _plain(getattr(details, key)):
                problems.append(
                    answers.problem(
                        "MQ608",
                        f"these answers are for {key} '{getattr(mine, key)}', but {first_path} is for "
                        f"'{getattr(details, key)}': only answers about one service can be combined",
                        ("assessment", key),
                    )
                )
    return problems


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())
