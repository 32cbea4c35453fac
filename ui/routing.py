"""Make every page run through app.py's router, even on the first visit after a server start.

Streamlit treats a ``pages/`` folder beside the main script as its older folder-based multipage mode
(``PagesManager.uses_pages_directory``) until ``st.navigation`` has run once in the server process.
A student whose first request is a deep link such as ``/training?…`` would then get
``pages/training.py`` run on its own: no router, no wide layout, the folder listing as sidebar.

The project layout keeps ``pages/``, and app.py gives every page the ``url_path`` that the folder mode
infers from its file name, so both modes agree on each page's identity (its hash is that of the url
path). A page that finds itself run by the folder mode switches the flag off — exactly what
``st.navigation`` does on its first call — and reruns, which now goes through app.py to the same page.

The flag is Streamlit's, not a documented setting: the only supported way to avoid the folder mode is to
have no ``pages/`` folder, which would rename every page file that links, tests and other branches name.
``tests/test_routing.py`` pins the Streamlit behaviour this relies on, and
``tests/test_browser_every_page.py`` opens every page's address on a fresh server, first visit and later.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.share import is_embedded


def run_through_router() -> None:
    """Call first on every page: rerun through app.py if Streamlit's folder mode ran this page alone."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def embedded() -> bool:
    """Whether the page is shown with ``?embed=true`` (inside an iframe): the router then hides its navigation.

    ``st.query_params`` leaves ``embed`` out, so this reads the query string of the running script.
    """
    ctx = get_script_run_ctx()
    return ctx is not None and is_embedded(ctx.query_string)
