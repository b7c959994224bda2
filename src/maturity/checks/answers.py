"""Checks of answers against their questionnaire; `answer_problem` is the same check for an answer typed at the
prompt, read from a file or scored in a batch."""

from __future__ import annotations

import json
import math
from typing import Any

from maturity.checks.conditions import is_number
from maturity.checks.index import Index, QuestionInfo, index_questionnaire
from maturity.model.definitions import AnswersFile, Questionnaire
from maturity.model.document import Document, Loaded, Loc
from maturity.model.problems import MAX_PROBLEMS_PER_FILE, Problem
from maturity.model.vocabulary import YES_NO


def check_answers(
    answers_file: Loaded[AnswersFile] | AnswersFile,
    questionnaire: Loaded[Questionnaire] | Questionnaire,
    index: Index | None = None,
) -> list[Problem]:
    """Does an answers file fit its questionnaire? The same checks apply to a typed answer (see `answer_problem`).

    Given a bare `AnswersFile` (built in Python rather than read from a file) the problems carry no location.
    """
    loaded = answers_file if isinstance(answers_file, Loaded) else Loaded(answers_file, Document("", {}, ""))
    answers = loaded.model
    q = questionnaire.model if isinstance(questionnaire, Loaded) else questionnaire
    problems = _questionnaire_problems(loaded, questionnaire, q)
    if problems and problems[0].code in ("MQ603", "MQ604"):
        return problems  # answers for another questionnaire: their answers cannot be checked against this one
    index = index or index_questionnaire(q)
    questions = index.questions
    # worded here and located together afterwards, in one reading of the file; past the first
    # MAX_PROBLEMS_PER_FILE (and one more, where the count of the rest is located) problems are only counted, so
    # a file of 300,000 unknown ids costs little more than reading it
    found: list[tuple[str, str, Loc]] = []
    limit = MAX_PROBLEMS_PER_FILE + 1
    uncounted = 0
    lower = index.by_lower_case()
    for qid, answer in answers.answers.items():
        info = questions.get(qid)
        if info is None:
            if len(found) >= limit:
                uncounted += 1
                continue
            close = lower.get(qid.lower())
            tip = f"; did you mean '{close}'?" if close else ""
            found.append(("MQ601", f"there is no question '{qid}' in '{q.id}'{tip}", ("answers", qid)))
            continue
        status, value = answer.status, answer.value
        if status is None and value.__class__ is int and value in info.level_set:
            continue  # the common answer, a level of a scale question, needs no more checking
        if (status is None) is (value is None):  # both a value and a status, or neither
            found.append(("MQ105", f"'{qid}': {answer.problem()}", ("answers", qid)))
            continue
        message = answer_problem(info, value, status)
        if message:
            found.append(("MQ605" if answer.status else "MQ602", f"'{qid}': {message}", ("answers", qid)))
    if found:
        problems.extend(loaded.document.problems(found, uncounted))
    return problems


def _questionnaire_problems(
    loaded: Loaded[AnswersFile], questionnaire: Loaded[Questionnaire] | Questionnaire, q: Questionnaire
) -> list[Problem]:
    """Whether the file names this questionnaire: another one (MQ603) or another version (MQ604) stops the
    check; a questionnaire file changed since the answers were given (MQ606) is a warning."""
    ref = loaded.model.questionnaire
    if ref.id != q.id:
        message = f"these answers are for questionnaire '{ref.id}', not '{q.id}'"
        return [loaded.problem("MQ603", message, ("questionnaire", "id"))]
    if ref.version != q.version:
        message = (
            f"these answers are for version {ref.version} of '{q.id}', but the questionnaire is version "
            f"{q.version}; answer it again or use that version"
        )
        return [loaded.problem("MQ604", message, ("questionnaire", "version"))]
    digest = questionnaire.document.digest if isinstance(questionnaire, Loaded) else None
    if ref.digest and digest and ref.digest != digest:
        message = "the questionnaire file changed since these answers were given (its digest differs); check the scores"
        return [loaded.problem("MQ606", message, ("questionnaire", "digest"))]
    return []


def _show(value: Any) -> str:
    """A value as it would be typed in the file (true, null, [a, b], 'text'), kept short; Python refuses to print
    integers of thousands of digits."""
    try:
        text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    except ValueError:
        return "a number too large to use"
    except TypeError:
        text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}… ({len(text):,} characters)"


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError):
        return False


def canonical(info: QuestionInfo, value: Any) -> Any:
    """The answer as the engine compares it: a level's or an option's label (in any case) becomes its number or
    id, so a file may say "Yes, for most applications" where the level is 3. Anything else is left as given."""
    labels = info.labels
    if not labels:
        return value
    if isinstance(value, str):
        if info.question.kind == "scale" or value not in info.options:
            return labels.get(value.casefold(), value)
        return value
    if isinstance(value, list) and info.question.kind == "multiple":
        return [v if not isinstance(v, str) or v in info.options else labels.get(v.casefold(), v) for v in value]
    return value


def resolve_labels(answers: AnswersFile, index: Index) -> AnswersFile:
    """The answers with every label replaced by its level or option id (the same file when none is a label)."""
    changed: dict[str, Any] = {}
    for qid, answer in answers.answers.items():
        value = answer.value
        if value is None or value.__class__ is int or value.__class__ is bool:
            continue
        info = index.questions.get(qid)
        if info is not None and info.labels:
            found = canonical(info, value)
            if found != value:
                changed[qid] = answer.model_copy(update={"value": found})
    if not changed:
        return answers
    return answers.model_copy(update={"answers": {**answers.answers, **changed}})


def answer_problem(info: QuestionInfo, value: Any, status: str | None) -> str | None:
    """Why an answer does not fit its question, in words for the person who gave it; None when it fits."""
    question = info.question
    value = canonical(info, value)
    if status == "dont_know":
        return None if info.allow_dont_know else "this question does not allow 'don't know'"
    if status == "not_applicable":
        return None if info.allow_not_applicable else "this question does not allow 'not applicable'"
    if status is not None:
        return None
    kind = question.kind
    if kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"answer with a level number ({_span(info.levels)}), not {_show(value)}"
        if value not in info.levels:
            return f"there is no level {_show(value)}; choose {_span(info.levels)}"
    elif kind == "single":
        if not isinstance(value, str) or value not in info.options:
            return f"{_show(value)} is not one of the options: {', '.join(info.options)}"
    elif kind == "multiple":
        if not isinstance(value, list):
            return f"answer with a list of options, not {_show(value)}"
        unknown = [v for v in value if v not in info.options]
        if unknown:
            return f"{', '.join(map(_show, unknown))} not among the options: {', '.join(info.options)}"
        if len(set(value)) != len(value):
            return "an option is chosen twice"
    elif kind == "yes_no":
        if not (isinstance(value, bool) or (isinstance(value, str) and value.lower() in YES_NO)):
            return f"answer yes or no, not {_show(value)}"
    elif kind == "number":
        if not is_number(value) or not _finite(value):
            return f"answer with a number, not {_show(value)}"
        if question.integer and not (isinstance(value, int) or float(value).is_integer()):
            return f"answer with a whole number, not {_show(value)}"
        if question.minimum is not None and value < question.minimum:
            return f"{_show(value)} is below the smallest allowed answer, {question.minimum:g}"
        if question.maximum is not None and value > question.maximum:
            return f"{_show(value)} is above the largest allowed answer, {question.maximum:g}"
    elif kind == "text":
        if not isinstance(value, str):
            return f"answer with text, not {_show(value)}"
        if question.max_length is not None and len(value) > question.max_length:
            return f"the answer is {len(value)} characters long; the limit is {question.max_length}"
    return None


def _span(levels: list[int]) -> str:
    if levels and levels == list(range(levels[0], levels[-1] + 1)):
        return f"{levels[0]} to {levels[-1]}"
    return ", ".join(map(str, levels))
