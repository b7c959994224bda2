"""The bundled content holds to its own methodology: primary sources, severities, stages, critical questions, the
pre-check in step with the full assessment, and a migration declared for every question that changed.

These are checks on the definitions (questionnaires/, scoring_rules/), not on the engine: they fail when a content
edit breaks a rule that docs/methodology.md promises, and say which entry broke it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import pytest

from maturity import score
from maturity.checks.validation import find_rules, load_questionnaire
from maturity.model.definitions import Answer, AnswersFile, Condition, Question, Questionnaire, Rules

from .conftest import ROOT

FULL = ROOT / "questionnaires" / "outsourcing-lifecycle.yaml"
PRECHECK = ROOT / "questionnaires" / "outsourcing-a-problem.yaml"
BUNDLED = [FULL, PRECHECK]

# Hosts that republish other people's documents, or summarise them, rather than publish them: an auditor cannot
# rely on them to be the text the publisher issued. A reference must point at the publisher (nao.org.uk,
# parliament.uk, gov.uk, legislation.gov.uk, the author's own site). Matched on the host and its parents.
MIRRORS = {
    "fdocuments.net",
    "fdocuments.us",
    "fdocuments.in",
    "docslib.org",
    "dokumen.tips",
    "vlex.co.uk",
    "vlex.com",
    "politics.co.uk",
    "lgiu.org",
    "affinitext.com",
    "cips.org",
    "majorprojectsknowledgehub.net",
    "pdfslide.us",
    "pdfslide.net",
    "vdocuments.us",
    "vdocuments.mx",
    "vdocuments.site",
    "documents.pub",
    "scribd.com",
    "readkong.com",
    "paperzz.com",
    "123dok.org",
    "wired-gov.net",
    "publicspendforumeurope.com",
}


@cache
def _definitions(path: Path) -> tuple[Questionnaire, Rules]:
    questionnaire = load_questionnaire(path)
    return questionnaire.model, find_rules(questionnaire).model


def _questions(q: Questionnaire) -> dict[str, Question]:
    return {question.id: question for stage in q.stages for question in stage.questions or []}


def _stage_of(q: Questionnaire) -> dict[str, str]:
    return {question.id: stage.id for stage in q.stages for question in stage.questions or []}


def _question_ids(condition: Condition | None) -> Iterator[str]:
    if condition is None:
        return
    if condition.question is not None:
        yield condition.question
    for part in [*(condition.all or []), *(condition.any or [])]:
        yield from _question_ids(part)
    yield from _question_ids(condition.not_)


def _host_is_mirror(url: str) -> str | None:
    host = (urlparse(url).hostname or "").lower()
    parts = host.split(".")
    for k in range(len(parts) - 1):
        if ".".join(parts[k:]) in MIRRORS:
            return ".".join(parts[k:])
    return None


def _reference_urls() -> Iterator[tuple[str, str, str]]:
    for path in BUNDLED:
        q, rules = _definitions(path)
        for owner, refs in ((path.name, q.references), (f"rules for {path.name}", rules.references)):
            for ref in refs:
                if ref.url:
                    yield owner, ref.tag, ref.url
    methodology = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    for url in re.findall(r"<(https?://[^>\s]+)>|\((https?://[^)\s]+)\)", methodology):
        yield "docs/methodology.md", "-", url[0] or url[1]


def test_no_reference_points_at_a_document_mirror() -> None:
    bad = [
        f"{owner}: {tag} {url} ({mirror})" for owner, tag, url in _reference_urls() if (mirror := _host_is_mirror(url))
    ]
    assert bad == [], "cite the publisher, not a mirror or a news summary:\n" + "\n".join(bad)


def test_the_mirror_check_catches_the_known_mirrors() -> None:
    """The check above is only as good as its matching: a subdomain of a mirror is a mirror too."""
    assert _host_is_mirror("https://docslib.org/doc/1/x") == "docslib.org"
    assert _host_is_mirror("https://www.politics.co.uk/news/2013/02/22/x/") == "politics.co.uk"
    assert _host_is_mirror("https://ppponline.affinitext.com/public/book?id=1") == "affinitext.com"
    assert _host_is_mirror("https://www.nao.org.uk/press-release/work-programme/") is None
    assert _host_is_mirror("https://publications.parliament.uk/pa/cm201213/cmselect/cmpubacc/936/93604.htm") is None


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_cited_tag_is_a_listed_reference(path: Path) -> None:
    q, rules = _definitions(path)
    listed = {ref.tag for ref in q.references} | {ref.tag for ref in rules.references}
    cited: set[str] = set()
    for question in _questions(q).values():
        cited |= {source.split()[0] for source in question.sources}
    for pain in rules.pain_points:
        cited |= {source.split()[0] for source in pain.sources}
        cited |= set(re.findall(r"\[([A-Z][A-Z0-9-]+)[^\]]*\]", pain.why))
    assert rules.verdict is not None
    for indicator in rules.verdict.indicators:
        cited |= {source.split()[0] for source in indicator.sources}
    assert sorted(cited - listed) == []
    for ref in [*q.references, *rules.references]:
        assert ref.url or ref.note, f"{ref.tag}: give the publisher's address, or say why there is none"


def _answers_with(q: Questionnaire, qid: str, status: str) -> AnswersFile | None:
    """Every question at its top level except `qid`, which is don't know or left unanswered; None if no situation
    asks `qid`. Context answers are chosen so that the question is asked."""
    situation = next(c for c in q.context if c.id == "situation")
    for option in situation.options or []:
        context: dict[str, Answer] = {"situation": Answer(value=option.id)}
        if option.id == "live-contract":
            context |= {"first_generation": Answer(value=True), "transition_view": Answer(value="look-back")}
        answers = dict(context)
        for question in _questions(q).values():
            if question.id == qid:
                if status == "dont_know":
                    answers[qid] = Answer(status="dont_know")
                continue
            top = max(level.level for level in question.levels or [])
            answers[question.id] = Answer(value=top, evidence=["a document"])
        candidate = AnswersFile.model_validate(
            {
                "kind": "answers",
                "questionnaire": {"id": q.id, "version": q.version},
                "assessment": {"organisation": "Content test", "service": "A service"},
                "answers": answers,
            }
        )
        rules = _definitions(FULL if q.id == "outsourcing-lifecycle" else PRECHECK)[1]
        assessment = score(q, rules, candidate)
        asked = {r.id for r in assessment.questions if r.status != "not_asked"}
        if qid in asked:
            return candidate
    return None


def _high_pain_cases() -> Iterator[tuple[Path, str, str]]:
    for path in BUNDLED:
        _, rules = _definitions(path)
        for pain in rules.pain_points:
            if pain.severity == "high":
                for qid in sorted(set(_question_ids(pain.when))):
                    yield path, pain.id, qid


@pytest.mark.parametrize(
    ("path", "pain_id", "qid"), list(_high_pain_cases()), ids=lambda v: v.stem if isinstance(v, Path) else str(v)
)
@pytest.mark.parametrize("status", ["dont_know", "unanswered"])
def test_every_high_pain_point_fires_on_a_gap_in_each_question_it_tests(
    path: Path, pain_id: str, qid: str, status: str
) -> None:
    """Not knowing whether a thing is done is, in practice, not doing it: a gap must raise the alarm."""
    q, rules = _definitions(path)
    answers = _answers_with(q, qid, status)
    assert answers is not None, f"{qid} is asked in no situation"
    fired = [p.id for p in score(q, rules, answers).pain_points]
    assert pain_id in fired, f"{pain_id} does not fire when {qid} is {status.replace('_', ' ')}"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_each_pain_point_reads_only_the_answers_of_its_own_stage(path: Path) -> None:
    """A pain point can only change its own stage's RAG, so it must read that stage's answers and no other's;
    otherwise, say, contract-management answers would turn procurement red."""
    q, rules = _definitions(path)
    stage_of = _stage_of(q)
    wrong = []
    for pain in rules.pain_points:
        stages = {stage_of[qid] for qid in _question_ids(pain.when) if qid in stage_of}
        if stages != {pain.stage}:
            wrong.append(f"{pain.id} ({pain.stage}) reads {sorted(stages)}")
    assert wrong == []


def test_high_severity_is_kept_for_what_can_fail_the_outsourcing_on_its_own() -> None:
    """The methodology defines high as "can make the outsourcing fail on its own". When most pain points are high,
    severity stops saying what to fix first; a quarter of the full catalogue is the ceiling it holds itself to.
    (The pre-check keeps only the verdict's pain points, so its share is naturally higher.)"""
    _, rules = _definitions(FULL)
    high = [p.id for p in rules.pain_points if p.severity == "high"]
    assert len(high) <= len(rules.pain_points) / 4, high
    assert all(p.role in ("cause", "symptom") for p in rules.pain_points)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_critical_questions_follow_the_methodology_rule(path: Path) -> None:
    """Critical: behind a core or major verdict indicator (MGT-3 included, which decides whether a re-tender's or
    live contract's performance counts as proven), or behind a high-severity pain point."""
    q, rules = _definitions(path)
    assert rules.verdict is not None
    asked = set(_questions(q))
    expected: set[str] = set()
    for indicator in rules.verdict.indicators:
        if indicator.tier in ("core", "major"):
            expected |= set(indicator.questions)
            for rule in indicator.rate:
                expected |= set(_question_ids(rule.when))
    for pain in rules.pain_points:
        if pain.severity == "high":
            expected |= set(_question_ids(pain.when))
    assert sorted(set(rules.critical_questions)) == sorted(expected & asked)


def test_the_precheck_asks_the_full_assessments_questions_in_the_same_words() -> None:
    full, _ = _definitions(FULL)
    pre, _ = _definitions(PRECHECK)
    full_questions = _questions(full)
    for qid, question in _questions(pre).items():
        mine = question.model_dump(exclude={"when"})
        theirs = full_questions[qid].model_dump(exclude={"when"})
        assert mine == theirs, f"{qid} differs between the pre-check and the full assessment"


def test_the_precheck_rules_are_the_full_rules_restricted() -> None:
    """Same indicators, tiers, vetoes and outcomes; the pre-check's pain points are the full rules' ones, with the
    same words, minus triggers on questions it does not ask."""
    _, full = _definitions(FULL)
    _, pre = _definitions(PRECHECK)
    assert full.verdict is not None and pre.verdict is not None
    assert [(i.id, i.tier, i.title) for i in pre.verdict.indicators] == [
        (i.id, i.tier, i.title) for i in full.verdict.indicators
    ]
    live_only = {"cannot-be-determined"}
    assert [(v.outcome, v.reason) for v in pre.verdict.vetoes] == [
        (v.outcome, v.reason) for v in full.verdict.vetoes if v.outcome not in live_only
    ]
    assert [o.id for o in pre.verdict.outcomes] == [o.id for o in full.verdict.outcomes if o.id not in live_only]
    assert pre.verdict.tiers == full.verdict.tiers and pre.verdict.ratings == full.verdict.ratings
    full_pains = {p.id: p for p in full.pain_points}
    for pain in pre.pain_points:
        other = full_pains[pain.id]
        assert (pain.title, pain.severity, pain.role, pain.stage, pain.why, pain.action) == (
            other.title,
            other.severity,
            other.role,
            other.stage,
            other.why,
            other.action,
        ), pain.id
    assert pre.points == full.points and pre.rag == full.rag and pre.levels == full.levels


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_changed_question_is_declared_in_the_migration(path: Path) -> None:
    """A question whose text, kind, levels, options or condition changed since the previous version, or that is
    new or gone, must be named in `migrations:`; one named there must really have changed."""
    q, _ = _definitions(path)
    old = load_questionnaire(path.with_name(f"{path.stem}-1.0.0.yaml")).model
    new_questions, old_questions = _questions(q), _questions(old)
    declared: set[str] = set()
    for migration in q.migrations:
        for change in migration.changes:
            declared |= set(change.from_ or []) | set(change.to or [])
    keys = {"text", "kind", "levels", "options", "when"}
    changed = {
        qid
        for qid in new_questions.keys() | old_questions.keys()
        if qid not in new_questions
        or qid not in old_questions
        or new_questions[qid].model_dump(include=keys) != old_questions[qid].model_dump(include=keys)
    }
    assert sorted(changed - declared) == [], "changed but not declared"
    assert sorted(declared - changed) == [], "declared but unchanged"
