"""Plotly figures for the training page: loss curves, test metrics, reliability diagrams, projections,
and the live curves of the train-it-yourself toy.

Every builder takes plain data (a :class:`lib.training.runs.Run`, a reliability dict, a
:class:`lib.training.toy.ToyState`) and returns a ``go.Figure``; none imports streamlit. Losses in nats.
Colours from :mod:`lib.palette`, by meaning: a run is drawn in the colour of the target it was trained on
(one-hot at ε = 0, smoothed above), floors in the floor's colour; each run also has its own line dash / marker,
so nothing relies on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib import figure_base, palette
from lib.digits import for_people, nats, percent
from lib.figure_base import figure, themed
from lib.training import runs, toy
from lib.training.runs import Run

# A run's colour says what it was trained on (palette.for_eps); its dash and marker tell runs apart, so two
# smoothed runs (same colour) still differ: the same in every figure of the page.
_RUN_LINES = (("dash", "circle"), ("solid", "diamond"), ("dot", "square"), ("dashdot", "triangle-up"))
# The projection's three classes are told apart by marker shape (and the templates' labels), in the run's colour.
_CLASS_SYMBOLS = ("circle", "x", "triangle-up")


def _style(i: int, eps: float) -> tuple[str, str, str]:
    dash, symbol = _RUN_LINES[i % len(_RUN_LINES)]
    return palette.for_eps(eps), dash, symbol


_HEIGHT = 380  # px: a little taller than the explainer's, for the legend of runs and their floors


# --------------------------------------------------------------------------------------------- training curves
def training_loss(run_list: Sequence[Run], window: int, *, above_floor: bool = False) -> go.Figure:
    """Per-step training loss (faint) and its moving average (bold) per run, with each run's floor.

    ``above_floor`` plots ``loss − H(ỹ)`` instead, where every run's floor is 0 and the curves compare.
    """
    fig = go.Figure()
    for i, run in enumerate(run_list):
        colour, dash, _ = _style(i, run.eps)
        steps, raw, smooth = runs.loss_curve(run, window, above_floor=above_floor)
        fig.add_trace(go.Scatter(x=steps, y=raw, mode="lines", name=f"{run.label}, per step", opacity=0.25,
                                 line=dict(color=colour, width=1), legendgroup=run.name, showlegend=False,
                                 hovertemplate=f"{run.label}<br>step %{{x}}<br>loss %{{y:.4f}} nats<extra></extra>"))
        fig.add_trace(go.Scatter(x=steps, y=smooth, mode="lines", name=f"{run.label} ({window}-step average)",
                                 line=dict(color=colour, width=3, dash=dash), legendgroup=run.name,
                                 hovertemplate=f"{run.label}<br>step %{{x}}<br>average %{{y:.4f}} nats<extra></extra>"))
        if not above_floor:
            # Named in the legend, not by a label on the line: the ε = 0 floor (0 nats) lies under its own curve.
            # In the floor's colour on every page; which run's floor it is, the legend and its height say.
            fig.add_trace(go.Scatter(x=[steps[0], steps[-1]], y=[run.floor, run.floor], mode="lines",
                                     name=f"floor H(ỹ), {run.label}: {nats(run.floor)}", legendgroup=run.name,
                                     line=dict(color=palette.FLOOR, dash="dot", width=2),
                                     hovertemplate=f"floor H(ỹ), {run.label}: {nats(run.floor)}<extra></extra>"))
    if above_floor:
        fig.add_hline(y=0.0, line=dict(color=palette.FLOOR, dash="dot", width=2),
                      annotation_text="every run's floor: KL(ỹ‖p) = 0", annotation_position="bottom right")
    fig.update_yaxes(rangemode="tozero")
    y_title = "loss − floor H(ỹ) = KL(ỹ‖p) (nats)" if above_floor else "training loss (nats)"
    return themed(fig, x_title="optimizer step", y_title=y_title, height=_HEIGHT)


def test_metrics(run_list: Sequence[Run]) -> go.Figure:
    """Two panels per epoch: unsmoothed test NLL (left) and test accuracy (right), one line per run."""
    # Short titles on two lines: each is centred over a panel about 130 px wide at 375 px, and the long ones ran
    # into each other ("test NLL, unsmoothed (natst accuracy (%)").
    fig = make_subplots(rows=1, cols=2, subplot_titles=("test NLL (nats),<br>unsmoothed", "test accuracy<br>(%)"),
                        horizontal_spacing=0.16)
    fig.update_annotations(font_size=13)
    for i, run in enumerate(run_list):
        colour, dash, symbol = _style(i, run.eps)
        for col, metric, scale, fmt in ((1, "nll", 1.0, ".4f"), (2, "accuracy", 100.0, ".2f")):
            epochs, values = runs.epoch_series(run, metric)
            fig.add_trace(go.Scatter(
                x=epochs, y=scale * values, mode="lines+markers", name=run.label, legendgroup=run.name,
                showlegend=col == 1, line=dict(color=colour, dash=dash, width=2), marker=dict(symbol=symbol, size=9),
                hovertemplate=f"{run.label}<br>epoch %{{x}}<br>{metric} %{{y:{fmt}}}<extra></extra>"), row=1, col=col)
    fig.update_xaxes(dtick=1)
    # The legend goes below the panels (lib.figure_base): above them it covered the subplot titles.
    themed(fig, x_title="epoch", y_title="", height=_HEIGHT)
    fig.update_layout(margin=dict(t=figure_base.TOOLBAR_BAND + 42))  # the two-line panel titles, below the toolbar
    return fig


# --------------------------------------------------------------------------------------------- calibration
def reliability_diagram(reliability: dict, *, title: str, eps: float) -> go.Figure:
    """Guo et al. (2017)'s reliability diagram: accuracy per confidence bin against the diagonal, the
    mean confidence of each bin marked, and the bin counts in a panel below (log scale, labelled).

    ``eps`` is the model's label smoothing: its accuracy bars take the colour of the target it was trained on;
    the references they are read against (confidence, the diagonal, the counts) are guides.
    """
    rows = runs.reliability_rows(reliability)
    centres = [(r["lo"] + r["hi"]) / 2 for r in rows]
    width = rows[0]["hi"] - rows[0]["lo"]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.06)
    fig.add_trace(go.Bar(
        x=centres, y=[r["accuracy"] for r in rows], width=width * 0.95, name="accuracy in the bin",
        marker=dict(color=palette.for_eps(eps)), customdata=[[r["count"], r["lo"], r["hi"]] for r in rows],
        hovertemplate="confidence (%{customdata[1]:.3f}, %{customdata[2]:.3f}]<br>accuracy %{y:.3f}"
                      "<br>%{customdata[0]} images<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=centres, y=[r["confidence"] for r in rows], mode="markers", name="mean confidence in the bin",
        marker=dict(color=palette.GUIDE, symbol="line-ew-open", size=16, line=dict(width=3)),
        hovertemplate="mean confidence %{y:.3f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                             line=dict(color=palette.GUIDE, dash="dash"), hoverinfo="skip"), row=1, col=1)
    counts = [r["count"] for r in rows]
    fig.add_trace(go.Bar(
        x=centres, y=[c if c > 0 else None for c in counts], width=width * 0.95, name="images per bin",
        marker=dict(color=palette.GUIDE), text=[str(c) if c else "" for c in counts], textposition="outside",
        cliponaxis=False, hovertemplate="%{y} images<extra></extra>", showlegend=False), row=2, col=1)
    top = max(max(counts), 1)
    fig.update_yaxes(range=[0, 1.02], title_text="accuracy", row=1, col=1)
    fig.update_yaxes(type="log", range=[-0.2, math.log10(top) + 0.6], dtick=1, title_text="images", row=2, col=1)
    fig.update_xaxes(range=[0, 1], row=1, col=1)
    fig.update_xaxes(range=[0, 1], title_text="confidence = top-class probability", row=2, col=1)
    title = f"{title} — ECE {percent(reliability['ece'])}"
    themed(fig, height=520, title=title)
    fig.update_layout(bargap=0)
    return fig


# --------------------------------------------------------------------------------------------- representations
def projection(entry: dict, *, title: str, eps: float) -> go.Figure:
    """Müller et al. (2019)'s picture: activations of three classes in the plane of their templates,
    the templates drawn as large outlined markers; equal scales on both axes so distances are honest.

    Points take the colour of the model's target (``eps``: one-hot or smoothed, as everywhere in the app);
    the classes are told apart by marker shape and by the templates' labels.
    """
    fig = go.Figure()
    colour = palette.for_eps(eps)
    for i, name in enumerate(entry["classes"]):
        symbol = _CLASS_SYMBOLS[i % len(_CLASS_SYMBOLS)]
        pts = entry["points"][name]
        fig.add_trace(go.Scattergl(x=pts["x"], y=pts["y"], mode="markers", name=name,
                                   marker=dict(color=colour, symbol=symbol, size=6, opacity=0.55),
                                   hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    tx, ty = zip(*entry["templates"], strict=True)
    fig.add_trace(go.Scatter(x=tx, y=ty, mode="markers+text", name="class templates (last-layer rows)",
                             text=list(entry["classes"]), textposition="top center",
                             marker=dict(color="white", size=14, symbol="star",
                                         line=dict(color=palette.GUIDE, width=2)),
                             hovertemplate="template of %{text}<extra></extra>"))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    themed(fig, x_title="plane coordinate 1", y_title="plane coordinate 2", height=480, title=title)
    return fig


# --------------------------------------------------------------------------------------------- the race
# The toy's two runs, the same in all three figures: ε = 0 in the one-hot colour, dashed, circles; the learner's ε
# in the smoothed colour, solid, diamonds (lib.palette's meanings). Reference lines dotted: the floors in the
# floor's colour, gap* a grey guide, 1 − ε + ε/K the smoothed target's colour, and 1, where the one-hot run heads,
# one-hot's, dashed.
SMOOTHED = palette.SMOOTHED
_RACE_HEIGHT = 320


def _race_runs(race: toy.Race) -> list[tuple[str, dict[str, np.ndarray], str, str, str]]:
    """(name, curves, colour, dash, symbol) per run drawn; at ε = 0 the two runs are one, drawn once."""
    one_hot = ("ε = 0 (one-hot)", race.one_hot, palette.ONE_HOT, "dash", "circle")
    if race.eps == 0:
        return [one_hot]
    return [one_hot, (f"ε = {race.eps:g} (smoothed)", race.smoothed, SMOOTHED, "solid", "diamond")]


def _rule(y: float, text: str, colour: str, dash: str, *, below: bool = False) -> tuple[dict, dict]:
    """A horizontal reference line across the plot and its label at the right end."""
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y, layer="below",
                 line=dict(color=colour, dash=dash, width=2))
    label = dict(xref="paper", x=1, xanchor="right", yref="y", y=y, yanchor="top" if below else "bottom",
                 text=text, showarrow=False, font=dict(size=12))
    return shape, label


def _race_figure(race: toy.Race, frame: int, key: str, *, y_title: str, y_range: list[float], digits: str,
                 rules: list[tuple[dict, dict]]) -> go.Figure:
    """Both runs' ``key`` up to ``frame`` on fixed axes (the whole race's), each with a marker at its head."""
    f = min(max(int(frame), 0), race.frames)
    traces = []
    for name, curves, colour, dash, symbol in _race_runs(race):
        x, y = curves["step"][: f + 1].tolist(), curves[key][: f + 1].tolist()
        traces.append(dict(type="scatter", mode="lines", x=x, y=y, name=name, legendgroup=name,
                           line=dict(color=colour, width=3, dash=dash),
                           hovertemplate=f"{name}<br>step %{{x}}<br>%{{y:{digits}}}<extra></extra>"))
        traces.append(dict(type="scatter", mode="markers", x=x[-1:], y=y[-1:], name=f"{name}, now",
                           legendgroup=name, showlegend=False, hoverinfo="skip",
                           marker=dict(color=colour, symbol=symbol, size=11, line=dict(color=palette.MARKER_RIM,
                                                                                        width=1))))
    shapes, annotations = [r[0] for r in rules], [r[1] for r in rules]
    last_step = float(race.one_hot["step"][-1])
    return figure(traces, x_title="gradient-descent step", y_title=y_title, height=_RACE_HEIGHT, shapes=shapes,
                  annotations=annotations, xaxis=dict(range=[0, last_step * 1.02]),
                  yaxis=dict(range=y_range), margin=dict(l=60, r=20, t=40, b=50))


def race_loss(race: toy.Race, frame: int) -> go.Figure:
    """Training loss of both runs against each run's floor: H(ỹ) for ε, 0 for ε = 0."""
    floor = toy.reference_lines(race.K, race.eps)["floor"]
    rules = [_rule(0.0, "floor for ε = 0: 0", palette.FLOOR, "dot")]
    if race.eps > 0:
        rules.append(_rule(floor, f"floor H(ỹ) for ε = {race.eps:g}: {for_people(floor)}", palette.FLOOR, "dot"))
    top = float(max(race.one_hot["loss"].max(), race.smoothed["loss"].max()))
    return _race_figure(race, frame, "loss", y_title="training loss (nats)", y_range=[-0.04 * top, 1.05 * top],
                        digits=".4f", rules=rules)


def race_gap(race: toy.Race, frame: int) -> go.Figure:
    """Mean logit gap z_true − z_other of both runs against gap* = ln(1 + K(1 − ε)/ε); ε = 0 has none."""
    star = toy.reference_lines(race.K, race.eps)["gap"]
    rules = [_rule(star, f"gap* for ε = {race.eps:g}: {for_people(star)}", palette.GUIDE, "dot", below=True)] \
        if math.isfinite(star) else []
    top = float(max(race.one_hot["gap"].max(), race.smoothed["gap"].max()))
    return _race_figure(race, frame, "gap", y_title="mean logit gap z_true − z_other", y_range=[0, 1.08 * top],
                        digits=".3f", rules=rules)


def race_confidence(race: toy.Race, frame: int) -> go.Figure:
    """Mean top-class probability of both runs against 1 − ε + ε/K, and 1, where ε = 0 heads."""
    target = toy.reference_lines(race.K, race.eps)["confidence"]
    rules = [_rule(1.0, "1, where ε = 0 heads", palette.ONE_HOT, "dash")]
    if race.eps > 0:
        rules.append(_rule(target, f"1 − ε + ε/K = {for_people(target)}", palette.SMOOTHED, "dot", below=True))
    return _race_figure(race, frame, "confidence", y_title="mean confidence (top softmax probability)",
                        y_range=[0, 1.08], digits=".4f", rules=rules)


# --------------------------------------------------------------------------------------------- the model study
# Figures of the model study (``python -m lib.cifar.model_study``): the wrong-class matrices and calibration
# under shift, built from the recorded JSON (``assets/study/``). None imports streamlit.
METRIC_TITLES = {"accuracy": "accuracy", "ece": "ECE (15 bins)", "auroc": "AUROC of confidence, right vs wrong",
                 "mean_confidence": "mean confidence", "nll": "NLL (nats)"}
# One style per model, the same as the training page's runs: ε = 0 in one-hot's colour and dashes, ε = 0.1 in the
# smoothed target's colour, solid.
MODEL_STYLES = {"eps0": (palette.ONE_HOT, "dash", "circle"), "eps0.1": (palette.SMOOTHED, "solid", "diamond")}


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
    return figure([trace], x_title="wrong class", y_title="true class", height=430,
                   yaxis=dict(autorange="reversed"), title=label)


def shift_curves(study: dict, corruption: str, metric: str, *, labels: dict[str, str]) -> go.Figure:
    """``metric`` against severity (0 = clean) for both models, raw (solid markers) and after temperature."""
    traces = []
    severities = [0, 1, 2, 3, 4, 5]
    for model, results in study["models"].items():
        colour, dash, symbol = MODEL_STYLES.get(model, (palette.GUIDE, "solid", "circle"))
        for part, suffix, width in (("raw", "", 3), ("temperature_scaled", ", after T", 1.5)):
            values = [results["clean"][part][metric]] + [results[corruption][str(s)][part][metric]
                                                          for s in severities[1:]]
            name = f"{labels.get(model, model)}{suffix}"
            traces.append(dict(type="scatter", mode="lines+markers", x=severities, y=values, name=name,
                               line=dict(color=colour, dash=dash if part == "raw" else "dot", width=width),
                               marker=dict(symbol=symbol, size=8 if part == "raw" else 6, color=colour),
                               hovertemplate=f"{name}<br>severity %{{x}}<br>{METRIC_TITLES[metric]} "
                                             "= %{y:.4f}<extra></extra>"))
    return figure(traces, x_title=f"severity of {study['corruptions'][corruption].lower()} (0 = clean)",
                   y_title=METRIC_TITLES[metric], height=340, xaxis=dict(dtick=1, range=[-0.2, 5.2]))
