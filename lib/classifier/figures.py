"""Plotly figures for the classify page: one model's ten class probabilities for one image.

Builders take a :class:`lib.classifier.classify.ModelPrediction` and return a ``go.Figure``; none imports
streamlit. Colours come from :mod:`lib.palette`, by meaning: the top class and the target's top value are drawn in
the colour of the target the model was trained on (one-hot at ε = 0, smoothed above), the other classes as
guides; the top class is told apart by colour *and* by its printed value, so nothing relies on colour alone.
"""

from __future__ import annotations

import plotly.graph_objects as go

from lib import palette
from lib.classifier.classify import ModelPrediction
from lib.digits import nats, percent
from lib.figure_base import figure

OTHER = palette.GUIDE  # the classes the model did not pick: context, not a quantity of their own


def probability_bars(prediction: ModelPrediction, *, height: int = 300) -> go.Figure:
    """Bars of p(class) for all classes, the top class highlighted, and a dashed line at the ceiling.

    The line sits at ``1 − ε + ε/K``, the top value of the smoothed target the model was trained on
    (:func:`lib.classifier.classify.confidence_ceiling`); for ε = 0 it is the one-hot target's 1.
    """
    classes = list(prediction.classes)
    probs = [float(p) for p in prediction.probs]
    top = prediction.top
    ceiling = prediction.ceiling
    eps = f"{prediction.label_smoothing:g}"
    top_colour = palette.for_eps(prediction.label_smoothing)
    bars = dict(
        type="bar", x=classes, y=probs, name=f"ε = {eps}",
        marker=dict(color=[top_colour if i == top else OTHER for i in range(len(classes))],
                    opacity=[1.0 if i == top else 0.55 for i in range(len(classes))]),
        text=[percent(p) if i == top else "" for i, p in enumerate(probs)], textposition="outside",
        hovertemplate="%{x}<br>p = %{y:.4f}<extra></extra>", showlegend=False,
    )
    line_text = (f"smoothed target's top: 1 − ε + ε/K = {percent(ceiling)}" if prediction.label_smoothing > 0
                 else "one-hot target's top: 1")
    # The line is named in a legend under the class names: a label on it ran into the top bar's value.
    line = dict(type="scatter", mode="lines", x=[classes[0], classes[-1]], y=[ceiling, ceiling], name=line_text,
                line=dict(color=top_colour, dash="dash", width=2), hoverinfo="skip", showlegend=True)
    return figure([bars, line], x_title=None, y_title="probability", height=height + 30,
                  title=f"ε = {eps}: {prediction.top_class} {percent(prediction.confidence)}, "
                        f"entropy {nats(prediction.entropy)}",
                  margin=dict(l=50, r=10), legend=dict(font=dict(size=11)),
                  xaxis=dict(tickangle=-45), yaxis=dict(range=[0, 1.12], tickformat=".0%"), bargap=0.25)
