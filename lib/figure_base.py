"""The one figure base and theme of every page: size, margins, legend, hover, axis titles and the template.

Every figure in the app starts here, so a page never looks like it came from another app. The theme is
:data:`lib.palette.PLOTLY_TEMPLATE` (the Okabe–Ito colours and nothing else): in the browser Streamlit's chart
theme supplies fonts, grid and background, light or dark; a downloaded file gets a white one
(:func:`lib.export.standalone_html`).

Two ways in, one base: :func:`figure` builds a figure from plain dicts in one step (the explainer and the
classifier, whose figures are rebuilt on every slider move), :func:`themed` lays the same base over a figure
that plotly's helpers built (subplots, ``add_hline``; the training page).
"""

from __future__ import annotations

import plotly.graph_objects as go

from lib import palette

HEIGHT = 360  # px, unless a figure needs more room
# Plotly's toolbar (lib.export.chart_config) floats over the figure's top right corner, about 26 px high, when
# the pointer is over the figure. Nothing with words goes there: a title starts below this band, and the legend
# sits at the bottom of the figure. At 375 px the toolbar spanned the width and covered a legend above the plot.
TOOLBAR_BAND = 30  # px
# At the bottom of the figure, under the axis title: referred to the whole figure ("container"), plotly reserves
# the legend's own height however many rows it wraps to at a phone's width, so it never meets the tick labels
# or the axis title (a legend placed at a fixed fraction below the plot ran into rotated tick labels).
LEGEND = dict(orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0)
# Plotly never wraps a title: one longer than the figure is cut at its edges. At 375 px a figure is about 340 px
# wide, and a 14 px title or axis title about 7 px a character, so lines are kept to this many characters.
TITLE_CHARS = 36  # axis titles
HEADING_CHARS = 48  # figure titles
_LINE_PX = 18  # one line of a 14 px title


def wrapped(text: str | None, width: int = TITLE_CHARS) -> str | None:
    """``text`` broken into lines (``<br>``) of at most ``width`` characters at spaces; kept as it is where it
    already has line breaks, or a single word is longer."""
    if not text or "<br>" in text or len(text) <= width:
        return text
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def base_layout(*, x_title: str | None, y_title: str | None, height: int = HEIGHT,
                title: str | None = None) -> dict:
    """The layout every figure starts from, as a plain dict: titles whole at a phone's width (wrapped, and
    the axes' margins grow to fit them), a title below the toolbar's band, the legend at the bottom."""
    layout: dict = dict(
        height=height,
        margin=dict(l=60, r=20, t=20, b=40),
        legend=dict(LEGEND),
        hovermode="closest",
        template=palette.PLOTLY_TEMPLATE,
        xaxis=dict(title=dict(text=wrapped(x_title)), automargin=True),
        yaxis=dict(title=dict(text=wrapped(y_title)), automargin=True),
    )
    if title:
        # Referred to the whole figure and pushing the margin (automargin), so the plot starts below it.
        text = wrapped(title, HEADING_CHARS) or ""
        # Plotly anchors a title of several lines by its last line: the lines above it go up by a line each.
        lines = text.count("<br>")
        layout["title"] = dict(text=text, font=dict(size=14), yref="container", y=1, yanchor="top",
                               pad=dict(t=TOOLBAR_BAND + _LINE_PX * lines, b=6), automargin=True)
    return layout


def _merged(base: dict, overrides: dict) -> dict:
    """``base`` with ``overrides``; a dict value (``xaxis=dict(range=…)``) is merged one level deep."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def figure(traces: list[dict], *, x_title: str | None, y_title: str | None, height: int = HEIGHT,
           title: str | None = None, shapes: list[dict] | None = None, annotations: list[dict] | None = None,
           **layout: object) -> go.Figure:
    """One ``go.Figure`` built from plain dicts in a single step, without plotly's property validation.

    Validation (each property checked against plotly's schema, then the whole figure copied again by
    ``to_dict``) cost about 10 ms per figure on this machine, most of a page's rerun budget; the specs
    are fixed code, so the figure tests validate every builder's output once instead.
    """
    built = _merged(base_layout(x_title=x_title, y_title=y_title, height=height, title=title),
                    dict(shapes=shapes or [], annotations=annotations or [], **layout))
    return go.Figure(dict(data=traces, layout=built), _validate=False)


def themed(fig: go.Figure, *, x_title: str | None = None, y_title: str | None = None, height: int = HEIGHT,
           title: str | None = None) -> go.Figure:
    """Lay the base over ``fig`` (built with plotly's helpers); axis titles, where given, go on every axis."""
    layout = base_layout(x_title=x_title, y_title=y_title, height=height, title=title)
    del layout["xaxis"], layout["yaxis"]
    template = layout.pop("template")
    fig.update_layout(layout)
    fig.layout.template = template  # assigned, not updated: an update would merge it into plotly's default
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if x_title is not None:
        fig.update_xaxes(title_text=wrapped(x_title))
    if y_title is not None:
        fig.update_yaxes(title_text=wrapped(y_title))
    return fig
