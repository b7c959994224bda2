"""The scoring engine: answers in, an explained `Assessment` out. Pure, deterministic, no I/O.

`score()` gives the full explained `Assessment`; `summarise()` gives only its headline figures (a `Summary`), for
batches. Both run the same `run.Run` over a `plan.ScoringPlan` (worked out once per questionnaire and rules and
kept in a small cache keyed by the identity of the pair); `score` then hands the run to `explain.Explainer`.

The steps, in order (each records how it got its result):

1. each question's status (answered, don't know, not applicable, unanswered, not asked) and points;
2. the roll-up, children before parents: a score per node by its method, then a level from the bands, then caps;
3. the verdict's indicators (pain points and outcomes may test them);
4. pain points, in rules order (a pain point may test those before it), then contradictions;
5. RAG per stage and overall, then the overrides from each stage's fired pain points and critical answers;
6. the verdict: the worst of every veto that holds and of the first outcome whose condition holds.

Answers are checked with the same `checks.answers.check_answers` that `maturity validate` runs, so a file is
refused for the same reasons, with the same words, whichever command reads it.
"""

from __future__ import annotations

from maturity.checks.answers import check_answers, resolve_labels
from maturity.engine.explain import Explainer
from maturity.engine.plan import ScoringPlan, plan_for
from maturity.engine.run import Run
from maturity.model.assessment import Assessment, Summary
from maturity.model.definitions import AnswersFile, Questionnaire, Rules
from maturity.model.document import Loaded
from maturity.model.problems import DefinitionError

__all__ = [
    "ScoringPlan",
    "Summary",
    "plan_for",
    "score",
    "score_and_summarise",
    "score_with",
    "summarise",
    "summarise_with",
]


def _checked(plan: ScoringPlan, answers: AnswersFile | Loaded[AnswersFile]) -> AnswersFile:
    """The answers, after the checks `validate` runs on them; raises `DefinitionError` with their problems."""
    problems = [p for p in check_answers(answers, plan.questionnaire, plan.index) if p.is_error]
    if problems:
        raise DefinitionError(problems)
    return answers.model if isinstance(answers, Loaded) else answers


def _model(answers: AnswersFile | Loaded[AnswersFile]) -> AnswersFile:
    return answers.model if isinstance(answers, Loaded) else answers


def score_with(plan: ScoringPlan, answers: AnswersFile | Loaded[AnswersFile], *, checked: bool = False) -> Assessment:
    """Score one answers file with a plan. `checked=True` says the caller already ran `check_answers` on them (as
    batch scoring does), so the same check is not paid for twice."""
    model = resolve_labels(_model(answers) if checked else _checked(plan, answers), plan.index)
    return Explainer(Run(plan, model)).assessment()


def summarise_with(plan: ScoringPlan, answers: AnswersFile | Loaded[AnswersFile], *, checked: bool = False) -> Summary:
    """The figures `score_with` would give, without building the explained `Assessment`; raises exactly when
    `score_with` would."""
    model = resolve_labels(_model(answers) if checked else _checked(plan, answers), plan.index)
    return Run(plan, model).summary()


def score(
    questionnaire: Questionnaire,
    rules: Rules,
    answers: AnswersFile | Loaded[AnswersFile],
    *,
    checked: bool = False,
) -> Assessment:
    """Score one answers file against a questionnaire and its rules.

    Pure and deterministic. Raises `DefinitionError` (a `MaturityError`) when the rules or the answers do not fit
    the questionnaire; nothing else escapes for well-formed models. Given a `Loaded` answers file (as
    `load_answers` returns), its problems carry the file, line and column.
    """
    return score_with(plan_for(questionnaire, rules), answers, checked=checked)


def summarise(
    questionnaire: Questionnaire,
    rules: Rules,
    answers: AnswersFile | Loaded[AnswersFile],
    *,
    checked: bool = False,
) -> Summary:
    """The figures of `score(questionnaire, rules, answers)` that a portfolio summary needs, several times faster.

    Same plan cache, same checks and errors as `score`; every figure equals the full Assessment's.
    """
    return summarise_with(plan_for(questionnaire, rules), answers, checked=checked)


def score_and_summarise(
    questionnaire: Questionnaire,
    rules: Rules,
    answers: AnswersFile | Loaded[AnswersFile],
    *,
    checked: bool = False,
) -> tuple[Assessment, Summary]:
    """`score` and `summarise` of the same answers from one run of the engine, for a caller that writes both the
    explained result and a summary row (a batch with --out): the figures are the run's own, never worked out a
    second time from the Assessment."""
    plan = plan_for(questionnaire, rules)
    model = resolve_labels(_model(answers) if checked else _checked(plan, answers), plan.index)
    run = Run(plan, model)
    return Explainer(run).assessment(), run.summary()
