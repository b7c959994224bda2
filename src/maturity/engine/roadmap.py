"""The roadmap: the fewest answer improvements that would change the verdict or lift the overall level.

A board reading "level 1, outsourcing a problem" asks what it would take to do better. The answer here is
computed, not canned: candidate improvements (raise a scale answer by one or more levels, or turn "don't know"
or unanswered into an answer) are scored with the real engine (`scoring.summarise`), so whatever the rules say
is what the roadmap says. Pure: no I/O, deterministic for the same inputs.

The search, per goal, is bounded so that it always finishes fast:

* every single change (each question, each higher level) is tried: a one-change answer is exact;
* sets of 2..`max_changes` questions are tried with each question at its top level (assuming that a higher answer
  never makes a result worse, which holds for the bundled rules), over the questions the goal can depend on;
  for the level goal, sets whose summed single-change score gains cannot reach the next band are skipped when
  every roll-up is a mean, weighted mean or sum (where gains do not add up to more than their sum);
* a set that works is then lowered question by question to the smallest levels that still work;
* among the sets of the fewest changes, the smallest total level increase wins, then questionnaire order;
* when the evaluation budget runs out before an answer, a greedy search (the single change that helps most,
  repeated) gives a set that works but may not be the smallest: `proven_fewest` says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from maturity.engine import scoring
from maturity.model.assessment import Assessment, Summary
from maturity.model.definitions import Answer, AnswersFile, Condition, Questionnaire, QuestionnaireRef, Rules

MAX_CHANGES = 5
BUDGET = 1200  # engine evaluations per goal (about 0.2 ms each)
_EPS = 1e-9
_UNKNOWN_WORDS = {"dont_know": "Don't know", "unanswered": "Unanswered"}


@dataclass(frozen=True, slots=True)
class Change:
    """One answer improvement, and what it moves (indicators, the stage level) when the whole set is applied."""

    question: str
    text: str
    stage: str | None
    stage_title: str
    from_level: int | None  # None: the answer was "don't know" or unanswered
    from_words: str  # "2: Basic", "Don't know"
    to_level: int
    to_words: str
    increase: int  # levels raised; an unknown answer counts as one below the lowest level
    moves: tuple[str, ...] = ()  # e.g. "indicator current-performance: red to green", "stage readiness: level 1 to 2"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "stage": self.stage,
            "stage_title": self.stage_title,
            "from_level": self.from_level,
            "from": self.from_words,
            "to_level": self.to_level,
            "to": self.to_words,
            "increase": self.increase,
            "moves": list(self.moves),
        }


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal (a better verdict outcome, or the next overall level) and the fewest changes found to reach it."""

    id: str  # "verdict:at-risk", "level:2"
    kind: str  # "verdict" or "level"
    title: str  # "Move the verdict to At risk"
    reachable: bool
    changes: tuple[Change, ...] = ()
    total_increase: int = 0
    proven_fewest: bool = False  # every smaller set was tried and none worked
    result: str | None = None  # what the changes give, e.g. "verdict At risk, overall level 2"
    note: str | None = None  # why it is not reachable, or how it was found

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "reachable": self.reachable,
            "changes": [c.to_dict() for c in self.changes],
            "total_increase": self.total_increase,
            "proven_fewest": self.proven_fewest,
            "result": self.result,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Roadmap:
    goals: tuple[Goal, ...]
    max_changes: int
    evaluations: int  # engine evaluations used, over all goals
    notes: tuple[str, ...] = field(default=())  # e.g. why there is no verdict goal

    def to_dict(self) -> dict[str, Any]:
        return {
            "goals": [g.to_dict() for g in self.goals],
            "max_changes": self.max_changes,
            "evaluations": self.evaluations,
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------------------------ candidates


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int  # questionnaire order
    qid: str
    from_level: int | None
    levels: tuple[int, ...]  # the levels it may be raised to, lowest first
    lowest: int

    def increase(self, level: int) -> int:
        return level - (self.from_level if self.from_level is not None else self.lowest - 1)


def _candidates(questionnaire: Questionnaire, assessment: Assessment) -> list[_Candidate]:
    """Scale questions that were asked and could be answered higher, in questionnaire order."""
    results = {r.id: r for r in assessment.questions}
    out: list[_Candidate] = []
    for index, question in enumerate(questionnaire.questions()):
        result = results.get(question.id)
        if question.kind != "scale" or result is None:
            continue
        levels = sorted(lv.level for lv in questionnaire.levels_of(question))
        if not levels:
            continue
        if result.status == "answered" and isinstance(result.value, int) and not isinstance(result.value, bool):
            higher = tuple(lv for lv in levels if lv > result.value)
            if higher:
                out.append(_Candidate(index, question.id, result.value, higher, levels[0]))
        elif result.status in ("dont_know", "unanswered"):
            out.append(_Candidate(index, question.id, None, tuple(levels), levels[0]))
    return out


def answers_from_assessment(assessment: Assessment) -> AnswersFile:
    """The answers an assessment was scored from, as far as it records them (for callers without the file)."""
    answers: dict[str, Answer] = {}
    for r in assessment.questions:
        if r.status in ("dont_know", "not_applicable"):
            answers[r.id] = Answer(status=r.status)
        elif r.value is not None and r.status in ("answered", "not_asked"):
            answers[r.id] = Answer(value=r.value)
    return AnswersFile(
        kind="answers",
        questionnaire=QuestionnaireRef(id=assessment.questionnaire.id, version=assessment.questionnaire.version),
        assessment=assessment.details,
        answers=answers,
    )


def _condition_subjects(condition: Condition | None) -> Iterator[tuple[str, str]]:
    if condition is None:
        return
    for part in (condition.all or []) + (condition.any or []) + ([condition.not_] if condition.not_ else []):
        yield from _condition_subjects(part)
    subject = condition.subject()
    if subject is not None:
        yield subject
    elif condition.count is not None:
        yield "count", condition.count.rated


def _verdict_questions(rules: Rules) -> set[str] | None:
    """The questions the verdict can depend on, or None when it reads scores, levels or pain points (then all)."""
    verdict = rules.verdict
    if verdict is None:
        return set()
    found: set[str] = set()
    for indicator in verdict.indicators:
        found.update(indicator.questions)
        for rule in indicator.rate:
            found.update(i for s, i in _condition_subjects(rule.when) if s == "question")
    for condition in [*(v.when for v in verdict.vetoes), *(o.when for o in verdict.outcomes)]:
        for subject, ident in _condition_subjects(condition):
            if subject == "question":
                found.add(ident)
            elif subject in ("level", "pain_point") or (subject == "score" and ident != "verdict"):
                return None
    return found


def _additive(rules: Rules) -> bool:
    rollup = rules.rollup
    methods = [rollup.group.method, rollup.stage.method, rollup.overall.method, *(n.method for n in rollup.nodes)]
    return all(m in ("mean", "weighted", "sum") for m in methods)


# ------------------------------------------------------------------------------------------------ the search


class _Search:
    """The engine evaluations for one answers file, counted against a budget."""

    def __init__(self, questionnaire: Questionnaire, rules: Rules, answers: AnswersFile) -> None:
        self.questionnaire, self.rules, self.answers = questionnaire, rules, answers
        self.evaluations = 0
        self._cache: dict[tuple[tuple[str, int], ...], Summary] = {}

    def summary(self, changes: Sequence[tuple[str, int]]) -> Summary:
        key = tuple(sorted(changes))
        found = self._cache.get(key)
        if found is None:
            self.evaluations += 1
            found = scoring.summarise(self.questionnaire, self.rules, self.apply(key), checked=True)
            self._cache[key] = found
        return found

    def apply(self, changes: Sequence[tuple[str, int]]) -> AnswersFile:
        updated = dict(self.answers.answers)
        for qid, level in changes:
            old = updated.get(qid)
            updated[qid] = Answer(
                value=level, note=old.note if old else None, evidence=list(old.evidence) if old else []
            )
        return self.answers.model_copy(update={"answers": updated})


@dataclass(frozen=True, slots=True)
class _Spec:
    id: str
    kind: str
    title: str
    reached: Callable[[Summary], bool]
    progress: Callable[[Summary], tuple[float, ...]]  # bigger is closer, for the greedy fallback
    pool: list[_Candidate]
    needed_gain: float | None = None  # for the level goal: overall score still missing (additive rules only)


def _best_of(
    found: list[tuple[int, tuple[int, ...], tuple[tuple[str, int], ...]]],
) -> tuple[int, tuple[int, ...], tuple[tuple[str, int], ...]]:
    return min(found, key=lambda f: (f[0], f[1], f[2]))


def _search_goal(
    search: _Search, spec: _Spec, candidates: list[_Candidate], max_changes: int, budget: int
) -> tuple[tuple[tuple[str, int], ...] | None, bool, str | None]:
    """(changes, proven fewest, note) for one goal."""
    start = search.evaluations
    by_id = {c.qid: c for c in candidates}

    def left() -> bool:
        return search.evaluations - start < budget

    def key(changes: tuple[tuple[str, int], ...]) -> tuple[int, tuple[int, ...], tuple[tuple[str, int], ...]]:
        total = sum(by_id[q].increase(lv) for q, lv in changes)
        return total, tuple(by_id[q].index for q, _ in changes), changes

    # Size 1: every question at every higher level, so the answer is exact.
    singles = [((c.qid, lv),) for c in candidates for lv in c.levels]
    found = [key(ch) for ch in singles if spec.reached(search.summary(ch))]
    if found:
        return _best_of(found)[2], True, None
    if max_changes < 2:
        return None, True, f"not reachable within {max_changes} change"
    pool = sorted(spec.pool, key=lambda c: c.index)
    gains: dict[str, float] = {}
    if spec.needed_gain is not None:
        base = search.summary(()).overall_score or 0.0
        for c in pool:
            gains[c.qid] = max(0.0, (search.summary(((c.qid, c.levels[-1]),)).overall_score or 0.0) - base)
    complete = True
    for size in range(2, max_changes + 1):
        found = []
        complete = True
        for chosen in _sets(pool, size, gains, spec.needed_gain):
            if not left():
                complete = False
                break
            top = tuple((c.qid, c.levels[-1]) for c in chosen)
            if spec.reached(search.summary(top)):
                found.append(key(_lower(search, spec, chosen)))
        if found:  # every smaller size was searched in full
            return _best_of(found)[2], True, None
        if not complete:
            break
    greedy = _greedy(search, spec, max_changes)
    if greedy is not None:
        return (
            greedy,
            False,
            "found by a greedy search after the exhaustive search reached its budget; a smaller set may exist",
        )
    within = f"within {max_changes} changes" + ("" if complete else " (the search reached its budget)")
    return None, complete, f"not reachable {within}"


def _sets(
    pool: list[_Candidate], size: int, gains: dict[str, float], needed: float | None
) -> Iterator[tuple[_Candidate, ...]]:
    """Sets of `size` questions in questionnaire order, skipping those that cannot add the score still needed."""
    if needed is None:
        yield from combinations(pool, size)
        return
    ordered = sorted(pool, key=lambda c: (-gains[c.qid], c.index))
    values = [gains[c.qid] for c in ordered]
    out: list[tuple[_Candidate, ...]] = []

    def walk(start: int, chosen: list[_Candidate], total: float) -> None:
        slots = size - len(chosen)
        if slots == 0:
            if total + _EPS >= needed:
                out.append(tuple(sorted(chosen, key=lambda c: c.index)))
            return
        for i in range(start, len(ordered) - slots + 1):
            if total + sum(values[i : i + slots]) + _EPS < needed:
                return  # sorted by gain: no later start can do better
            walk(i + 1, [*chosen, ordered[i]], total + values[i])

    walk(0, [], 0.0)
    yield from sorted(out, key=lambda s: tuple(c.index for c in s))


def _lower(search: _Search, spec: _Spec, chosen: Sequence[_Candidate]) -> tuple[tuple[str, int], ...]:
    """Lower each question of a working set, in questionnaire order, to the smallest level that still works."""
    levels = {c.qid: c.levels[-1] for c in chosen}
    for c in chosen:
        for level in c.levels[:-1]:
            trial = {**levels, c.qid: level}
            if spec.reached(search.summary(tuple(trial.items()))):
                levels[c.qid] = level
                break
    return tuple(sorted(levels.items(), key=lambda kv: next(c.index for c in chosen if c.qid == kv[0])))


def _greedy(search: _Search, spec: _Spec, max_changes: int) -> tuple[tuple[str, int], ...] | None:
    chosen: list[_Candidate] = []
    for _ in range(max_changes):
        current = tuple((c.qid, c.levels[-1]) for c in chosen)
        options = [c for c in spec.pool if c not in chosen]
        if not options:
            return None
        best = max(options, key=lambda c: (spec.progress(search.summary((*current, (c.qid, c.levels[-1])))), -c.index))
        chosen.append(best)
        chosen.sort(key=lambda c: c.index)
        if spec.reached(search.summary(tuple((c.qid, c.levels[-1]) for c in chosen))):
            return _lower(search, spec, chosen)
    return None


# ------------------------------------------------------------------------------------------------ public


def build_roadmap(
    questionnaire: Questionnaire,
    rules: Rules,
    answers: AnswersFile,
    assessment: Assessment | None = None,
    *,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
) -> Roadmap:
    """The fewest answer changes to each better verdict outcome and to the next overall level.

    `answers` must already have passed the answers checks (as `load_answers` does): they are scored unchecked.
    """
    if assessment is None:
        assessment = scoring.score(questionnaire, rules, answers, checked=True)
    search = _Search(questionnaire, rules, answers)
    candidates = _candidates(questionnaire, assessment)
    specs, notes = _specs(rules, assessment, candidates)
    goals = []
    for spec in specs:
        changes, proven, note = _search_goal(search, spec, candidates, max_changes, budget)
        goals.append(_goal(search, spec, assessment, changes, proven, note))
    return Roadmap(tuple(goals), max_changes, search.evaluations, tuple(notes))


def _specs(rules: Rules, assessment: Assessment, candidates: list[_Candidate]) -> tuple[list[_Spec], list[str]]:
    specs: list[_Spec] = []
    notes: list[str] = []
    verdict = assessment.verdict
    outcomes = [o.id for o in rules.verdict.outcomes] if rules.verdict else []
    labels = {o.id: o.label for o in rules.verdict.outcomes} if rules.verdict else {}

    def rank(outcome: str) -> int:
        return outcomes.index(outcome) if outcome in outcomes else -1

    if not verdict.assessed:
        notes.append("The verdict was not assessed, so no change to it is proposed.")
    elif rank(verdict.outcome) == len(outcomes) - 1:
        notes.append(f"The verdict is already the best outcome ({verdict.label}).")
    else:
        relevant = _verdict_questions(rules)
        pool = [c for c in candidates if relevant is None or c.qid in relevant]

        def progress(s: Summary) -> tuple[float, ...]:
            return float(rank(s.verdict_outcome)), -(s.verdict_points or 0.0)

        for target in outcomes[rank(verdict.outcome) + 1 :]:
            specs.append(
                _Spec(
                    f"verdict:{target}",
                    "verdict",
                    f"Move the verdict to {labels[target]}",
                    reached=_at_least(rank, rank(target)),
                    progress=progress,
                    pool=pool,
                )
            )
    overall = assessment.overall
    top = max(b.level for b in rules.levels)
    if overall.level is None:
        notes.append("There is no overall level yet, so no level goal is proposed.")
    elif overall.level >= top:
        notes.append(f"The overall level is already the top level ({top}).")
    else:
        target_level = overall.level + 1
        band = min((b for b in rules.levels if b.level >= target_level), key=lambda b: b.level)
        needed = band.from_ - (overall.score or 0.0) if _additive(rules) else None
        specs.append(
            _Spec(
                f"level:{band.level}",
                "level",
                f"Lift the overall level to {band.level} {band.name}",
                reached=lambda s: s.overall_level is not None and s.overall_level >= target_level,
                progress=lambda s: (float(s.overall_level or 0), s.overall_score or 0.0),
                pool=candidates,
                needed_gain=max(needed, 0.0) if needed is not None else None,
            )
        )
    return specs, notes


def _at_least(rank: Callable[[str], int], wanted: int) -> Callable[[Summary], bool]:
    return lambda s: rank(s.verdict_outcome) >= wanted


def _goal(
    search: _Search,
    spec: _Spec,
    before: Assessment,
    changes: tuple[tuple[str, int], ...] | None,
    proven: bool,
    note: str | None,
) -> Goal:
    if changes is None:
        return Goal(spec.id, spec.kind, spec.title, False, proven_fewest=proven, note=note)
    q = search.questionnaire
    after = scoring.score(q, search.rules, search.apply(changes), checked=True)
    questions = {x.id: x for x in q.questions()}
    stage_titles = {s.id: s.title for s in q.stages}
    results = {r.id: r for r in before.questions}
    stages_before = {s.id: s for s in before.stages()}
    stages_after = {s.id: s for s in after.stages()}
    ratings_after = {i.id: i for i in after.verdict.indicators}
    candidates = {c.qid: c for c in _candidates(q, before)}
    out = []
    for qid, level in changes:
        question, result, cand = questions[qid], results[qid], candidates[qid]
        moves = []
        for ind in before.verdict.indicators:
            new = ratings_after.get(ind.id)
            if (
                new is not None
                and qid in {a.question for a in ind.answers}
                and (new.rating, new.unknown) != (ind.rating, ind.unknown)
            ):
                moves.append(
                    f"indicator {ind.id}: {_rating(ind.rating, ind.unknown)} to {_rating(new.rating, new.unknown)}"
                )
        stage = result.stage
        if stage in stages_before and stage in stages_after:
            b, a = stages_before[stage], stages_after[stage]
            if b.level != a.level:
                moves.append(f"stage {stage}: level {b.level} to {a.level}")
        out.append(
            Change(
                qid,
                question.text,
                stage,
                stage_titles.get(stage or "", "Context"),
                cand.from_level,
                _words(q, question, cand.from_level, result.status),
                level,
                _words(q, question, level, "answered"),
                cand.increase(level),
                tuple(moves),
            )
        )
    reached = f"overall level {after.overall.level}" if after.overall.level is not None else "no overall level"
    result_words = f"verdict {after.verdict.label}, {reached}" if after.verdict.assessed else reached
    return Goal(
        spec.id, spec.kind, spec.title, True, tuple(out), sum(c.increase for c in out), proven, result_words, note
    )


def _rating(rating: str, unknown: bool) -> str:
    return f"{rating} (unknown)" if unknown else rating


def _words(questionnaire: Questionnaire, question: Any, level: int | None, status: str) -> str:
    if level is None:
        return _UNKNOWN_WORDS.get(status, status)
    label = next((lv.label for lv in questionnaire.levels_of(question) if lv.level == level), None)
    return f"{level}: {label}" if label else str(level)
