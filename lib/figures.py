"""Plotly figures for the explainer pages: smoothed targets, the entropy floor, and loss curves.

Every builder takes plain numbers (K, ε, spread) and returns a ``go.Figure``; none imports streamlit.
Losses are in nats (natural log). Colours come from :mod:`lib.palette` (Okabe–Ito), and hover text
shows exact values. Conventions as in :mod:`lib.smoothing`: "all" (PyTorch) and "others" (fairseq).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from lib import palette
from lib.smoothing import (
    Spread,
    ce_vs_logit_gap,
    ce_vs_true_prob,
    entropy_floor,
    floor_curve,
    kl_vs_true_prob,
    max_eps,
    optimal_logit_gap,
    smoothed_target,
    target_values,
    validate,
)

SPREAD_NAMES = {"all": '"all" (PyTorch, Keras, optax)', "others": '"others" (fairseq, many blog posts)'}
# Past this many classes the bars show the first classes and one bar standing for all the rest.
_MAX_BARS = 12
_NATS = "nats"


def _layout(fig: go.Figure, *, x_title: str, y_title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=60, r=20, t=40, b=50),
        template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="closest",
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
    )
    return fig


def _other_spread(spread: str) -> Spread:
    return "others" if spread == "all" else "all"


# --------------------------------------------------------------------------------------------- page 1
def target_bars(K: int, eps: float, *, spread: Spread = "all") -> go.Figure:
    """Bars of the smoothed target ỹ for both conventions; the selected one solid, the other faded.

    Up to 12 classes get a bar each; past that, the first 11 classes and one bar labelled for the
    rest (they all hold the same probability). The other convention is drawn only where its ε is valid.
    """
    k, e, s = validate(K, eps, spread=spread)
    shown = k if k <= _MAX_BARS else _MAX_BARS - 1
    labels = ["true class"] + [f"class {i}" for i in range(1, shown)]
    if k > shown:
        labels.append(f"each of classes {shown}–{k - 1}")
    fig = go.Figure()
    for conv in (s, _other_spread(s)):
        if e > max_eps(k, spread=conv):  # type: ignore[arg-type]
            continue
        target = smoothed_target(k, e, spread=conv)  # type: ignore[arg-type]
        values = target[: len(labels)]
        selected = conv == s
        fig.add_trace(go.Bar(
            x=labels, y=values, name=SPREAD_NAMES[conv] + ("" if selected else " — for comparison"),
            marker=dict(color=palette.SPREAD_COLOURS[conv], opacity=1.0 if selected else 0.45,
                        pattern=dict(shape="" if selected else "/")),
            text=[f"{v:.4g}" for v in values] if len(labels) <= 11 else None,
            textposition="outside",
            hovertemplate=f"{conv}: %{{x}}<br>ỹ = %{{y:.6g}}<extra></extra>",
        ))
    fig.update_layout(barmode="group", yaxis_range=[0, 1.12])
    return _layout(fig, x_title=f"class (K = {k}; the true class is first)",
                   y_title="target probability ỹᵢ (no unit)")


def floor_vs_eps(K: int, eps: float, *, spread: Spread = "all", n: int = 201) -> go.Figure:
    """``L_min(ε) = H(ỹ)`` for the current K in both conventions, the current point marked, and ln K.

    The "others" curve stops at ε = (K−1)/K, where its target becomes uniform.
    """
    k, e, s = validate(K, eps, spread=spread)
    grid = np.linspace(0.0, 1.0, n)
    fig = go.Figure()
    for conv in (s, _other_spread(s)):
        selected = conv == s
        fig.add_trace(go.Scatter(
            x=grid, y=floor_curve(k, grid, spread=conv),  # type: ignore[arg-type]
            name=SPREAD_NAMES[conv], mode="lines",
            line=dict(color=palette.SPREAD_COLOURS[conv], width=3 if selected else 2,
                      dash="solid" if selected else "dash"),
            hovertemplate=f"{conv}: ε = %{{x:.3f}}<br>L_min = %{{y:.6f}} nats<extra></extra>",
        ))
    log_k = math.log(k)
    fig.add_hline(y=log_k, line=dict(color=palette.GREY, dash="dot"),
                  annotation_text=f"uniform target: ln K = {log_k:.4f} nats", annotation_position="top left")
    floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
    fig.add_trace(go.Scatter(
        x=[e], y=[floor], mode="markers", name=f"now: ε = {e:g}",
        marker=dict(color=palette.MARKER, size=12, symbol="diamond"),
        hovertemplate=f"K = {k}, ε = {e:g} ({s})<br>L_min = {floor:.6f} nats<extra></extra>",
    ))
    fig.update_layout(xaxis_range=[0, 1], yaxis_range=[0, log_k * 1.12])
    return _layout(fig, x_title="smoothing ε (no unit)", y_title="entropy floor L_min (nats)")


def heatmap_axes(n_k: int = 60, n_eps: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """K values (about log-spaced whole numbers from 2 to 1000) and ε values (0 to 0.99) for the heat map."""
    ks = np.unique(np.round(np.geomspace(2, 1000, n_k)).astype(int))
    return ks, np.linspace(0.0, 0.99, n_eps)


def floor_heatmap(ks: np.ndarray, eps_grid: np.ndarray, floors: np.ndarray, *, K: int, eps: float,
                  spread: Spread = "all") -> go.Figure:
    """Heat map of the floor over K (rows, log axis) × ε (columns) with the current (ε, K) marked.

    ``floors`` is ``lib.smoothing.floor_grid(ks, eps_grid, spread=spread)``, passed in so the page can
    cache it; cells where the convention allows no such ε are blank.
    """
    k, e, s = validate(K, eps, spread=spread)
    fig = go.Figure(go.Heatmap(
        x=eps_grid, y=ks, z=floors, colorscale=palette.SEQUENTIAL, zmin=0.0,
        colorbar=dict(title=dict(text="L_min (nats)")),
        hovertemplate="K = %{y}<br>ε = %{x:.3f}<br>L_min = %{z:.6f} nats<extra></extra>",
    ))
    floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
    fig.add_trace(go.Scatter(
        x=[e], y=[k], mode="markers", name="now", showlegend=False,
        marker=dict(color="white", size=14, symbol="x", line=dict(color=palette.MARKER, width=2)),
        hovertemplate=f"now: K = {k}, ε = {e:g}<br>L_min = {floor:.6f} nats<extra></extra>",
    ))
    fig.update_yaxes(type="log")
    fig.update_layout(title=dict(text=f"Entropy floor, {SPREAD_NAMES[s]} convention", font=dict(size=14)))
    return _layout(fig, x_title="smoothing ε (no unit)", y_title="number of classes K (log scale)", height=420)


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
    on, _ = target_values(k, e, spread=s)  # type: ignore[arg-type]
    p = _p_grid(on, n)
    floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=p, y=ce_vs_true_prob(k, 0.0, p), name="one-hot target (ε = 0): −ln p", mode="lines",
        line=dict(color=palette.ONE_HOT, dash="dash", width=2),
        hovertemplate="one-hot<br>p = %{x:.4f}<br>CE = %{y:.6f} nats<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=p, y=ce_vs_true_prob(k, e, p, spread=s), name=f"smoothed target, ε = {e:g} ({s})", mode="lines",
        line=dict(color=palette.SPREAD_COLOURS[s], width=3),
        hovertemplate="smoothed<br>p = %{x:.4f}<br>CE = %{y:.6f} nats<extra></extra>",
    ))
    fig.add_hline(y=floor, line=dict(color=palette.FLOOR, dash="dot", width=2),
                  annotation_text=f"floor L_min = {floor:.4f} nats", annotation_position="bottom left")
    fig.add_trace(go.Scatter(
        x=[on], y=[floor], mode="markers", name=f"minimum at p = ỹ_true = {on:.4g}",
        marker=dict(color=palette.MARKER, size=12, symbol="diamond"),
        hovertemplate=f"minimum<br>p = ỹ_true = {on:.6f}<br>CE = L_min = {floor:.6f} nats<extra></extra>",
    ))
    fig.update_layout(xaxis_range=[0, 1], yaxis_range=[0, max(4.0, floor + 2.0)])
    return _layout(fig, x_title="predicted probability of the true class, p (no unit)",
                   y_title="cross-entropy (nats)")


def ce_decomposition(K: int, eps: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)`` as stacked areas over p: a constant band (the floor) that no
    prediction can remove, and the KL divergence on top that vanishes at p = ỹ.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)  # type: ignore[arg-type]
    p = _p_grid(on, n)
    floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
    kl = kl_vs_true_prob(k, e, p, spread=s)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=p, y=np.full_like(p, floor), name="H(ỹ): the floor, fixed by the target", mode="lines",
        stackgroup="ce", line=dict(color=palette.FLOOR, width=1), fillcolor=palette.FLOOR,
        hovertemplate="p = %{x:.4f}<br>H(ỹ) = %{y:.6f} nats<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=p, y=kl, name="KL(ỹ‖p): what training can still remove", mode="lines", stackgroup="ce",
        line=dict(color=palette.KL, width=1), fillcolor=palette.KL,
        customdata=kl + floor,
        hovertemplate="p = %{x:.4f}<br>KL = %{y:.6f} nats<br>CE = %{customdata:.6f} nats<extra></extra>",
    ))
    fig.add_vline(x=on, line=dict(color=palette.MARKER, dash="dot"),
                  annotation_text=f"KL = 0 at p = {on:.4g}", annotation_position="top right")
    fig.update_layout(xaxis_range=[0, 1], yaxis_range=[0, max(4.0, floor + 2.0)])
    return _layout(fig, x_title="predicted probability of the true class, p (no unit)",
                   y_title="cross-entropy = H + KL (nats)")


def ce_vs_gap(K: int, eps: float, *, spread: Spread = "all", n: int = 400) -> go.Figure:
    """Loss against the logit gap ``z_true − z_other``: smoothing has a finite optimum
    (:func:`lib.smoothing.optimal_logit_gap`); one-hot keeps falling as the gap grows.
    """
    k, e, s = validate(K, eps, spread=spread)
    gap_star = optimal_logit_gap(k, e, spread=s)  # type: ignore[arg-type]
    right = max(15.0, 2.0 * gap_star) if math.isfinite(gap_star) else 15.0
    gaps = np.linspace(-2.0, right, n)
    if math.isfinite(gap_star):
        gaps = np.unique(np.append(gaps, gap_star))
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=gaps, y=ce_vs_logit_gap(k, 0.0, gaps), name="one-hot (ε = 0): keeps falling, optimum at gap → ∞",
        mode="lines", line=dict(color=palette.ONE_HOT, dash="dash", width=2),
        hovertemplate="one-hot<br>gap = %{x:.3f}<br>CE = %{y:.6g} nats<extra></extra>",
    ))
    if e > 0.0:
        floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
        fig.add_trace(go.Scatter(
            x=gaps, y=ce_vs_logit_gap(k, e, gaps, spread=s), name=f"smoothed, ε = {e:g} ({s})",
            mode="lines", line=dict(color=palette.SPREAD_COLOURS[s], width=3),
            hovertemplate="smoothed<br>gap = %{x:.3f}<br>CE = %{y:.6f} nats<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            x=[gap_star], y=[floor], mode="markers", name=f"optimum: gap* = {gap_star:.4f}",
            marker=dict(color=palette.MARKER, size=12, symbol="diamond"),
            hovertemplate=f"gap* = {gap_star:.6f}<br>CE = L_min = {floor:.6f} nats<extra></extra>",
        ))
        fig.add_vline(x=gap_star, line=dict(color=palette.MARKER, dash="dot"))
        fig.add_hline(y=floor, line=dict(color=palette.FLOOR, dash="dot"),
                      annotation_text=f"floor {floor:.4f} nats", annotation_position="bottom right")
    fig.update_layout(xaxis_range=[gaps[0], gaps[-1]], yaxis_range=[0, math.log(k) + 2.5])
    return _layout(fig, x_title="logit gap z_true − z_other (nats: a difference of log-probabilities)",
                   y_title="cross-entropy (nats)")
