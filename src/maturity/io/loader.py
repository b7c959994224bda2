"""Reading definition and answers files safely, and turning every fault into a located problem.

The only module that imports yaml. Files are read as bytes under a size cap and decoded strictly as UTF-8; YAML
is composed with libyaml where present, then turned into plain data by our own walk, which rejects duplicate
keys, anchors and aliases (so an alias bomb costs nothing), unknown tags and deep nesting. Scalars are resolved
as YAML 1.2 does: only `true`/`false` are booleans, so `No`, `yes` or `on` stay text, and dates stay text for
the schema to parse. JSON files are parsed with the json module and located through the same YAML composer
only when a problem needs a line number.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from difflib import get_close_matches
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from maturity.model.definitions import MODELS, AnswersFile, Questionnaire, RuleCases, Rules
from maturity.model.document import Document, Loaded, Loc, render_loc
from maturity.model.problems import DefinitionError, Problem

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64  # far beyond any real definition, far below what would exhaust a stack
# libyaml's composer recurses in C; past a few tens of thousands of levels it overflows the stack. Input whose
# nesting could exceed this bound has its depth measured from the parser's events first.
_C_COMPOSER_SAFE_DEPTH = 10_000

M = TypeVar("M", bound=BaseModel)


def max_bytes_default() -> int:
    """The size cap when the caller gives none. A setting reaches the loader as a parameter (from an option or
    the configuration file), never through the environment, so worker processes and library callers agree."""
    return DEFAULT_MAX_BYTES


# ---------------------------------------------------------------------------------------------------- resolving

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Core12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: no yes/no/on/off booleans, no sexagesimal numbers, no implicit timestamps.

    libyaml's composer calls `resolve` once per node, so it is kept short: most scalars are words, and a word
    that cannot start a number, boolean or null is text without trying any pattern.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str | None:
        # A plain scalar is left unresolved (None: no written tag is None) for `_scalar` to resolve; this runs
        # for every node of every file, so it does as little as it can.
        if kind is yaml.ScalarNode:
            return None if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def resolve_plain(self, value: str) -> str:
        """The YAML 1.2 tag of a plain (unquoted, untagged) scalar."""
        for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
            if pattern.match(value):
                return str(tag)
        return _STR

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
):
    _Core12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))

try:
    import yaml.cyaml

    _CParser: Any = getattr(yaml.cyaml, "CParser")  # noqa: B009 - the stubs do not export it
except (ImportError, AttributeError):  # pragma: no cover - PyYAML built without libyaml
    _CParser = None
WITH_LIBYAML = _CParser is not None


if _CParser is not None:

    class _FastLoader(_CParser, _Core12Resolver):  # type: ignore[misc]
        """libyaml's parser and composer with our resolver."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Core12Resolver.__init__(self)

    _make_loader: Callable[[str], Any] = _FastLoader
else:  # pragma: no cover - exercised only where PyYAML was built without libyaml

    class _PyLoader(
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Core12Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Core12Resolver.__init__(self)

    _make_loader = _PyLoader


def _check_depth_by_events(text: str) -> None:
    """Walk the parser's events (libyaml's parser does not recurse) and stop at the first too-deep node."""
    depth = 0
    loader: Any = _make_loader
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _Fault(Exception):
    """A problem found while walking the node tree; carries the node's position."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        self.code, self.message, self.mark = code, message, mark


_DEEP_INDENT = re.compile(r"^[ \t]{2000}", re.MULTILINE)
_LONG_COMPACT = re.compile(r"(?:[-?:][ \t]+){500}")


def _nesting_bound(text: str) -> int:
    """An upper bound on how deeply `text` can nest, cheap enough to compute for every file.

    Every level takes at least one character. Flow nesting cannot exceed the number of opening brackets; block
    nesting cannot exceed the widest indentation plus the compact indicators (`- - -`) on one line, and two
    regular-expression scans tell whether either could be large.
    """
    if len(text) <= _C_COMPOSER_SAFE_DEPTH:
        return len(text)
    flow = text.count("[") + text.count("{")
    if flow > _C_COMPOSER_SAFE_DEPTH or _DEEP_INDENT.search(text) or _LONG_COMPACT.search(text):
        return len(text)
    return flow + 2000 + 500


def _compose(text: str) -> Any:
    if _nesting_bound(text) > _C_COMPOSER_SAFE_DEPTH:
        _check_depth_by_events(text)
    loader = _make_loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_PLAIN_RESOLVER = _Core12Resolver()
_MAY_BE_TYPED = frozenset(k for k in _Core12Resolver.yaml_implicit_resolvers if k)  # first characters


def _scalar(tag: str | None, value: str, mark: Any) -> Any:
    """A scalar's value under the YAML 1.2 core schema; `tag` None means plain (unquoted and untagged)."""
    if tag is None:  # plain: text unless it reads as a number, a boolean or null
        if value and value[0] not in _MAY_BE_TYPED:
            return value
        # ASCII digits alone are what most answers are (levels): an int, without trying every pattern
        tag = _INT if value.isdigit() and value.isascii() else _PLAIN_RESOLVER.resolve_plain(value)
    if tag == _STR:
        return value
    if tag == _INT:
        try:
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
        except ValueError:  # Python refuses integers of thousands of digits
            raise _Fault("MQ104", "this number has too many digits to be an answer", mark) from None
    if tag == _FLOAT:
        lowered = value.lower()
        if lowered.endswith("inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        return float("nan") if lowered == ".nan" else float(value)
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _NULL:
        return None
    raise _Fault("MQ017", f"the tag {tag} is not supported: remove it and write the value plainly", mark)


_ScalarEvent, _AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
_MappingStart, _SequenceStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MappingEnd, _SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _load_events(text: str) -> Any:
    """Plain data straight from libyaml's events, refusing what a definition file has no use for.

    No node tree is built: a file is read in one pass over its events, holding only the containers still
    open. So nesting is counted as it happens (the parser does not recurse, and reading stops at the first
    level too deep), an alias is refused where it is written before anything is expanded, and a duplicate key
    is reported with the line of its first use.
    """
    parser = _make_loader(text)
    try:
        get = parser.get_event
        get()  # the stream starts
        if parser.check_event(yaml.StreamEndEvent):
            return None  # nothing but comments and blank lines
        get()  # the document starts
        # the open container, whether it is a mapping, its key awaiting a value (_NO_KEY: awaiting a key) and
        # where each of its keys was written; `stack` saves those of the containers around it
        container: Any = None
        is_map = False
        key: Any = None
        lines: dict[str, Any] = {}
        stack: list[tuple[Any, bool, Any, dict[str, Any]]] = []
        while True:
            event = get()
            cls = event.__class__
            if key is _NO_KEY and cls is not _MappingEnd:
                if cls is not _ScalarEvent:
                    if cls is _AliasEvent:
                        raise _Fault("MQ012", _ALIAS_MESSAGE, event.start_mark)
                    raise _Fault("MQ010", "a key must be plain text, not a list or mapping", event.start_mark)
                key = event.value
                if key == "<<" and event.implicit[0]:  # a plain << is a merge key; a quoted one is only text
                    raise _Fault(
                        "MQ012", "merge keys (<<) are not allowed: write the keys out in full", event.start_mark
                    )
                if key in lines:
                    first = lines[key]
                    raise _Fault(
                        "MQ011",
                        f"the key '{key}' appears twice in this mapping: first on line "
                        f"{first.line + 1}, again on line {event.start_mark.line + 1}; keep one",
                        event.start_mark,
                    )
                lines[key] = event.start_mark
                continue
            if cls is _ScalarEvent:
                if len(stack) >= MAX_DEPTH:
                    raise _Fault("MQ013", _DEEP_MESSAGE, event.start_mark)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = None if event.implicit[0] else _STR
                value = _scalar(tag, event.value, event.start_mark)
            elif cls is _MappingStart or cls is _SequenceStart:
                if len(stack) >= MAX_DEPTH:
                    raise _Fault("MQ013", _DEEP_MESSAGE, event.start_mark)
                mapping = cls is _MappingStart
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP if mapping else _SEQ):
                    raise _Fault("MQ017", f"the tag {tag} is not supported", event.start_mark)
                stack.append((container, is_map, key, lines))
                container, is_map = ({}, True) if mapping else ([], False)
                key, lines = (_NO_KEY, {}) if mapping else (None, lines)
                continue
            elif cls is _MappingEnd or cls is _SequenceEnd:
                value = container
                container, is_map, key, lines = stack.pop()
            elif cls is _AliasEvent:
                raise _Fault("MQ012", _ALIAS_MESSAGE, event.start_mark)
            else:  # pragma: no cover - libyaml sends nothing else inside a document
                raise _Fault("MQ010", "unexpected YAML structure", event.start_mark)
            if container is None:
                root = value
                break
            if is_map:
                container[key] = value
                key = _NO_KEY
            else:
                container.append(value)
        get()  # the document ends
        if not parser.check_event(yaml.StreamEndEvent):
            mark = parser.peek_event().start_mark
            raise _Fault("MQ014", "the file holds more than one YAML document (---); keep one", mark)
        return root
    finally:
        parser.dispose()


_NO_KEY = object()  # a mapping's frame before each key
_DEEP_MESSAGE = f"the data is nested more than {MAX_DEPTH} levels deep"
_ALIAS_MESSAGE = "this value is a YAML alias (*name): anchors and aliases are not allowed; write the value out in full"


def _node_locator(root: Any) -> Callable[[Loc], tuple[int, int]]:
    """Find the line and column of a path such as ('stages', 1, 'questions', 0, 'text')."""

    def locate(loc: Loc) -> tuple[int, int]:
        node, mark = root, root.start_mark if root is not None else None
        if node is None:
            return (0, 0)
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node, mark = value_node, key_node.start_mark
                        break
                # not found: a pydantic union tag or a missing key; stay on this node and keep going
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
        return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)

    return locate


def _lazy_locator(text: str) -> Callable[[Loc], tuple[int, int]]:
    """Compose the text again only when a location is asked for (JSON is valid YAML 1.2, so JSON too).

    A document keeps only its text, not its node tree: most files never need a location, and a tree kept alive
    while the file is checked and scored is hundreds of objects the garbage collector would walk again and again.
    """
    cache: list[Callable[[Loc], tuple[int, int]]] = []

    def locate(loc: Loc) -> tuple[int, int]:
        if not cache:
            try:
                cache.append(_node_locator(_compose(text)))
            except Exception:  # a location is a courtesy; never let finding one fail the report
                cache.append(lambda _loc: (0, 0))
        return cache[0](loc)

    return locate


# ------------------------------------------------------------------------------------------------------ reading


def read_text(path: str | Path, max_bytes: int | None = None) -> tuple[str, str]:
    """Read a file as strict UTF-8 under a size cap. Returns (text, sha256 digest of the bytes)."""
    name = str(path)
    limit = max_bytes or max_bytes_default()
    try:
        with open(path, "rb") as handle:
            # Read what the file holds, not `limit` bytes: asking for 4 MiB allocates 4 MiB, which costs more than
            # reading a small answers file. A file that reports no size (a pipe) or grew since is read to the cap.
            size = os.fstat(handle.fileno()).st_size
            want = limit + 1 if size == 0 else min(size, limit) + 1
            raw = handle.read(want)
            if len(raw) == want and want <= limit:
                raw += handle.read(limit + 1 - want)
    except FileNotFoundError:
        raise DefinitionError(Problem.make("MQ001", "no such file", name)) from None
    except IsADirectoryError:
        raise DefinitionError(Problem.make("MQ001", "this is a folder, not a file", name)) from None
    except OSError as exc:
        raise DefinitionError(Problem.make("MQ001", f"cannot read the file: {exc.strerror}", name)) from None
    return decode(raw, name, limit)


def digest_of(text: str) -> str:
    """The digest `read_text` would give the file holding this text (its UTF-8 bytes)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_stream(stream: BinaryIO, name: str, max_bytes: int | None = None) -> tuple[str, str]:
    """Read standard input (or any byte stream) under the same cap and decoding as a file; `name` is what
    problems call it. Returns (text, sha256 digest of the bytes)."""
    limit = max_bytes or max_bytes_default()
    try:
        raw = stream.read(limit + 1)
    except OSError as exc:
        raise DefinitionError(Problem.make("MQ001", f"cannot read standard input: {exc.strerror}", name)) from None
    return decode(raw, name, limit)


def decode(raw: bytes, name: str, limit: int | None = None) -> tuple[str, str]:
    limit = limit or max_bytes_default()
    if len(raw) > limit:
        raise DefinitionError(
            Problem.make(
                "MQ002",
                f"the file is larger than the limit of {limit:,} bytes; split it, or raise the limit with "
                "--max-file-size or max-file-size in the configuration",
                name,
            )
        )
    if b"\x00" in raw[:8192]:
        raise DefinitionError(Problem.make("MQ004", "the file holds binary data (NUL bytes), not text", name))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DefinitionError(
            Problem.make(
                "MQ003", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8: save the file as UTF-8", name, line, column
            )
        ) from None
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    if not stripped or (
        stripped[0] == "#" and all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines())
    ):
        raise DefinitionError(Problem.make("MQ005", "the file is empty", name))
    return text, "sha256:" + hashlib.sha256(raw).hexdigest()


def _mark_problem(code: str, message: str, name: str, mark: Any) -> Problem:
    if mark is None:
        return Problem.make(code, message, name)
    return Problem.make(code, message, name, mark.line + 1, mark.column + 1)


def _yaml_syntax(exc: yaml.YAMLError, name: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if "expected a single document" in str(exc):
        return _mark_problem("MQ014", "the file holds more than one YAML document (---); keep one", name, mark)
    if "maximum nesting depth" in str(problem):  # libyaml 0.2.6 and newer bound nesting themselves (at 1,000)
        return _mark_problem("MQ013", _DEEP_MESSAGE, name, mark)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return _mark_problem("MQ010", message, name, mark)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a key was given twice: name the first one repeated
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateJsonKey(key)
            seen.add(key)
    return out


class _DuplicateJsonKey(Exception):
    pass


def _json_duplicate(text: str, name: str, key: str) -> Problem:
    """The repeated key, located: JSON is YAML 1.2, so our YAML reading finds the line of both uses."""
    try:
        _load_events(text)
    except _Fault as fault:
        if fault.code == "MQ011":
            return _mark_problem("MQ011", fault.message, name, fault.mark)
    except Exception:  # a location is a courtesy; the problem stands without one
        pass
    return Problem.make("MQ011", f"the key '{key}' appears twice in an object", name)


def parse_text(text: str, name: str, digest: str = "") -> Document:
    """Parse YAML or JSON text (JSON when the name ends in .json) into a Document whose top level is a mapping."""
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs)
        except _DuplicateJsonKey as exc:
            raise DefinitionError(_json_duplicate(text, name, exc.args[0])) from None
        except json.JSONDecodeError as exc:
            raise DefinitionError(
                Problem.make("MQ010", f"JSON syntax error: {exc.msg}", name, exc.lineno, exc.colno)
            ) from None
        except RecursionError:
            raise DefinitionError(Problem.make("MQ013", "the data is nested too deeply", name)) from None
        except ValueError:  # an integer of thousands of digits
            raise DefinitionError(Problem.make("MQ104", "a number has too many digits to be an answer", name)) from None
        locator: Callable[[Loc], tuple[int, int]] = _lazy_locator(text)
    else:
        try:
            data = _load_events(text)
        except _TooDeep as exc:
            raise DefinitionError(
                _mark_problem("MQ013", f"the data is nested more than {MAX_DEPTH} levels deep", name, exc.mark)
            ) from None
        except _Fault as exc:
            raise DefinitionError(_mark_problem(exc.code, exc.message, name, exc.mark)) from None
        except yaml.YAMLError as exc:
            raise DefinitionError(_yaml_syntax(exc, name)) from None
        except RecursionError:
            raise DefinitionError(Problem.make("MQ013", "the data is nested too deeply", name)) from None
        locator = _lazy_locator(text)
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "empty" if data is None else "a single value"
        raise DefinitionError(
            Problem.make(
                "MQ015", f"the top level is {shape}; it must be a mapping that starts with 'kind:'", name, 1, 1
            )
        )
    return Document(name, data, digest, locator)


def read_document(path: str | Path, max_bytes: int | None = None) -> Document:
    text, digest = read_text(path, max_bytes)
    return parse_text(text, str(path), digest)


# ------------------------------------------------------------------------------------------------------ schemas

_EXPECTED = {
    "string_type": "text",
    "string_sub_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (YYYY-MM-DDTHH:MM:SS)",
    "datetime_parsing": "a date and time",
    "datetime_from_date_parsing": "a date and time",
    "none_required": "nothing",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (if you meant the word, put it in quotes)"
    if isinstance(value, (int, float)):
        return f"the number {value!r} (if you meant text, put it in quotes)"
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold directly, looking through Optional, Union and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (list, dict):
        return []
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _item_type(annotation: Any) -> Any:
    """X for list[X] or dict[str, X], looking through Optional."""
    if get_origin(annotation) in (list, dict):
        return get_args(annotation)[-1]
    for arg in get_args(annotation):
        if get_origin(arg) in (list, dict):
            return get_args(arg)[-1]
    return None


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Best effort: the keys the mapping at `loc` may hold, to suggest the one that was meant."""
    current: Any = model
    for part in loc:
        models = _models_in(current)
        if models and isinstance(part, str):
            field = next((f for n, f in models[0].model_fields.items() if (f.alias or n) == part), None)
            if field is not None:
                current = field.annotation
            continue
        item = _item_type(current)
        if item is not None:
            current = item
    models = _models_in(current)
    return [f.alias or n for n, f in models[0].model_fields.items()] if models else []


def schema_problems(exc: ValidationError, document: Document, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located problems, one per place, in the words of a YAML author."""
    found: dict[tuple[int, int, str], Problem] = {}
    expected_by_place: dict[tuple[int, int], list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = [p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS))]
        kind = error["type"]
        value = error.get("input")
        where = render_loc(loc) or "the top level"
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            hint = get_close_matches(str(loc[-1]), allowed, n=1)
            tip = (
                f"; did you mean '{hint[0]}'?" if hint else (f"; allowed here: {', '.join(allowed)}" if allowed else "")
            )
            code, message = "MQ101", f"unknown key '{loc[-1]}' in {render_loc(loc[:-1]) or 'the top level'}{tip}"
        elif kind == "missing":
            code, message = "MQ102", f"'{loc[-1]}' is required in {render_loc(loc[:-1]) or 'the top level'}"
            loc = loc[:-1]
        elif kind in _EXPECTED:
            line, column = document.locate(loc)
            expected_by_place.setdefault((line, column), []).append(_EXPECTED[kind])
            kinds = " or ".join(dict.fromkeys(expected_by_place[(line, column)]))
            code, message = "MQ103", f"{where} must be {kinds}, not {_describe(value)}"
        elif kind in ("value_error", "assertion_error"):
            text = str(error.get("ctx", {}).get("error", error["msg"]))
            code, message = "MQ105", f"{where}: {text}"
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            code, message = "MQ104", f"{where} must be {expected}, not {_describe(value)}"
        elif kind == "string_pattern_mismatch":
            code, message = "MQ104", f"{where}: {_describe(value)} is not in the expected form ({_pattern_hint(loc)})"
        elif kind in _BOUNDS:
            words, key = _BOUNDS[kind]
            code = "MQ308" if "weight" in " ".join(map(str, loc)) else "MQ104"
            message = f"{where} must be {words} {error.get('ctx', {}).get(key)}, not {value!r}"
        else:
            code, message = "MQ104", f"{where}: {error['msg']}"
        line, column = document.locate(loc)
        found[(line, column, code)] = Problem.make(code, message, document.path, line, column)
    return sorted(found.values())


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
    "too_short": ("at least of length", "min_length"),
    "too_long": ("at most of length", "max_length"),
    "string_too_short": ("text of at least length", "min_length"),
    "string_too_long": ("text of at most length", "max_length"),
}
_UNION_TAGS = {"bool", "int", "float", "str", "list[str]", "list", "dict", "constrained-str", "literal['exclude']"}


def _pattern_hint(loc: Loc) -> str:
    last = str(loc[-1]) if loc else ""
    if last == "version":
        return "a version such as 1.0.0, written in quotes if YAML would read it as a number"
    if last == "id" and "pain_points" in map(str, loc):
        return "pain point ids start with 'pp-' and use lower-case letters, digits and dashes"
    if last == "digest":
        return "sha256: followed by 64 hex digits"
    return "ids start with a letter or a digit and use letters, digits, '.', '_' and '-' (up to 80)"


def to_model(document: Document, model: type[M]) -> M:
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise DefinitionError(schema_problems(exc, document, model)) from None


def load_document(document: Document, expect: str | None = None) -> Loaded[Any]:
    """Check a parsed document against the schema its `kind` names (or the one expected)."""
    kind = document.data.get("kind")
    if not isinstance(kind, str) or kind not in MODELS:
        known = ", ".join(MODELS)
        message = (
            f"say what this file is with a top-level 'kind:' ({known})"
            if kind is None
            else f"kind {kind!r} is not one of: {known}"
        )
        raise DefinitionError(document.problem("MQ016", message, ("kind",)))
    if expect is not None and kind != expect:
        raise DefinitionError(
            document.problem("MQ016", f"expected a file of kind '{expect}', this is '{kind}'", ("kind",))
        )
    return Loaded(to_model(document, MODELS[kind]), document)


def load_file(path: str | Path, expect: str | None = None, max_bytes: int | None = None) -> Loaded[Any]:
    return load_document(read_document(path, max_bytes), expect)


def load_questionnaire_file(path: str | Path, max_bytes: int | None = None) -> Loaded[Questionnaire]:
    return load_file(path, "questionnaire", max_bytes)


def load_rules_file(path: str | Path, max_bytes: int | None = None) -> Loaded[Rules]:
    return load_file(path, "scoring_rules", max_bytes)


def load_answers_file(path: str | Path, max_bytes: int | None = None) -> Loaded[AnswersFile]:
    return load_file(path, "answers", max_bytes)


def load_cases_file(path: str | Path, max_bytes: int | None = None) -> Loaded[RuleCases]:
    return load_file(path, "rule_cases", max_bytes)


def dump_yaml(data: Any) -> str:
    """Write plain data as block YAML that our own loader reads back unchanged."""
    return yaml.dump(data, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=100)


class _SafeDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


# The writer quotes a string when its resolver would read it back as something else, but that resolver is YAML
# 1.1's, and we read YAML 1.2: text such as 1e5, 0E0 or 0o17 would be written bare and read back as a number,
# changing a user's answer. Teaching the writer our patterns too makes it quote them (quoting more is harmless).
for _first, _resolvers in _Core12Resolver.yaml_implicit_resolvers.items():
    for _tag, _pattern in _resolvers:
        _SafeDumper.add_implicit_resolver(_tag, _pattern, [_first])
