"""The training page's widgets in the URL: a deep link sets them, every rerun writes them back.

``?triple=…&toy_k=…&toy_eps=…`` reproduce the representations tab's class triple and the toy classifier's
K and ε; a slider move wins over an address the browser has not updated yet (``ui.url_sync``).
"""

from __future__ import annotations

import streamlit as st

from lib.training import runs, toy
from ui import url_sync

URL_SCOPE = "training"  # the moved-flag scope of every widget below (ui.url_sync.mark_moved)
URL_KEYS = {"triple": "training_triple", "toy_k": "training_toy_k", "toy_eps": "training_toy_eps"}
# Widget defaults live in session state (the URL may overwrite them), so no widget passes its own value.
DEFAULTS = {"training_window": 50, "training_toy_k": toy.ToyConfig.K, "training_toy_eps": toy.ToyConfig.eps}


def url_to_widgets(triples: list[str]) -> None:
    """Widget defaults first; then a deep link (a URL this session did not write) sets the widgets.

    Repairs of bad values are shown as notes.
    """
    for widget_key, value in DEFAULTS.items():
        st.session_state.setdefault(widget_key, value)
    url = url_sync.read(URL_KEYS)
    if not url_sync.is_deep_link(URL_SCOPE, url):
        return
    triple, notes = runs.parse_triple(url.get("triple"), triples)
    k, eps, more = toy.parse_controls(url.get("toy_k"), url.get("toy_eps"),
                                      (st.session_state.training_toy_k, st.session_state.training_toy_eps))
    st.session_state.update(training_toy_k=k, training_toy_eps=eps, **({"training_triple": triple} if triple else {}))
    for note in notes + more:
        st.warning(note, icon=":material/tune:")


def widgets_to_url() -> None:
    """Write the widgets' values into the address (only when they differ) and remember what was written."""
    values = {name: st.session_state.get(key) for name, key in URL_KEYS.items()}
    wanted = {name: f"{v:g}" if isinstance(v, float) else str(v) for name, v in values.items() if v is not None}
    url_sync.write(URL_SCOPE, wanted)
