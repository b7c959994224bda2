"""Text that leaves the program, made safe for where it goes: a terminal, one line of a table, a spreadsheet
cell, a JSON document.

Organisation names, notes, answers, file names and every string in a user's questionnaire or rules are typed by
someone else. Printed raw they could rewrite what a terminal shows (escape sequences set the window title, clear
the screen or hide a line), reorder what a reader sees (the bidirectional overrides of "Trojan Source", U+202E
and friends), split one row of a table or a CSV file into two, or run as a spreadsheet formula. This is the one
place that decides what is removed, so every command and both prompters show the same thing.

What is removed: complete escape sequences (CSI, OSC, DCS and the like, in their 7-bit and 8-bit forms), every
other C0 and C1 control character and DEL, and the bidirectional embedding, override and isolate characters.
What is kept: printable text in any script, tabs, and line breaks (each kind of break becomes a newline, or a
space where the text must stay on one line).
"""

from __future__ import annotations

import re

# Line breaks of every kind: CR LF, CR, VT, FF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR (LF itself is kept).
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Escape sequences a terminal acts on. A string command (OSC, DCS, SOS, PM, APC) is removed with its text only
# when it is terminated (by BEL or ST), so that an unterminated one cannot swallow the rest of the text: its
# introducer alone goes, and its text stays visible as text.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, clearing the screen
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"  # OSC (titles, links)...
    r"|\x1b[ -/]*[0-~]"  # the two- and three-character escapes
)
# Bidirectional formatting that can reorder what a reader sees: LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# Half of a UTF-16 surrogate pair, alone: JSON can spell one (\ud800), but no text encoding can write it.
_SURROGATES = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}\ud800-\udfff]")
_ONE_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def for_terminal(text: str) -> str:
    """`text` with escape sequences, control characters and bidirectional overrides removed; line breaks of
    every kind become newlines, tabs stay. For anything shown in a terminal or written as a text document."""
    if _UNSAFE.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", _BREAKS.sub("\n", _SEQUENCES.sub("", text))))


def one_line(text: str) -> str:
    """`text` made safe as `for_terminal` makes it, on one line: line breaks and tabs become a space."""
    if text.isprintable():
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", _ONE_LINE_BREAKS.sub(" ", _SEQUENCES.sub("", text))))


def shorten(text: str, limit: int = 200) -> str:
    """At most about `limit` characters; a longer text is cut and says how long it was, so a refused 3 MB note
    is not echoed in full into an error line: "Lorem ipsum… (3,145,728 characters)"."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


# The characters a spreadsheet reads as the start of a formula (the full-width forms too, which some convert).
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CELL_LIMIT = 1000
# The most a spreadsheet cell holds (Excel's limit): a list of ids the engine wrote (a file's pain points or
# gaps) is capped only there, since cutting it at CELL_LIMIT would lose ids a consultant counts by.
LIST_CELL_LIMIT = 32_767
# What a text may hold before it is cut to fit a cell: a cut text ends "… (N characters)", which needs room too.
CELL_TEXT_LIMIT = LIST_CELL_LIMIT - 40


def cell_text(text: str, limit: int = CELL_LIMIT) -> str:
    """Text for one spreadsheet cell: on one line, made safe as `one_line` makes it (a workbook keeps control
    characters as _x001B_ escapes, which the spreadsheet turns back into the character), at most `limit`
    characters. A typed text cell of a workbook is never read as a formula; a CSV cell needs `csv_cell`."""
    return one_line(shorten(text, limit))


def csv_cell(text: str, limit: int = CELL_LIMIT) -> str:
    """Text for one CSV cell: on one line (so no reader can split the row, whatever it makes of quotes), at most
    `limit` characters, and, after that, never the start of a formula: a cell that would start one, even
    after spaces, is prefixed with an apostrophe, which spreadsheets read as "this is text"."""
    cell = cell_text(text, limit)
    if cell.lstrip()[:1] in _FORMULA_START:
        return "'" + cell
    return cell


def is_plain_cell(text: str) -> bool:
    """True when `csv_cell(text)` would return `text` unchanged (the common case, checked without copying)."""
    return len(text) <= CELL_LIMIT and text.isprintable() and text.lstrip()[:1] not in _FORMULA_START


# Characters JSON allows raw inside a string that a terminal or an editor would act on or hide. json.dumps with
# ensure_ascii=False writes them raw (it escapes only C0 controls); written as \u escapes instead, the document
# means exactly the same to any JSON reader.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}\ud800-\udfff]")


def json_safe(document: str) -> str:
    """A JSON document (as json.dumps writes it) with every character a terminal would act on, and every lone
    surrogate (which no encoding can write), escaped as \\uXXXX.

    The characters matched never occur outside a string in JSON text, so escaping them changes nothing a JSON
    reader sees."""
    if _JSON_UNSAFE.search(document) is None:
        return document
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
