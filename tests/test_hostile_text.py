"""Text that leaves the program: one sanitiser (model.text) for every terminal line, both prompters and every
document; CSV rows that no line break can split and no formula can hide in; URLs that are web addresses; long
values cut, saying how long they were."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maturity.cli import app
from maturity.engine.interview import Step
from maturity.io.loader import load_answers_file, load_questionnaire_file
from maturity.model.definitions import Answer
from maturity.model.text import csv_cell, for_terminal, json_safe, one_line, shorten

from .conftest import FIXTURES

runner = CliRunner()
VALID = FIXTURES / "valid"
DEFS = ["-d", str(VALID)]

# What must never reach a terminal or a document raw: C0 controls but tab and newline, DEL, C1 controls, the
# bidirectional embeddings, overrides and isolates, lone surrogates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

HOSTILE = [
    "Acme\x1b]0;pwned\x07 Ltd",  # OSC: sets the window title
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8: a hidden link
    "Acme\x1b[2J\x1b[H clean",  # CSI: clears the screen
    "Acme\x9b31m red",  # 8-bit CSI
    "Acme\x90secret\x9c done",  # 8-bit DCS
    "invoice\u202egnp.exe",  # right-to-left override: shows as invoiceexe.png
    "\u2066isolate\u2069 and \u2067rtl\u2069",
    "line one\r=1+1",  # a carriage return, then a formula
    "tab\there\x0bvertical\x0cfeed\x85next\u2028line\u2029para",
    "bell\x07 backspace\x08 delete\x7f gone",
    "unterminated \x1b]0;title and the rest stays",
    "a lone half \ud800 of a pair",
]
# what each shows on one line: the words, without what a terminal would act on
SHOWN = [
    "Acme Ltd",
    "click me",
    "Acme clean",
    "Acme red",
    "Acme done",
    "invoicegnp.exe",
    "isolate and rtl",
    "line one =1+1",
    "tab here vertical feed next line para",
    "bell backspace delete gone",
    "unterminated 0;title and the rest stays",
    "a lone half \ufffd of a pair",
]


@pytest.mark.parametrize(("text", "shown"), list(zip(HOSTILE, SHOWN, strict=True)))
def test_the_sanitiser_leaves_nothing_a_terminal_acts_on_and_keeps_the_words(text: str, shown: str) -> None:
    assert one_line(text) == shown
    assert UNSAFE.search(for_terminal(text)) is None
    assert for_terminal(text).replace("\n", " ").replace("\t", " ") == shown


def test_whole_sequences_go_and_an_unterminated_string_keeps_its_text() -> None:
    assert one_line("Acme\x1b]0;pwned\x07 Ltd") == "Acme Ltd"
    assert one_line("a\x1b[31;1mred\x1b[0m") == "ared"
    assert one_line("unterminated \x1b]0;title stays") == "unterminated 0;title stays"
    assert for_terminal("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"


@pytest.mark.parametrize("text", HOSTILE)
def test_json_escapes_what_a_terminal_would_act_on_and_means_the_same(text: str) -> None:
    document = json_safe(json.dumps({"name": text}, ensure_ascii=False))
    assert UNSAFE.search(document) is None
    assert json.loads(document) == {"name": text}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\r=1+1", "' =1+1"),  # the break becomes a space first, and the guard still sees the formula
        ('\n\t =HYPERLINK("x")', '\'  =HYPERLINK("x")'),  # one space for the break and tab, one typed
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
        ("Acme\r\n=1+1", "Acme =1+1"),  # one row, and the formula is not at the start of a cell
        ("plain", "plain"),
    ],
)
def test_a_csv_cell_is_one_line_then_guarded(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


def test_long_values_are_cut_and_say_how_long() -> None:
    assert shorten("x" * 3_145_728, 20) == "x" * 20 + "… (3,145,728 characters)"
    assert len(csv_cell("y" * 5000)) < 1100


# ------------------------------------------------------------------------------------------- every command


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The demo answers with a hostile organisation, service, note and text answer."""
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    text = text.replace("organisation: Example Borough Council", f"organisation: {json.dumps(HOSTILE[0] + HOSTILE[5])}")
    text = text.replace("service: Grounds maintenance", f"service: {json.dumps(HOSTILE[2] + HOSTILE[7])}")
    text = text.replace(
        'note: "Options paper went to cabinet in June."', f"note: {json.dumps(HOSTILE[3] + HOSTILE[6])}"
    )
    text = text.replace('MGT-4: "<script>alert(1)</script> and {{ 7*7 }}"', f"MGT-4: {json.dumps(HOSTILE[1])}")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _outputs(hostile: Path) -> list[list[str]]:
    good = str(VALID / "demo.answers.yaml")
    return [
        ["score", str(hostile), *DEFS],
        ["score", str(hostile), "--explain", *DEFS],
        ["report", str(hostile), *DEFS],
        ["report", str(hostile), "--format", "md", *DEFS],
        ["report", str(hostile), "--format", "html", *DEFS],
        ["compare", good, str(hostile), *DEFS],
        ["compare", str(hostile), good, "--format", "md", *DEFS],
        ["compare", str(hostile), good, "--target", str(hostile), "--format", "html", *DEFS],
    ]


def test_no_command_lets_an_escape_or_an_override_through(hostile: Path) -> None:
    for args in _outputs(hostile):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        for stream in (result.stdout, result.stderr):
            found = UNSAFE.search(stream)
            assert found is None, (args, repr(stream[max(found.start() - 40, 0) : found.end() + 40]))


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{file}", "--format", "json"],
        ["report", "{file}", "--format", "json"],
        ["compare", "{file}", "{file}", "--format", "json"],
    ],
)
def test_json_output_escapes_them_and_keeps_every_character(hostile: Path, args: list[str]) -> None:
    result = runner.invoke(app, [a.format(file=hostile) for a in args] + DEFS)
    assert result.exit_code == 0, result.output
    assert UNSAFE.search(result.stdout) is None
    assert (HOSTILE[0] + HOSTILE[5]) in set(_strings(json.loads(result.stdout)))  # every character kept


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def test_problem_messages_and_test_case_names_are_made_safe(tmp_path: Path) -> None:
    rules = tmp_path / "q.yaml"
    rules.write_text(
        (VALID / "demo.questionnaire.yaml")
        .read_text(encoding="utf-8")
        .replace("kind: questionnaire", 'kind: questionnaire\n"\\e]0;x\\a\\u202ekey": 1', 1),
        encoding="utf-8",
    )
    validated = runner.invoke(app, ["validate", str(rules)])
    assert validated.exit_code == 1 and "MQ101" in validated.stdout
    assert UNSAFE.search(validated.stdout + validated.stderr) is None
    cases = tmp_path / "evil.cases.yaml"
    cases.write_text(
        "kind: rule_cases\nrules: demo-rules\ncases:\n"
        f"  - name: {json.dumps('a case ' + HOSTILE[0] + HOSTILE[5])}\n"
        f"    answers: {VALID / 'demo.answers.yaml'}\n"
        "    expect: {verdict: clear}\n",
        encoding="utf-8",
    )
    tested = runner.invoke(app, ["test", str(cases), *DEFS])
    assert tested.exit_code == 1 and "FAIL a case Acme Ltd" in tested.stdout
    assert UNSAFE.search(tested.stdout + tested.stderr) is None


def test_review_shows_notes_and_answers_made_safe(hostile: Path) -> None:
    """The plain prompter, driven as a script: review every answer, open a note, keep everything."""
    keys = ["", "e", "", ""] + [""] * 20
    result = runner.invoke(
        app, ["assess", "--resume", str(hostile), "--review", "--plain", *DEFS], input="\n".join(keys)
    )
    assert "Current note:" in result.stdout and "Acme red" in result.stdout, result.output
    assert UNSAFE.search(result.stdout + result.stderr) is None


def test_the_rich_prompter_shows_questionnaire_text_made_safe_and_never_as_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from maturity.ui.terminal import RichPrompter

    text = (VALID / "demo.questionnaire.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "title: Strategy", f"title: {json.dumps('Strategy [link=https://evil.example]x[/link] ' + HOSTILE[0])}"
    )
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    questionnaire = load_questionnaire_file(path).model
    prompter = RichPrompter(questionnaire)
    shown = io.StringIO()
    prompter.console = Console(file=shown, force_terminal=True, width=100)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n"))
    stage = questionnaire.stages[0]
    question = stage.questions[0] if stage.questions else questionnaire.questions()[0]
    prompter.stage_intro(stage, 1, 2)
    step = Step(
        question,
        stage,
        stage_number=1,
        stage_count=2,
        number_in_stage=1,
        asked_in_stage=3,
        position=1,
        total=9,
        answered=0,
        total_change=0,
        current=Answer(value=3, note=HOSTILE[4]),
        note=HOSTILE[4] + HOSTILE[6],
        evidence=(HOSTILE[0],),
        earlier=False,
        allow_back=False,
    )
    prompter.ask(step, None)
    prompter.ask(step, "not one of the levels " + HOSTILE[2])
    prompter.note(question, HOSTILE[0] + HOSTILE[5])
    prompter.help(question)
    output = shown.getvalue()
    assert "[link=https://evil.example]x[/link]" in output  # shown as the text it is, not made a link
    assert "\x1b]8;" not in output and "\x1b]0;" not in output and "\x1b[2J" not in output
    assert re.search("[\x9b\x90\u202a-\u202e\u2066-\u2069]", output) is None
    assert "Acme Ltd" in output


# ---------------------------------------------------------------------------------------------------- CSV


def test_the_csv_summary_has_crlf_rows_that_no_line_break_splits(hostile: Path, tmp_path: Path) -> None:
    summary = tmp_path / "s.csv"
    result = runner.invoke(
        app, ["score", str(hostile), str(VALID / "demo.answers.yaml"), "--summary", str(summary), *DEFS]
    )
    assert result.exit_code == 0, result.output
    raw = summary.read_bytes()
    assert (
        raw.count(b"\r\n") == 3
        and raw.replace(b"\r\n", b"").count(b"\n") == 0
        and b"\r" not in raw.replace(b"\r\n", b"")
    )
    naive = raw.decode().split("\r\n")[:-1]  # a reader that knows nothing of quotes
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert len(naive) == len(rows) == 3
    assert all(not cell.lstrip().startswith(("=", "+", "@")) for row in rows for cell in row)
    organisation = rows[1][rows[0].index("organisation")]
    assert organisation == "Acme Ltdinvoicegnp.exe" and UNSAFE.search(raw.decode().replace("\r\n", "")) is None
    service = rows[1][rows[0].index("service")]
    assert service == "Acme cleanline one =1+1"


def test_a_formula_that_a_line_break_would_have_exposed_is_still_guarded(tmp_path: Path) -> None:
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    path = tmp_path / "f.yaml"
    path.write_text(
        text.replace("organisation: Example Borough Council", 'organisation: "\\r\\n=1+1"'), encoding="utf-8"
    )
    summary = tmp_path / "s.csv"
    assert runner.invoke(app, ["score", str(path), "--summary", str(summary), *DEFS]).exit_code == 0
    with open(summary, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][rows[0].index("organisation")] == "' =1+1"  # CR LF became one space, then the guard


def test_the_xlsx_summary_holds_no_control_escape_or_override_in_any_cell(hostile: Path, tmp_path: Path) -> None:
    """Organisation and service, and the model's own titles (the column headers), were written raw: a workbook
    keeps ESC or BEL as _x001B_ and _x0007_, which the spreadsheet turns back into the character."""
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    definitions = tmp_path / "defs"
    definitions.mkdir()
    for source in VALID.glob("demo.*.yaml"):
        text = source.read_text(encoding="utf-8").replace("title: Strategy", f"title: {json.dumps(HOSTILE[0])}")
        (definitions / source.name).write_text(text, encoding="utf-8")
    summary = tmp_path / "s.xlsx"
    args = ["score", str(hostile), str(definitions / "demo.answers.yaml"), "--summary", str(summary)]
    result = runner.invoke(app, [*args, "-d", str(definitions)])
    assert result.exit_code == 0, result.output
    escaped = re.compile("_x[0-9A-Fa-f]{4}_")
    texts = [
        cell.value
        for sheet in openpyxl.load_workbook(summary).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert [t for t in texts if UNSAFE.search(t) or escaped.search(t)] == []
    assert "Acme Ltdinvoicegnp.exe" in texts and any(t.startswith("Acme Ltd") for t in texts[:60])


def test_yaml_we_write_escapes_bidirectional_overrides_and_reads_back_the_same(hostile: Path, tmp_path: Path) -> None:
    """The YAML dumper escaped controls but wrote U+202E and the isolates raw into merged (and migrated, and
    saved) answers, so `cat merged.yaml` showed reordered text."""
    second = tmp_path / "second.yaml"
    second.write_text(hostile.read_text(encoding="utf-8").replace("assessor: ", "assessor: B "), encoding="utf-8")
    merged = tmp_path / "merged.yaml"
    result = runner.invoke(app, ["merge", str(hostile), str(second), "--out", str(merged), *DEFS])
    assert result.exit_code in (0, 1), result.output
    text = merged.read_text(encoding="utf-8")
    assert UNSAFE.search(text) is None
    note = load_answers_file(merged).model.answers["STR-1"]
    original = load_answers_file(hostile).model.answers["STR-1"]
    assert isinstance(note, Answer) and isinstance(original, Answer)
    assert note.note is not None and original.note is not None and original.note in note.note
    assert "\\u2066" in text  # written as an escape, read back as the character


# --------------------------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks", True),
        ("http://example.org/a_(b)?c=d#e", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("https://example.org/a\n<script>alert(1)</script>", False),
        ("javascript:alert(1)", False),
        ("https://example.org/\u202egnp.exe", False),
        ('https://example.org/" onmouseover="alert(1)', False),
        ("https://example.org/a b", False),
        ("https://example.org/\x1b]0;x\x07", False),
        ("ftp://example.org/file", False),
        ("https://", False),
        ("//example.org", False),
    ],
)
def test_reference_urls_must_be_web_addresses(tmp_path: Path, url: str, ok: bool) -> None:
    text = (VALID / "demo.questionnaire.yaml").read_text(encoding="utf-8")
    old = "url: https://www.gov.uk/government/publications/the-sourcing-and-consultancy-playbooks"
    assert old in text
    path = tmp_path / "q.yaml"
    path.write_text(text.replace(old, f"url: {json.dumps(url)}"), encoding="utf-8")
    (tmp_path / "rules.yaml").write_bytes((VALID / "demo.rules.yaml").read_bytes())
    result = runner.invoke(app, ["validate", str(tmp_path)])
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "url:" in t)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert f"{path}:{line}:" in result.stdout and "MQ104" in result.stdout and "web address" in result.stdout
        assert UNSAFE.search(result.stdout) is None


# ---------------------------------------------------------------------------------------------- long values


def test_a_huge_note_is_refused_with_its_length_not_echoed(tmp_path: Path) -> None:
    note = "N" * 3_145_728
    text = (VALID / "demo.answers.yaml").read_text(encoding="utf-8")
    path = tmp_path / "big.yaml"
    path.write_text(text.replace("Options paper went to cabinet in June.", note), encoding="utf-8")
    summary = tmp_path / "s.csv"
    result = runner.invoke(app, ["score", str(path), "--summary", str(summary), *DEFS])
    assert result.exit_code == 1
    [line] = [t for t in result.stderr.splitlines() if "MQ104" in t]
    assert "3,145,728 characters long; the limit is 20,000" in line and len(line) < 300
    assert max(len(row) for row in summary.read_text(encoding="utf-8").splitlines()) < 2000


def test_a_huge_unknown_key_is_named_shortened(tmp_path: Path) -> None:
    key = "k" * 100_000
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"kind": "answers", key: 1}), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    [line] = [t for t in result.stdout.splitlines() if "MQ101" in t]
    assert "(100,000 characters)" in line and len(line) < 600
