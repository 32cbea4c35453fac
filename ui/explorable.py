"""An explainer page's live part: the ε slider with the figures, numbers, formulas and captions that follow it.

Python computes the page's view (:mod:`lib.explainer.views`) at every ε the slider offers for the current K
and convention — one table, :func:`lib.explainer.explorable.state_table` — and sends it once; the custom component
(``ui/explorable.js``, Streamlit components v2, no iframe, no build step) looks the state up on every input
event and redraws with plotly.js. The settled ε (on release, or once the keys rest for ``SETTLE_MS``) comes
back as the component's state and goes through :mod:`ui.controls` like a widget move: URL, notes,
questions and share panel follow it. Moving K or the convention reruns the page and sends the table for
the new K (cached per page, K and convention).

The table travels as bytes that are the same on every rerun for a given K and convention, so Streamlit's
message cache sends it to a browser once; which position Python wants shown (a deep link, a repair) goes in
a second, tiny mount of the same component. plotly.js is the installed plotly package's own file, copied at
start-up into the app's static folder (served by ``server.enableStaticServing``; git-ignored), so the app
makes no request outside its own origin.

A part further down the same page that also follows ε (the loss-curves page's gradient section, which has a
slider of its own for the logit gap) is a *follower*: ``explorable(..., follows="curves")`` draws no ε slider
and shows, on every input event of the leader's slider, the same position of its own table.

``LSLAB_LIVE_FIGURES=0`` in the environment draws the same view with Streamlit's own slider, charts and
metrics instead, one state per rerun: the path before this component, kept for ``bench/bench_explorable.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st

from lib.explainer.explorable import encode_table, index_of, state_table
from lib.explainer.gradient import starting_gap
from lib.explainer.url_state import DEFAULT_STATE, EPS_STEP
from lib.explainer.views import VIEWS, slider_values
from lib.explainer.words import explainer_settings
from lib.export import chart_config
from ui import url_sync
from ui.figure import figure_download
from ui.text import show_text

LIVE_ENV = "LSLAB_LIVE_FIGURES"
STATE_KEY = "lab_state"  # the explainer's shared state in session_state (ui/controls.py), and its URL scope
SETTLE_MS = 300
EPS_LABEL = "ε, the smoothing strength"
EPS_HELP = ("The probability mass moved away from the one-hot target. The slider stops before the true class "
            "would stop being the most likely.")
_HERE = Path(__file__).resolve().parent
_STATIC = _HERE.parent / "static" / "vendor"
Block = Mapping[str, Any]

_component = st.components.v2.component(
    "lslab_explorable", js=(_HERE / "explorable.js").read_text(encoding="utf-8"),
    css=(_HERE / "explorable.css").read_text(encoding="utf-8"), isolate_styles=False)


def live_figures() -> bool:
    """Whether the explainer pages draw through the component (the default) or Streamlit's slider path."""
    return os.environ.get(LIVE_ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def plotly_src() -> str:
    """The address of plotly.js, relative to the page: the installed package's file, copied once."""
    name = f"plotly-{plotly.__version__}.min.js"
    target = _STATIC / name
    if not target.exists():
        source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        _STATIC.mkdir(parents=True, exist_ok=True)
        partial_copy = target.with_suffix(f".{os.getpid()}.tmp")
        # copy2 keeps the package file's modification time: the Last-Modified a browser's heuristic cache
        # lifetime grows with (Streamlit's static route sends no Cache-Control).
        shutil.copy2(source, partial_copy)
        partial_copy.replace(target)  # atomic: a browser never reads half a file
    return f"app/static/vendor/{name}"


@st.cache_resource(show_spinner=False, max_entries=64)
def _table_json(page: str, K: int, spread: str, settings: tuple = ()) -> bytes:
    """The table of every state of ``page``'s view for K, the convention and the view's own ``settings``, as
    JSON (about 1 s to build).

    ``cache_resource`` because the bytes are immutable and up to ~5 MB: no copy per rerun.
    """
    return encode_table(state_table(VIEWS[page](K, spread, *settings), slider_values(K, spread)))


@st.cache_resource(show_spinner=False, max_entries=64)
def _payload(page: str, K: int, spread: str, settings: tuple, spec_json: str) -> tuple[str, bytes]:
    """``(version, bytes)``: ``<version>\\n{...spec, "table": ...}``, what the component is sent."""
    body = spec_json[:-1].encode("utf-8") + b',"table":' + _table_json(page, K, spread, settings) + b"}"
    version = f"{page}-{K}-{spread}-{hashlib.sha1(body).hexdigest()[:12]}"
    return version, version.encode("ascii") + b"\n" + body


def _warm_default_tables() -> None:
    """Build the tables of the view every link without settings opens, before its first learner asks."""
    K, eps, spread = DEFAULT_STATE.K, DEFAULT_STATE.eps, DEFAULT_STATE.spread
    for page in ("floor", "curves"):
        _table_json(page, K, spread)
    _table_json("gradient", K, spread, (starting_gap(K, eps, spread=spread),))


def _component_moved(page: str) -> None:
    """``on_eps_change`` of the component: its settled ε becomes the page's, like a widget move."""
    state = st.session_state.get(f"{page}_live") or {}
    if "eps" in state and state["eps"] is not None:
        st.session_state[f"{page}_eps"] = float(state["eps"])
        url_sync.mark_moved(STATE_KEY)


def _visible(blocks: Sequence[Block]) -> list[Block]:
    """The blocks shown: formulas only while the explanatory text is on (``text=off`` drops them)."""
    shown = []
    for block in blocks:
        if block["kind"] == "row":
            shown.append({**block, "blocks": _visible(block["blocks"])})
        elif block["kind"] != "math" or show_text():
            shown.append(block)
    return shown


def _figures(blocks: Sequence[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        out += _figures(block["blocks"]) if block["kind"] == "row" else [block] if block["kind"] == "figure" else []
    return out


def eps_slider(page: str, eps_max: float, on_change: Any, args: tuple) -> float:
    """Streamlit's own ε slider (the path without the component), keyed ``<page>_eps``."""
    return st.slider(EPS_LABEL, 0.0, eps_max, step=EPS_STEP, format="%.2f", key=f"{page}_eps", on_change=on_change,
                     args=args, help=EPS_HELP)


def explorable(page: str, K: int, eps: float, spread: str, blocks: Sequence[Block], *, settings: tuple = (),
               follows: str | None = None) -> None:
    """Draw the page's live part for the settled (K, ε, spread), then a download button per figure.

    ``blocks`` lay out the view's parts: ``{"kind": "figure", "part", "caption"?, "export_caption"?, "stem", "key",
    "title", "label"}`` (``export_caption``: the part written under the figure in its download when it has no
    caption of its own), ``{"kind": "metrics", "metrics": [{"label", "value", "note"?}]}``, ``{"kind": "math",
    "part"}``, ``{"kind": "caption", "part"}`` and ``{"kind": "row", "blocks"}`` (side by side where there is
    room). ``settings`` are the view's own settings after K and the convention (:data:`VIEWS`); ``follows``
    names the explorable of the same page whose ε slider this one follows (then it has no slider).
    """
    shown = _visible(blocks)
    view = VIEWS[page](K, spread, *settings)
    if live_figures():
        spec = {"page": page, "blocks": shown, "plotly_src": plotly_src(), "settle_ms": SETTLE_MS,
                "follows": follows, "slider": {"key": "eps", "label": EPS_LABEL, "help": EPS_HELP}}
        version, payload = _payload(page, K, spread, tuple(settings),
                                    json.dumps(spec, sort_keys=True, ensure_ascii=False))
        # The small request first: its mount starts loading plotly.js while the table travels.
        index = index_of(slider_values(K, spread), eps)
        _component(key=f"{page}_live_request", data={"page": page, "version": version, "index": index,
                                                     "plotly_src": spec["plotly_src"]})
        _component(key=f"{page}_live", data=payload, on_eps_change=partial(_component_moved, page))
        _downloads(shown, view(eps), explainer_settings(K, eps, spread))
    else:
        _streamlit_path(shown, view(eps), explainer_settings(K, eps, spread))


def _downloads(blocks: Sequence[Block], parts: Mapping[str, Any], settings: str) -> None:
    """One "Download figure (HTML)" button per figure, for the settled state (built only when clicked)."""
    figures = _figures(blocks)
    for block, column in zip(figures, st.columns(len(figures)), strict=True):
        figure_download(parts[block["part"]], key=block["key"], stem=parts[block["stem"]],
                        title=f"{block['title']}: {settings}", caption=parts[_export_caption(block)], where=column)


def _export_caption(block: Block) -> str:
    """The part written under a figure in its download: its caption, or the caption the figures of a row share."""
    return block.get("caption") or block["export_caption"]


def _streamlit_path(blocks: Sequence[Block], parts: Mapping[str, Any], settings: str, where: Any = None) -> None:
    """The same blocks drawn with Streamlit's elements from one state (charts, metrics, ``st.latex``)."""
    where = where if where is not None else st
    for block in blocks:
        kind = block["kind"]
        if kind == "row":
            for child, column in zip(block["blocks"], where.columns(len(block["blocks"])), strict=True):
                _streamlit_path([child], parts, settings, column)
        elif kind == "math":
            where.latex(parts[f"{block['part']}_tex"])
        elif kind == "caption":
            where.caption(parts[block["part"]])
        elif kind == "metrics":
            for metric, column in zip(block["metrics"], where.columns(len(block["metrics"])), strict=True):
                note = parts.get(metric.get("note", ""), "")
                column.metric(parts[metric["label"]], parts[metric["value"]], help=note or metric.get("help"))
        elif kind == "figure":
            fig: go.Figure = parts[block["part"]]
            if block.get("heading"):
                where.subheader(block["heading"])
            where.plotly_chart(fig, config=chart_config(parts[block["stem"]]), key=block["key"])
            if block.get("caption"):
                where.caption(parts[block["caption"]])
            figure_download(fig, key=block["key"], stem=parts[block["stem"]], caption=parts[_export_caption(block)],
                            title=f"{block['title']}: {settings}", where=where)


# Started when a page first imports this module (the first visit to any page after a server start).
threading.Thread(target=_warm_default_tables, name="lslab-warm-tables", daemon=True).start()
