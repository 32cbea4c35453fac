"""A figure on a page: the chart, its text alternative, and a download of it as a standalone HTML file.

The HTML (plotly.js inlined, ~4.7 MB, works offline) is built only when the button is clicked — the
button gets a callable, not the bytes — so a slider move never pays for it. The chart's own toolbar
saves a PNG named after the settings (:func:`lib.export.chart_config`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from lib.export import chart_config, standalone_html


def figure(fig: go.Figure, *, key: str, stem: str, title: str, caption: str | None, where: Any = None,
           export_caption: str | None = None) -> None:
    """Draw ``fig`` with ``caption`` under it and an HTML download; ``where`` is a column or container.

    ``caption=None`` where one caption under a row of figures describes them all; the HTML file then
    carries ``export_caption`` (else the title).
    """
    where = where if where is not None else st
    where.plotly_chart(fig, config=chart_config(stem), key=key)
    if caption:
        where.caption(caption)
    figure_download(fig, key=key, stem=stem, title=title, caption=caption or export_caption or title, where=where)


def figure_download(fig: go.Figure, *, key: str, stem: str, title: str, caption: str, where: Any = None,
                    label: str = "Download figure (HTML)") -> None:
    """The download button of ``fig`` as interactive HTML (widget key ``<key>_html``); built only when clicked."""
    where = where if where is not None else st
    where.download_button(
        label, data=partial(standalone_html, fig, title=title, caption=caption, stem=stem),
        file_name=f"{stem}.html", mime="text/html", key=f"{key}_html", on_click="ignore",
        icon=":material/download:", type="tertiary",
        help="An interactive page with this figure (plotly) that works offline, about 5 MB.")
