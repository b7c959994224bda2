"""Which questions are asked, and the facts of one answers file that conditions read.

A question is asked when its `when` holds on the answers before it, so this walks the questions in the order they
are asked. The interview (what to ask next) and the scoring engine (what counts) both read answers through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from maturity.engine.conditions import Facts, Test, compile_condition, evaluate
from maturity.model.definitions import Answer, Question, Questionnaire
from maturity.model.vocabulary import YES_NO, Status, number


class Asking(NamedTuple):
    """One question as `facts_for` needs it: its id, its `when` compiled (None: always asked), and whether it is
    a yes/no question (whose "yes"/"no" answers become booleans)."""

    id: str
    when: Test | None
    yes_no: bool


def asking_plan(questions: Questionnaire | Sequence[Question]) -> tuple[Asking, ...]:
    """The questions in the order they are asked, ready for `facts_for` (worked out once per questionnaire)."""
    ordered: Iterable[Question] = questions.questions() if isinstance(questions, Questionnaire) else questions
    seen: set[str] = set()
    plan: list[Asking] = []
    for question in ordered:
        if question.id in seen:  # a duplicate id (an invalid questionnaire): the first definition wins
            continue
        seen.add(question.id)
        when = compile_condition(question.when) if question.when is not None else None
        plan.append(Asking(question.id, when, question.kind == "yes_no"))
    return tuple(plan)


def answer_facts(questions: Questionnaire | Sequence[Question], answers: Mapping[str, Answer]) -> Facts:
    """Each question's status and normalised value, deciding on the way which questions are asked.

    Questions are taken in the order they are asked. A question whose `when` is false is `not_asked`, whatever
    the answers hold for it; its condition sees earlier questions exactly as decided so far, so a condition on a
    question that was not asked fails like one on an unanswered question. Conditions may only refer to earlier
    questions (validation reports MQ207 otherwise); a reference to a later or unknown question sees "not asked".
    Linear in the number of questions (plus the size of their conditions).
    """
    return facts_for(asking_plan(questions), answers)


def facts_for(asking: Sequence[Asking], answers: Mapping[str, Answer]) -> Facts:
    """`answer_facts` for questions already prepared with `asking_plan` (the scoring engine keeps one per plan)."""
    statuses: dict[str, Status] = {}
    values: dict[str, Any] = {}
    numbers: dict[str, float] = {}
    evidenced: set[str] = set()
    facts = Facts(statuses, values, numbers=numbers, evidenced=evidenced)
    get = answers.get
    for qid, when, yes_no in asking:
        if when is not None and not when(facts):
            statuses[qid] = "not_asked"
            continue
        answer = get(qid)
        if answer is None:
            statuses[qid] = "unanswered"
            continue
        given = answer.status
        if given is not None:
            statuses[qid] = "unanswered" if given == "skipped" else given
            continue
        statuses[qid] = "answered"
        if answer.evidence:
            evidenced.add(qid)
        value: Any = answer.value
        if yes_no and isinstance(value, str):
            value = YES_NO.get(value.lower(), value)
        values[qid] = value
        cls = value.__class__
        if cls is int and -_EXACT < value < _EXACT:
            numbers[qid] = float(value)
        elif cls is not str and cls is not bool and cls is not list:
            n = number(value)
            if n is not None:
                numbers[qid] = n
    return facts


_EXACT = 2**53  # an int below this in size is a finite float: the common case needs no call to `number`


def is_asked(question: Question, facts: Facts) -> bool:
    """Would this question be put to the person, given the facts so far (for the interview's next step)?"""
    return evaluate(question.when, facts)


def asked_questions(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> list[str]:
    """The ids of the questions that are asked, in the order they are asked."""
    facts = answer_facts(questionnaire, answers)
    return [q.id for q in questionnaire.questions() if facts.statuses.get(q.id) not in (None, "not_asked")]
