"""The K / ε / convention controls every explainer page shares, kept in the URL.

One source of truth, ``st.session_state["lab_state"]`` (a :class:`lib.explainer.url_state.SmoothingState`),
survives moving between pages; the URL (``?K=10&eps=0.1&spread=others``) mirrors it so any view can
be shared. A URL the session did not write itself (a deep link, a hand-edited address) wins over the
widgets; whatever is malformed or out of range is repaired by :mod:`lib.explainer.url_state` and a note says
so. Widgets are not bound with ``bind="query-params"``: that resets an out-of-range value silently,
and the ε slider's upper end moves with K and the convention, which would reset it too.
"""

from __future__ import annotations

import streamlit as st

from lib.explainer.url_state import (
    DEFAULT_STATE,
    K_MAX,
    PARAM_NAMES,
    SPREADS,
    SmoothingState,
    clamp_state,
    eps_slider_max,
    k_stops,
    parse_query_params,
    to_query_params,
)
from lib.smoothing import CONVENTIONS
from ui import url_sync

# STATE_KEY, the key of the shared state, is defined beside the explorable whose settled ε marks it moved.
from ui.explorable import NOTES_KEY, STATE_KEY, eps_slider, live_figures
from ui.text import text_flag_note

SPREAD_HELP = "  \n".join(convention.summary for convention in CONVENTIONS.values())


def _from_url_if_new() -> tuple[SmoothingState | None, list[str]]:
    """The state a deep link asks for, or None (no URL, the URL this session wrote, or a widget just moved)."""
    url = url_sync.read(PARAM_NAMES)
    if not url_sync.is_deep_link(STATE_KEY, url):
        return None, []
    return parse_query_params(url, fallback=st.session_state.get(STATE_KEY, DEFAULT_STATE))


def _remember(state: SmoothingState) -> None:
    """Make ``state`` the shared one and mirror it in the URL (one message, only when it changed)."""
    st.session_state[STATE_KEY] = state
    url_sync.write(STATE_KEY, to_query_params(state))


def _show_notes(notes: list[str]) -> None:
    """The notes that repaired the link, the ``text=`` one included, where every page shows them: at its top."""
    for note in notes:
        st.warning(note, icon=":material/tune:")
    text_flag_note()


def current_state() -> SmoothingState:
    """The shared state for a page without its own controls (the home page): a deep link, else the
    session's, else the default. Repairs to the link are shown as notes."""
    from_url, notes = _from_url_if_new()
    state = from_url or st.session_state.get(STATE_KEY, DEFAULT_STATE)
    _show_notes(notes)
    _remember(state)
    return state


def smoothing_controls(page: str) -> tuple[int, float, str]:
    """Draw the convention switch and the K and ε sliders; return ``(K, eps, spread)``.

    ``page`` namespaces the widget keys (``floor_k``, ``floor_eps``, ``floor_spread``). The ε slider
    ends just before the true class stops being the most likely (ε < 1, or ε < (K−1)/K for "others").
    """
    keys = {name: f"{page}_{name}" for name in ("k", "eps", "spread")}
    state = st.session_state.get(STATE_KEY, DEFAULT_STATE)
    from_url, notes = _from_url_if_new()
    if from_url is not None:
        wanted = from_url
    else:
        # Widget values of the previous run (absent right after a page switch: then the shared state).
        wanted, notes = clamp_state(
            int(st.session_state.get(keys["k"], state.K)),
            float(st.session_state.get(keys["eps"], state.eps)),
            str(st.session_state.get(keys["spread"], state.spread)),
        )
    eps_max = eps_slider_max(wanted.K, wanted.spread)
    range_key = f"{page}_eps_max"
    # Written before the widgets exist, and only when needed: a deep link, a repair, a page just opened,
    # or an ε slider whose range moved (Streamlit then treats it as a new widget). Writing on every
    # run would echo a value back to the browser and undo key presses made during the rerun.
    for name, value in (("k", wanted.K), ("eps", wanted.eps), ("spread", wanted.spread)):
        if (keys[name] not in st.session_state or st.session_state[keys[name]] != value
                or (name == "eps" and st.session_state.get(range_key) != eps_max)):
            st.session_state[keys[name]] = value
    st.session_state[range_key] = eps_max

    live = live_figures()
    col_spread, col_k, col_eps = st.columns([2, 3, 3]) if not live else (*st.columns([2, 3]), None)
    spread = col_spread.radio("Convention", SPREADS, key=keys["spread"],
                              format_func=lambda name: CONVENTIONS[name].label, help=SPREAD_HELP, horizontal=True,
                              on_change=url_sync.mark_moved, args=(STATE_KEY,))
    # Stops, not a linear 2–1000 track: on a linear one everything from 2 to 20 is under 2 % of the width.
    k = col_k.select_slider("K, the number of classes", options=k_stops(wanted.K), key=keys["k"],
                            on_change=url_sync.mark_moved, args=(STATE_KEY,),
                            help="Every class but the true one gets the same small share of ε. The slider stops "
                                 f"at every K up to 20, then about six times a decade up to {K_MAX}; a link can "
                                 "ask for any K from 2 to 1000.")
    if live:
        # The ε slider is the explorable's own (ui/explorable.py); its settled value arrives in this key.
        eps = st.session_state[keys["eps"]]
    else:
        with col_eps:
            eps = eps_slider(page, eps_max, url_sync.mark_moved, (STATE_KEY,))
    final, more = clamp_state(int(k), float(eps), str(spread))
    if live:
        st.session_state[keys["eps"]] = final.eps  # a plain value here, not a widget's
    _show_notes(notes + more + st.session_state.pop(NOTES_KEY, []))
    _remember(final)
    return final.K, final.eps, final.spread


def _eps_moved(page: str) -> None:
    st.session_state[f"{page}_eps_moved"] = True
    url_sync.mark_moved(STATE_KEY)


def eps_controls(page: str) -> tuple[int, float, str]:
    """The ε slider alone (the home page's first figure); K and the convention are the shared state's (a link's,
    or what another page set). Return ``(K, eps, spread)``; a settled ε goes to the shared state and the URL."""
    key = f"{page}_eps"
    live = live_figures()
    # The component's settled ε (set by its callback this run), or the Streamlit slider's move.
    settled = st.session_state.pop(key, None) if live else None
    moved = st.session_state.pop(f"{page}_eps_moved", False)
    from_url, notes = _from_url_if_new()
    state = from_url or st.session_state.get(STATE_KEY, DEFAULT_STATE)
    if live:
        notes += st.session_state.pop(NOTES_KEY, [])
        eps = state.eps if settled is None else float(settled)
    else:
        if not moved or key not in st.session_state:
            st.session_state[key] = state.eps  # a link or another page set it: the slider shows that
        eps = eps_slider(page, eps_slider_max(state.K, state.spread), _eps_moved, (page,))
    final, more = clamp_state(state.K, float(eps), state.spread)
    _show_notes(notes + more)
    _remember(final)
    return final.K, final.eps, final.spread
