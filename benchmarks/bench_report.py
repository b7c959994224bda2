"""Report rendering time: every format for one bundled assessment, warm, against a json.dumps baseline.

The roadmap (a search that re-scores candidate answers) is computed once and passed in, as a caller that renders
several formats should; its own cost is printed separately. Target: under 100 ms for all three formats.

    python benchmarks/bench_report.py [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from maturity.checks.validation import find_rules, load_answers, load_questionnaire
from maturity.engine.roadmap import build_roadmap
from maturity.engine.scoring import score
from maturity.render.report import FORMATS, render_report

ROOT = Path(__file__).resolve().parents[1]


def _median_ms(fn: Callable[[], object], n: int) -> float:
    fn()  # warm: templates compiled, plans cached
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(n: int = 50) -> None:
    q = load_questionnaire(ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    rules = find_rules(q)
    answers = load_answers(ROOT / "examples" / "failing-service-rushed-to-market.yaml", q)
    assessment = score(q.model, rules.model, answers.model, checked=True)
    roadmap = build_roadmap(q.model, rules.model, answers.model, assessment)
    baseline = _median_ms(lambda: json.dumps(assessment.model_dump(mode="json")), n)
    print(f"baseline json.dumps(assessment): {baseline:.2f} ms")
    total = 0.0
    for fmt in FORMATS:
        ms = _median_ms(lambda fmt=fmt: render_report(assessment, q.model, rules.model, fmt, roadmap=roadmap), n)
        total += ms
        print(f"render {fmt:>4}: {ms:.2f} ms")
    print(f"total: {total:.2f} ms ({'within' if total < 100 else 'OVER'} the 100 ms target)")
    roadmap_ms = _median_ms(lambda: build_roadmap(q.model, rules.model, answers.model, assessment), max(3, n // 10))
    print(f"roadmap search (once per report, {roadmap.evaluations} evaluations): {roadmap_ms:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
