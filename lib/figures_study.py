"""Figures of the model study (``python -m lib.model_study``): the wrong-class matrices and calibration
under shift, built from the recorded JSON (``assets/study/``). None imports streamlit.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from lib import palette
from lib.figures import _figure

METRIC_TITLES = {"accuracy": "accuracy", "ece": "ECE (15 bins)", "auroc": "AUROC of confidence, right vs wrong",
                 "mean_confidence": "mean confidence", "nll": "NLL (nats)"}
# One style per model, the same as the training page's runs: ε = 0 blue dashes, ε = 0.1 orange solid.
MODEL_STYLES = {"eps0": (palette.BLUE, "dash", "circle"), "eps0.1": (palette.ORANGE, "solid", "diamond")}


def _log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    exponents = range(math.floor(lo), math.ceil(hi) + 1)
    return [float(e) for e in exponents], [f"{10.0 ** e:.0e}".replace("e-0", "e-") for e in exponents]


def wrong_class_matrix(study: dict, model: str, *, label: str) -> go.Figure:
    """Mean predicted probability of each wrong class (columns) given the true class (rows), log colour.

    The diagonal (the true class itself) is left blank: the figure is about where the rest goes.
    """
    classes = study["classes"]
    matrix = np.asarray(study["models"][model]["mean_probability"], dtype=np.float64)
    off = matrix.copy()
    np.fill_diagonal(off, np.nan)
    # The colour scale is shared by both models, so the same colour is the same probability in each.
    everything = np.concatenate([np.asarray(m["mean_probability"]).ravel() for m in study["models"].values()])
    lo = math.log10(max(everything.min(), 1e-6))
    hi = math.log10(max(np.asarray(m["mean_probability"])[~np.eye(len(classes), dtype=bool)].max()
                        for m in study["models"].values()))
    tickvals, ticktext = _log_ticks(lo, hi)
    with np.errstate(divide="ignore"):
        z = np.log10(off)
    trace = dict(type="heatmap", x=classes, y=classes, z=z, zmin=lo, zmax=hi, colorscale=palette.SEQUENTIAL,
                 customdata=off, colorbar=dict(title=dict(text="mean p"), tickvals=tickvals, ticktext=ticktext),
                 hovertemplate="true %{y}<br>predicted %{x}<br>mean p = %{customdata:.3g}<extra></extra>")
    return _figure([trace], x_title="wrong class", y_title="true class", height=430,
                   yaxis=dict(autorange="reversed"), title=dict(text=label, font=dict(size=14)),
                   margin=dict(l=90, r=20, t=50, b=90))


def shift_curves(study: dict, corruption: str, metric: str, *, labels: dict[str, str]) -> go.Figure:
    """``metric`` against severity (0 = clean) for both models, raw (solid markers) and after temperature."""
    traces = []
    severities = [0, 1, 2, 3, 4, 5]
    for model, results in study["models"].items():
        colour, dash, symbol = MODEL_STYLES.get(model, (palette.GREY, "solid", "circle"))
        for part, suffix, width in (("raw", "", 3), ("temperature_scaled", ", after T", 1.5)):
            values = [results["clean"][part][metric]] + [results[corruption][str(s)][part][metric]
                                                          for s in severities[1:]]
            name = f"{labels.get(model, model)}{suffix}"
            traces.append(dict(type="scatter", mode="lines+markers", x=severities, y=values, name=name,
                               line=dict(color=colour, dash=dash if part == "raw" else "dot", width=width),
                               marker=dict(symbol=symbol, size=8 if part == "raw" else 6, color=colour),
                               hovertemplate=f"{name}<br>severity %{{x}}<br>{METRIC_TITLES[metric]} "
                                             "= %{y:.4f}<extra></extra>"))
    return _figure(traces, x_title=f"severity of {study['corruptions'][corruption].lower()} (0 = clean)",
                   y_title=METRIC_TITLES[metric], height=340, xaxis=dict(dtick=1, range=[-0.2, 5.2]),
                   legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0),
                   margin=dict(l=60, r=20, t=20, b=110))
