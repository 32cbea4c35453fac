"""Plotly figures for the explainer pages: smoothed targets, the entropy floor, and loss curves.

Every builder takes plain numbers (K, ε, spread) and returns a ``go.Figure``; none imports streamlit.
Losses are in nats (natural log). Colours come from :mod:`lib.palette` (Okabe–Ito). Labels on the figure
write numbers as the captions do (:mod:`lib.digits`, 4 significant figures); hover text, asked for, shows
6. Conventions as in :mod:`lib.smoothing`: "all" (PyTorch) and "others" (fairseq).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from lib import palette
from lib.digits import for_people, nats, signed
from lib.explainer import gradient
from lib.figure_base import figure
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
    smoothed_target,
    target_values,
    validate,
)

# Past this many classes the bars show the first classes and one bar standing for all the rest.
_MAX_BARS = 12
_K_TICKS = [2, 5, 10, 20, 50, 100, 200, 500, 1000]  # the heat map's K axis


def _hline(y: float, colour: str, text: str | None = None, *, position: str = "left", dash: str = "dot",
           above: bool = True) -> tuple[dict, list[dict]]:
    """A horizontal line across the plot at ``y`` and its label (shape, annotations)."""
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y,
                 line=dict(color=colour, dash=dash, width=2))
    notes = [] if text is None else [dict(
        xref="paper", x=0.01 if position == "left" else 0.99, xanchor=position, yref="y", y=y,
        yanchor="bottom" if above else "top", text=text, showarrow=False, font=dict(color=colour),
    )]
    return shape, notes


def _vline(x: float, colour: str, text: str | None = None) -> tuple[dict, list[dict]]:
    """A vertical line across the plot at ``x`` and its label (shape, annotations)."""
    shape = dict(type="line", yref="paper", y0=0, y1=1, xref="x", x0=x, x1=x,
                 line=dict(color=colour, dash="dot", width=2))
    # Past the middle of a [0, 1] axis the label goes on the line's left, so it is never cut at the right edge.
    right_half = x > 0.5
    notes = [] if text is None else [dict(
        yref="paper", y=0.98, yanchor="top", xref="x", x=x, xanchor="right" if right_half else "left",
        text=text + " " if right_half else " " + text, showarrow=False,
    )]
    return shape, notes


def _line(x: np.ndarray, y: np.ndarray, name: str, colour: str, hover: str, *, width: int = 3,
          dash: str = "solid", **extra: object) -> dict:
    return dict(type="scatter", mode="lines", x=x, y=y, name=name, hovertemplate=hover,
                line=dict(color=colour, width=width, dash=dash), **extra)


def _marker(x: float, y: float, name: str, hover: str, *, symbol: str = "diamond", **extra: object) -> dict:
    return dict(type="scatter", mode="markers", x=[x], y=[y], name=name, hovertemplate=hover,
                marker=dict(color=palette.MARKER, size=12, symbol=symbol,
                            line=dict(color=palette.MARKER_RIM, width=1.5)), **extra)


def _now_arrow(x: float, y: float, text: str, hover: str, *, ax: int, ay: int) -> dict:
    """An annotation whose arrow points at the current point ``(x, y)`` (y as log10 on a log axis), its label
    ``ax``, ``ay`` pixels away. An annotation, not a marker trace, so the traces stay the same at every ε and the
    live page only redraws the arrow when ε moves."""
    return dict(xref="x", yref="y", x=x, y=y, text=text, showarrow=True, arrowhead=2, arrowwidth=2,
                arrowcolor=palette.MARKER, ax=ax, ay=ay, font=dict(color=palette.MARKER), bgcolor=palette.MARKER_RIM,
                bordercolor=palette.MARKER, borderpad=2, hovertext=hover)


def _class_labels(k: int) -> list[str]:
    """Bar labels, true class first: one per class up to 12, else the first 11 and one bar for each of the rest
    (past the true class every class holds the same value, in the target and in the gradient alike)."""
    shown = k if k <= _MAX_BARS else _MAX_BARS - 1
    labels = ["true class"] + [f"class {i}" for i in range(1, shown)]
    if k > shown:
        labels.append(f"each of classes {shown}–{k - 1}")
    return labels


# --------------------------------------------------------------------------------------------- page 1
def target_bars(K: int, eps: float, *, spread: Spread = "all") -> go.Figure:
    """Bars of the smoothed target ỹ for both conventions; the selected one solid, the other faded.

    Up to 12 classes get a bar each; past that, the first 11 classes and one bar standing for the
    rest (they all hold the same probability). The other convention is drawn only where its ε is valid.
    """
    k, e, s = validate(K, eps, spread=spread)
    labels = _class_labels(k)
    traces = []
    for conv in (s, other_spread(s)):
        if e > max_eps(k, spread=conv):
            continue
        values = smoothed_target(k, e, spread=conv)[: len(labels)]
        selected = conv == s
        traces.append(dict(
            # Short names: the long ones ran past a narrow figure's (and the PNG export's) legend.
            type="bar", x=labels, y=values,
            name=CONVENTIONS[conv].label + ("" if selected else ", for comparison"),
            marker=dict(color=palette.SPREAD_COLOURS[conv], opacity=1.0 if selected else 0.45,
                        pattern=dict(shape="" if selected else "/")),
            # Values on the selected convention's bars only (the other's on hover): side by side at 375 px
            # the two labels of a class ran together ("0.910.9").
            text=[for_people(v) for v in values] if selected and len(labels) <= 11 else None,
            textposition="outside", cliponaxis=False,
            hovertemplate=f"{conv}: %{{x}}<br>ỹ = %{{y:.6g}}<extra></extra>",
        ))
    return figure(traces, x_title=f"class (K = {k}; the true class is first)",
                  y_title="target probability ỹᵢ (no unit)", barmode="group", yaxis=dict(range=[0, 1.12]),
                  uniformtext=dict(mode="hide", minsize=9))


def floor_vs_eps(K: int, eps: float, *, spread: Spread = "all", n: int = 201) -> go.Figure:
    """``L_min(ε) = H(ỹ)`` for the current K in both conventions, the current point marked, and ln K.

    The "others" curve stops at ε = (K−1)/K, where its target becomes uniform.
    """
    k, e, s = validate(K, eps, spread=spread)
    grid = np.linspace(0.0, 1.0, n)
    traces = [
        _line(grid, floor_curve(k, grid, spread=conv), CONVENTIONS[conv].legend,
              palette.SPREAD_COLOURS[conv], f"{conv}: ε = %{{x:.3f}}<br>L_min = %{{y:.6f}} nats<extra></extra>",
              width=3 if conv == s else 2, dash="solid" if conv == s else "dash")
        for conv in (s, other_spread(s))
    ]
    floor = entropy_floor(k, e, spread=s)
    log_k = math.log(k)
    shape, notes = _hline(log_k, palette.GUIDE, f"uniform target: ln K = {nats(log_k)}")
    now = _now_arrow(e, floor, f"now: L_min = {nats(floor)}",
                     f"K = {k}, ε = {e:g} ({s})<br>L_min = {floor:.6f} nats", ax=-40 if e > 0.5 else 40, ay=-36)
    return figure(traces, x_title="smoothing ε (no unit)", y_title="entropy floor L_min (nats)",
                   shapes=[shape], annotations=[*notes, now],
                   xaxis=dict(range=[0, 1]), yaxis=dict(range=[0, log_k * 1.15]))


def heatmap_axes(n_k: int = 60, n_eps: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """K values (whole numbers, about log-spaced from 2 to 1000) and ε values (0 to 0.99) for the heat map."""
    ks = np.unique(np.round(np.geomspace(2, 1000, n_k)).astype(int))
    return ks, np.linspace(0.0, 0.99, n_eps)


def floor_heatmap(ks: np.ndarray, eps_grid: np.ndarray, floors: np.ndarray, *, K: int, eps: float,
                  spread: Spread = "all") -> go.Figure:
    """Heat map of the floor over K (rows, log axis) × ε (columns) with the current (ε, K) marked.

    ``floors`` is ``lib.smoothing.floor_grid(ks, eps_grid, spread=spread)``, passed in so the page can
    cache it; cells where the convention allows no such ε are NaN and stay blank.
    """
    k, e, s = validate(K, eps, spread=spread)
    floor = entropy_floor(k, e, spread=s)
    traces = [
        dict(type="heatmap", x=eps_grid, y=ks, z=floors, colorscale=palette.SEQUENTIAL, zmin=0.0,
             colorbar=dict(title=dict(text="L_min (nats)")),
             hovertemplate="K = %{y}<br>ε = %{x:.3f}<br>L_min = %{z:.6f} nats<extra></extra>"),
    ]
    # Moving a marker trace would make plotly recompute and repaint the whole heat map (60 against 10 ms per
    # state for the arrow). On a log axis an annotation's y is log10 of the value.
    now = _now_arrow(e, math.log10(k), "now", f"now: K = {k}, ε = {e:g}<br>L_min = {floor:.6f} nats",
                     ax=-34 if e > 0.5 else 34, ay=34 if k > 200 else -34)
    return figure(traces, x_title="smoothing ε (no unit)", y_title="number of classes K (log scale)",
                  # Every tick labelled with its whole K: a log axis's own minor labels ("2", "5" for 20, 50)
                  # read as values of K.
                  height=420, yaxis=dict(type="log", tickvals=_K_TICKS, ticktext=[str(t) for t in _K_TICKS]),
                  annotations=[now], title=f"Entropy floor, {CONVENTIONS[s].legend} convention")


# --------------------------------------------------------------------------------------------- page 2
def _p_grid(on: float, n: int) -> np.ndarray:
    # Dense near both ends, where −log blows up, and containing the minimiser exactly.
    base = np.concatenate([np.geomspace(1e-4, 0.5, n // 2), 1.0 - np.geomspace(0.5, 1e-4, n // 2)])
    return np.unique(np.append(base, on))


def ce_vs_prob(K: int, eps: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """Cross-entropy against the predicted probability p of the true class (the rest spread evenly),
    with smoothing and without; the minimum ``(ỹ_true, L_min)`` marked and the floor drawn.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)
    p = _p_grid(on, n)
    floor = entropy_floor(k, e, spread=s)
    traces = [
        _line(p, ce_vs_true_prob(k, 0.0, p), "one-hot target (ε = 0): −ln p", palette.ONE_HOT,
              "one-hot<br>p = %{x:.4f}<br>CE = %{y:.6f} nats<extra></extra>", width=2, dash="dash"),
        _line(p, ce_vs_true_prob(k, e, p, spread=s), f"smoothed target, ε = {e:g} ({s})",
              palette.for_eps(e), "smoothed<br>p = %{x:.4f}<br>CE = %{y:.6f} nats<extra></extra>"),
        _marker(on, floor, f"minimum at p = ỹ_true = {for_people(on)}",
                f"minimum<br>p = ỹ_true = {on:.6f}<br>CE = L_min = {floor:.6f} nats<extra></extra>"),
    ]
    shape, notes = _hline(floor, palette.FLOOR, f"floor L_min = {nats(floor)}", above=False)
    return figure(traces, x_title="predicted probability of the true class, p (no unit)",
                   y_title="cross-entropy (nats)", shapes=[shape], annotations=notes,
                   xaxis=dict(range=[0, 1]), yaxis=dict(range=[0, max(4.0, floor + 2.0)]))


def ce_decomposition(K: int, eps: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)`` as stacked areas over p: a constant band (the floor) that no
    prediction can remove, and the KL divergence on top that vanishes at p = ỹ_true.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)
    p = _p_grid(on, n)
    floor = entropy_floor(k, e, spread=s)
    kl = kl_vs_true_prob(k, e, p, spread=s)
    traces = [
        _line(p, np.full_like(p, floor), "H(ỹ): the floor, fixed by the target", palette.FLOOR,
              "p = %{x:.4f}<br>H(ỹ) = %{y:.6f} nats<extra></extra>", width=1, stackgroup="ce",
              fillcolor=palette.FLOOR),
        _line(p, kl, "KL(ỹ‖p): the part training can still remove", palette.KL,
              "p = %{x:.4f}<br>KL = %{y:.6f} nats<br>CE = H + KL = %{customdata:.6f} nats<extra></extra>",
              width=1, stackgroup="ce", fillcolor=palette.KL, customdata=kl + floor),
    ]
    shape, notes = _vline(on, palette.GUIDE, f"KL = 0 at p = {for_people(on)}")
    return figure(traces, x_title="predicted probability of the true class, p (no unit)",
                   y_title="cross-entropy = H + KL (nats)", shapes=[shape], annotations=notes,
                   xaxis=dict(range=[0, 1]), yaxis=dict(range=[0, max(4.0, floor + 2.0)]))


def ce_vs_gap(K: int, eps: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """Loss against the logit gap ``z_true − z_other``: smoothing has a finite optimum
    (:func:`lib.smoothing.optimal_logit_gap`); one-hot keeps falling as the gap grows.
    """
    k, e, s = validate(K, eps, spread=spread)
    gap_star = optimal_logit_gap(k, e, spread=s)
    finite = math.isfinite(gap_star)
    gaps = np.linspace(-2.0, max(15.0, 2.0 * gap_star) if finite else 15.0, n)
    if finite:
        gaps = np.unique(np.append(gaps, gap_star))
    traces = [_line(gaps, ce_vs_logit_gap(k, 0.0, gaps), "one-hot (ε = 0): keeps falling, best gap → ∞",
                    palette.ONE_HOT, "one-hot<br>gap = %{x:.3f}<br>CE = %{y:.6g} nats<extra></extra>",
                    width=2, dash="dash")]
    shapes: list[dict] = []
    notes: list[dict] = []
    if finite and e > 0.0:
        floor = entropy_floor(k, e, spread=s)
        traces += [
            _line(gaps, ce_vs_logit_gap(k, e, gaps, spread=s), f"smoothed, ε = {e:g} ({s})",
                  palette.SMOOTHED, "smoothed<br>gap = %{x:.3f}<br>CE = %{y:.6f} nats<extra></extra>"),
            _marker(gap_star, floor, f"optimum: gap* = {for_people(gap_star)}",
                    f"gap* = {gap_star:.6f}<br>CE = L_min = {floor:.6f} nats<extra></extra>"),
        ]
        for shape, more in (_vline(gap_star, palette.GUIDE, f"gap* = {for_people(gap_star)}"),
                            _hline(floor, palette.FLOOR, f"floor {nats(floor)}", position="right",
                                   above=False)):
            shapes.append(shape)
            notes += more
    return figure(traces, x_title="logit gap z_true − z_other (nats: a log of a probability ratio)",
                   y_title="cross-entropy (nats)", shapes=shapes, annotations=notes,
                   xaxis=dict(range=[float(gaps[0]), float(gaps[-1])]),
                   yaxis=dict(range=[0, math.log(k) + 2.5]))


# --------------------------------------------------------------------------------------------- the gradient
def gradient_bars(K: int, eps: float, gap: float, *, spread: Spread = "all") -> go.Figure:
    """``∂L/∂zᵢ = pᵢ − ỹᵢ`` at the logits ``(gap, 0, …, 0)`` for ε and for one-hot, true class first.

    The gradient itself, never its negative (:mod:`lib.explainer.gradient`): a bar below 0 is a logit the next
    step raises. The wrong classes all get the same gradient, so past 12 classes one bar stands for each of the rest.
    """
    k, e, s = validate(K, eps, spread=spread)
    labels = _class_labels(k)
    traces = []
    for name, value, colour, pattern in ((f"smoothed, ε = {e:g} ({s})", e, palette.for_eps(e), ""),
                                         ("one-hot (ε = 0)", 0.0, palette.ONE_HOT, "/")):
        grad = gradient.logit_gradient(k, value, gap, spread=s)[: len(labels)]
        traces.append(dict(type="bar", x=labels, y=grad, name=name,
                           marker=dict(color=colour, pattern=dict(shape=pattern)),
                           customdata=[gradient.descent_word(float(g), "this logit") for g in grad],
                           hovertemplate=f"{name}<br>%{{x}}<br>∂L/∂zᵢ = %{{y:+.6g}}: descent %{{customdata}}"
                                         "<extra></extra>"))
    return figure(traces, x_title=f"class (K = {k}; logits: true class {gap:g}, every other 0)",
                   y_title="∂L/∂zᵢ = pᵢ − ỹᵢ (no unit)", barmode="group",
                   yaxis=dict(range=[-1.05, 1.05], zeroline=True))


def gradient_vs_gap(K: int, eps: float, gap: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """The true class's gradient ``∂L/∂z_true = p_true − ỹ_true`` against the logit gap: one-hot's is negative at
    every gap (descent raises the true logit for ever) and only fades towards zero; smoothing's crosses zero at
    the optimal gap and is positive beyond it (descent lowers the gap again). The current gap is marked.
    """
    k, e, s = validate(K, eps, spread=spread)
    gap_star = optimal_logit_gap(k, e, spread=s)
    finite = math.isfinite(gap_star)
    top = max(15.0, 2.0 * gap_star if finite else 0.0, gap + 2.0)
    gaps = np.linspace(-2.0, top, n)
    one_hot = f"one-hot (ε = 0): negative at every gap ({gradient.descent_word(-1.0)})"
    traces = [_line(gaps, gradient.true_class_gradient(k, 0.0, gaps), one_hot,
                    palette.ONE_HOT, "one-hot<br>gap = %{x:.3f}<br>∂L/∂z_true = %{y:+.6g}<extra></extra>",
                    width=2, dash="dash")]
    shapes: list[dict] = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=0, y1=0,
                               line=dict(color=palette.GUIDE, width=1))]
    notes: list[dict] = []
    if finite and e > 0.0:
        traces.append(_line(gaps, gradient.true_class_gradient(k, e, gaps, spread=s), f"smoothed, ε = {e:g} ({s})",
                            palette.SMOOTHED,
                            "smoothed<br>gap = %{x:.3f}<br>∂L/∂z_true = %{y:+.6g}<extra></extra>"))
        shape, more = _vline(gap_star, palette.GUIDE, f"zero at gap* = {for_people(gap_star)}")
        shapes.append(shape)
        notes += more
    now = float(gradient.true_class_gradient(k, e, np.array(gap), spread=s))
    traces.append(_marker(gap, now, f"now: gap {gap:g}, ∂L/∂z_true = {signed(now)} ({gradient.descent_word(now)})",
                          f"gap = {gap:g}<br>∂L/∂z_true = {now:+.6g}<extra></extra>"))
    return figure(traces, x_title="logit gap z_true − z_other", y_title="∂L/∂z_true = p_true − ỹ_true",
                   shapes=shapes, annotations=notes, xaxis=dict(range=[-2.0, top]), yaxis=dict(range=[-1.05, 1.05]))
