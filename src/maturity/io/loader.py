"""Reading definition and answers files safely, and turning every fault into a located problem.

The only module that imports yaml. Files are read as bytes under a size cap and decoded strictly as UTF-8; YAML
is composed with libyaml where present, then turned into plain data by our own walk, which rejects duplicate
keys, anchors and aliases (so an alias bomb costs nothing), unknown tags and deep nesting. Scalars are resolved
as YAML 1.2 does: only `true`/`false` are booleans, so `No`, `yes` or `on` stay text, and dates stay text for
the schema to parse. JSON files are parsed with the json module and located through the same YAML composer
only when a problem needs a line number.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from difflib import get_close_matches
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from maturity.io.files import read_bytes, too_large
from maturity.model.definitions import MODELS, AnswersFile, Questionnaire, RuleCases, Rules
from maturity.model.document import Document, Loaded, Loc, render_loc
from maturity.model.problems import DefinitionError, Problem
from maturity.model.text import BIDI_CONTROLS, shorten

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64  # far beyond any real definition, far below what would exhaust a stack

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


class _Fault(Exception):
    """A problem found while walking the node tree; carries the node's position."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        self.code, self.message, self.mark = code, message, mark


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
                key = event.value if cls is _ScalarEvent else None
                if key is None or key in lines or (key == "<<" and event.implicit[0]):
                    raise _key_fault(event, lines)
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


def _key_fault(event: Any, lines: dict[str, Any]) -> _Fault:
    """Why a mapping's key cannot be read (called only on a fault, to keep the loop over events short): not
    plain text, an alias, a merge key (a plain <<; a quoted one is only text), or a key written twice."""
    mark = event.start_mark
    if event.__class__ is _AliasEvent:
        return _Fault("MQ012", _ALIAS_MESSAGE, mark)
    if event.__class__ is not _ScalarEvent:
        return _Fault("MQ010", "a key must be plain text, not a list or mapping", mark)
    key = event.value
    if key in lines:
        return _Fault(
            "MQ011",
            f"the key '{key}' appears twice in this mapping: first on line {lines[key].line + 1}, again on line "
            f"{mark.line + 1}; keep one",
            mark,
        )
    return _Fault("MQ012", "merge keys (<<) are not allowed: write the keys out in full", mark)


_NO_KEY = object()  # a mapping's frame before each key
_DEEP_MESSAGE = f"the data is nested more than {MAX_DEPTH} levels deep"
_ALIAS_MESSAGE = "this value is a YAML alias (*name): anchors and aliases are not allowed; write the value out in full"


# ----------------------------------------------------------------------------------------------------- locating

_OPEN_MAP, _OPEN_LIST, _SCALAR_AT, _CLOSE = range(4)  # the events a locator reads
_Event = tuple[int, int, int, Any]  # what, line, column (1-based), a scalar's text
_TERMINAL = object()  # marks a trie node where a path asked for ends


def _yaml_events(text: str) -> Iterator[_Event]:
    """The parser's events, reduced to what locating needs. libyaml's parser does not recurse, and the text has
    already been read once without a fault, so this cannot fail on depth, aliases or tags."""
    parser = _make_loader(text)
    try:
        get = parser.get_event
        while True:
            event = get()
            cls = event.__class__
            if cls is _ScalarEvent:
                mark = event.start_mark
                yield _SCALAR_AT, mark.line + 1, mark.column + 1, event.value
            elif cls is _MappingStart or cls is _SequenceStart:
                mark = event.start_mark
                yield (_OPEN_MAP if cls is _MappingStart else _OPEN_LIST), mark.line + 1, mark.column + 1, None
            elif cls is _MappingEnd or cls is _SequenceEnd:
                yield _CLOSE, 0, 0, None
            elif cls is yaml.StreamEndEvent:
                return
    finally:
        parser.dispose()


# JSON tokens: a string (its escapes unrolled, so a long string costs one step), a bracket, or a bare scalar;
# commas, colons and white space fall between the matches.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^\s{}\[\],:"]+')


def _json_events(text: str) -> Iterator[_Event]:
    """The same events for JSON text, from a scan of its tokens with the json module's own grammar in mind.

    Valid JSON holds no raw line break inside a string, so lines are counted between tokens. JSON is read this
    way rather than as YAML, which refuses characters JSON allows (C1 controls, DEL) and counts more kinds of
    line break than an editor does."""
    line, line_start, last = 1, 0, 0
    count, rfind = text.count, text.rfind
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        breaks = count("\n", last, start)
        if breaks:
            line += breaks
            line_start = rfind("\n", last, start) + 1
        last = start
        token = match.group()
        first = token[0]
        if first == "{":
            yield _OPEN_MAP, line, start - line_start + 1, None
        elif first == "[":
            yield _OPEN_LIST, line, start - line_start + 1, None
        elif first == "}" or first == "]":
            yield _CLOSE, 0, 0, None
        elif first == '"':
            yield _SCALAR_AT, line, start - line_start + 1, json.loads(token) if "\\" in token else token[1:-1]
        else:
            yield _SCALAR_AT, line, start - line_start + 1, token


class _Locator:
    """Where the parts of a document were written, found by reading its text again only when a problem asks.

    A document keeps only its text: most files never need a location, and a node tree kept alive while a file
    is checked and scored is thousands of objects the garbage collector would walk again and again. A pass reads
    the parser's events (YAML) or the tokens (JSON) from the start, records where the paths asked for were
    written and stops as soon as it has found them all: locating the first problems of a 4 MiB file reads only
    its beginning, and paths asked for together (`many`) cost one pass. Past a few passes, the next one records
    every path, so however many locations are asked for one at a time the file is read at most a few times
    more: the cost of locating grows with the size of the file, never with the number of problems times it.

    A path is located where its last part was written: a mapping entry at its key, a list item where it starts,
    the top level where the data starts. A part the data does not hold (a key the schema says is missing) leaves
    the location at the deepest part that was found.
    """

    PASSES_BEFORE_ALL = 3

    def __init__(self, text: str, json_syntax: bool) -> None:
        self.text, self.json_syntax = text, json_syntax
        self.found: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.passes = 0
        self.complete = False

    def __call__(self, loc: Loc) -> tuple[int, int]:
        return self.many([loc])[0]

    def many(self, locs: Iterable[Loc]) -> list[tuple[int, int]]:
        paths = [tuple(loc) for loc in locs]
        wanted = list(dict.fromkeys(p for p in paths if p not in self.found))
        if wanted and not self.complete:
            self.passes += 1
            everything = self.passes > self.PASSES_BEFORE_ALL
            with contextlib.suppress(Exception):  # a location is a courtesy: what was found so far stands
                self._read(None if everything else wanted)
            self.complete = everything
            for path in wanted:  # asked for once, known from now on, found or not
                self.found.setdefault(path, self._deepest(path))
        return [self.found.get(p) or self._deepest(p) for p in paths]

    def _deepest(self, path: tuple[Any, ...]) -> tuple[int, int]:
        keys = tuple(str(p) for p in path)  # an int part may name a mapping's key ("0"), not a list's item
        for end in range(len(path), -1, -1):
            found = self.found.get(path[:end]) or self.found.get(keys[:end])
            if found is not None:
                return found
        return (1, 1)

    def _read(self, wanted: list[tuple[Any, ...]] | None) -> None:
        """One pass: record every path on the way to those wanted (every path at all when `wanted` is None)."""
        everything_marker: dict[Any, Any] = {}  # a trie node that matches any part, and records it
        remaining = len(wanted) if wanted is not None else -1
        root = everything_marker if wanted is None else _trie(wanted)
        found = self.found

        def arrive(child: dict[Any, Any], path: tuple[Any, ...], place: tuple[int, int]) -> bool:
            """Record where `path` was written; True once every path wanted has been found."""
            nonlocal remaining
            found[path] = place
            if child.get(_TERMINAL) is True:
                child[_TERMINAL] = False
                remaining -= 1
            return remaining == 0

        # one frame per open container: [is a mapping, trie node (None: nothing wanted inside), its path,
        # the next list index (lists) or the entry's (node, path) (mappings), awaiting a key]
        stack: list[list[Any]] = []
        events = _json_events(self.text) if self.json_syntax else _yaml_events(self.text)
        try:
            for what, line, column, value in events:
                if what == _CLOSE:
                    stack.pop()
                    continue
                if not stack:  # the top level
                    found[()] = (line, column)
                    if what != _SCALAR_AT:
                        stack.append([what == _OPEN_MAP, root, (), 0, True])
                    continue
                frame = stack[-1]
                node = frame[1]
                child: dict[Any, Any] | None = None
                child_path: tuple[Any, ...] = ()
                if frame[0] and frame[4]:  # a mapping's key: where its entry is located
                    frame[4] = False
                    child = node if node is everything_marker else _key_child(node, value)
                    if child is not None:
                        child_path = (*frame[2], value)
                        if arrive(child, child_path, (line, column)):
                            return
                    frame[3] = (child, child_path)
                    continue
                if frame[0]:  # a mapping's value: the next event at this level is a key
                    frame[4] = True
                    child, child_path = frame[3]
                else:  # a list's item, located where it starts
                    index = frame[3]
                    frame[3] = index + 1
                    if node is not None:
                        child = everything_marker if node is everything_marker else node.get(index)
                    if child is not None:
                        child_path = (*frame[2], index)
                        if arrive(child, child_path, (line, column)):
                            return
                if what != _SCALAR_AT:
                    stack.append([what == _OPEN_MAP, child, child_path, 0, True])
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()


def _trie(paths: list[tuple[Any, ...]]) -> dict[Any, Any]:
    """The paths a pass looks for, as nested dicts by part, each path's end marked _TERMINAL."""
    trie: dict[Any, Any] = {}
    for path in paths:
        node = trie
        for part in path:
            node = node.setdefault(part, {})
        node[_TERMINAL] = True
    return trie


def _key_child(node: dict[Any, Any] | None, key: Any) -> dict[Any, Any] | None:
    """The trie node under a mapping's key: by the key, or, for a key of digits, by the number a path may
    name it with (an int part names a key "0" as surely as a list's item 0)."""
    if node is None:
        return None
    child = node.get(key)
    if child is None and isinstance(key, str) and key.isdigit():
        child = node.get(int(key))
    return child


def offset_location(text: str, offset: int, in_bytes: bool = False) -> tuple[int, int]:
    """The line and column (1-based, the column in characters) of an offset into `text`, counted in characters
    or, with `in_bytes`, in bytes of its UTF-8 encoding, as some parsers report a fault."""
    if in_bytes:
        before = text.encode("utf-8", "surrogatepass")[: max(offset, 0)].decode("utf-8", "replace")
    else:
        before = text[: max(offset, 0)]
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before) - line_start + 1


# ------------------------------------------------------------------------------------------------------ reading


def read_text(path: str | Path, max_bytes: int | None = None) -> tuple[str, str]:
    """Read a file as strict UTF-8 under a size cap. Returns (text, sha256 digest of the bytes). Only a regular
    file is read (see `files.read_bytes`)."""
    limit = max_bytes or max_bytes_default()
    return decode(read_bytes(path, limit), str(path), limit)


def digest_of(text: str) -> str:
    """The digest `read_text` would give the file holding this text (its UTF-8 bytes)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _ClosedInput(io.RawIOBase):
    """Standard input when the program was started without one (`maturity report - <&-`): every read is the
    fault a closed descriptor gives, so it is reported like any unreadable file rather than as an
    AttributeError on None."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError(errno.EBADF, "standard input is closed")


def standard_input() -> BinaryIO:
    """The bytes of standard input, whether or not the program was given one."""
    stream = getattr(sys.stdin, "buffer", None)
    return stream if stream is not None else io.BufferedReader(_ClosedInput())


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
        raise DefinitionError(too_large(name, limit))
    # the byte-order mark of UTF-16 (or UTF-32 little-endian): binary to a UTF-8 reader (MQ004), but named
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DefinitionError(
            Problem.make(
                "MQ004", "the file is saved as UTF-16 (or UTF-32), not as UTF-8 text: save it as UTF-8", name, 1, 1
            )
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_location(raw, nul)
        message = (
            "the file holds binary data (NUL bytes), not text"
            if nul < 8192
            else "the file holds a NUL byte, which text never does: remove it (it may have been pasted in)"
        )
        raise DefinitionError(Problem.make("MQ004", message, name, line, column))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_location(raw, exc.start)
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


def _byte_location(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as an editor counts them) of a byte offset into undecoded bytes."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _mark_problem(code: str, message: str, name: str, mark: Any) -> Problem:
    if mark is None:
        return Problem.make(code, message, name)
    return Problem.make(code, message, name, mark.line + 1, mark.column + 1)


def _yaml_syntax(exc: yaml.YAMLError, name: str, text: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        # the reader refuses a character before any token is read, so there is no mark: only an offset, in
        # bytes of the UTF-8 text for libyaml, in characters for the pure-Python reader
        line, column = offset_location(text, exc.position, in_bytes=WITH_LIBYAML)
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return Problem.make(
            "MQ010",
            f"the file holds the control character U+{character:04X}, which YAML does not allow: remove it "
            "(it may have been pasted in with the text)",
            name,
            line,
            column,
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if "expected a single document" in str(exc):
        return _mark_problem("MQ014", "the file holds more than one YAML document (---); keep one", name, mark)
    if "maximum nesting depth" in str(problem):  # libyaml 0.2.6 and newer bound nesting themselves (at 1,000)
        return _mark_problem("MQ013", _DEEP_MESSAGE, name, mark)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:  # every fault has a place in the file: the end, at worst
        return Problem.make("MQ010", message, name, *offset_location(text, len(text)))
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
    """The first repeated key, located at its second use, with the line of its first."""
    try:
        frames: list[list[Any] | None] = []  # per open container: [keys seen, awaiting a key], or None for a list
        for what, line, column, value in _json_events(text):
            frame = frames[-1] if frames else None
            if what == _CLOSE:
                frames.pop()
                continue
            if frame is not None:
                if frame[1]:
                    frame[1] = False
                    first = frame[0].get(value)
                    if first is not None:
                        return Problem.make(
                            "MQ011",
                            f"the key '{shorten(value, 80)}' appears twice in this mapping: first on line {first}, "
                            f"again on line {line}; keep one",
                            name,
                            line,
                            column,
                        )
                    frame[0][value] = line
                    continue
                frame[1] = True
            if what != _SCALAR_AT:
                frames.append([{}, True] if what == _OPEN_MAP else None)
    except Exception:  # a location is a courtesy; the problem stands without one
        pass
    return Problem.make("MQ011", f"the key '{shorten(key, 80)}' appears twice in an object", name)


def parse_text(text: str, name: str, digest: str = "") -> Document:
    """Parse YAML or JSON text (JSON when the name ends in .json) into a Document whose top level is a mapping."""
    json_syntax = name.lower().endswith(".json")
    if json_syntax:
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs)
        except _DuplicateJsonKey as exc:
            raise DefinitionError(_json_duplicate(text, name, exc.args[0])) from None
        except json.JSONDecodeError as exc:
            raise DefinitionError(
                Problem.make("MQ010", f"JSON syntax error: {exc.msg}", name, exc.lineno, exc.colno)
            ) from None
        except RecursionError:
            raise DefinitionError(Problem.make("MQ013", "the data is nested too deeply", name, 1, 1)) from None
        except ValueError:  # an integer of thousands of digits
            raise DefinitionError(
                Problem.make("MQ104", "a number has too many digits to be an answer", name, 1, 1)
            ) from None
    else:
        try:
            data = _load_events(text)
        except _Fault as exc:
            raise DefinitionError(_mark_problem(exc.code, exc.message, name, exc.mark)) from None
        except yaml.YAMLError as exc:
            raise DefinitionError(_yaml_syntax(exc, name, text)) from None
        except RecursionError:
            raise DefinitionError(Problem.make("MQ013", "the data is nested too deeply", name, 1, 1)) from None
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "empty" if data is None else "a single value"
        raise DefinitionError(
            Problem.make(
                "MQ015", f"the top level is {shape}; it must be a mapping that starts with 'kind:'", name, 1, 1
            )
        )
    return Document(name, data, digest, _Locator(text, json_syntax))


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
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN (not a number)" if math.isnan(value) else "infinity" if value > 0 else "minus infinity"
    if isinstance(value, (int, float)):
        try:
            return f"the number {value!r} (if you meant text, put it in quotes)"
        except ValueError:  # Python will not print an integer of thousands of digits
            return "a number with too many digits"
    if isinstance(value, str):
        return f"the text {value[:60]!r}" + (f"… ({len(value):,} characters)" if len(value) > 60 else "")
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
    """Turn pydantic's errors into located problems, one per place, in the words of a YAML author.

    Problems are worded first and located together (one reading of the file), and past MAX_PROBLEMS_PER_FILE
    places the rest are only counted, so a file with a wrong value in each of 300,000 entries costs no more
    than reading it."""
    errors = exc.errors(include_url=False)
    places: dict[tuple[Any, ...], list[Any]] = {}
    for error in errors:
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and _is_union_tag(p)))
        places.setdefault(loc, []).append(error)
    found: list[tuple[str, str, Loc]] = []
    for loc, at_place in places.items():
        if any(e["type"] == "finite_number" for e in at_place):  # NaN or infinity: one clear problem, not one per type
            where = render_loc(loc) or "the top level"
            value = next(e.get("input") for e in at_place if e["type"] == "finite_number")
            found.append(("MQ104", f"{where} must be a finite number, not {_describe(value)}", loc))
            continue
        expected = [_EXPECTED[e["type"]] for e in at_place if e["type"] in _EXPECTED]
        if expected:
            where = render_loc(loc) or "the top level"
            kinds = " or ".join(dict.fromkeys(expected))
            value = next(e.get("input") for e in at_place if e["type"] in _EXPECTED)
            found.append(("MQ103", f"{where} must be {kinds}, not {_describe(value)}", loc))
        for error in at_place:
            if error["type"] not in _EXPECTED:
                found.append(_schema_problem(error, list(loc), model))
    unique = list({(code, tuple(loc)): (code, message, loc) for code, message, loc in found}.values())
    one_per_place = {(p.line, p.column, p.code): p for p in reversed(document.problems(unique))}
    return sorted(one_per_place.values())


def _bound(value: Any) -> str:
    """A schema's bound as a person writes it: 1,000,000,000 rather than 1000000000.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _is_union_tag(part: str) -> bool:
    """Whether a part of a pydantic error's path names a member of a union rather than a key of the data."""
    return "[" in part or part in _UNION_TAGS or part.startswith(("constrained-", "function-"))


def _schema_problem(error: Any, loc: list[Any], model: type[BaseModel]) -> tuple[str, str, Loc]:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx", {})
    where = render_loc(loc) or "the top level"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, loc[:-1])
        hint = get_close_matches(key, allowed, n=1) if len(key) <= 100 else []
        tip = f"; did you mean '{hint[0]}'?" if hint else (f"; allowed here: {', '.join(allowed)}" if allowed else "")
        return "MQ101", f"unknown key '{shorten(key, 80)}' in {render_loc(loc[:-1]) or 'the top level'}{tip}", loc
    if kind == "missing":
        return "MQ102", f"'{loc[-1]}' is required in {render_loc(loc[:-1]) or 'the top level'}", loc[:-1]
    if kind in ("value_error", "assertion_error"):
        return "MQ105", f"{where}: {ctx.get('error', error['msg'])}", loc
    if kind == "literal_error":
        return "MQ104", f"{where} must be {ctx.get('expected', '')}, not {_describe(value)}", loc
    if kind == "string_pattern_mismatch":
        return "MQ104", f"{where}: {_describe(value)} is not in the expected form ({_pattern_hint(loc)})", loc
    if kind == "string_unicode":  # JSON can spell half a surrogate pair (\ud800); no text can hold one
        return "MQ104", f"{where} holds {_HALF_PAIR}", loc
    if kind == "string_too_long" and isinstance(value, str):
        return "MQ104", f"{where} is {len(value):,} characters long; the limit is {ctx.get('max_length', 0):,}", loc
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        code = "MQ308" if "weight" in " ".join(map(str, loc)) else "MQ104"
        shown = _describe(value) if isinstance(value, str) else "a list" if isinstance(value, list) else repr(value)
        return code, f"{where} must be {words} {_bound(ctx.get(key))}, not {shown}", loc
    return "MQ104", f"{where}: {error['msg']}", loc


_HALF_PAIR = (
    "half of a UTF-16 surrogate pair (an escape from \\ud800 to \\udfff without its other half), which is not a "
    "character: remove it, or write the character itself"
)
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
    if last == "url":
        return "a web address starting with http:// or https://, with no spaces, quotes or control characters"
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
    """Write plain data as block YAML that our own loader reads back unchanged.

    The dumper escapes control characters but writes the bidirectional overrides and isolates as they are (it
    takes them for printable), and a file with U+202E in it reorders what `cat` or an editor shows. A string
    holding one is written double-quoted (`_represent_str`), where YAML allows \\uXXXX, and each is escaped."""
    text = yaml.dump(data, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=100)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _BIDI.search(text) else text


_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


class _SafeDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, data: str) -> Any:
    style = '"' if _BIDI.search(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_SafeDumper.add_representer(str, _represent_str)


# The writer quotes a string when its resolver would read it back as something else, but that resolver is YAML
# 1.1's, and we read YAML 1.2: text such as 1e5, 0E0 or 0o17 would be written bare and read back as a number,
# changing a user's answer. Teaching the writer our patterns too makes it quote them (quoting more is harmless).
for _first, _resolvers in _Core12Resolver.yaml_implicit_resolvers.items():
    for _tag, _pattern in _resolvers:
        _SafeDumper.add_implicit_resolver(_tag, _pattern, [_first])
