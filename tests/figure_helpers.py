"""What the figure tests ask of a plotly figure, in one place."""

from __future__ import annotations

import plotly.graph_objects as go


def trace_colours(fig: go.Figure) -> set[str]:
    """Every line and marker colour given as one string, lower-cased (palette entries are upper-case hex)."""
    found = set()
    for trace in fig.data:
        for part in ("line", "marker"):
            colour = getattr(getattr(trace, part, None), "color", None)
            if isinstance(colour, str):
                found.add(colour.lower())
    return found
