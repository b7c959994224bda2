"""`maturity score` and `maturity test` through the CLI: batches, summaries, bad files, one file in full."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app

from .conftest import FIXTURES

runner = CliRunner()
VALID = FIXTURES / "valid"
DEFS = ["-d", str(VALID)]


def _answers(tmp_path: Path, name: str, **changes: str) -> Path:
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_file_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), *DEFS])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split()[:3] == ["FILE", "ORGANISATION", "SERVICE"]
    assert "Example Borough Council" in row and "3 Defined" in row and "At risk" in row
    assert result.stderr.endswith("1 scored, 0 failed\n")


def test_batch_with_a_bad_file_scores_the_rest_and_exits_one(tmp_path: Path) -> None:
    good = _answers(tmp_path, "a-good.yaml")
    low = _answers(tmp_path, "b-low.yaml", **{"STR-1: {value: 3,": "STR-1: {value: 1,"})
    bad = _answers(tmp_path, "c-bad.yaml", **{"STR-3: some": "STR-3: most"})
    broken = tmp_path / "d-broken.yaml"
    broken.write_text("kind: answers\nanswers: [\n", encoding="utf-8")
    summary = tmp_path / "portfolio.csv"
    result = runner.invoke(app, ["score", str(tmp_path), *DEFS, "--summary", str(summary), "--workers", "2"])
    assert result.exit_code == 1
    assert f"{bad}:13:3: MQ602 error: 'STR-3': 'most' is not one of the options: no, some, all" in result.stderr
    assert f"{broken}:3:1: MQ010" in result.stderr
    assert "2 scored, 2 failed" in result.stderr
    rows = list(csv.DictReader(summary.open(encoding="utf-8")))
    assert [r["file"] for r in rows] == [str(good), str(low), str(bad), str(broken)]
    assert [r["status"] for r in rows] == ["scored", "scored", "failed", "failed"]
    assert rows[0]["verdict"] == "at-risk" and rows[0]["strategy_level"] == "3" and rows[0]["manage_rag"] == "amber"
    assert rows[1]["verdict"] == "problem" and rows[1]["pain_points"] == "pp-assumed"
    assert rows[1]["top_pain_point"] == "pp-assumed" and rows[1]["strategy_rag"] == "amber"
    assert rows[2]["error_code"] == "MQ602"


def test_json_summary_and_per_file_results(tmp_path: Path) -> None:
    answers = _answers(tmp_path / "in" if (tmp_path / "in").mkdir() is None else tmp_path, "one.yaml")
    out = tmp_path / "results"
    summary = tmp_path / "s.json"
    result = runner.invoke(app, ["score", str(answers), *DEFS, "--summary", str(summary), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [row] = json.loads(summary.read_text(encoding="utf-8"))
    assert row["overall_level"] == 3 and row["low_confidence"] is False
    full = json.loads((out / "one.result.json").read_text(encoding="utf-8"))
    assert full["verdict"]["outcome"] == "at-risk"


def test_json_answers_files_score_the_same(tmp_path: Path) -> None:
    from maturity.io.loader import read_document

    data = read_document(VALID / "demo.answers.yaml").data
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), *DEFS, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["level"] == 3


def test_format_json_and_explain_need_exactly_one_file(tmp_path: Path) -> None:
    a, b = _answers(tmp_path, "a.yaml"), _answers(tmp_path, "b.yaml")
    result = runner.invoke(app, ["score", str(a), str(b), *DEFS, "--explain"])
    assert result.exit_code == 2


def test_explain_shows_the_chain() -> None:
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), *DEFS, "--explain"])
    assert result.exit_code == 0
    assert "cap (children + 1)" in result.stdout
    assert "STR-2: yes -> 5 points" in result.stdout


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id: demo, version: 1.2.0": "id: demo, version: 9.9.9"}, "MQ603"),
        ({"id: demo, version: 1.2.0": "id: nothing, version: 1.2.0"}, "MQ603"),
        ({"MGT-1: 2": "MGT-1: many"}, "MQ602"),
        ({"STR-1: {value: 3,": "STR-9: {value: 3,"}, "MQ601"),
    ],
)
def test_answers_for_another_version_or_with_bad_values_fail_clearly(
    tmp_path: Path, change: dict[str, str], code: str
) -> None:
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    for old, new in change.items():
        text = text.replace(old, new)
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), *DEFS])
    assert result.exit_code == 1
    assert f" {code} error" in result.stderr
    assert "Traceback" not in result.output


def test_no_files_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["score", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["score", str(tmp_path / "*.yaml")]).exit_code == 1


def test_spreadsheet_formulas_in_answers_stay_text(tmp_path: Path) -> None:
    path = _answers(tmp_path, "f.yaml", **{"Example Borough Council": '=HYPERLINK("http://x")'})
    summary = tmp_path / "s.csv"
    runner.invoke(app, ["score", str(path), *DEFS, "--summary", str(summary)])
    row = next(csv.DictReader(summary.open(encoding="utf-8")))
    assert row["organisation"].startswith("'=")


def test_rule_cases_pass_and_fail_with_a_diff(tmp_path: Path) -> None:
    result = runner.invoke(app, ["test", str(VALID / "cases"), *DEFS])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "1 passed, 0 failed"  # a summary, like every command's, on stderr
    cases = (VALID / "cases" / "demo.cases.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "cases.yaml"
    broken.write_text(
        cases.replace("verdict: at-risk", "verdict: clear")
        .replace("manage: 2,", "manage: 3,")
        .replace("manage: 2.25}", "manage: 2.5}")
        .replace("../demo.answers.yaml", str(VALID / "demo.answers.yaml")),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["test", str(broken), *DEFS])
    assert result.exit_code == 1
    assert "  - verdict: expected clear, found at-risk (4.0 points)" in result.stdout
    assert "  - level of manage: expected 3, found 2 (score 2.25)" in result.stdout
    assert "  - score of manage: expected 2.5, found 2.25" in result.stdout
    assert result.stderr.splitlines()[-1] == "0 passed, 1 failed"


def test_rule_cases_that_cannot_be_read_fail_the_run(tmp_path: Path) -> None:
    cases = (
        (VALID / "cases" / "demo.cases.yaml")
        .read_text(encoding="utf-8")
        .replace("../demo.answers.yaml", str(VALID / "demo.answers.yaml"))
    )
    (tmp_path / "good.yaml").write_text(cases, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("kind: rule_cases\ncases: [\n", encoding="utf-8")
    (tmp_path / "typo.cases.yaml").write_text(cases.replace("kind: rule_cases", "kind: rule_case"), encoding="utf-8")
    result = runner.invoke(app, ["test", str(tmp_path), *DEFS])
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'broken.yaml'}:3:1: MQ010 error" in result.stderr  # diagnostics on stderr
    assert "MQ010" not in result.stdout
    assert (result.stdout + result.stderr).count("broken.yaml") == 1  # not again as a skipped definition
    assert f"FAIL (cases file)  ({tmp_path / 'typo.cases.yaml'})" in result.stdout
    assert "PASS the demo answers are at risk" in result.stdout
    assert result.stderr.splitlines()[-1] == "1 passed, 1 failed, 1 file(s) could not be read"
    named = runner.invoke(app, ["test", str(tmp_path / "broken.yaml"), *DEFS])
    assert named.exit_code == 1 and " MQ010 error" in named.stderr


@pytest.mark.parametrize("value", ["1e400", ".nan", "-.inf", "1" * 5000, "0x" + "f" * 3000])
def test_absurd_numbers_are_answer_problems_not_crashes(tmp_path: Path, value: str) -> None:
    for question in ("MGT-1", "STR-2", "STR-1"):
        text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
        text = {
            "MGT-1": text.replace("MGT-1: 2", f"MGT-1: {value}"),
            "STR-2": text.replace('STR-2: "yes"', f"STR-2: {value}"),
            "STR-1": text.replace("STR-1: {value: 3,", f"STR-1: {{value: {value},"),
        }[question]
        path = tmp_path / "x.yaml"
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["score", str(path), *DEFS])
        assert result.exit_code == 1, (question, value, result.output)
        assert " MQ602 error" in result.stderr or " MQ104 error" in result.stderr
        assert "Traceback" not in result.output


def test_out_writes_results_and_the_chosen_reports(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = runner.invoke(
        app, ["score", str(VALID / "demo.answers.yaml"), *DEFS, "--out", str(out), "--report", "md", "-r", "html"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "demo.answers.report.html",
        "demo.answers.report.md",
        "demo.answers.result.json",
    ]
    assert "\n# Example Borough Council: Grounds maintenance\n" in (out / "demo.answers.report.md").read_text(
        encoding="utf-8"
    )
    assert runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), *DEFS, "--report", "md"]).exit_code == 2


# ------------------------------------------------------------------------------------- outputs and inputs


def test_out_mirrors_folders_so_no_two_files_share_a_result(tmp_path: Path) -> None:
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "b").mkdir()
    _answers(tmp_path / "in" / "a", "x.yaml")
    _answers(tmp_path / "in" / "b", "x.yaml", **{"STR-1: {value: 3,": "STR-1: {value: 1,"})
    _answers(tmp_path / "in", "y.yaml")
    (tmp_path / "in" / "y.json").write_text(json.dumps(_data()), encoding="utf-8")
    out = tmp_path / "results"
    result = runner.invoke(app, ["score", str(tmp_path / "in"), *DEFS, "--out", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))
    assert written == ["a/x.result.json", "b/x.result.json", "y.json.result.json", "y.yaml.result.json"]
    assert json.loads((out / "b" / "x.result.json").read_text(encoding="utf-8"))["verdict"]["outcome"] == "problem"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["d/x.yaml"], ["x"]),
        (["d/a/x.yaml", "d/b/x.yaml"], ["a/x", "b/x"]),
        (["d/x.yaml", "d/x.json"], ["x.yaml", "x.json"]),
        (["d/x.yaml", "d/x.yml", "d/x.yaml.yml"], ["x.yaml", "x.yml", "x.yaml.yml"]),  # a kept extension can clash too
        (["d/X.yaml", "d/x.json"], ["X.yaml", "x.json"]),  # some file systems ignore case
        (["d/x.yaml", "d/./x.yaml"], ["x.yaml", "x.yaml~2"]),  # one file given twice
    ],
)
def test_result_names_never_collide(tmp_path: Path, files: list[str], expected: list[str]) -> None:
    from maturity.app.batch import result_names

    assert result_names([str(tmp_path / f) for f in files]) == expected


def test_answers_in_the_out_folder_are_scored_and_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps(_data()), encoding="utf-8")
    before = (tmp_path / "x.json").read_text(encoding="utf-8")
    for _ in range(2):
        result = runner.invoke(app, ["score", str(tmp_path), *DEFS, "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert "1 scored, 0 failed" in result.stderr
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == before
    assert (tmp_path / "x.result.json").is_file()


def _data() -> dict[str, object]:
    from maturity.io.loader import read_document

    return read_document(VALID / "demo.answers.yaml").data


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--summary", "{tmp}/s.txt"], 2, "name a .csv, .json or .xlsx file"),
        (["--summary", "{tmp}"], 2, "name a .csv, .json or .xlsx file"),
        (["--summary", "{tmp}/folder.csv/"], 2, "this is a folder"),
        (["--out", "{tmp}/a-file"], 2, "this is a file"),
        (["--format", "json", "--summary", "{tmp}/s.csv"], 2, "do not take --summary"),
        (["--explain", "--out", "{tmp}/r"], 2, "do not take --summary, --out or --report"),
        (["-d", "{tmp}/no-such-folder"], 1, "no such file or folder (given with --definitions)"),
    ],
)
def test_outputs_and_definitions_are_checked_before_scoring(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()
    answers = _answers(tmp_path, "one.yaml")
    result = runner.invoke(app, ["score", str(answers), *DEFS, *(a.format(tmp=tmp_path) for a in args)])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing was scored


def test_summary_goes_into_new_folders_and_a_rerun_skips_its_own_outputs(tmp_path: Path) -> None:
    _answers(tmp_path, "one.yaml", **{"STR-1: {value: 3,": "STR-1: {value: 1,"})
    args = [
        "score",
        str(tmp_path),
        *DEFS,
        "--summary",
        str(tmp_path / "out" / "s.json"),
        "--out",
        str(tmp_path / "out" / "results"),
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "left out 2 file(s) that this command writes" in again.stderr
    assert "1 scored, 0 failed" in again.stderr
    [row] = json.loads((tmp_path / "out" / "s.json").read_text(encoding="utf-8"))
    assert row["pain_points"] == ["pp-assumed"]  # a list in JSON; CSV joins the ids with ';'


def test_a_failed_row_says_where_and_how_many_problems(tmp_path: Path) -> None:
    bad = _answers(tmp_path, "bad.yaml", **{"STR-3: some": "STR-3: most", "MGT-1: 2": "MGT-1: many"})
    summary = tmp_path / "s.json"
    assert runner.invoke(app, ["score", str(bad), *DEFS, "--summary", str(summary)]).exit_code == 1
    [row] = json.loads(summary.read_text(encoding="utf-8"))
    assert row["status"] == "failed" and row["error_code"] == "MQ602"
    assert row["error"].startswith("line ") and row["error"].endswith("(and 1 more)")


def test_a_folder_that_links_back_to_itself_is_walked_once(tmp_path: Path) -> None:
    one = _answers(tmp_path, "one.yaml")
    (tmp_path / "sub").mkdir()
    # two links back: glob.glob would list the file through ever longer paths, exponentially
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub" / "again").symlink_to(tmp_path, target_is_directory=True)
    for target in (str(tmp_path), str(tmp_path / "**" / "*.yaml"), str(tmp_path / "**")):
        result = runner.invoke(app, ["score", target, str(one), *DEFS])
        assert result.exit_code == 0, result.output
        assert "1 scored, 0 failed" in result.stderr
        assert result.stdout.splitlines()[1].startswith("…" + str(one)[-27:])  # by its shortest path


def test_recursive_globs_match_like_glob_without_following_loops(tmp_path: Path) -> None:
    from maturity.io.files import expand

    for name in ("a.yaml", "s/b.yaml", "s/t/c.yml", "s/t/d.json", "s/.hidden.yaml", ".h/e.yaml", "s/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "s" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    base = str(tmp_path)
    cases = {
        "**/*.yaml": ["a.yaml", "s/b.yaml"],
        "**/*.y*ml": ["a.yaml", "s/b.yaml", "s/t/c.yml"],
        "s/**": ["s/b.yaml", "s/notes.txt", "s/t/c.yml", "s/t/d.json"],
        "s/**/*.json": ["s/t/d.json"],
        "**/t/*": ["s/t/c.yml", "s/t/d.json"],
    }
    for pattern, expected in cases.items():
        files, problems = expand([f"{base}/{pattern}"])
        assert [os.path.relpath(f, base) for f in files] == expected, pattern
        broken = [p.file for p in problems]
        assert broken == ([f"{base}/s/gone.yaml"] if pattern in ("**/*.yaml", "**/*.y*ml", "s/**") else []), pattern


def test_definitions_that_cannot_be_used_are_warnings_that_say_why(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "broken.yaml").write_text("kind: [\n", encoding="utf-8")
    rules = (VALID / "demo.rules.yaml").read_text(encoding="utf-8")
    (mine / "rules.yaml").write_text(rules.replace("title: Demo rules", "title: My demo rules"), encoding="utf-8")
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), "-d", str(mine), *DEFS])
    assert result.exit_code == 0, result.output
    assert f"{mine / 'broken.yaml'}:2:1: MQ010 warning: skipped: YAML syntax error" in result.stderr
    assert (
        f"{VALID / 'demo.rules.yaml'}: MQ503 warning: scoring rules for questionnaire 'demo' version 1.2.0 is "
        f"also in {mine / 'rules.yaml'}, which is used instead" in result.stderr
    )
    copy = tmp_path / "copy"  # hiding an identical copy changes nothing: no warning
    copy.mkdir()
    (copy / "same-rules.yaml").write_text(rules, encoding="utf-8")
    result = runner.invoke(app, ["score", str(VALID / "demo.answers.yaml"), "-d", str(copy), *DEFS])
    assert result.exit_code == 0 and "MQ503" not in result.stderr, result.output


def test_the_table_keeps_each_file_on_one_line(tmp_path: Path) -> None:
    path = _answers(tmp_path, "t.yaml", **{"Example Borough Council": '"Ex\\nBo \\e[31mCo"'})
    result = runner.invoke(app, ["score", str(path), *DEFS])
    assert result.exit_code == 0, result.output
    _header, row = result.stdout.splitlines()
    assert "Ex Bo Co " in row and "\x1b" not in row and "[31m" not in row  # the whole sequence goes


def test_max_file_size_applies_to_answers_files(tmp_path: Path) -> None:
    path = _answers(tmp_path, "one.yaml")
    result = runner.invoke(app, ["score", str(path), *DEFS, "--max-file-size", "100"])
    assert result.exit_code == 1
    assert " MQ002 error: the file is larger than the limit of 100 bytes" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "MGT-1: 2",
            "MGT-1: 99999999999999999999999",
            "99999999999999999999999 is above the largest allowed answer, 500",
        ),
        ("MGT-1: 2", "MGT-1: 2.5", "answer with a whole number, not 2.5"),
        ("MGT-1: 2", "MGT-1: true", "answer with a number, not true"),
        ('STR-2: "yes"', "STR-2: [yes]", 'answer yes or no, not ["yes"]'),
    ],
)
def test_answer_problems_show_values_as_they_were_typed(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _answers(tmp_path, "x.yaml", **{old: new})
    result = runner.invoke(app, ["score", str(path), *DEFS])
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr


def test_a_key_given_twice_in_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"kind": "answers",\n "answers": {"a": 1,\n   "a": 2}}\n', encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), *DEFS])
    assert result.exit_code == 1
    assert f"{path}:3:4: MQ011 error: the key 'a' appears twice in this mapping: first on line 2" in result.stderr


def test_explain_says_why_confidence_is_low() -> None:
    from maturity.io.resources import bundled_dir

    result = runner.invoke(app, ["score", str(bundled_dir("examples") / "dont-know-heavy.yaml"), "--explain"])
    assert result.exit_code == 0, result.output
    assert (
        "  low confidence: 10 of 14 indicators rest on unknown answers, more than the 3 the rules allow. Find "
        "the missing evidence" in result.stdout
    )


def test_a_reader_that_goes_away_leaves_the_summary_complete(tmp_path: Path) -> None:
    import subprocess
    import sys

    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    for i in range(800):  # enough table to overflow a pipe's buffer
        (tmp_path / f"a{i:03d}.yaml").write_text(text, encoding="utf-8")
    summary = tmp_path / "out" / "s.csv"
    run = subprocess.Popen(
        [sys.executable, "-m", "maturity", "score", str(tmp_path), *DEFS, "--summary", str(summary)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None and run.stderr is not None
    run.stdout.readline()
    run.stdout.close()  # as `| head -1` does
    errors = run.stderr.read().decode()
    assert run.wait(timeout=120) == 0, errors
    assert "Traceback" not in errors and "800 scored, 0 failed" in errors
    assert summary.read_text(encoding="utf-8").count("\n") == 801
