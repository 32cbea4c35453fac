"""Label Smoothing Lab — the router. Every page is listed here explicitly."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.cifar.settings import configure_process
from lib.story import STORY
from ui.explorable import start_loading
from ui.routing import embedded

# Served by the app itself: a ":material/…" icon would fetch the icon font's favicon from a font host.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"
# Narrow screens; contrast (docs/teaching.md, Accessibility).
STYLES = Path(__file__).resolve().parent / "assets" / "app.css"

# (file, title, icon, url_path) in the story's order (lib/story.py), the order of the sidebar. Each url_path is
# the page file's stem: the name Streamlit's pages/ folder mode infers, so a first deep link after a server start
# reaches the same page (ui/routing.py).
PAGES = [(step.path, step.title, step.icon, step.url_path) for step in STORY]


def main() -> None:
    configure_process()  # process-wide settings, once per process (later reruns do nothing)
    st.set_page_config(page_title="Label Smoothing Lab", page_icon=FAVICON, layout="wide")
    st.html(STYLES)  # only a <style>: Streamlit puts it in the event container, taking no room on the page
    if not embedded():  # in the sidebar, which an embedded page has none of
        start_loading()  # the live figures' code loads while the page's first elements render
    (home_path, home_title, home_icon, home_url), *others = PAGES
    # Streamlit serves the default page at "/" and answers no other address for it, yet "/home" is the home
    # page's own name (the folder mode answers it on a first visit; links carry it). So the default entry is
    # the root itself (url_path ""), and "/home" a hidden second entry for the same file: both open the home page.
    pages = [st.Page(home_path, title=home_title, icon=home_icon, url_path="", default=True),
             *(st.Page(path, title=title, icon=icon, url_path=url) for path, title, icon, url in others),
             st.Page(home_path, title=home_title, icon=home_icon, url_path=home_url, visibility="hidden")]
    # Embed mode (?embed=true) drops Streamlit's toolbar; the page list goes too, leaving one page in the frame.
    st.navigation(pages, position="hidden" if embedded() else "sidebar").run()


main()
