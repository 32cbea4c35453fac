"""An explainer page's live part: the ε slider with the figures, numbers, formulas and captions that follow it.

Python computes the page's live table (:mod:`lib.explainer.live_views`): every figure's numbers — axes, ticks,
curve points, bar heights, label texts — and every text at every ε the slider offers for the current K and
convention, and sends it once. The custom component (``ui/explorable.js`` with ``ui/svgfig.js``, our own SVG
drawing module; Streamlit components v2, no iframe, no build step) looks a position up on every input event and
sets the attributes that change. The settled ε (on release, or once the keys rest for ``SETTLE_MS``) comes back as
the component's state, is read like a URL value (:mod:`lib.explainer.component_state`) and goes through
:mod:`ui.controls` like a widget move: URL, notes, questions and share panel follow it. Moving K or the convention
reruns the page and sends the table for the new K (kept in a cache bounded in bytes).

The table travels as bytes that are the same on every rerun for a given K and convention, so Streamlit's
message cache sends it to a browser once; which position Python wants shown (a deep link, a repair) goes in
a second, tiny mount of the same component. The live pages load no plotly.js: plotly draws the HTML download
of each figure, built on the server for the settled state when its button is clicked.

A part further down the same page that also follows ε (the loss-curves page's gradient section, which has a
slider of its own for the logit gap) is a *follower*: ``explorable(..., follows="curves")`` draws no ε slider
and shows, on every input event of the leader's slider, the same position of its own table.

``LSLAB_LIVE_FIGURES=0`` in the environment draws the same view with Streamlit's own slider, plotly charts and
metrics instead, one state per rerun: the path before this component, kept for ``bench/bench_explorable.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from lib.byte_cache import ByteCache
from lib.explainer.component_state import read_eps
from lib.explainer.live_table import encode_table
from lib.explainer.live_views import TABLES
from lib.explainer.url_state import DEFAULT_STATE, EPS_STEP
from lib.explainer.views import VIEWS, slider_index
from lib.explainer.words import explainer_settings
from lib.export import chart_config
from ui import url_sync
from ui.figure import figure_download
from ui.text import show_text

LIVE_ENV = "LSLAB_LIVE_FIGURES"
STATE_KEY = "lab_state"  # the explainer's shared state in session_state (ui/controls.py), and its URL scope
NOTES_KEY = "lab_component_notes"  # repairs of a component's state, shown by ui/controls.py on the next run
SETTLE_MS = 300
EPS_LABEL = "ε, the smoothing strength"
EPS_HELP = ("The probability mass moved away from the one-hot target. The slider stops before the true class "
            "would stop being the most likely.")
_HERE = Path(__file__).resolve().parent
_STATIC = _HERE.parent / "static" / "lslab"  # served at app/static/lslab (server.enableStaticServing); git-ignored
BROWSER_FILES = ("explorable.js", "svgfig.js", "explorable.css")
TABLE_CACHE_BYTES = 24 * 2**20  # about 100 tables of ≤ 300 KB: every K stop of both conventions of a page or two
Block = Mapping[str, Any]


def browser_modules() -> str:
    """Copy the browser code (``ui/explorable.js``, ``ui/svgfig.js``, ``ui/explorable.css``) into the app's static
    folder under a name made of its contents' hash, once per process; return its folder's address (relative to
    the page).

    Served as files, the code reaches a browser once and is cached; written inline into the component, Streamlit
    sends the ~40 KB of it again with every mount of the component, four per rerun on the loss-curves page.
    Plain ES modules as they are, no build step: ``explorable.js`` imports ``./svgfig.js`` itself.
    """
    sources = {name: (_HERE / name).read_bytes() for name in BROWSER_FILES}
    digest = hashlib.sha1(b"".join(sources[name] for name in BROWSER_FILES)).hexdigest()[:12]
    folder = _STATIC / digest
    if not folder.is_dir():
        partial = folder.with_name(f"{digest}.{os.getpid()}.tmp")
        partial.mkdir(parents=True, exist_ok=True)
        for name, content in sources.items():
            (partial / name).write_bytes(content)
        try:
            partial.replace(folder)  # atomic: a browser never reads half a folder
        except OSError:  # another process put the same files there first
            shutil.rmtree(partial, ignore_errors=True)
    return f"app/static/lslab/{digest}"


def component_js(modules: str) -> str:
    """The component's own code: a loader of the browser modules served from ``modules`` (and their style)."""
    return f"""const base = new URL({json.dumps(modules + "/")}, document.baseURI);
if (!document.getElementById("lslab-explorable-css")) {{
  const link = Object.assign(document.createElement("link"), {{ id: "lslab-explorable-css", rel: "stylesheet",
                                                               href: new URL("explorable.css", base).href }});
  document.head.appendChild(link);
}}
// Both modules at once: explorable.js imports svgfig.js, which would otherwise be asked for only after it arrived.
const loaded = Promise.all([import(new URL("explorable.js", base).href),
                            import(new URL("svgfig.js", base).href)]).then(([module]) => module);
export default function (component) {{ loaded.then((module) => module.default(component)); }}
"""


def _guard_unreadable_json_states() -> None:
    """Make a component state that Python's ``json`` cannot read arrive as no state, instead of an exception.

    Streamlit 1.67 parses a custom component's state (a widget state's ``json_value``, or a trigger's
    ``json_trigger_value``) with ``json.loads`` before any code of ours runs, and does not catch what that raises:
    text that is not JSON, an integer of more than 4,300 digits (Python's limit on reading integers), arrays nested
    100,000 deep. The rerun fails with an exception element and a traceback in the log, and since the text stays
    in the session's widget states, so does every later rerun of that tab. A browser cannot send such text
    (``setStateValue`` writes it with ``JSON.stringify``); a crafted client can. Such a state is read as ``None``,
    what a cleared widget sends: the component's state becomes empty and ε stays where it was. Wraps Streamlit's
    unpacking once per process; every other value goes through it untouched.
    """
    from streamlit.runtime.state import session_state

    unpack = session_state.unpack_widget_state_value
    if getattr(unpack, "lslab_guarded", False):
        return

    def guarded(widget_state: Any) -> Any:
        field = widget_state.WhichOneof("value")
        try:
            value = unpack(widget_state)
            if field == "json_trigger_value":  # parsed later, by the trigger's deserializer: read it once here
                json.loads(value)
            return value
        except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
            if field in ("json_value", "json_trigger_value"):
                return None
            raise

    guarded.lslab_guarded = True  # type: ignore[attr-defined]
    session_state.unpack_widget_state_value = guarded


_guard_unreadable_json_states()
_component = st.components.v2.component("lslab_explorable", js=component_js(browser_modules()), isolate_styles=False)
_tables = ByteCache(TABLE_CACHE_BYTES)


def live_figures() -> bool:
    """Whether the explainer pages draw through the component (the default) or Streamlit's slider path."""
    return os.environ.get(LIVE_ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def start_loading() -> None:
    """A first, empty mount of the component, placed before anything else on the page (app.py): the browser starts
    loading Streamlit's code for custom components and ours while it renders the page's title and controls, so
    the figures' component is ready when its table arrives. It draws nothing."""
    with st.sidebar:
        _component(key="lslab_start_loading", data={"page": "__start__"})


def _payload(page: str, K: int, spread: str, settings: tuple, spec_json: str) -> tuple[str, bytes]:
    """``(version, bytes)``: the page's live table for K, the convention and the part's ``settings``, with the
    blocks to lay out (``spec_json``), as the component is sent (:func:`lib.explainer.live_table.encode_table`).
    About 10–30 ms to build; kept in a cache bounded in bytes."""
    digest = hashlib.sha1(spec_json.encode("utf-8")).hexdigest()[:12]
    version = f"{page}-{K}-{spread}-{'-'.join(f'{v:g}' for v in settings)}-{digest}"

    def build() -> bytes:
        spec = json.loads(spec_json)
        spec["table"] = TABLES[page](K, spread, *settings)
        return encode_table(spec, version)

    return version, _tables.get((page, K, spread, settings, spec_json), build)


def _component_moved(page: str) -> None:
    """``on_eps_change`` of the component: its settled ε becomes the page's, like a widget move.

    The state came from the network: it is read like a URL value, repaired with a note, and never raises."""
    current = st.session_state.get(STATE_KEY, DEFAULT_STATE)
    K = st.session_state.get(f"{page}_k", current.K)
    spread = st.session_state.get(f"{page}_spread", current.spread)
    try:
        state = dict(st.session_state.get(f"{page}_live") or {})
    except (TypeError, ValueError):
        state = None
    eps, notes = read_eps(state, int(K), str(spread))
    if state is not None and "eps" not in state:
        # This callback runs only when the state's ε changed: without one, it was taken away — a state that was
        # not an object, or not JSON at all (_guard_unreadable_json_states). No browser sends that.
        notes = ["The slider sent a state without ε; ε stays where it was."]
    if notes:
        st.session_state[NOTES_KEY] = st.session_state.get(NOTES_KEY, []) + notes
    if eps is not None:
        st.session_state[f"{page}_eps"] = eps
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
               follows: str | None = None, compact: bool = False) -> None:
    """Draw the page's live part for the settled (K, ε, spread), then a download button per figure.

    ``blocks`` lay out the view's parts: ``{"kind": "figure", "part", "caption"?, "export_caption"?, "stem", "key",
    "title", "label"}`` (``export_caption``: the part written under the figure in its download when it has no
    caption of its own), ``{"kind": "metrics", "metrics": [{"label", "value", "note"?}]}``, ``{"kind": "math",
    "part"}``, ``{"kind": "caption", "part"}`` and ``{"kind": "row", "blocks"}`` (side by side where there is
    room); a figure block may ask for a ``height`` in px. ``settings`` are the view's own settings after K and the
    convention (:data:`VIEWS`); ``follows`` names the explorable of the same page whose ε slider this one follows
    (then it has no slider); ``compact`` keeps the slider's help for screen readers only (a first screen).
    """
    shown = _visible(blocks)
    view = VIEWS[page](K, spread, *settings)
    if live_figures():
        spec = {"page": page, "blocks": shown, "settle_ms": SETTLE_MS,
                "follows": follows, "slider": {"key": "eps", "label": EPS_LABEL, "help": EPS_HELP, "compact": compact}}
        version, payload = _payload(page, K, spread, tuple(settings),
                                    json.dumps(spec, sort_keys=True, ensure_ascii=False))
        index = slider_index(K, spread, eps)
        _component(key=f"{page}_live_request", data={"page": page, "version": version, "index": index})
        _component(key=f"{page}_live", data=payload, on_eps_change=partial(_component_moved, page))
        _downloads(shown, view(eps), explainer_settings(K, eps, spread))
    else:
        _streamlit_path(shown, view(eps), explainer_settings(K, eps, spread))


def _downloads(blocks: Sequence[Block], parts: Mapping[str, Any], settings: str) -> None:
    """Each figure's interactive HTML (plotly, for the settled state; built when clicked), a button named after
    the figure; the PNG and SVG of what is drawn are the component's own buttons under each figure."""
    with st.container():
        for block in _figures(blocks):
            figure_download(parts[block["part"]], key=block["key"], stem=parts[block["stem"]],
                            title=f"{block['title']}: {settings}", caption=parts[_export_caption(block)],
                            label=f"{block['title']} (interactive HTML)")


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

