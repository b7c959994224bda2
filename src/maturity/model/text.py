"""Text that came from a file, made safe to print on one line of a terminal.

Organisation names, notes and answers are typed by users and may carry line breaks or terminal escape
sequences; printed raw, they would break a one-line-per-file table or rewrite what the terminal shows.
"""

from __future__ import annotations

import re

_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """`text` with line breaks and tabs turned into a space and every other control character removed."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))
