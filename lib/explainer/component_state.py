"""The ε a live explorable reports, read like a URL value: from the network, so anything at all may arrive.

The component's state is what its browser code sent (``{"eps": 0.23}``), but a crafted client can send any JSON a
browser could — a word, a huge or non-finite number, a list, an object, a 5 MB string — and more. This module
turns whatever arrived into an ε on the slider's grid for the current K and convention, or into nothing, with a
note that quotes at most a short, plain prefix of the value (:func:`lib.url_values.quoted`). It never raises, and
never copies more than a bounded prefix of the value anywhere. Pure Python, no streamlit.
"""

from __future__ import annotations

import math
from typing import Any

from lib.explainer.url_state import clamp_state
from lib.url_values import parse_number, quoted

_TEXT_PREFIX = 32  # characters of a string that are ever looked at


def _describe(raw: Any) -> str:
    """A short description of an unusable value for a note: its quoted prefix, or its kind."""
    if isinstance(raw, str):
        return f"ε = {quoted(raw[:_TEXT_PREFIX])}"
    if isinstance(raw, bool) or raw is None:
        return f"ε = {str(raw).lower() if raw is not None else 'null'}"
    if isinstance(raw, (int, float)):
        return "ε = a number that is not finite" if isinstance(raw, float) else "ε = an integer too large to read"
    return f"ε as {'a list' if isinstance(raw, (list, tuple)) else 'an object' if isinstance(raw, dict) else 'data'}"


def _finite(raw: int | float) -> float | None:
    """``raw`` as a finite float, or None. A JSON integer has no size limit: ``{"eps": 1000…0}`` with 400 digits
    arrives as a Python int that no float holds, and ``math.isfinite`` or ``float`` would raise on it."""
    try:
        value = float(raw)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def read_eps(state: Any, K: int, spread: str) -> tuple[float | None, list[str]]:
    """The settled ε in the component's ``state`` for K and the convention, and a note per repair.

    ``state`` should be a mapping with a number under ``"eps"``. A number out of range or off the 0.01 grid is
    clamped or snapped with a note (:func:`lib.explainer.url_state.clamp_state`); anything else gives ``None``
    (keep the current ε) and a note. A note never holds more than a short quoted prefix of what arrived.
    """
    try:
        raw = state.get("eps") if isinstance(state, dict) else None
    except Exception:  # a mapping whose get() fails: treat as nothing sent
        raw = None
    if raw is None:
        return None, ([] if isinstance(state, dict) or state is None else ["The slider sent a value that is "
                                                                           "not a state; nothing changed."])
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, (int, float)):
        value = _finite(raw)
    elif isinstance(raw, str):
        value = parse_number(raw[:_TEXT_PREFIX]) if len(raw) <= _TEXT_PREFIX else None
    else:
        value = None
    if value is None:
        return None, [f"The slider sent {_describe(raw)}, which is not a usable number; ε stays where it was."]
    state_out, notes = clamp_state(int(K), value, spread)
    return state_out.eps, notes
