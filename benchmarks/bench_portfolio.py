"""Benchmark: `maturity portfolio` against `maturity score --summary` on the same generated answers files.

In one run it generates realistic answers files for the bundled questionnaire (as bench_score.py does), then
measures, each as a fresh process tree and `--rounds` times, in turn and in alternating order (so a burst of load
on a shared machine falls on both); the median of the rounds' ratios is the figure to read on a busy machine:

  (a) `maturity score DIR --summary out.csv`, the baseline: the same batch scoring, a CSV row per file;
  (b) `maturity portfolio DIR --out portfolio.html`: the same scoring, tallies and the heatmap document;
  and the peak memory (largest process) of (b) at a tenth of the files and at all of them;
  (c) `maturity score DIR --summary out.xlsx` once, and its peak memory at a tenth of the files and at all.

Targets: (b)/(a) at most 1.3; the peak memory of (b) and (c) flat as the file count grows (about 1.0x).
Run: python benchmarks/bench_portfolio.py [--files 10000] [--rounds 3]; --files 100000 for the issue's figure.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import _maturity, answers_for, measure  # beside this file

ROOT = Path(__file__).resolve().parents[1]


def generate(questionnaire_path: Path, folder: Path, count: int, seed: int = 11) -> None:
    """YAML answers files only (the portfolio and the baseline read the same ones)."""
    questionnaire = yaml.load(questionnaire_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(count):
        data = answers_for(questionnaire, rng)
        (folder / f"a{i:06d}.yaml").write_text(
            yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="answers files (100000 for the issue's figure)")
    parser.add_argument("--rounds", type=int, default=3, help="times (a) and (b) are each measured")
    parser.add_argument("--questionnaire", type=Path, default=ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        answers = Path(tmp) / "answers"
        generate(args.questionnaire, answers, args.files)
        print(f"generated {args.files} YAML answers files in {time.perf_counter() - start:.1f} s")
        small = Path(tmp) / "small"
        small.mkdir()
        for path in sorted(answers.iterdir())[: max(1, args.files // 10)]:
            shutil.copy(path, small / path.name)
        summary, document = Path(tmp) / "summary.csv", Path(tmp) / "portfolio.html"
        scored: list[float] = []
        folio: list[float] = []
        folio_rss = 0
        for k in range(args.rounds):
            # alternate which goes first, so a burst of load on a shared machine does not always fall on one
            for which in ("a", "b") if k % 2 == 0 else ("b", "a"):
                if which == "a":
                    seconds, _rss = measure([*_maturity(), "score", str(answers), "--summary", str(summary)])
                    scored.append(seconds)
                else:
                    seconds, rss = measure([*_maturity(), "portfolio", str(answers), "--out", str(document)])
                    folio.append(seconds)
                    folio_rss = max(folio_rss, rss)
        size = document.stat().st_size
        _small_s, small_rss = measure([*_maturity(), "portfolio", str(small), "--out", str(Path(tmp) / "s.html")])
        book_s, book_rss = measure([*_maturity(), "score", str(answers), "--summary", str(Path(tmp) / "b.xlsx")])
        _, small_book_rss = measure([*_maturity(), "score", str(small), "--summary", str(Path(tmp) / "s.xlsx")])
    ratios = sorted(b / a for a, b in zip(scored, folio, strict=True))
    runs = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(scored, folio, strict=True))
    score_s, folio_s = min(scored), min(folio)
    print(f"rounds (a/b, s): {runs}")
    print(f"(a) maturity score --summary:    {score_s:7.2f} s   (fastest of {args.rounds}, {args.files} files)")
    print(f"(b) maturity portfolio --out:    {folio_s:7.2f} s   ({size / 1024 / 1024:.1f} MiB of HTML)")
    print(
        f"(b)/(a) portfolio over summary:  {folio_s / score_s:7.2f}x   median of rounds "
        f"{ratios[len(ratios) // 2]:.2f}x   target <= 1.3"
    )
    print(
        f"peak memory of (b), largest process: {small_rss / 1024:.0f} MiB at {args.files // 10} files, "
        f"{folio_rss / 1024:.0f} MiB at {args.files} files ({folio_rss / small_rss:.2f}x; flat is 1.0x)"
    )
    print(
        f"(c) maturity score --summary x.xlsx: {book_s:7.2f} s; peak memory {small_book_rss / 1024:.0f} MiB at "
        f"{args.files // 10} files, {book_rss / 1024:.0f} MiB at {args.files} files "
        f"({book_rss / small_book_rss:.2f}x; flat is 1.0x)"
    )


if __name__ == "__main__":
    main()
