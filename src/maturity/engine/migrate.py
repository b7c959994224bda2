"""Carrying an answers file forward to a newer version of its questionnaire. Pure: no I/O.

A questionnaire lists under `migrations` what changed since each earlier version. Questions it does not list
carry over unchanged. Nothing the person wrote is lost: a carried answer keeps its note, evidence, time and
author; the answer to a removed question is kept in words in the assessment's notes; and every question that
needs a person's attention (added, split, reworded for review, or an old answer that no longer fits) is listed,
so the next interview or review can ask it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from maturity.checks.answers import answer_problem
from maturity.checks.index import index_questionnaire
from maturity.engine.asking import answer_facts
from maturity.model.definitions import Answer, AnswersFile, Change, Migration, Questionnaire, QuestionnaireRef
from maturity.model.problems import DefinitionError, Problem
from maturity.model.vocabulary import STATUS_WORDS, format_value, number


@dataclass
class Migrated:
    """An answers file carried forward, and what the person should look at."""

    answers: AnswersFile
    from_version: str
    to_version: str
    needs_answer: list[tuple[str, str]] = field(default_factory=list)  # (question id, why) for a fresh answer
    review: list[tuple[str, str]] = field(default_factory=list)  # (question id, why) carried, but worth a look
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (old question id, the answer in words)

    def lines(self) -> list[str]:
        """What a person needs to know, one line each."""
        out = [f"carried forward from version {self.from_version} to {self.to_version}"]
        out += [f"{qid}: needs an answer ({why})" for qid, why in self.needs_answer]
        out += [f"{qid}: carried over; check it ({why})" for qid, why in self.review]
        out += [f"{qid}: removed; its answer is kept in the assessment notes ({words})" for qid, words in self.dropped]
        return out


def chain(versions: Mapping[str, Questionnaire], start: str, end: str) -> list[tuple[Questionnaire, Migration]]:
    """The steps from version `start` to version `end` of one questionnaire: each a newer version and the
    migration it declares from the one before. Raises DefinitionError when no declared path joins them."""
    steps: list[tuple[Questionnaire, Migration]] = []
    at = end
    seen = {end}
    while at != start:
        current = versions[at]
        step = next((m for m in current.migrations if m.from_ in versions or m.from_ == start), None)
        if step is None or step.from_ in seen:
            raise DefinitionError(
                Problem.make(
                    "MQ604",
                    f"no migration leads from version {start} to {end} of '{current.id}': version {at} declares "
                    f"none from a version that is available",
                )
            )
        steps.append((current, step))
        seen.add(step.from_)
        at = step.from_
    return list(reversed(steps))


def migrate_through(answers: AnswersFile, versions: Mapping[str, Questionnaire], to_version: str) -> Migrated:
    """Carry answers through every declared step up to `to_version`."""
    start = answers.questionnaire.version
    done: Migrated | None = None
    current = answers
    old = versions.get(start)
    if old is None:
        raise DefinitionError(Problem.make("MQ603", f"version {start} of '{answers.questionnaire.id}' was not found"))
    for new, migration in chain(versions, start, to_version):
        step = migrate(current, old, new, migration)
        if done is None:
            done = step
        else:
            done.answers, done.to_version = step.answers, step.to_version
            done.needs_answer = _merge(done.needs_answer, step.needs_answer)
            done.review = _merge(done.review, step.review)
            done.dropped += step.dropped
        current, old = step.answers, new
    if done is None:  # already at that version
        return Migrated(answers, start, start)
    # a question asked afresh in a later step needs no review from an earlier one
    fresh = {q for q, _ in done.needs_answer}
    done.review = [(q, why) for q, why in done.review if q not in fresh]
    return done


def _merge(first: list[tuple[str, str]], then: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen = {q for q, _ in then}
    return [*(x for x in first if x[0] not in seen), *then]


def migrate(answers: AnswersFile, old: Questionnaire, new: Questionnaire, migration: Migration) -> Migrated:
    """One step: answers to `old` carried over to `new` by the changes `new` declares since `old`."""
    index = index_questionnaire(new)
    given = dict(answers.answers)
    result = Migrated(answers, old.version, new.version)
    carried: dict[str, Answer] = {}
    touched_old: set[str] = set()
    touched_new: set[str] = set()
    for change in migration.changes:
        touched_old.update(change.from_)
        touched_new.update(change.to)
        _apply(change, given, carried, result)
    for qid, answer in given.items():  # questions the migration does not mention carry over as they are
        if qid in touched_old:
            continue
        if qid in index.questions:
            carried.setdefault(qid, answer)
        else:
            result.dropped.append((qid, _words(answer)))
    for qid in list(carried):  # an old answer that no longer fits the new question is asked again
        answer = carried[qid]
        info = index.questions.get(qid)
        problem = answer_problem(info, answer.value, answer.status) if info else "there is no such question"
        if problem:
            del carried[qid]
            result.needs_answer.append((qid, f"the old answer no longer fits: {problem}"))
    ordered = {q.id: carried[q.id] for q in new.questions() if q.id in carried}
    notes = answers.assessment.notes
    if result.dropped:
        kept = "; ".join(f"{qid} was {words}" for qid, words in result.dropped)
        line = f"Answers to questions removed in version {new.version}: {kept}."
        notes = f"{notes}\n\n{line}" if notes else line
    ref = QuestionnaireRef(id=new.id, version=new.version)
    details = answers.assessment.model_copy(update={"notes": notes})
    result.answers = answers.model_copy(update={"questionnaire": ref, "assessment": details, "answers": ordered})
    # a question these answers will not be asked (its condition is false for them) needs no answer or review
    statuses = answer_facts(new, ordered).statuses
    result.needs_answer = [(q, why) for q, why in result.needs_answer if statuses.get(q) != "not_asked"]
    result.review = [(q, why) for q, why in result.review if statuses.get(q) != "not_asked"]
    return result


def _apply(change: Change, given: Mapping[str, Answer], carried: dict[str, Answer], result: Migrated) -> None:
    why = change.note or change.change
    if change.change == "added":
        result.needs_answer += [(qid, f"new in this version: {why}") for qid in change.to]
        return
    sources = [given[q] for q in change.from_ if q in given]
    if change.change == "removed":
        result.dropped += [(q, _words(given[q])) for q in change.from_ if q in given]
        return
    if not sources:
        if change.change in ("split", "merged", "renamed", "rescaled", "reworded"):
            result.needs_answer += [(qid, f"no earlier answer to carry over ({why})") for qid in change.to]
        return
    source = _combined(sources, change.combine) if change.change == "merged" else sources[0]
    for qid in change.to:
        carried[qid] = _mapped(source, change.map)
        if change.review or change.change in ("split", "merged"):
            result.review.append((qid, why))


def _combined(answers: Sequence[Answer], how: str | None) -> Answer:
    """One answer from several (a merge): the lowest or highest level given, or the first; notes and evidence of
    all are kept."""
    valued = [a for a in answers if a.value is not None and number(a.value) is not None]
    if how in ("lowest", "highest") and valued:
        pick = (
            min(valued, key=lambda a: number(a.value) or 0)
            if how == "lowest"
            else max(valued, key=lambda a: number(a.value) or 0)
        )
    else:
        pick = answers[0]
    notes = [a.note for a in answers if a.note]
    evidence = list(dict.fromkeys(e for a in answers for e in a.evidence))
    return pick.model_copy(update={"note": "\n".join(notes) or None, "evidence": evidence})


def _mapped(answer: Answer, mapping: Mapping[str, Any] | None) -> Answer:
    if not mapping or answer.value is None:
        return answer
    key = format_value(answer.value)
    if key not in mapping:
        return answer
    return answer.model_copy(update={"value": mapping[key]})


def _words(answer: Answer) -> str:
    said = STATUS_WORDS[answer.status] if answer.status else format_value(answer.value)
    return f"{said}" + (f" (note: {answer.note})" if answer.note else "")
