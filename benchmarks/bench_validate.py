"""Benchmark: `maturity validate` on a generated 5,000-question questionnaire, and the CLI's cold start.

Prints figures and ratios against baselines measured in the same run (these machines are shared and noisy, so
only ratios within one run mean much):

* validate: wall time of `maturity validate Q R` (one process, one core) against a bare `yaml.load` with
  libyaml's CSafeLoader of the same two files in a fresh interpreter. Target: validate under 1 s.
* cold start: `maturity --help` against `python -c "import typer"`. Target: at most 1.5x.
* many unknown ids: `maturity validate` of answers files made of nothing but answers to questions that do not
  exist (the case that once took a quadratic time to locate: 16 s for 20,000), from 1/16 of the size cap up to
  4 MiB, YAML and JSON, each against a bare parse of the same file. The cost per MB must stay flat as the file
  grows (linear); at 4 MiB the target is "within a second or two" on top of reading the file.

Run: python benchmarks/bench_validate.py [--questions 5000] [--repeat 5] [--only unknown-ids]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = 10
ROOT = Path(__file__).resolve().parents[1]


LEVELS = ("Ad hoc", "Developing", "Defined", "Managed", "Optimised")


def generate(folder: Path, questions: int, shape: str = "answer-set") -> tuple[Path, Path]:
    """A questionnaire of scale questions, and rules whose roll-up, pain points and verdict indicators reference
    its questions. Shape `answer-set`: the questions share one described five-level scale, as large published
    models do (OWASP SAMM has four answer sets for 90 questions). Shape `levels`: every question describes its
    own five levels, as the bundled outsourcing questionnaire does (about four times the YAML)."""
    per_stage = questions // STAGES
    q = [
        "kind: questionnaire",
        "id: generated",
        "version: 1.0.0",
        "title: Generated benchmark questionnaire",
        "references:",
        "  - {tag: SRC, title: A source}",
        "answer_sets:",
        "  - id: maturity",
        "    kind: scale",
        "    levels:",
        *(
            f"      - {{level: {n}, label: {label}, description: What you would observe at level {n}.}}"
            for n, label in enumerate(LEVELS, 1)
        ),
        "context:",
        "  - id: situation",
        "    text: Which best describes this assessment?",
        "    kind: single",
        "    options:",
        "      - {id: first, label: First time}",
        "      - {id: live, label: Live contract}",
        "stages:",
    ]
    ids: list[list[str]] = []
    for s in range(STAGES):
        q += [f"  - id: stage-{s}", f"    title: Stage {s}", "    intro: What this stage covers.", "    questions:"]
        stage_ids = []
        for k in range(per_stage):
            qid = f"Q{s}-{k}"
            stage_ids.append(qid)
            q += [
                f"      - id: {qid}",
                f"        text: How well does the organisation handle practice {k} of stage {s}?",
                "        help: Evidence looks like minutes, registers and reports that show the practice.",
                "        kind: scale",
                "        sources: [SRC]",
            ]
            if k % 10 == 1:
                q.append("        when: {question: situation, equals: first}")
            if shape == "answer-set":
                q.append("        answer_set: maturity")
                continue
            q.append("        levels:")
            for level, label in enumerate(LEVELS, 1):
                q.append(
                    f"          - {{level: {level}, label: {label}, description: What you would observe "
                    f"at level {level} for this practice.}}"
                )
        ids.append(stage_ids)
    r = [
        "kind: scoring_rules",
        "id: generated-rules",
        "version: 1.0.0",
        "title: Generated rules",
        "questionnaire: {id: generated, version: 1.0.0}",
        "points: {dont_know: 1, unanswered: exclude}",
        "critical_questions: [" + ", ".join(stage[0] for stage in ids) + "]",
        "rollup:",
        "  stage: {method: mean, caps: [{lowest: critical_questions, plus: 2}]}",
        "  overall: {method: mean, caps: [{lowest: children, plus: 1}]}",
        "  nodes:",
    ]
    for s, stage in enumerate(ids):
        r.append(f"    - {{id: stage-{s}, method: weighted, of: [{', '.join(stage)}]}}")
    r += ["levels:"] + [f"  - {{level: {n}, name: L{n}, from: {n}, to: {n + 1 if n < 5 else 5}}}" for n in range(1, 6)]
    r += [
        "rag:",
        "  bands: [{rag: red, from: 1, to: 2}, {rag: amber, from: 2, to: 3}, {rag: green, from: 3, to: 5}]",
        "pain_points:",
    ]
    for s, stage in enumerate(ids):
        for k in range(0, len(stage), 20):
            r += [
                f"  - id: pp-s{s}-{k}",
                f"    title: Weak practice {k} in stage {s}",
                "    severity: medium",
                f"    stage: stage-{s}",
                f"    when: {{any: [{{question: {stage[k]}, at_most: 2}}, {{question: {stage[k]}, is: dont_know}}]}}",
                "    why: It matters.",
                "    action: Improve it.",
                "    sources: [SRC]",
            ]
    r += ["verdict:", "  tiers: {core: 3, minor: 1}", "  indicators:"]
    for s, stage in enumerate(ids):
        r += [
            f"    - id: ind-{s}",
            f"      title: Indicator {s}",
            f"      tier: {'core' if s < 3 else 'minor'}",
            f"      questions: [{stage[0]}]",
            f"      rate: [{{rating: green, when: {{question: {stage[0]}, at_least: 4}}}}]",
        ]
    r += [
        "  outcomes:",
        "    - {id: problem, label: Problem, rag: red, when: {score: verdict, at_least: 10}}",
        "    - {id: clear, label: Clear, rag: green}",
    ]
    qpath, rpath = folder / "generated.yaml", folder / "generated-rules.yaml"
    qpath.write_text("\n".join(q) + "\n", encoding="utf-8")
    rpath.write_text("\n".join(r) + "\n", encoding="utf-8")
    return qpath, rpath


def timed(command: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    completed = None
    for _ in range(repeat):
        start = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
    assert completed is not None
    return statistics.median(times), completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["unknown-ids"], help="Run only this part.")
    args = parser.parse_args()
    if args.only == "unknown-ids":
        measure_unknown_ids(max(args.repeat // 2, 1))
        return
    for shape in ("answer-set", "levels"):
        measure(args.questions, args.repeat, shape)
    measure_unknown_ids(max(args.repeat // 2, 1))
    help_s, _ = timed([*_maturity(), "--help"], args.repeat * 2)
    typer_s, _ = timed([sys.executable, "-c", "import typer"], args.repeat * 2)
    print(f"maturity --help cold start:             {help_s * 1000:8.0f} ms")
    print(f"python -c 'import typer':               {typer_s * 1000:8.0f} ms")
    print(f"ratio --help / import typer:            {help_s / typer_s:8.2f}x   target <= 1.5x")


def _maturity() -> list[str]:
    found = shutil.which("maturity")
    return [found] if found else [sys.executable, "-m", "maturity"]


def measure(questions: int, repeat: int, shape: str) -> None:
    maturity = _maturity()
    with tempfile.TemporaryDirectory() as tmp:
        qpath, rpath = generate(Path(tmp), questions, shape)
        size = qpath.stat().st_size + rpath.stat().st_size
        # one core: the whole validate runs in one process, so pin it where the OS lets us
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        validate_cmd = [
            *pin,
            *maturity,
            "validate",
            "--max-file-size",
            str(64 * 1024 * 1024),
            "-q",
            str(qpath),
            str(rpath),
        ]
        validate_s, done = timed(validate_cmd, repeat)
        if done.returncode != 0:
            sys.exit(f"validate failed on the generated files:\n{done.stdout[:2000]}{done.stderr[:2000]}")
        parse_code = (
            "import yaml,sys\nfor p in sys.argv[1:]:\n"
            "    yaml.load(open(p, encoding='utf-8').read(), Loader=yaml.CSafeLoader)"
        )
        parse_s, _ = timed([*pin, sys.executable, "-c", parse_code, str(qpath), str(rpath)], repeat)
    print(f"[{shape}] {questions} questions, {size / 1e6:.2f} MB of YAML (questionnaire + rules)")
    print(
        f"validate (one core, whole process):     {validate_s * 1000:8.0f} ms"
        + ("   target < 1000 ms" if shape == "answer-set" else "")
    )
    print(f"baseline yaml.load CSafeLoader (same):  {parse_s * 1000:8.0f} ms")
    print(f"ratio validate / bare parse:            {validate_s / parse_s:8.2f}x")


# the bundled questionnaire's current version (answers to an older one would be carried forward, not checked)
BUNDLED_VERSION = next(
    line.split(":", 1)[1].strip()
    for line in (ROOT / "questionnaires" / "outsourcing-lifecycle.yaml").read_text(encoding="utf-8").splitlines()
    if line.startswith("version:")
)
UNKNOWN_HEAD = {
    "kind": "answers",
    "questionnaire": {"id": "outsourcing-lifecycle", "version": BUNDLED_VERSION},
    "assessment": {"organisation": "Benchmark Council", "service": "Unknown ids"},
}


def unknown_ids_file(folder: Path, target_bytes: int, fmt: str) -> tuple[Path, int]:
    """An answers file of about `target_bytes`, every answer to a question that does not exist."""
    line = len('  "NO-SUCH-QUESTION-0000000": 3,\n' if fmt == "json" else "  NO-SUCH-QUESTION-0000000: 3\n")
    count = max((target_bytes - 200) // line, 1)
    path = folder / f"unknown-{target_bytes}.{fmt}"
    if fmt == "json":
        answers = {f"NO-SUCH-QUESTION-{i:07d}": 3 for i in range(count)}
        path.write_text(json.dumps({**UNKNOWN_HEAD, "answers": answers}, indent=1), encoding="utf-8")
    else:
        head = (
            f"kind: answers\nquestionnaire: {{id: outsourcing-lifecycle, version: {BUNDLED_VERSION}}}\n"
            "assessment: {organisation: Benchmark Council, service: Unknown ids}\nanswers:\n"
        )
        body = "".join(f"  NO-SUCH-QUESTION-{i:07d}: 3\n" for i in range(count))
        path.write_text(head + body, encoding="utf-8")
    return path, count


def measure_unknown_ids(repeat: int) -> None:
    """Time against file size for files full of unknown ids: linear means a flat cost per MB.

    Measured inside one process, after a warm-up, taking the fastest of `repeat` runs of each, so that the
    start-up every command pays, and other work on a shared machine, do not blur a curve of a few seconds: the
    validation itself (read, parse, schema, checks, the first 100 problems located, the rest counted) against a
    bare parse of the same file (yaml.load with CSafeLoader, json.loads). The whole command at 4 MiB is timed too.
    """
    limit = 4 * 1024 * 1024
    sizes = [limit // 16, limit // 8, limit // 4, limit // 2, limit - 64 * 1024]
    print("many unknown ids: `maturity validate FILE` (every answer names a question that does not exist)")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("yaml", "json"):
            files = [unknown_ids_file(Path(tmp), size, fmt) for size in sizes]
            done = subprocess.run(
                [sys.executable, "-c", _IN_PROCESS, fmt, str(repeat), *(str(path) for path, _ in files)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.exit(f"the in-process measurement failed:\n{done.stderr}")
            rows = json.loads(done.stdout)
            print(f"[{fmt}] {'ids':>9} {'MB':>6} {'validate ms':>12} {'parse ms':>9} {'ms per MB':>10} {'ratio':>6}")
            for (path, count), (validate_s, parse_s) in zip(files, rows, strict=True):
                megabytes = path.stat().st_size / 1e6
                print(
                    f"[{fmt}] {count:>9,} {megabytes:6.2f} {validate_s * 1000:12.0f} {parse_s * 1000:9.0f} "
                    f"{validate_s / megabytes * 1000:10.0f} {validate_s / parse_s:5.2f}x"
                )
            first, last = rows[0][0] / files[0][0].stat().st_size, rows[-1][0] / files[-1][0].stat().st_size
            whole_s, whole = timed([*_maturity(), "validate", "-q", str(files[-1][0])], max(repeat // 2, 1))
            if whole.returncode != 1 or "MQ009" not in whole.stdout or "Traceback" in whole.stderr:
                sys.exit(f"validate did not report the unknown ids as expected:\n{whole.stdout[:500]}{whole.stderr}")
            print(
                f"[{fmt}] cost per MB at 4 MiB / at 256 KiB: {last / first:.2f} (1.0 is linear; quadratic would be "
                f"{sizes[-1] / sizes[0]:.0f}); the whole command at 4 MiB, start-up included: {whole_s:.2f} s"
            )


# Run in a child process: warm up, then the fastest of REPEAT runs of validation and of a bare parse, per file.
_IN_PROCESS = """
import json, sys, time
from pathlib import Path
from maturity.app.validate import validate_paths
fmt, repeat, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if fmt == "yaml":
    import yaml
    parse = lambda text: yaml.load(text, Loader=yaml.CSafeLoader)
else:
    parse = json.loads
def fastest(work):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best
big = 8 * 1024 * 1024
validate_paths([Path(paths[0])], max_bytes=big)  # warm-up: imports, the bundled questionnaires, the schemas
rows = []
for path in paths:
    report = validate_paths([Path(path)], max_bytes=big)
    assert any(p.code == "MQ009" for p in report.problems)
    text = Path(path).read_text(encoding="utf-8")
    rows.append([fastest(lambda: validate_paths([Path(path)], max_bytes=big)), fastest(lambda: parse(text))])
print(json.dumps(rows))
"""


_PARSE = {
    "yaml": "import yaml,sys\nyaml.load(open(sys.argv[1], encoding='utf-8').read(), Loader=yaml.CSafeLoader)",
    "json": "import json,sys\njson.loads(open(sys.argv[1], encoding='utf-8').read())",
}


if __name__ == "__main__":
    main()
