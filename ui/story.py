"""The link that ends every page: "Next: …" to the following step of the story (:mod:`lib.story`).

It carries K, ε and the convention. A page with its own controls passes its settled state; the training and
classify pages have no K or ε of their own and pass on what the link that brought them carried
(:func:`carried_state`), so a learner who set K = 7 on the floor page still has K = 7 back on the home page.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from lib import story
from lib.explainer.url_state import DEFAULT_STATE, PARAM_NAMES, SmoothingState, parse_query_params
from ui import url_sync
from ui.explorable import STATE_KEY
from ui.routing import embedded
from ui.text import show_text


def carried_state() -> SmoothingState:
    """For a page without K and ε controls: the K, ε and convention its address carries, else the session's.

    Repaired without a note: the page does not show them, it only passes them on.
    """
    fallback = st.session_state.get(STATE_KEY, DEFAULT_STATE)
    url = url_sync.read(PARAM_NAMES)
    return parse_query_params(url, fallback=fallback)[0] if url else fallback


def next_page_link(path: str, state: SmoothingState) -> None:
    """The page's last element: the link to the next step, with ``state`` (and ``text=off`` if the page has it).

    Left out in embed mode: a page inside a course's ``<iframe>`` stays one page, as its sidebar does.
    """
    if embedded():
        return
    link = story.next_link(path, state, show_text=show_text())
    rule = st.empty()  # the rule above the link, drawn once the link is
    try:
        st.page_link(link.page, label=link.label, icon=link.icon, query_params=link.query_params)
    except StreamlitPageNotFoundError:
        return  # a page file run on its own, without app.py's navigation (AppTests that click): no page to link to
    rule.divider()
