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


def base_layout(*, x_title: str | None, y_title: str | None, height: int = HEIGHT,
                title: str | None = None) -> dict:
    """The layout every figure starts from, as a plain dict; a title gets room above the plot."""
    layout: dict = dict(
        height=height,
        margin=dict(l=60, r=20, t=60 if title else 40, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="closest",
        template=palette.PLOTLY_TEMPLATE,
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
    )
    if title:
        layout["title"] = dict(text=title, font=dict(size=14))
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
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig
