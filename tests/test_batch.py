"""Any answers mapping, however odd, either scores or becomes located problems: nothing else escapes."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.app.batch import score_file
from maturity.app.catalogue import Catalogue
from maturity.io.files import expand

from .conftest import FIXTURES

VALID = FIXTURES / "valid"
CATALOGUE = Catalogue.from_folders([VALID])
IDS = ["situation", "STR-1", "STR-2", "STR-3", "MGT-1", "MGT-2", "MGT-3", "MGT-4", "nope", "str-1"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "first-time", "some", "monthly", "dont_know"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
answer = st.one_of(
    values,
    st.fixed_dictionaries(
        {},
        optional={
            "value": values,
            "status": st.sampled_from(["dont_know", "not_applicable", "skipped", "maybe"]),
            "note": st.text(max_size=20),
            "evidence": st.lists(st.text(max_size=10), max_size=2),
        },
    ),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.dictionaries(st.sampled_from(IDS), answer, max_size=10),
    header=st.sampled_from(["ok", "no-assessment", "wrong-version", "answers-not-mapping"]),
)
def test_any_answers_file_scores_or_fails_with_located_problems(
    tmp_path: Path, answers: dict[str, object], header: str
) -> None:
    data: dict[str, object] = {
        "kind": "answers",
        "questionnaire": {"id": "demo", "version": "1.2.0"},
        "assessment": {"organisation": "O", "service": "S"},
        "answers": answers,
    }
    if header == "no-assessment":
        del data["assessment"]
    elif header == "wrong-version":
        data["questionnaire"] = {"id": "demo", "version": "9.0.0"}
    elif header == "answers-not-mapping":
        data["answers"] = list(answers)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    outcome = score_file(path, CATALOGUE)  # must not raise
    if outcome.ok:
        assert outcome.row["status"] == "scored" and outcome.row["verdict"] in ("problem", "at-risk", "clear")
    else:
        assert outcome.row["status"] == "failed" and outcome.row["error_code"].startswith("MQ")
        assert all(p.file == str(path) for p in outcome.problems)


def test_expand_takes_files_folders_and_globs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/1.yaml", "a/2.json", "a/notes.txt", "3.yml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    files, problems = expand(
        [str(tmp_path / "a"), str(tmp_path / "*.yml"), str(tmp_path / "a" / "1.yaml"), str(tmp_path / "missing.yaml")]
    )
    assert files == [str(tmp_path / "a" / "1.yaml"), str(tmp_path / "a" / "2.json"), str(tmp_path / "3.yml")]
    assert [p.code for p in problems] == ["MQ001"]


def test_expand_skips_hidden_files_and_folders_and_lists_folder_by_folder(tmp_path: Path) -> None:
    for name in ("a/b/1.yaml", "a-b/2.yaml", "a/.hidden/3.yaml", "a/.4.yaml", "a/5.YML", "a/6.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    files, problems = expand([str(tmp_path)])
    assert files == [
        str(tmp_path / "a" / "5.YML"),
        str(tmp_path / "a" / "b" / "1.yaml"),
        str(tmp_path / "a-b" / "2.yaml"),
    ]
    assert problems == []


def test_a_summary_format_renders_the_same_after_a_trip_to_another_process() -> None:
    import pickle

    from maturity.app.summaries import SummaryFormat

    row = {
        "file": "a.yaml",
        "status": "scored",
        "organisation": '=HYPERLINK("x")',
        "overall_score": 2.5,
        "low_confidence": True,
        "strategy_score": None,
    }
    for fmt in ("csv", "json"):
        original = SummaryFormat(fmt, ["strategy_score"])
        copy = pickle.loads(pickle.dumps(original))
        assert copy.render(row) == original.render(row) and copy.header() == original.header()
    assert SummaryFormat("csv", []).render(row).startswith('a.yaml,scored,"\'=HYPERLINK(""x"")"')


def test_csv_rows_end_in_crlf_and_every_cell_is_one_guarded_line() -> None:
    import csv
    import io

    from maturity.app.summaries import SummaryFormat

    row = {"file": "a\r\nb.yaml", "status": "scored", "organisation": "\r=1+1", "service": "x" * 5000}
    line = SummaryFormat("csv", []).render(row)
    assert line.endswith("\r\n") and line.count("\r") == 1 and line.count("\n") == 1
    cells = next(csv.reader(io.StringIO(line)))
    assert cells[0] == "a b.yaml" and cells[2] == "' =1+1"
    assert cells[3].endswith("… (5,000 characters)") and len(cells[3]) < 1100


def test_a_summary_is_found_among_the_inputs_by_identity(tmp_path: Path) -> None:
    from maturity.app.batch import plan_outputs, without_outputs

    summary = tmp_path / "s.json"
    summary.write_text("[\n]\n", encoding="utf-8")  # a summary an earlier run wrote
    (tmp_path / "link.json").symlink_to(summary)
    answers = tmp_path / "a.yaml"
    answers.write_text("x", encoding="utf-8")
    files = [str(answers), str(tmp_path / "link.json")]
    assert without_outputs(files, summary, None) == [str(answers)]  # the link is the summary: left out
    plan = plan_outputs(files, summary, tmp_path / "results")
    assert plan.files == [str(answers)] and plan.left_out == 1 and plan.out is not None
    assert not (tmp_path / "results").exists()  # made by create(), once the command is sure to run
    plan.create()
    assert (tmp_path / "results").is_dir() and plan.created == [tmp_path / "results"]
