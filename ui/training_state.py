"""The training page's widgets in the URL: a deep link sets them, every rerun writes them back.

``?tab=…&triple=…&toy_k=…&toy_eps=…`` reproduce the open tab, the representations tab's class triple and the
toy classifier's K and ε; a slider move wins over an address the browser has not updated yet (``ui.url_sync``).

Only the open tab is built, and Streamlit forgets the value of a widget that a run did not draw: every run
hands the training widgets' values back to session state first (:func:`keep_widget_values`), so a setting
made in one tab is still there when the learner comes back to it.
"""

from __future__ import annotations

import streamlit as st

from lib.training import runs, tabs, toy
from ui import url_sync
from ui.text import text_flag_note

URL_SCOPE = "training"  # the moved-flag scope of every widget below (ui.url_sync.mark_moved)
TAB_KEY = "training_tab"
URL_KEYS = {"tab": TAB_KEY, "triple": "training_triple", "toy_k": "training_toy_k", "toy_eps": "training_toy_eps"}
# Widget defaults live in session state (the URL may overwrite them), so no widget passes its own value.
DEFAULTS = {TAB_KEY: tabs.DEFAULT, "training_window": 50, "training_shift_severity": 3,
            "training_toy_k": toy.ToyConfig.K, "training_toy_eps": toy.ToyConfig.eps}
# Every widget of the page whose value must outlive a run in which its tab is closed.
KEPT = (TAB_KEY, "training_window", "training_view", "training_scaled", "training_shift_corruption",
        "training_shift_severity", "training_triple", "training_toy_k", "training_toy_eps")


def keep_widget_values() -> None:
    """Give the widgets' values back to session state, so a closed tab's widgets keep them (Streamlit drops
    the value of a widget a run does not draw, unless the script set it in that run)."""
    for key in KEPT:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def url_to_widgets(triples: list[str]) -> None:
    """Widget defaults first; then a deep link (a URL this session did not write) sets the widgets.

    Repairs of bad values are shown as notes.
    """
    keep_widget_values()
    for widget_key, value in DEFAULTS.items():
        st.session_state.setdefault(widget_key, value)
    if triples:
        st.session_state.setdefault("training_triple", triples[0])
    text_flag_note()  # every note that repairs a link sits here, at the top of the page
    url = url_sync.read(URL_KEYS)
    if not url_sync.is_deep_link(URL_SCOPE, url):
        return
    tab, notes = tabs.parse_tab(url.get("tab"))
    triple, more = runs.parse_triple(url.get("triple"), triples)
    k, eps, toy_notes = toy.parse_controls(url.get("toy_k"), url.get("toy_eps"),
                                           (st.session_state.training_toy_k, st.session_state.training_toy_eps))
    st.session_state.update(training_toy_k=k, training_toy_eps=eps, **{TAB_KEY: tab},
                            **({"training_triple": triple} if triple else {}))
    for note in notes + more + toy_notes:
        st.warning(note, icon=":material/tune:")


def widgets_to_url() -> None:
    """Write the widgets' values into the address (only when they differ) and remember what was written."""
    values = {name: st.session_state.get(key) for name, key in URL_KEYS.items()}
    values["tab"] = tabs.slug(values["tab"]) if values["tab"] in tabs.LABELS else None
    wanted = {name: f"{v:g}" if isinstance(v, float) else str(v) for name, v in values.items() if v is not None}
    url_sync.write(URL_SCOPE, wanted)
