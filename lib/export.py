"""Figures as files a teacher can keep: a standalone offline HTML page, and a PNG named after its settings.

* HTML: the interactive figure with plotly.js inlined (about 4.7 MB), so it opens offline, with a title
  and a caption that state the settings (K, ε, convention…) and the figure's text alternative.
  Building one takes ~0.1 s and the file is large, so the pages build it only when the download button
  is clicked (``st.download_button(data=callable)``), never on a rerun.
* PNG: plotly's own toolbar camera button; :func:`chart_config` gives it a file name that carries the
  settings, e.g. ``label-smoothing_target_K10_eps0.1_all.png``.

Pure functions, no streamlit.
"""

from __future__ import annotations

import html
import re

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs_version

from lib import palette

APP_NAME = "Label Smoothing Lab"
_PREFIX = "label-smoothing"


def _slug(value: object) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text).strip("-.")[:40] or "x"


def file_stem(name: str, *words: str, **settings: object) -> str:
    """A file name without extension that says what the figure shows and at which settings.

    ``file_stem("target", K=10, eps=0.1, spread="all")`` → ``label-smoothing_target_K10_eps0.1_all``;
    ``words`` and string settings are written alone (``eps0.1``, ``all``), a number after its name
    (``K10``). Only letters, digits and ``.+-`` survive, so an uploaded file's name can never smuggle a
    path in.
    """
    parts = [_PREFIX, _slug(name), *(_slug(word) for word in words)]
    for key, value in settings.items():
        parts.append(_slug(value) if isinstance(value, str) else f"{_slug(key)}{_slug(value)}")
    return "_".join(parts)


# The toolbar keeps the camera (the PNG), zoom, pan and reset: four buttons, about 110 px, where plotly's full
# set spanned a 375 px phone's figure. Drag-to-zoom and double-click-to-reset work without it.
TOOLBAR_REMOVED = ("select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "toggleSpikelines",
                   "hoverClosestCartesian", "hoverCompareCartesian")
# Plotly shows its toolbar on hover, but always where the screen has no hover (a phone), over whatever lies in
# the figure's top right corner. Where there is no pointer to hover with, it is hidden: app.css for the app,
# this rule in a downloaded file. (The PNG is still one tap away in the HTML download.)
TOOLBAR_CSS = "@media (hover: none) { .js-plotly-plot .modebar-container { display: none !important; } }"


def chart_config(stem: str) -> dict:
    """``st.plotly_chart`` config: no plotly logo; a short toolbar, shown on hover, whose camera button saves
    ``<stem>.png`` at 2×."""
    return {"displaylogo": False, "displayModeBar": "hover", "modeBarButtonsToRemove": list(TOOLBAR_REMOVED),
            "toImageButtonOptions": {"format": "png", "filename": stem, "scale": 2}}


def standalone_html(fig: go.Figure, *, title: str, caption: str, stem: str | None = None) -> str:
    """A complete HTML page holding ``fig`` with plotly.js inlined: it works offline, opened from disk.

    ``title`` becomes the page's ``<title>`` and heading, ``caption`` the paragraph under the figure
    (both escaped). The app's figures carry a minimal template because Streamlit themes them in the
    browser; the file gets plotly's white template with the Okabe–Ito colours instead, readable anywhere.
    """
    figure = go.Figure(fig)
    figure.update_layout(template="plotly_white", colorway=list(palette.OKABE_ITO))
    config = chart_config(stem or "")
    if not stem:
        del config["toImageButtonOptions"]  # plotly's own default file name
    body = pio.to_html(figure, include_plotlyjs=True, full_html=False, config=config,
                       default_width="100%", default_height=f"{figure.layout.height or 450}px")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5rem auto;padding:0 1rem;"
        "color:#222;background:#fff} figure{margin:1rem 0} figcaption{margin-top:.5rem;line-height:1.4}"
        f" .small{{color:#555;font-size:.85rem}} {TOOLBAR_CSS}</style>\n</head>\n<body>\n"
        f"<h1 style=\"font-size:1.3rem\">{html.escape(title)}</h1>\n<figure>\n{body}\n"
        f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>\n"
        f"<p class=\"small\">Exported from {APP_NAME}. plotly.js {get_plotlyjs_version()} is inside this file, "
        "so it works offline; hover for exact values, drag to zoom, double-click to reset.</p>\n"
        "</body>\n</html>\n"
    )
