"""Benchmark: per-answer latency of the interview over a whole questionnaire, autosave included.

A scripted prompter answers every question; the time from an answer being typed to the next question being
ready (parsing, checking it against the format, recording, re-reading the conditions and the progress total, and
the atomic save with fsync, under the answers file's lock as `maturity assess` holds it) is measured per answer.
Prints p50 and p99. Target: p99 well under 50 ms. A baseline in the same run, for scale: one bare atomic
write of the same answers file.

Run: python benchmarks/bench_interview.py [--questionnaire PATH] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from maturity.checks.validation import load_questionnaire
from maturity.engine.interview import Interview, Step, answers_data, run
from maturity.io import loader
from maturity.io.lock import AnswersLock
from maturity.io.store import write_atomic
from maturity.model.definitions import AssessmentDetails, Question, Stage
from maturity.ui.terminal import choices

ROOT = Path(__file__).resolve().parents[1]


class TimedScript:
    """Answers each question with its second choice (or a number, or text) and times the gaps between asks."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview
        self.last: float | None = None
        self.latencies: list[float] = []

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails:
        return AssessmentDetails(
            organisation="Bench Council", service="Bench service", assessor="Bench", date=dt.date.today()
        )

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        pass

    def ask(self, step: Step, error: str | None) -> str | None:
        now = time.perf_counter()
        if self.last is not None:
            self.latencies.append(now - self.last)
        q = step.question
        options = choices(q, self.interview.questionnaire)
        reply = options[min(1, len(options) - 1)][0] if options else ("3" if q.kind == "number" else "A note.")
        self.last = time.perf_counter()
        return reply

    def help(self, question: Question) -> None:
        pass

    def note(self, question: Question, current: str | None) -> str | None:
        return current

    def evidence(self, question: Question, current: Sequence[str]) -> str | None:
        return ""

    def choose(self, text: str, options: Sequence[tuple[str, str]], default: str) -> str | None:
        return default

    def say(self, text: str) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questionnaire", type=Path, default=ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questionnaire = load_questionnaire(args.questionnaire).model
    latencies: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.answers.yaml"
        for _ in range(args.rounds):
            interview = Interview(questionnaire)
            script = TimedScript(interview)

            def save(current: Interview) -> None:
                write_atomic(path, loader.dump_yaml(answers_data(current.to_file())))

            with AnswersLock(path):
                run(interview, script, save)
            latencies += script.latencies
            text = path.read_text(encoding="utf-8")
            for _ in range(len(script.latencies)):
                start = time.perf_counter()
                write_atomic(path, text)
                bare.append(time.perf_counter() - start)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"{questionnaire.id}: {len(latencies)} answers over {args.rounds} rounds")
    print(
        f"per-answer latency, autosave included: p50 {p50:6.2f} ms, p99 {p99:6.2f} ms, max "
        f"{latencies[-1] * 1000:6.2f} ms   target p99 well under 50 ms"
    )
    print(f"baseline, a bare atomic write of the answers file: p50 {statistics.median(bare) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
