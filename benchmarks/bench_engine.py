"""Benchmark: what each step costs per answers file, in one process, against bare YAML parsing of the same file.

`maturity score DIR --summary` runs, per file: read + parse (`loader.read_document`), the schema
(`loader.load_document`), `checks.check_answers`, then the engine. The product target is that the whole is at
most 1.25x a bare `yaml.load(text, Loader=CSafeLoader)` of the file, so the engine itself must cost a small
fraction of that parse. This prints per-file microseconds for every step on two workloads:

* demo: tests/fixtures/valid (8 mixed questions, pain points, a verdict);
* scale50: a generated questionnaire of 50 scale questions (5 stages x 2 groups x 5, five described levels
  each) with RAG, pain points and a verdict, and answers with notes, some don't-knows and skipped questions;
* bundled: the bundled outsourcing-lifecycle questionnaire and rules, with answers files made as
  bench_score.py makes them (the workload of the batch benchmark).

Each step is timed over several answers files (repeated, best of `--repeat` rounds) so one lucky file cannot
set the figure. Run: python benchmarks/bench_engine.py [--repeat 15] [--seconds 0.05]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from maturity.checks.answers import check_answers
from maturity.checks.index import index_questionnaire
from maturity.engine.scoring import plan_for, score, summarise
from maturity.io import loader
from maturity.model.definitions import AnswersFile, Questionnaire, Rules

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "valid"
NOTES = [
    "Confirmed at the last contract board.",
    "Based on the quarterly performance pack.",
    "Finance disagree; to be revisited.",
    "Evidence held in the commercial team's shared drive.",
    "Only true for the larger lots.",
    "We have asked the provider for their data.",
]
LEVEL_WORDS = ["Absent", "Ad hoc", "Defined", "Managed", "Optimised"]


@dataclass
class Workload:
    """A questionnaire with its rules, and answers files written both as YAML and as JSON."""

    name: str
    questionnaire: Questionnaire
    rules: Rules
    yaml_paths: list[Path]
    json_paths: list[Path]


# ------------------------------------------------------------------------------------------------ workloads


def _read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _write_both(folder: Path, stem: str, data: dict[str, Any]) -> tuple[Path, Path]:
    yaml_path, json_path = folder / f"{stem}.yaml", folder / f"{stem}.json"
    yaml_path.write_text(
        yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    json_path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    return yaml_path, json_path


def demo_workload(folder: Path) -> Workload:
    """The demo fixture, as given (its YAML file) and as JSON, plus a few variants of its answers."""
    questionnaire = Questionnaire.model_validate(_read_yaml(VALID / "demo.questionnaire.yaml"))
    rules = Rules.model_validate(_read_yaml(VALID / "demo.rules.yaml"))
    base = _read_yaml(VALID / "demo.answers.yaml")
    variants = [
        dict(base["answers"]),
        {**base["answers"], "situation": "live", "STR-1": 1, "MGT-3": 1},
        {**base["answers"], "STR-1": {"status": "dont_know"}, "STR-3": "all", "MGT-1": 7},
    ]
    yaml_paths, json_paths = [], []
    for i, answers in enumerate(variants):
        y, j = _write_both(folder, f"demo{i}", {**base, "answers": answers})
        yaml_paths.append(y)
        json_paths.append(j)
    return Workload("demo", questionnaire, rules, yaml_paths, json_paths)


def scale50_definitions() -> tuple[Questionnaire, Rules]:
    """50 scale questions with five described levels; rules with caps, RAG, pain points and a verdict."""
    stages: list[dict[str, Any]] = []
    for s in range(1, 6):
        groups = []
        for g in range(1, 3):
            questions = [
                {
                    "id": f"S{s}-G{g}-Q{k}",
                    "text": f"How well does the organisation handle practice {s}.{g}.{k}?",
                    "kind": "scale",
                    "sources": ["REF"],
                    "levels": [
                        {
                            "level": lv,
                            "label": LEVEL_WORDS[lv - 1],
                            "description": f"At level {lv} the practice is {LEVEL_WORDS[lv - 1].lower()}: "
                            "evidence is kept, reviewed and acted on to this degree.",
                        }
                        for lv in range(1, 6)
                    ],
                }
                for k in range(1, 6)
            ]
            groups.append({"id": f"S{s}-G{g}", "title": f"Group {s}.{g}", "questions": questions})
        stages.append({"id": f"S{s}", "title": f"Stage {s}", "groups": groups})
    questionnaire = Questionnaire.model_validate(
        {
            "kind": "questionnaire",
            "id": "scale50",
            "version": "1.0.0",
            "title": "Fifty scale questions",
            "references": [{"tag": "REF", "title": "A reference"}],
            "stages": stages,
        }
    )
    bands = [
        {"level": lv, "name": LEVEL_WORDS[lv - 1], "from": lv, "to": lv + 1 if lv < 5 else 5} for lv in range(1, 6)
    ]
    bands[0]["from"] = 0
    rules = Rules.model_validate(
        {
            "kind": "scoring_rules",
            "id": "scale50-rules",
            "version": "1.0.0",
            "title": "Rules",
            "questionnaire": {"id": "scale50", "version": "1.0.0"},
            "points": {"dont_know": 1, "unanswered": "exclude"},
            "critical_questions": [f"S{s}-G1-Q1" for s in range(1, 6)],
            "rollup": {
                "stage": {"method": "mean", "caps": [{"lowest": "critical_questions", "plus": 2}]},
                "overall": {"method": "weighted", "weights": {"S1": 2}, "caps": [{"lowest": "children", "plus": 1}]},
            },
            "levels": bands,
            "rag": {
                "bands": [
                    {"rag": "red", "from": 0, "to": 2},
                    {"rag": "amber", "from": 2, "to": 3},
                    {"rag": "green", "from": 3, "to": 5},
                ],
                "overrides": [{"pain_points": {"severity": "high", "at_least": 1}, "at_most": "amber"}],
            },
            "pain_points": [
                {
                    "id": f"pp-stage-{s}",
                    "title": f"Stage {s} is weak",
                    "severity": "high" if s < 3 else "medium",
                    "stage": f"S{s}",
                    "when": {"any": [{"score": f"S{s}", "at_most": 2}, {"question": f"S{s}-G1-Q1", "is": "dont_know"}]},
                    "why": "It matters.",
                    "action": "Fix it.",
                }
                for s in range(1, 6)
            ],
            "verdict": {
                "tiers": {"core": 3, "minor": 1},
                "indicators": [
                    {
                        "id": f"ind-{s}",
                        "title": f"Indicator {s}",
                        "tier": "core" if s < 3 else "minor",
                        "questions": [f"S{s}-G1-Q1", f"S{s}-G2-Q1"],
                        "rate": [
                            {"rating": "green", "when": {"question": f"S{s}-G1-Q1", "at_least": 4}},
                            {"rating": "amber", "when": {"question": f"S{s}-G1-Q1", "equals": 3}},
                        ],
                        "evidence": "Evidence.",
                    }
                    for s in range(1, 6)
                ],
                "vetoes": [{"when": {"indicator": "ind-1", "equals": "red"}, "outcome": "problem", "reason": "No."}],
                "outcomes": [
                    {
                        "id": "problem",
                        "label": "Outsourcing a problem",
                        "rag": "red",
                        "when": {"score": "verdict", "at_least": 8},
                    },
                    {
                        "id": "at-risk",
                        "label": "At risk",
                        "rag": "amber",
                        "when": {"count": {"rated": "amber"}, "at_least": 1},
                    },
                    {"id": "clear", "label": "Clear", "rag": "green"},
                ],
                "low_confidence": {"unknown_more_than": 1},
            },
        }
    )
    return questionnaire, rules


def scale50_workload(folder: Path, files: int = 8, seed: int = 7) -> Workload:
    questionnaire, rules = scale50_definitions()
    rng = random.Random(seed)
    yaml_paths, json_paths = [], []
    for i in range(files):
        skill = rng.uniform(1.2, 4.8)
        answers: dict[str, Any] = {}
        for question in questionnaire.questions():
            roll = rng.random()
            if roll < 0.04:
                continue
            if roll < 0.12:
                answers[question.id] = {"status": "dont_know", "note": "Nobody could say."}
                continue
            value = min(5, max(1, round(rng.gauss(skill, 0.9))))
            answers[question.id] = {"value": value, "note": rng.choice(NOTES)} if rng.random() < 0.6 else value
        data = {
            "kind": "answers",
            "questionnaire": {"id": "scale50", "version": "1.0.0"},
            "assessment": {
                "organisation": "Northmoor District Council",
                "service": "Waste collection",
                "assessor": "Benchmark generator",
                "date": f"2026-{i % 12 + 1:02d}-15",
            },
            "answers": answers,
        }
        y, j = _write_both(folder, f"scale50-{i}", data)
        yaml_paths.append(y)
        json_paths.append(j)
    return Workload("scale50", questionnaire, rules, yaml_paths, json_paths)


def bundled_workload(folder: Path, files: int = 8, seed: int = 11) -> Workload:
    from bench_score import answers_for

    from maturity.app.pipeline import catalogue_for

    raw = _read_yaml(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    found = catalogue_for([]).get(raw["id"], raw["version"])  # the bundled version the answers are written for
    rng = random.Random(seed)
    yaml_paths, json_paths = [], []
    for i in range(files):
        y, j = _write_both(folder, f"bundled-{i}", answers_for(raw, rng))
        yaml_paths.append(y)
        json_paths.append(j)
    return Workload("bundled", found.questionnaire.model, found.rules.model, yaml_paths, json_paths)


# --------------------------------------------------------------------------------------------------- timing


def per_call_us(step: Callable[[Any], object], inputs: Sequence[Any], seconds: float, repeat: int) -> float:
    """Best-of-`repeat` mean time of one call, in microseconds, cycling through `inputs`.

    CPU time of this process (every step is single-threaded), so other work on a shared machine disturbs the
    figures less; each timing runs for about `seconds`, and the best of several is kept. The garbage collector
    stays on, as it is in a real batch.
    """
    start = time.process_time()
    for item in inputs:
        step(item)
    once = max((time.process_time() - start) / len(inputs), 1e-7)
    rounds = max(1, int(seconds / (once * len(inputs))))
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        for _ in range(rounds):
            for item in inputs:
                step(item)
        best = min(best, (time.process_time() - start) / (rounds * len(inputs)))
    return best * 1e6


def run(work: Workload, seconds: float, repeat: int) -> None:
    q, rules = work.questionnaire, work.rules
    index = index_questionnaire(q)
    plan_for(q, rules)  # built once, as a batch worker does
    yaml_texts = [p.read_text(encoding="utf-8") for p in work.yaml_paths]
    json_texts = [p.read_text(encoding="utf-8") for p in work.json_paths]
    documents = [loader.read_document(p) for p in work.yaml_paths]
    loaded = [loader.load_document(d, "answers") for d in documents]
    models: list[AnswersFile] = [x.model for x in loaded]
    for model in models:  # both paths must agree before their speed means anything
        full, quick = score(q, rules, model), summarise(q, rules, model)
        assert quick.overall_score == full.overall.score and quick.verdict_outcome == full.verdict.outcome

    def time_(step: Callable[[Any], object], inputs: Sequence[Any]) -> float:
        return per_call_us(step, inputs, seconds, repeat)

    t: dict[str, float] = {
        "yaml.load CSafeLoader (bare)": time_(lambda text: yaml.load(text, Loader=yaml.CSafeLoader), yaml_texts),
        "json.loads (bare)": time_(json.loads, json_texts),
        "read_document YAML": time_(loader.read_document, work.yaml_paths),
        "read_document JSON": time_(loader.read_document, work.json_paths),
        "load_document": time_(lambda d: loader.load_document(d, "answers"), documents),
        "check_answers": time_(lambda x: check_answers(x, q, index), loaded),
        "score": time_(lambda m: score(q, rules, m), models),
        "summarise": time_(lambda m: summarise(q, rules, m), models),
    }
    size = sum(len(s.encode()) for s in yaml_texts) / len(yaml_texts) / 1024
    print(
        f"\n== {work.name}: {len(q.questions())} questions, {len(work.yaml_paths)} answers files "
        f"(YAML {size:.1f} KiB each)"
    )
    for name, value in t.items():
        print(f"  {name:32s} {value:9.1f} us")
    bare = t["yaml.load CSafeLoader (bare)"]
    front = t["load_document"] + t["check_answers"]
    yaml_summary = t["read_document YAML"] + front + t["summarise"]
    yaml_full = t["read_document YAML"] + front + t["score"]
    json_summary = t["read_document JSON"] + front + t["summarise"]
    print(f"  summarise / bare YAML parse        {t['summarise'] / bare:9.2f}x   aim <= 0.20")
    print(f"  score / bare YAML parse            {t['score'] / bare:9.2f}x")
    print(
        f"  summarise path total / bare parse  {yaml_summary / bare:9.2f}x   target <= 1.25 "
        f"(read {t['read_document YAML']:.0f} + schema {t['load_document']:.0f} + check "
        f"{t['check_answers']:.0f} + summarise {t['summarise']:.0f} us)"
    )
    print(f"  score path total / bare parse      {yaml_full / bare:9.2f}x")
    print(f"  YAML / JSON summarise path         {yaml_summary / json_summary:9.2f}x   target >= 5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.05, help="length of one timing")
    parser.add_argument("--repeat", type=int, default=15, help="timings per step; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for work in (demo_workload(folder), scale50_workload(folder), bundled_workload(folder)):
            run(work, args.seconds, args.repeat)


if __name__ == "__main__":
    main()
