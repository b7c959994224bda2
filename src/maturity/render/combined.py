"""What a report says about answers combined from several respondents (`maturity merge`): who answered, how
differing answers were combined, and each disagreement with who said what, in the questionnaire's own words."""

from __future__ import annotations

from typing import Any

from maturity.engine.interview import value_words
from maturity.model.definitions import AssessmentDetails, Questionnaire, RespondentAnswer
from maturity.model.vocabulary import COMBINE_POLICIES, STATUS_WORDS


def combined_context(details: AssessmentDetails, questionnaire: Questionnaire) -> dict[str, Any] | None:
    """Plain data for the report's "How the answers were combined" section; None for one respondent's file."""
    combined = details.combined
    if combined is None:
        return None
    questions = {q.id: q for q in questionnaire.questions()}
    rows = []
    for d in combined.disagreements:
        question = questions.get(d.question)
        rows.append(
            {
                "id": d.question,
                "text": question.text if question else d.question,
                "answers": [
                    {"respondent": a.respondent, "answer": _said(questionnaire, question, a), "note": a.note}
                    for a in d.answers
                ],
                "combined": None if d.combined is None else _words(questionnaire, question, d.combined),
                "reason": d.reason,
            }
        )
    return {
        "policy": combined.policy,
        "policy_words": COMBINE_POLICIES[combined.policy]["explain"],
        "respondents": [r.model_dump(mode="json") for r in combined.respondents],
        "disagreements": rows,
    }


def _said(questionnaire: Questionnaire, question: Any, answer: RespondentAnswer) -> str:
    if answer.status is not None:
        return STATUS_WORDS[answer.status]
    return _words(questionnaire, question, answer.value)


def _words(questionnaire: Questionnaire, question: Any, value: Any) -> str:
    return str(value) if question is None else value_words(questionnaire, question, value)
