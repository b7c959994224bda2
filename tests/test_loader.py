"""Bad input of every kind becomes one located problem, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.io.loader import dump_yaml, parse_text, read_document, read_text
from maturity.model.problems import DefinitionError

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)

BAD_BYTES = [
    # (name, file content, code, line)
    ("empty", b"", "MQ005", 0),
    ("only-whitespace", b"  \n\n\t\n", "MQ005", 0),
    ("only-comments", b"# nothing here\n# at all\n", "MQ005", 0),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "MQ004", 3),  # located at its first NUL
    ("latin-1", b"kind: questionnaire\ntitle: Caf\xe9\n", "MQ003", 2),
    ("utf-16", "kind: answers\n".encode("utf-16"), "MQ004", 1),
    ("malformed", b"kind: questionnaire\nstages: [unclosed\n", "MQ010", 3),
    ("tab-indent", b"kind: questionnaire\nstages:\n\t- id: x\n", "MQ010", 3),
    ("duplicate-key", b"kind: answers\nanswers: {}\nkind: answers\n", "MQ011", 3),
    ("alias-bomb", BILLION_LAUGHS.encode(), "MQ012", 2),
    ("top-level-list", b"- kind: questionnaire\n", "MQ015", 1),
    ("top-level-scalar", b"just some words\n", "MQ015", 1),
    ("top-level-null", b"~\n", "MQ015", 1),
    ("deep-flow", b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "MQ013", 1),
    ("deep-flow-unclosed", b"[" * 200_000, "MQ013", 1),
    ("deep-block", b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 80)), "MQ013", 65),
    ("deep-compact", b"x: " + b"- " * 50_000 + b"x\n", "MQ010", 1),
    ("custom-tag", b"kind: !shell rm -rf /\n", "MQ017", 1),
    ("timestamp-tag", b"when: !!timestamp 2020-01-01\n", "MQ017", 1),
    ("set-tag", b"x: !!set {a, b}\n", "MQ017", 1),
    ("multi-document", b"kind: a\n---\nkind: b\n", "MQ014", 2),
    ("complex-key", b"? [a, b]\n: c\n", "MQ010", 1),
]


@pytest.mark.parametrize(("name", "content", "code", "line"), BAD_BYTES, ids=[c[0] for c in BAD_BYTES])
def test_bad_input_is_a_located_problem(tmp_path: Path, name: str, content: bytes, code: str, line: int) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    with pytest.raises(DefinitionError) as caught:
        read_document(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == (code, line), str(problem)
    assert problem.file == str(path)


def test_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 2000 + b"\n")
    with pytest.raises(DefinitionError) as caught:
        read_text(path, max_bytes=1000)
    assert caught.value.problems[0].code == "MQ002"
    assert "1,000 bytes" in caught.value.problems[0].message
    assert read_text(path, max_bytes=5000)[0].startswith("a: ")


def test_size_cap_is_a_parameter_not_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\n" * 100)
    monkeypatch.setenv("MATURITY_MAX_FILE_BYTES", "50")  # once read from here; settings are now parameters
    assert read_text(path)[0].startswith("a: 1")
    with pytest.raises(DefinitionError):
        read_text(path, max_bytes=50)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.yaml", tmp_path):
        with pytest.raises(DefinitionError) as caught:
            read_document(path)
        assert caught.value.problems[0].code == "MQ001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: No", "No"),
        ("a: yes", "yes"),
        ("a: on", "on"),
        ("a: OFF", "OFF"),
        ("a: y", "y"),
        ("a: true", True),
        ("a: False", False),
        ("a: 1", 1),
        ("a: 0x1f", 31),
        ("a: 0o17", 15),
        ("a: 012", 12),
        ("a: 1.5", 1.5),
        ("a: 1e3", 1000.0),
        ("a: .inf", float("inf")),
        ("a: ~", None),
        ("a: null", None),
        ("a: 2026-11-21", "2026-11-21"),
        ("a: 1:20", "1:20"),
        ("a: 1_000", "1_000"),
        ("a: '3'", "3"),
        ("a: NO", "NO"),
        ("a: 1.0.0", "1.0.0"),
    ],
)
def test_scalars_resolve_as_yaml_1_2(text: str, expected: object) -> None:
    assert parse_text(text + "\n", "t.yaml").data["a"] == expected


def test_keys_are_always_text() -> None:
    assert parse_text("1: a\ntrue: b\nnull: c\n", "t.yaml").data == {"1": "a", "true": "b", "null": "c"}


def test_json_is_parsed_and_located_lazily() -> None:
    text = json.dumps({"kind": "answers", "answers": {"A": 1}}, indent=2)
    document = parse_text(text, "a.json")
    assert document.data["answers"] == {"A": 1}
    assert document.locate(("answers", "A")) == (4, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a": 1, "a": 2}', "MQ011"),
        ('{"a": ', "MQ010"),
        ("[1, 2]", "MQ015"),
        ("[" * 100_000, "MQ013"),
    ],
)
def test_bad_json(text: str, code: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_text(text, "a.json")
    assert caught.value.problems[0].code == code


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfkind: answers\n")
    assert read_document(path).data == {"kind": "answers"}


# Any plain data that our writer (`dump_yaml`, which saves interviews) puts out reads back as the same data.
# The loader builds data straight from the parser's events, so this holds its handling of nesting, keys and
# scalars to the writer's; it found text such as 1e5 written bare and read back as a number.
# (Control characters, line and paragraph separators and the BOM are left out: PyYAML's writer does not always
# give them back unchanged, whoever reads them.)
_TEXT = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85\ufeff")
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(_TEXT, max_size=12),
    st.sampled_from(
        [
            "1e5",
            "0E0",
            "0o17",
            "0x1F",
            "yes",
            "No",
            "on",
            "~",
            "null",
            "1_000",
            "-.inf",
            ".NaN",
            "007",
            "+1",
            "2026-01-31",
            "3",
        ]
    ),
)
_KEYS = st.text(_TEXT, min_size=1, max_size=8)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, max_size=5))
def test_any_data_written_by_dump_yaml_reads_back_the_same(data: dict[str, Any]) -> None:
    data = {"kind": "answers", **data}
    assert parse_text(dump_yaml(data), "data.yaml").data == data


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, max_size=5))
def test_flow_style_yaml_reads_back_the_same_structure(data: dict[str, Any]) -> None:
    data = {"kind": "answers", **data}
    assert (
        parse_text(dump_yaml(data), "a.yaml").data
        == parse_text(
            yaml.dump(data, Dumper=type(_dumper()), default_flow_style=True, allow_unicode=True), "b.yaml"
        ).data
    )


def _dumper() -> Any:
    from maturity.io import loader

    return loader._SafeDumper(None)


@pytest.mark.parametrize(
    ("text", "offset", "in_bytes", "place"),
    [
        ("a: 1\nb: x\n", 8, False, (2, 4)),
        ("a: é\nb: x\n", 9, True, (2, 4)),  # é is two bytes; the column counts characters
        ("é: é\n", 6, True, (1, 5)),
        ("", 0, False, (1, 1)),
        ("one line", 100, False, (1, 9)),  # past the end: the end
    ],
)
def test_an_offset_becomes_a_line_and_column(text: str, offset: int, in_bytes: bool, place: tuple[int, int]) -> None:
    from maturity.io.loader import offset_location

    assert offset_location(text, offset, in_bytes) == place


@pytest.mark.parametrize("name", ["doc.yaml", "doc.json"])
def test_a_path_is_located_at_its_deepest_part_found(name: str) -> None:
    data = {"kind": "answers", "answers": {"A-1": {"value": [1, {"deep": 2}]}, "0": "zero"}}
    text = json.dumps(data, indent=2) if name.endswith(".json") else dump_yaml(data)
    document = parse_text(text, name)
    deep = document.locate(("answers", "A-1", "value", 1, "deep"))
    assert deep > document.locate(("answers", "A-1", "value", 0)) > document.locate(("answers", "A-1"))
    missing = document.locate(("answers", "A-1", "no-such-key", "below"))  # a key the schema says is missing
    assert missing == document.locate(("answers", "A-1"))
    assert document.locate(("answers", 0)) == document.locate(("answers", "0"))  # an int part names a key too
    assert document.locate(()) == (1, 1)


def test_a_duplicate_json_key_is_located_even_beside_characters_yaml_refuses() -> None:
    text = '{"kind": "answers",\n "note": "a\\u009b \u009b b",\n "kind": "again"}\n'
    with pytest.raises(DefinitionError) as caught:
        parse_text(text, "dup.json")
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("MQ011", 3, 2)
    assert "first on line 1" in problem.message
