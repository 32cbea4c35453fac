"""Label Smoothing Lab — the router. Every page is listed here explicitly."""

from __future__ import annotations

import streamlit as st

from lib.settings import configure_process
from ui.routing import embedded

PAGES = [
    # (file, title, icon, url_path). Each url_path is the page file's stem: the name Streamlit's pages/
    # folder mode infers, so a first deep link after a server start reaches the same page (ui/routing.py).
    ("pages/home.py", "Label Smoothing Lab", ":material/home:", "home"),
    ("pages/target_and_floor.py", "Smoothed target & entropy floor", ":material/bar_chart:", "target_and_floor"),
    ("pages/loss_curves.py", "Loss curves", ":material/show_chart:", "loss_curves"),
    ("pages/classify.py", "Classify your images", ":material/image_search:", "classify"),
    ("pages/training.py", "What smoothing does to training", ":material/monitoring:", "training"),
]


def main() -> None:
    configure_process()  # process-wide settings, once per process (later reruns do nothing)
    st.set_page_config(page_title="Label Smoothing Lab", page_icon=":material/blur_on:", layout="wide")
    pages = [st.Page(path, title=title, icon=icon, url_path=url, default=(i == 0))
             for i, (path, title, icon, url) in enumerate(PAGES)]
    # Embed mode (?embed=true) drops Streamlit's toolbar; the page list goes too, leaving one page in the frame.
    st.navigation(pages, position="hidden" if embedded() else "sidebar").run()


main()
