"""Values read from a page's URL: quoted back to the learner safely, read as numbers, the last of a repeated key.

Every page repairs a bad link with a note that names what it got (``K="ten" is not a number``). A URL is
anyone's to write, so a note quotes the raw value only when it is short and plain — letters, digits,
``.+-_`` and spaces — and Markdown or HTML in a crafted link is never echoed into the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

_PLAIN = re.compile(r"[\w.+\- ]*")
# Notes are rendered as Markdown: "_" (and any other character that acts inside a line) is backslash-escaped,
# so ``?model=__bold__`` reads "__bold__" instead of turning bold.
_MARKDOWN_INLINE = re.compile(r"([\\`*_~\[\]<>$:])")
UNREADABLE = "(an unreadable value)"


def quoted(raw: str, *, max_length: int = 24) -> str:
    """``"raw"`` in double quotes, Markdown-escaped, when it is at most ``max_length`` plain characters, else
    ``(an unreadable value)``."""
    if len(raw) > max_length or not _PLAIN.fullmatch(raw):
        return UNREADABLE
    return '"' + _MARKDOWN_INLINE.sub(r"\\\1", raw) + '"'


def parse_number(raw: str) -> float | None:
    """The finite number ``raw`` spells (spaces around it ignored), or None (``"ten"``, ``"nan"``, ``"inf"``)."""
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def last_value(value: str | Sequence[str] | None) -> str | None:
    """A repeated key (``?K=3&K=5``) counts as its last value, as ``st.query_params`` reads it; None if absent."""
    if value is None or isinstance(value, str):
        return value
    return value[-1] if len(value) else None
