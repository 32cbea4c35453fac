"""Pins the Streamlit behaviour ui/routing.py relies on, so an upgrade that changes it fails here, by name.

Streamlit runs a ``pages/`` folder beside the main script in its older folder mode until ``st.navigation``
has run once in the process; ``PagesManager.uses_pages_directory`` is the switch, and ``st.navigation``
turns it off. No public setting does that before the first script run (the only supported way is to have
no ``pages/`` folder, which would rename every page file the tests, links and branches use), so
``run_through_router`` flips the same switch that ``st.navigation`` flips. The browser test
``tests/test_browser_every_page.py`` proves the result: every page's address opens that page on the
first visit after a server start and on later ones.
"""

from __future__ import annotations

import inspect

from streamlit.commands import navigation
from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner


def test_streamlit_still_decides_the_folder_mode_by_the_flag_the_router_switches_off():
    assert hasattr(pages_manager.PagesManager, "uses_pages_directory")
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation)
    runner = inspect.getsource(script_runner.ScriptRunner)
    assert "if PagesManager.uses_pages_directory:" in runner and "_mpa_v1(" in runner
    # The folder mode names a page after its file's stem, the url_path app.py gives each page.
    assert "pages_folder.glob(\"*.py\")" in inspect.getsource(script_runner._mpa_v1)
