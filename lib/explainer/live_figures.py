"""The explainer's live figures as plain data for the SVG drawing module (``ui/svgfig.js``), vectorised over ε.

Each builder takes K, the convention and the slider's ε values and returns one figure *spec*: title, axes (scale,
domain, tick positions and tick labels), legend and marks. A mark's value that moves with the slider is a
:class:`lib.explainer.live_table.PerState` (first axis: the slider position); the rest is the same at every
position and is drawn once per K and convention. Every number is computed here with :mod:`lib.smoothing` and
:mod:`lib.explainer.gradient`; the browser only maps values to pixels through a linear or log scale.

Marks (``type``):

* ``line`` — ``x``, ``y`` (a NaN breaks the line), ``colour``, ``dash``, ``width``; with ``dy`` (one value per
  position) the line is ``y + dy``, drawn as ``y`` moved by ``dy`` through the y scale (NaN hides it);
* ``area`` — ``x``, ``y0``, ``y1`` (``y0`` may be one value per position), ``colour``, ``opacity``;
* ``bars`` — one bar per category in slot ``slot`` of ``slots`` within each band, heights ``y`` (NaN hides a
  bar), optional value ``labels``, ``colour``, ``opacity``, ``hatch``;
* ``rule`` — a line across the plot at ``value`` on ``axis``, with a ``label`` placed at ``label_at``
  (``start``/``end`` of the line) on side ``label_side``;
* ``point`` — the current point (``x``, ``y``) with an arrow from its ``label``, offset ``label_dx``/``label_dy`` px
  (or placed at ``label_x``, ``label_y`` in data units, where Python knows the plot is empty);
* ``image`` — the heat map's cells as one PNG (:func:`heatmap_image`), laid over ``x0``…``x1``, ``y0``…``y1``.

Colours are the palette's meanings (:mod:`lib.palette`): the two conventions only where they are compared (the
target's bars, the floor against ε), one-hot and smoothed everywhere else; the current point is ``currentColor``,
the theme's text colour (palette.NOW, black, in light; readable in dark too). Pure Python, no streamlit.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from lib import palette
from lib.digits import for_people, nats, signed
from lib.explainer import gradient
from lib.explainer.live_table import PerState
from lib.explainer.live_ticks import VIRIDIS_STOPS, linear_ticks, log_ticks, tick_label, viridis
from lib.smoothing import (
    CONVENTIONS,
    Spread,
    ce_vs_logit_gap,
    ce_vs_true_prob,
    entropy_floor,
    floor_curve,
    kl_vs_true_prob,
    max_eps,
    optimal_logit_gap,
    other_spread,
    target_values,
    validate,
)

NOW = "currentColor"
MAX_BARS = 12  # up to this many classes, a bar each; past it, the true class and "each other class"
GAP_RANGE = (-2.0, 15.0)  # the loss-against-gap axis: gap* ≤ ln(1 + 1000·0.99/0.01) ≈ 11.5 for every K, ε
# Points per curve that moves with ε: about one per 2 px of plot width in a figure of a two-column row (~370 px at
# 1280 px), and what keeps a K move's table under 300 KB (four such curves × 100 positions × 4 bytes).
CURVE_POINTS = 140
PUSH_POINTS = 110  # the gradient's curve against the gap: a smooth sigmoid, in the section below
Spec = dict[str, Any]


def _axis(title: str, lo: float, hi: float, *, scale: str = "linear", ticks: Sequence[float] | None = None,
          labels: Sequence[str] | None = None) -> dict[str, Any]:
    if scale == "log":
        auto, auto_labels = log_ticks(lo, hi)
        ticks, labels = ticks or auto, labels or auto_labels
    else:
        ticks = ticks or linear_ticks(lo, hi)
        labels = labels or [tick_label(t) for t in ticks]
    return {"title": title, "scale": scale, "domain": [lo, hi], "ticks": list(ticks), "tick_labels": list(labels)}


def _band_axis(title: str, categories: Sequence[str]) -> dict[str, Any]:
    return {"title": title, "scale": "band", "domain": list(categories), "ticks": list(range(len(categories))),
            "tick_labels": list(categories)}


def _legend(label: str, colour: str, mark: str, *, dash: str = "solid", faded: bool = False) -> dict[str, Any]:
    return {"label": label, "colour": colour, "mark": mark, "dash": dash, "faded": faded}


def _per_eps(values: Sequence[float], fn: Any) -> np.ndarray:
    """``fn(ε)`` for every slider value, stacked along the first axis (float64)."""
    return np.stack([np.asarray(fn(float(e)), dtype=np.float64) for e in values])


def _floors(K: int, values: Sequence[float], spread: Spread) -> np.ndarray:
    return floor_curve(K, np.asarray(values, dtype=np.float64), spread=spread) + 0.0  # −0.0 at ε = 0 → 0.0


def _now_offsets(values: Sequence[float], *, dy: float = -34.0) -> tuple[PerState, PerState]:
    """The "now" label's offset from its point in px: to the right while ε ≤ 0.5, else to the left."""
    dx = np.where(np.asarray(values) > 0.5, -40.0, 40.0)
    return PerState(dx), PerState(np.full(len(values), dy))


# --------------------------------------------------------------------------------------------- page 1
def target_bars(K: int, spread: Spread, values: Sequence[float]) -> Spec:
    """The smoothed target's bars for both conventions (the selected one solid, the other faded and hatched).

    Up to 12 classes: a bar per class on a linear axis. Past that, two bands — the true class and "each other
    class" — on a log axis, so that ε/K stays visible at K = 1000, with the count of the other classes.
    """
    k, _, s = validate(K, 0.0, spread=spread)
    few = k <= MAX_BARS
    if few:
        categories = ["true"] + [f"{i}" for i in range(1, k)]
        x = _band_axis(f"class (K = {k}; the true class first)", categories)
        y = _axis("target probability ỹᵢ", 0.0, 1.12, ticks=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    else:
        categories = ["true class", f"each of the other {k - 1}"]
        x = _band_axis(f"K = {k} classes: every other class holds the same share", categories)
        smallest = min(target_values(k, e, spread=s)[1] for e in values if e > 0) if len(values) > 1 else 1e-3
        lo = 10.0 ** (math.floor(math.log10(smallest)) - 1)
        y = _axis("target probability ỹᵢ (log scale)", lo, 2.0, scale="log")
    marks, legend = [], []
    for slot, conv in enumerate((s, other_spread(s))):
        selected = conv == s
        heights, labels = [], []
        for e in values:
            if e > max_eps(k, spread=conv):
                heights.append(np.full(len(categories), np.nan))
                labels.append([""] * len(categories))
                continue
            on, off = target_values(k, float(e), spread=conv)
            row = [on] + [off] * (len(categories) - 1)
            heights.append(np.asarray(row))
            labels.append([for_people(v) for v in row] if selected else [""] * len(categories))
        colour = palette.SPREAD_COLOURS[conv]
        mark = {"type": "bars", "id": f"bars-{conv}", "slot": slot, "slots": 2, "y": PerState(np.stack(heights)),
                "colour": colour, "opacity": 1.0 if selected else 0.45, "hatch": not selected}
        if selected:
            mark["labels"] = [PerState([row[i] for row in labels]) for i in range(len(categories))]
        marks.append(mark)
        legend.append(_legend(CONVENTIONS[conv].label + ("" if selected else ", for comparison"), colour, "bar",
                              faded=not selected))
    return {"title": "Smoothed target ỹ", "height": 320, "x": x, "y": y, "legend": legend, "marks": marks}


def floor_vs_eps(K: int, spread: Spread, values: Sequence[float], n: int = 201) -> Spec:
    """``L_min(ε)`` over ε ∈ [0, 1] for both conventions (drawn once per K), ln K, and the current point."""
    k, _, s = validate(K, 0.0, spread=spread)
    grid = np.linspace(0.0, 1.0, n)
    log_k = math.log(k)
    marks: list[dict[str, Any]] = []
    legend = []
    for conv in (s, other_spread(s)):
        selected = conv == s
        colour = palette.SPREAD_COLOURS[conv]
        dash = "solid" if selected else "dash"
        marks.append({"type": "line", "id": f"floor-{conv}", "x": grid, "y": floor_curve(k, grid, spread=conv),
                      "colour": colour, "dash": dash, "width": 3 if selected else 2})
        legend.append(_legend(CONVENTIONS[conv].legend, colour, "line", dash=dash))
    marks.append({"type": "rule", "id": "uniform", "axis": "y", "value": log_k, "colour": palette.GUIDE, "dash": "dot",
                  "label": f"uniform target: ln K = {nats(log_k)}", "label_at": "start", "label_side": "above"})
    floors = _floors(k, values, s)
    dx, dy = _now_offsets(values, dy=34.0)
    marks.append({"type": "point", "id": "now", "x": PerState(np.asarray(values, dtype=np.float64)),
                  "y": PerState(floors), "colour": NOW, "symbol": "diamond",
                  "label": PerState([f"now: L_min = {nats(f)}" for f in floors]), "label_dx": dx, "label_dy": dy})
    return {"title": f"Entropy floor against ε, K = {k}", "height": 320,
            "x": _axis("smoothing ε", 0.0, 1.0), "y": _axis("entropy floor L_min (nats)", 0.0, log_k * 1.15),
            "legend": legend, "marks": marks}


def _edges(centres: np.ndarray, *, log: bool) -> np.ndarray:
    """Cell edges halfway between neighbouring centres (geometrically on a log axis), the ends mirrored."""
    c = np.log10(centres) if log else np.asarray(centres, dtype=np.float64)
    mids = (c[1:] + c[:-1]) / 2
    edges = np.concatenate([[c[0] - (mids[0] - c[0])], mids, [c[-1] + (c[-1] - mids[-1])]])
    return 10.0 ** edges if log else edges


HEATMAP_ROWS = 400  # pixel rows of the heat map's image, evenly spaced in log K


def heatmap_image(ks: np.ndarray, eps_grid: np.ndarray, floors: np.ndarray) -> dict[str, Any]:
    """The heat map's cells as one PNG image: a column per ε and :data:`HEATMAP_ROWS` rows evenly spaced in
    log10 K, each pixel the viridis colour of the cell it falls in (transparent where the cell is blank).

    One image, not a rectangle per cell: the browser paints ~6000 rectangles again every time the "now" arrow
    moves over them, which halved the frame rate of a drag; an image is painted in one step. Laid over the plot
    from ``x0``…``x1`` (ε) and ``y0``…``y1`` (K, log axis) it lines up with the axes, since its rows are evenly
    spaced in log K like the axis. Cached per grid (the same for every K and ε of a convention).
    """
    key = floors.tobytes() + ks.tobytes() + eps_grid.tobytes()
    if key not in _HEATMAP_IMAGES:
        if len(_HEATMAP_IMAGES) >= 4:  # the app uses two grids (one per convention); the bound is for other callers
            _HEATMAP_IMAGES.clear()
        _HEATMAP_IMAGES[key] = _render_heatmap(ks, eps_grid, floors)
    return _HEATMAP_IMAGES[key]


_HEATMAP_IMAGES: dict[bytes, dict[str, Any]] = {}


def _render_heatmap(ks: np.ndarray, eps_grid: np.ndarray, floors: np.ndarray) -> dict[str, Any]:
    x_edges, y_edges = _edges(eps_grid, log=False), _edges(ks.astype(np.float64), log=True)
    log_edges = np.log10(y_edges)
    # Pixel row j (top = largest K) samples log K at its centre; the cell row holding it gives the colour.
    centres = log_edges[-1] - (np.arange(HEATMAP_ROWS) + 0.5) * (log_edges[-1] - log_edges[0]) / HEATMAP_ROWS
    rows = np.clip(np.searchsorted(log_edges, centres, side="right") - 1, 0, len(ks) - 1)
    top = float(np.nanmax(floors))
    colours = viridis(floors / top)
    rgba = np.zeros((HEATMAP_ROWS, len(eps_grid), 4), dtype=np.uint8)
    for j, row in enumerate(rows):
        for c in range(len(eps_grid)):
            colour = colours[row * len(eps_grid) + c]
            if colour is not None:
                rgba[j, c] = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", optimize=True)
    return {"href": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
            "x0": float(x_edges[0]), "x1": float(x_edges[-1]), "y0": float(y_edges[0]), "y1": float(y_edges[-1]),
            "columns": len(eps_grid), "rows": HEATMAP_ROWS}


def floor_heatmap(K: int, spread: Spread, values: Sequence[float], ks: np.ndarray, eps_grid: np.ndarray,
                  floors: np.ndarray) -> Spec:
    """The floor over K (rows, log axis) × ε (columns), viridis from 0 to its largest cell, the current cell
    marked. ``floors`` is ``lib.smoothing.floor_grid(ks, eps_grid, spread=spread)`` (NaN cells stay blank)."""
    k, _, s = validate(K, 0.0, spread=spread)
    top = float(np.nanmax(floors))
    cells = heatmap_image(ks, eps_grid, floors)  # its bounds are the axes' ends, so cells and ticks line up
    k_ticks = [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    bar_ticks = linear_ticks(0.0, top)
    dx, dy = _now_offsets(values, dy=34.0 if k > 200 else -34.0)
    return {
        "title": f"Entropy floor, {CONVENTIONS[s].legend} convention", "height": 380,
        "x": _axis("smoothing ε", cells["x0"], cells["x1"]),
        "y": _axis("number of classes K (log scale)", cells["y0"], cells["y1"], scale="log",
                   ticks=k_ticks, labels=[str(t) for t in k_ticks]),
        "legend": [],
        "colour_scale": {"title": "L_min (nats)", "stops": VIRIDIS_STOPS, "domain": [0.0, top],
                         "ticks": bar_ticks, "tick_labels": [tick_label(t) for t in bar_ticks]},
        "marks": [
            {"type": "image", "id": "cells", **cells},
            {"type": "point", "id": "now", "x": PerState(np.asarray(values, dtype=np.float64)),
             "y": PerState(np.full(len(values), float(k))), "colour": NOW, "symbol": "none",
             "label": PerState([f"now: K = {k}, ε = {e:g}" for e in values]),
             "label_dx": dx, "label_dy": dy},
        ],
    }


# --------------------------------------------------------------------------------------------- page 2
def p_grid(n: int = CURVE_POINTS) -> np.ndarray:
    """Probabilities of the true class, dense near 0 and 1 where −ln p and −ln(1 − p) bend fastest."""
    half = n // 2
    return np.concatenate([np.geomspace(1e-4, 0.5, half), 1.0 - np.geomspace(0.5, 1e-4, n - half)[1:]])


def _ce_top(K: int, values: Sequence[float], spread: Spread) -> float:
    """The top of the loss axes for K: room above the largest floor the slider reaches."""
    return max(4.0, float(np.nanmax(_floors(K, values, spread))) + 2.0)


def _smoothed_label(spread: Spread) -> str:
    return f"smoothed target ({spread})"


def ce_vs_prob(K: int, spread: Spread, values: Sequence[float]) -> Spec:
    """Cross-entropy against p, one-hot (drawn once) and smoothed (per ε), the minimum and the floor marked."""
    k, _, s = validate(K, 0.0, spread=spread)
    p = p_grid()
    floors = _floors(k, values, s)
    on = np.array([target_values(k, float(e), spread=s)[0] for e in values])
    colour = palette.SMOOTHED
    return {
        "title": "Cross-entropy against p", "height": 340,
        "x": _axis("predicted probability of the true class, p", 0.0, 1.0),
        "y": _axis("cross-entropy (nats)", 0.0, _ce_top(k, values, s)),
        "legend": [_legend("one-hot target (ε = 0): −ln p", palette.ONE_HOT, "line", dash="dash"),
                   _legend(_smoothed_label(s), colour, "line"), _legend("floor L_min", palette.FLOOR, "rule",
                                                                         dash="dot")],
        "marks": [
            {"type": "rule", "id": "floor", "axis": "y", "value": PerState(floors), "colour": palette.FLOOR,
             "dash": "dot", "label": PerState([f"floor {nats(f)}" for f in floors]), "label_at": "start",
             "label_side": "below"},
            {"type": "line", "id": "one-hot", "x": p, "y": ce_vs_true_prob(k, 0.0, p), "colour": palette.ONE_HOT,
             "dash": "dash", "width": 2},
            {"type": "line", "id": "smoothed", "x": p, "y": PerState(_per_eps(values, lambda e: ce_vs_true_prob(
                k, e, p, spread=s))), "colour": colour, "dash": "solid", "width": 3},
            {"type": "point", "id": "minimum", "x": PerState(on), "y": PerState(floors), "colour": NOW,
             "symbol": "diamond", "label": PerState([f"minimum at p = {for_people(v)}" for v in on]),
             "label_dx": PerState(np.full(len(values), -30.0)), "label_dy": PerState(np.full(len(values), -40.0))},
        ],
    }


def ce_decomposition(K: int, spread: Spread, values: Sequence[float]) -> Spec:
    """``CE = H(ỹ) + KL(ỹ‖p)`` over p as stacked areas: the floor band and the KL part above it."""
    k, _, s = validate(K, 0.0, spread=spread)
    p = p_grid()
    floors = _floors(k, values, s)
    on = np.array([target_values(k, float(e), spread=s)[0] for e in values])
    total = _per_eps(values, lambda e: entropy_floor(k, e, spread=s) + kl_vs_true_prob(k, e, p, spread=s))
    ends = np.array([0.0, 1.0])
    return {
        "title": "CE = H(ỹ) + KL(ỹ‖p)", "height": 340,
        "x": _axis("predicted probability of the true class, p", 0.0, 1.0),
        "y": _axis("cross-entropy = H + KL (nats)", 0.0, _ce_top(k, values, s)),
        "legend": [_legend("H(ỹ): the floor, fixed by the target", palette.FLOOR, "area"),
                   _legend("KL(ỹ‖p): what training can remove", palette.KL, "area")],
        "marks": [
            {"type": "area", "id": "entropy", "x": ends, "y0": 0.0, "y1": PerState(np.stack([floors, floors], 1)),
             "colour": palette.FLOOR, "opacity": 0.75},
            {"type": "area", "id": "kl", "x": p, "y0": PerState(floors), "y1": PerState(total),
             "colour": palette.KL, "opacity": 0.75},
            {"type": "rule", "id": "kl-zero", "axis": "x", "value": PerState(on), "colour": palette.GUIDE,
             "dash": "dot", "label": PerState([f"KL = 0 at p = {for_people(v)}" for v in on]), "label_at": "end",
             "label_side": "left"},
        ],
    }


def ce_vs_gap(K: int, spread: Spread, values: Sequence[float], n: int = CURVE_POINTS) -> Spec:
    """Loss against the logit gap: one-hot falls for ever (drawn once); smoothed has its minimum at gap*."""
    k, _, s = validate(K, 0.0, spread=spread)
    gaps = np.linspace(*GAP_RANGE, n)
    floors = _floors(k, values, s)
    stars = np.array([optimal_logit_gap(k, float(e), spread=s) for e in values])
    finite = np.isfinite(stars)
    smoothed = _per_eps(values, lambda e: ce_vs_logit_gap(k, e, gaps, spread=s) if e > 0 else np.full(n, np.nan))
    colour = palette.SMOOTHED
    star_values = np.where(finite, stars, np.nan)
    return {
        "title": "Cross-entropy against the logit gap", "height": 340,
        "x": _axis("logit gap z_true − z_other", *GAP_RANGE),
        "y": _axis("cross-entropy (nats)", 0.0, math.log(k) + 2.5),
        "legend": [_legend("one-hot (ε = 0): keeps falling", palette.ONE_HOT, "line", dash="dash"),
                   _legend(_smoothed_label(s), colour, "line"), _legend("floor L_min", palette.FLOOR, "rule",
                                                                         dash="dot")],
        "marks": [
            {"type": "rule", "id": "floor", "axis": "y", "value": PerState(np.where(finite, floors, np.nan)),
             "colour": palette.FLOOR, "dash": "dot", "label": PerState([
                 f"floor {nats(f)}" if ok else "" for f, ok in zip(floors, finite, strict=True)]),
             "label_at": "start", "label_side": "below"},
            {"type": "rule", "id": "gap-star", "axis": "x", "value": PerState(star_values), "colour": palette.GUIDE,
             "dash": "dot", "label": PerState([f"gap* = {for_people(g)}" if ok else "" for g, ok in zip(stars, finite,
                                                                                                strict=True)]),
             "label_at": "end", "label_side": "right"},
            {"type": "line", "id": "one-hot", "x": gaps, "y": ce_vs_logit_gap(k, 0.0, gaps), "colour": palette.ONE_HOT,
             "dash": "dash", "width": 2},
            {"type": "line", "id": "smoothed", "x": gaps, "y": PerState(smoothed), "colour": colour,
             "dash": "solid", "width": 3},
            {"type": "point", "id": "optimum", "x": PerState(star_values), "y": PerState(np.where(finite, floors,
                                                                                                   np.nan)),
             "colour": NOW, "symbol": "diamond", "label": PerState(["optimum" if ok else "" for ok in finite]),
             "label_dx": PerState(np.full(len(values), 30.0)), "label_dy": PerState(np.full(len(values), -36.0))},
        ],
    }


# --------------------------------------------------------------------------------------------- the gradient
def gradient_bars(K: int, spread: Spread, values: Sequence[float], gap: float) -> Spec:
    """``∂L/∂zᵢ = pᵢ − ỹᵢ`` at the logits ``(gap, 0, …, 0)``: smoothed per ε, one-hot drawn once."""
    k, _, s = validate(K, 0.0, spread=spread)
    few = k <= MAX_BARS
    categories = (["true"] + [f"{i}" for i in range(1, k)]) if few else ["true class", f"each of the other {k - 1}"]
    title = (f"class (K = {k}; logits: true {gap:g}, others 0)" if few
             else f"K = {k}; logits: true {gap:g}, every other 0")

    def grads(e: float) -> np.ndarray:
        g = gradient.logit_gradient(k, e, gap, spread=s)
        return g[: len(categories)] if few else g[:2]

    colour = palette.SMOOTHED
    one_hot = grads(0.0)
    return {
        "title": f"Gradient of the loss on each logit, ∂L/∂zᵢ, at logit gap {gap:g}", "height": 320,
        "x": _band_axis(title, categories),
        "y": _axis("gradient ∂L/∂zᵢ = pᵢ − ỹᵢ", -1.05, 1.05, ticks=[-1.0, -0.5, 0.0, 0.5, 1.0]),
        "legend": [_legend(_smoothed_label(s), colour, "bar"), _legend("one-hot (ε = 0)", palette.ONE_HOT, "bar")],
        "marks": [
            {"type": "rule", "id": "zero", "axis": "y", "value": 0.0, "colour": palette.GUIDE, "dash": "solid",
             "label": "", "label_at": "start", "label_side": "above"},
            {"type": "bars", "id": "smoothed", "slot": 0, "slots": 2, "y": PerState(_per_eps(values, grads)),
             "colour": colour, "opacity": 1.0, "hatch": False},
            {"type": "bars", "id": "one-hot", "slot": 1, "slots": 2,
             "y": PerState(np.tile(one_hot, (len(values), 1))), "colour": palette.ONE_HOT, "opacity": 1.0,
             "hatch": True},
        ],
    }


def gradient_vs_gap(K: int, spread: Spread, values: Sequence[float], gap: float, n: int = PUSH_POINTS) -> Spec:
    """``∂L/∂z_true`` against the logit gap: one-hot's stays negative (descent raises the true logit at every
    gap); smoothing's crosses zero at gap* and is positive beyond (descent lowers it). The set gap marked."""
    k, _, s = validate(K, 0.0, spread=spread)
    top = max(GAP_RANGE[1], gap + 2.0)
    gaps = np.linspace(GAP_RANGE[0], top, n)
    stars = np.array([optimal_logit_gap(k, float(e), spread=s) for e in values])
    finite = np.isfinite(stars)
    colour = palette.SMOOTHED
    now = np.array([float(gradient.true_class_gradient(k, float(e), np.asarray(gap), spread=s)) for e in values])
    # ∂L/∂z_true = p_true(gap) − ỹ_true: the same curve p_true(gap) at every ε, lowered by ỹ_true. So it travels
    # once, with one shift per position (drawn as a translation through the y scale), not 100 curves.
    p_true = gradient.true_class_gradient(k, 0.0, gaps) + 1.0
    shift = np.array([-target_values(k, float(e), spread=s)[0] if e > 0 else np.nan for e in values])
    return {
        "title": "Gradient of the loss on the true logit, ∂L/∂z_true, against the logit gap", "height": 320,
        "x": _axis("logit gap z_true − z_other", GAP_RANGE[0], top),
        "y": _axis("∂L/∂z_true = p_true − ỹ_true", -1.05, 1.05, ticks=[-1.0, -0.5, 0.0, 0.5, 1.0]),
        "legend": [_legend(f"one-hot (ε = 0): negative at every gap ({gradient.descent_word(-1.0)})", palette.ONE_HOT,
                           "line", dash="dash"),
                   _legend(_smoothed_label(s), colour, "line")],
        "marks": [
            {"type": "rule", "id": "zero", "axis": "y", "value": 0.0, "colour": palette.GUIDE, "dash": "solid",
             "label": "", "label_at": "start", "label_side": "above"},
            {"type": "rule", "id": "gap-star", "axis": "x", "value": PerState(np.where(finite, stars, np.nan)),
             "colour": palette.GUIDE, "dash": "dot",
             "label": PerState([f"zero at gap* = {for_people(g)}" if ok else ""
                                for g, ok in zip(stars, finite, strict=True)]),
             "label_at": "end", "label_side": "right"},
            {"type": "line", "id": "one-hot", "x": gaps, "y": gradient.true_class_gradient(k, 0.0, gaps),
             "colour": palette.ONE_HOT, "dash": "dash", "width": 2},
            {"type": "line", "id": "smoothed", "x": gaps, "y": p_true, "dy": PerState(shift), "colour": colour,
             "dash": "solid", "width": 3},
            {"type": "point", "id": "now", "x": gap, "y": PerState(now), "colour": NOW, "symbol": "diamond",
             "label": PerState([f"now: {signed(v)}" for v in now]),  # its sign in words: the caption
             # Top left: for gaps up to 3.2, where this short label ends, both curves stay under 0.67 at every K
             # and ε (checked over all of them), and the gap* label sits at the very top: it meets neither.
             "label_dx": 0.0, "label_dy": 0.0, "label_x": GAP_RANGE[0] + 0.4, "label_y": 0.78},
        ],
    }
