"""Every state an explorable's slider can take, computed once in Python, so the browser only looks them up.

A page that wants its figures to follow the ε slider at frame rate hands :func:`state_table` a *view*
function — ε → ``{name: part}``, each part a plotly figure (as built by :mod:`lib.explainer.figures`) or a string
(a caption from :mod:`lib.explainer.words`, a number formatted for the page) — and the slider's values. The
table holds the parts that are the same in every state once (``base``) and, for each place where the
states differ, the list of values there (``varying``: a path into the parts and one value per state).
:func:`state_at` puts a state back together; the browser does exactly the same (a path, a value, no
arithmetic), so ``state_at(table, i) == view(values[i])`` — the property ``tests/test_explorable.py``
proves at every state — is what the learner sees.

Figures travel as plotly's own JSON, numeric arrays as plotly's typed-array spec (``{"dtype": "f8",
"bdata": <base64>}``, float64, decoded by plotly.js itself), so no number changes on the way.
Pure Python, no streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec

View = Callable[[float], Mapping[str, Any]]


def figure_json(fig: go.Figure) -> dict:
    """``fig`` as plain JSON-ready dicts: numpy arrays become plotly typed-array specs (float64, base64)."""
    return _plain(fig.to_dict())


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fiu":
            return to_typed_array_spec(value)
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def view_parts(view: View, value: float) -> dict[str, Any]:
    """One state of the view: its figures as JSON (:func:`figure_json`), its strings as they are."""
    return {name: figure_json(part) if isinstance(part, go.Figure) else part for name, part in view(value).items()}


def _split(states: list[Any], path: list[Any], varying: list[dict]) -> Any:
    """The part common to ``states``; every place where they differ is appended to ``varying``."""
    first = states[0]
    if all(state == first for state in states[1:]):
        return first
    # A typed array varies as a whole (never split into dtype, bdata and shape): the browser decodes each value.
    if all(isinstance(state, dict) and state.keys() == first.keys() and "bdata" not in state for state in states):
        return {key: _split([state[key] for state in states], [*path, key], varying) for key in first}
    if all(isinstance(state, list) and len(state) == len(first) for state in states):
        return [_split([state[i] for state in states], [*path, i], varying) for i in range(len(first))]
    varying.append({"path": path, "values": states})
    return first


def state_table(view: View, values: Sequence[float]) -> dict[str, Any]:
    """The view at every slider value: ``{"values", "base", "varying"}`` (see the module docstring)."""
    if not values:
        raise ValueError("a state table needs at least one slider value")
    states = [view_parts(view, float(value)) for value in values]
    varying: list[dict] = []
    base = _split(states, [], varying)
    first_with: dict[str, int] = {}
    for position, place in enumerate(varying):
        key = json.dumps(place["values"], sort_keys=True, allow_nan=True)
        if key in first_with:
            place["same_as"] = first_with[key]
            del place["values"]
        else:
            first_with[key] = position
    return {"values": [float(value) for value in values], "base": base, "varying": varying}


def _place_values(table: Mapping[str, Any], place: Mapping[str, Any]) -> list[Any]:
    return place["values"] if "values" in place else table["varying"][place["same_as"]]["values"]


def _set_in(container: Any, path: Sequence[Any], value: Any) -> Any:
    """A copy of ``container`` with ``value`` at ``path``; only the containers along the path are copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = list(container) if isinstance(container, list) else dict(container)
    copy[head] = _set_in(container[head], rest, value)
    return copy


def state_at(table: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The parts of state ``index``: the base with each varying place set to its value in that state.

    This is what ``ui/explorable.js`` does in the browser, step for step.
    """
    parts = table["base"]
    for place in table["varying"]:
        parts = _set_in(parts, place["path"], _place_values(table, place)[index])
    return parts


def index_of(values: Sequence[float], value: float) -> int:
    """The slider position holding ``value`` (the nearest one: values come from the same 0.01 grid)."""
    return int(np.argmin(np.abs(np.asarray(values, dtype=np.float64) - value)))


def encode_table(table: Mapping[str, Any]) -> bytes:
    """The table as UTF-8 JSON bytes: what the page sends once per K and convention."""
    return json.dumps(table, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
