"""The table an explainer page's live figures are drawn from: every slider state, numbers only, packed small.

A *live table* holds, for one K and convention, everything the browser shows at each position of the ε slider:
figure specs (:mod:`lib.explainer.live_figures`: axes, ticks, legends, marks) and texts (captions, formulas,
formatted numbers). A value that differs between slider positions is wrapped in :class:`PerState`: a numeric
array whose first axis is the position, or one string per position. Everything else is the same at every
position and travels once.

:func:`encode_table` packs a table into the bytes the component is sent::

    <version>\\n<header length>\\n<JSON header><padding><float32 buffers>

Numeric arrays become ``{"buf": offset, "shape": [...]}`` references into the little-endian float32 buffers at
the end (a figure cannot tell float32 from float64: 7 significant digits against a few hundred pixels), so a
curve costs 4 bytes a point instead of ~20 characters of JSON. Per-position strings become templates: the text
between the numbers is sent once per distinct shape, the numbers (as the exact strings Python wrote) per
position (:func:`text_states`). :func:`decode_table` reads the bytes back exactly as ``ui/explorable.js`` does,
so the tests check what the browser gets. Pure Python, no streamlit.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# A number as Python writes it in a caption or a formula: the part that changes between slider positions. Digits
# that follow a letter, "#" or "." belong to a word, a name or a MathML character reference (K10, &#x0003D;) and
# stay with the text between the numbers. One capture group, so re.split gives text and numbers in turn.
_NUMBER = re.compile(r"(?<![\w#.])(\d+(?:\.\d+)?(?:e[+-]?\d+)?)")


@dataclass(frozen=True)
class PerState:
    """A value that differs between slider positions: ``values[i]`` is its value at position i."""

    values: np.ndarray | list[str]


def text_states(strings: Sequence[str]) -> dict[str, Any]:
    """One string per slider position as templates: ``{"templates": [[piece, …]], "states": [[t, n₁, n₂, …]]}``.

    Each string is split at its numbers; strings whose pieces between the numbers agree share a template. The
    string of position i is ``templates[t]`` interleaved with its numbers: ``p₀ n₁ p₁ n₂ p₂ …``.
    """
    templates: dict[tuple[str, ...], int] = {}
    states: list[list[Any]] = []
    for text in strings:
        pieces, numbers = _split_numbers(text)
        index = templates.setdefault(pieces, len(templates))
        states.append([index, *numbers])
    return {"templates": [list(pieces) for pieces in templates], "states": states}


def _split_numbers(text: str) -> tuple[tuple[str, ...], list[str]]:
    """``text`` as the pieces between its numbers and the numbers: ``("K = ", ", ε = ", ""), ["10", "0.1"]``."""
    parts = _NUMBER.split(text)
    return tuple(parts[0::2]), parts[1::2]


def text_at(encoded: Mapping[str, Any], index: int) -> str:
    """Position ``index``'s string from :func:`text_states`' form (what the browser does)."""
    template, *numbers = encoded["states"][index]
    pieces = encoded["templates"][template]
    return "".join(piece + (numbers[i] if i < len(numbers) else "") for i, piece in enumerate(pieces))


def encode_table(table: Mapping[str, Any], version: str) -> bytes:
    """``table`` as the bytes the component is sent (module docstring); ``version`` names it (ASCII)."""
    buffers: list[bytes] = []
    size = 0

    def pack(array: np.ndarray) -> dict[str, Any]:
        nonlocal size
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        ref = {"buf": size, "shape": list(array.shape)}
        buffers.append(data)
        size += len(data)
        return ref

    def walk(value: Any) -> Any:
        if isinstance(value, PerState):
            if isinstance(value.values, np.ndarray):
                return {"state": pack(value.values)}
            return {"state_text": text_states(value.values)}
        if isinstance(value, np.ndarray):
            return pack(value)
        if isinstance(value, Mapping):
            return {str(key): walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        if isinstance(value, (np.floating, np.integer)):
            return value.item()
        return value

    header = json.dumps(walk(table), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    head = version.encode("ascii") + b"\n" + str(len(header)).encode("ascii") + b"\n"
    padding = b" " * (-(len(head) + len(header)) % 4)  # float32 views need a 4-byte aligned start
    return head + header + padding + b"".join(buffers)


def decode_table(data: bytes) -> tuple[str, dict[str, Any]]:
    """``(version, table)`` from :func:`encode_table`'s bytes, references resolved into float32 arrays and
    per-position texts into ``{"state_text": …}`` as sent (``text_at`` reads them)."""
    version, length, rest = data.split(b"\n", 2)
    header_length = int(length)
    header = json.loads(rest[:header_length])
    start = len(version) + len(length) + 2 + header_length
    start += -start % 4
    buffers = data[start:]

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"buf", "shape"}:
                count = int(np.prod(value["shape"])) if value["shape"] else 1
                flat = struct.unpack_from(f"<{count}f", buffers, value["buf"])
                return np.asarray(flat, dtype=np.float32).reshape(value["shape"])
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return version.decode("ascii"), walk(header)


def at_state(value: Any, index: int) -> Any:
    """A decoded table value at slider position ``index``: per-position parts resolved, the rest as it is."""
    if isinstance(value, dict):
        if set(value) == {"state"}:
            return value["state"][index]
        if set(value) == {"state_text"}:
            return text_at(value["state_text"], index)
        return {key: at_state(item, index) for key, item in value.items()}
    if isinstance(value, list):
        return [at_state(item, index) for item in value]
    return value
