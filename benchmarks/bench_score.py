"""Benchmark: `maturity score` on 10,000 generated answers files, against bare YAML parsing on all cores.

In one run it generates realistic answers files for the bundled questionnaire (YAML and JSON, with notes,
don't-knows and skipped questions), then measures, each as a fresh process tree:

  (a) parsing every YAML file with yaml.CSafeLoader over all cores (a process pool, nothing else);
  (b) `maturity score DIR --summary out.csv` on the YAML files;
  (c) the same on the JSON files;
  (d) parsing every JSON file with json.loads over all cores, nothing else;
  (e) `maturity score` on one JSON file (the start-up every run pays);
  and the peak memory (largest process) of (b) at 1,000 and at 10,000 files.

(a), (b) and (c) are taken in turn, `--rounds` times (default 3), so a burst of load on a shared machine
spreads over all three; the ratios are given from the fastest run of each and as the median of the per-round
ratios.

Targets: (b)/(a) at most 1.25; (b)/(c) at least 5; peak memory flat as the file count grows.

(b) and (c) do the same start-up, checks and scoring; they differ only in reading the files, so (b)-(c) is the
extra cost of YAML, and (b)/(c) = 1 + ((b)-(c))/(c) reaches 5 only if (c) takes at most ((b)-(c))/4. (c) can
never take less than its start-up, (e) (one JSON file scored: imports, definitions loaded and checked), plus
parsing the JSON, (d). The script prints both sides of that comparison.
Run: python benchmarks/bench_score.py [--files 10000] [--rounds 3] [--questionnaire PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORES = os.cpu_count() or 1
NOTES = [
    "Confirmed at the last contract board.",
    "Based on the quarterly performance pack.",
    "Finance disagree; to be revisited.",
    "Evidence held in the commercial team's shared drive.",
    "Only true for the larger lots.",
    "We have asked the provider for their data.",
    "",
]
ORGANISATIONS = ["Northmoor", "Eastbrook", "Westfield", "Southvale", "Kingsreach", "Ashdown", "Riverside"]
KINDS = ["District Council", "County Council", "NHS Trust", "Fire and Rescue Service", "Police Force"]
SERVICES = [
    "waste collection",
    "IT service desk",
    "facilities management",
    "payroll",
    "highways maintenance",
    "housing repairs",
    "home care",
]


def _maturity() -> list[str]:
    found = shutil.which("maturity")
    return [found] if found else [sys.executable, "-m", "maturity"]


def answers_for(questionnaire: dict, rng: random.Random) -> dict:
    """One realistic answers file: most questions answered, some don't know, a few skipped, notes on some."""
    questions = [*questionnaire.get("context", [])]
    for stage in questionnaire["stages"]:
        questions += stage.get("questions") or [q for g in stage.get("groups", []) for q in g["questions"]]
    sets = {a["id"]: a for a in questionnaire.get("answer_sets", [])}
    answers: dict[str, object] = {}
    skill = rng.uniform(1.2, 4.8)  # organisations differ; answers cluster around their maturity
    for q in questions:
        roll = rng.random()
        if roll < 0.04:
            continue  # skipped: simply missing
        if roll < 0.12 and q.get("allow_dont_know", True) and q["kind"] != "single":
            answers[q["id"]] = {"status": "dont_know", "note": "Nobody could say."}
            continue
        source = sets.get(q.get("answer_set", ""), {})
        kind = q["kind"]
        if kind == "scale":
            levels = [lv["level"] for lv in (q.get("levels") or source.get("levels"))]
            value: object = min(levels, key=lambda lv: abs(lv - rng.gauss(skill, 0.9)))
        elif kind in ("single", "multiple"):
            options = [o["id"] for o in (q.get("options") or source.get("options"))]
            value = rng.choice(options) if kind == "single" else rng.sample(options, rng.randint(1, len(options)))
        elif kind == "yes_no":
            value = rng.random() < 0.5
        elif kind == "number":
            low, high = q.get("minimum", 0), q.get("maximum", 100)
            value = rng.randint(int(low), int(high))
        else:
            value = rng.choice(NOTES[:-1])
        note = rng.choice(NOTES)
        answers[q["id"]] = {"value": value, "note": note} if note and rng.random() < 0.3 else value
    return {
        "kind": "answers",
        "questionnaire": {"id": questionnaire["id"], "version": questionnaire["version"]},
        "assessment": {
            "organisation": f"{rng.choice(ORGANISATIONS)} {rng.choice(KINDS)}",
            "service": rng.choice(SERVICES).capitalize(),
            "assessor": "Benchmark generator",
            "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        },
        "answers": answers,
    }


def generate(questionnaire_path: Path, folder: Path, count: int, seed: int = 7) -> tuple[Path, Path]:
    questionnaire = yaml.load(questionnaire_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    rng = random.Random(seed)
    yaml_dir, json_dir = folder / "yaml", folder / "json"
    yaml_dir.mkdir(parents=True)
    json_dir.mkdir(parents=True)
    for i in range(count):
        data = answers_for(questionnaire, rng)
        (yaml_dir / f"a{i:05d}.yaml").write_text(
            yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        (json_dir / f"a{i:05d}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return yaml_dir, json_dir


PARSE_TEMPLATE = """
import os, sys, {module}
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
def parse(path):
    with open(path, encoding="utf-8") as handle:
        {call}
files = sorted(Path(sys.argv[1]).glob("{pattern}"))
with ProcessPoolExecutor(os.cpu_count()) as pool:
    for _ in pool.map(parse, files, chunksize=32):
        pass
"""
PARSE_ONLY = PARSE_TEMPLATE.format(
    module="yaml", call="yaml.load(handle.read(), Loader=yaml.CSafeLoader)", pattern="*.yaml"
)
JSON_PARSE_ONLY = PARSE_TEMPLATE.format(module="json", call="json.loads(handle.read())", pattern="*.json")


# Runs a command and reports the peak memory of the largest process in its tree (RUSAGE_CHILDREN covers
# grandchildren that their parents waited for, as a process pool's workers are).
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
if done.returncode not in (0, 1):
    sys.stderr.write(done.stderr[-2000:])
"""


def measure(command: list[str]) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    seconds, rss_kib, code = out.stdout.split()
    if code not in ("0", "1"):
        sys.exit(f"command failed ({code}): {' '.join(command)}\n{out.stderr}")
    return float(seconds), int(rss_kib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="times (a), (b) and (c) are each measured")
    parser.add_argument("--questionnaire", type=Path, default=ROOT / "questionnaires" / "outsourcing-lifecycle.yaml")
    parser.add_argument(
        "--definitions",
        type=Path,
        default=None,
        help="folder of the questionnaire and rules, when they are not the bundled ones",
    )
    args = parser.parse_args()
    extra = ["--definitions", str(args.definitions)] if args.definitions else []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        yaml_dir, json_dir = generate(args.questionnaire, Path(tmp), args.files)
        print(
            f"generated {args.files} YAML and {args.files} JSON answers files in {time.perf_counter() - start:.1f} s"
            f" (YAML {sum(p.stat().st_size for p in yaml_dir.iterdir()) / args.files / 1024:.1f} KiB each)"
        )
        small = Path(tmp) / "small"
        small.mkdir()
        for path in sorted(yaml_dir.iterdir())[: max(1, args.files // 10)]:
            shutil.copy(path, small / path.name)
        summary = Path(tmp) / "summary.csv"
        parse: list[float] = []
        scored: list[float] = []
        json_runs: list[float] = []
        json_parse: list[float] = []
        score_rss = 0
        for _ in range(args.rounds):
            seconds, _rss = measure([sys.executable, "-c", PARSE_ONLY, str(yaml_dir)])
            parse.append(seconds)
            seconds, rss = measure([*_maturity(), "score", str(yaml_dir), "--summary", str(summary), *extra])
            scored.append(seconds)
            score_rss = max(score_rss, rss)
            seconds, _rss = measure(
                [*_maturity(), "score", str(json_dir), "--summary", str(Path(tmp) / "j.csv"), *extra]
            )
            json_runs.append(seconds)
            seconds, _rss = measure([sys.executable, "-c", JSON_PARSE_ONLY, str(json_dir)])
            json_parse.append(seconds)
        rows = summary.read_text(encoding="utf-8").count("\n") - 1
        small_s, small_rss = measure([*_maturity(), "score", str(small), "--summary", str(Path(tmp) / "s.csv"), *extra])
        one_json = min(json_dir.iterdir())
        start_up = min(
            measure([*_maturity(), "score", str(one_json), "--summary", str(Path(tmp) / "1.csv"), *extra])[0]
            for _ in range(3)
        )
    parse_s, score_s, json_s, json_parse_s = min(parse), min(scored), min(json_runs), min(json_parse)
    yaml_ratios = sorted(b / a for a, b in zip(parse, scored, strict=True))
    json_ratios = sorted(b / c for b, c in zip(scored, json_runs, strict=True))
    runs = ", ".join(f"{a:.2f}/{b:.2f}/{c:.2f}" for a, b, c in zip(parse, scored, json_runs, strict=True))
    print(f"rounds (a/b/c, s): {runs}")
    print(f"(a) parse only, CSafeLoader, all cores:  {parse_s:7.2f} s   (fastest of {args.rounds})")
    print(f"(b) maturity score, YAML, --summary:     {score_s:7.2f} s   ({rows} rows)")
    print(f"(c) maturity score, JSON, --summary:     {json_s:7.2f} s")
    print(f"(d) parse only, json.loads, all cores:   {json_parse_s:7.2f} s")
    print(
        f"(b)/(a) YAML scoring over bare parsing:  {score_s / parse_s:7.2f}x   median of rounds "
        f"{yaml_ratios[len(yaml_ratios) // 2]:.2f}x   target <= 1.25"
    )
    print(
        f"(b)/(c) JSON speed-up over YAML:         {score_s / json_s:7.2f}x   median of rounds "
        f"{json_ratios[len(json_ratios) // 2]:.2f}x   target >= 5"
    )
    print(
        f"(e) maturity score, one JSON file:       {start_up:7.2f} s   (start-up: imports, definitions loaded "
        "and checked)"
    )
    extra_yaml = score_s - json_s
    print(
        f"what (b)/(c) >= 5 needs: (b)-(c), the extra cost of reading YAML, is {extra_yaml:.2f} s, so (c) would "
        f"have to take at most {extra_yaml / 4:.2f} s;"
    )
    print(
        f"  start-up (e) and bare JSON parsing (d) alone take {start_up + json_parse_s:.2f} s, before any "
        "checking or scoring"
    )
    print(
        f"per file on one core: parse {parse_s * CORES / args.files * 1e6:.0f} us, score YAML "
        f"{score_s * CORES / args.files * 1e6:.0f} us, score JSON {json_s * CORES / args.files * 1e6:.0f} us "
        f"(start-up included)"
    )
    print(
        f"peak memory, largest process: {small_rss / 1024:.0f} MiB at {args.files // 10} files, "
        f"{score_rss / 1024:.0f} MiB at {args.files} files ({score_rss / small_rss:.2f}x; flat is 1.0x); "
        f"{small_s:.2f} s for the small run"
    )


if __name__ == "__main__":
    main()
