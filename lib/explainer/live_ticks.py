"""Axis ticks and their labels for the live SVG figures, and the heat map's colours: computed here, so the
browser only maps values to pixels. Pure Python, no streamlit."""

from __future__ import annotations

import math

import numpy as np
import plotly.colors

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def tick_label(value: float) -> str:
    """A tick's label: the shortest decimal that names it (``0.2``, ``1``, ``−2``; a real minus sign)."""
    text = f"{value:.6g}"
    return text.replace("-", "−") if value < 0 else text


def linear_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round ticks over ``[lo, hi]``: a step of 1, 2 or 5 × 10ⁿ giving about ``target`` ticks."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    # round(): 0.30000000000000004 would be drawn at a slightly wrong place and labelled badly.
    return [round(n * step, 12) + 0.0 for n in range(first, last + 1)]


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Powers of ten over ``[lo, hi]`` with labels ``10⁻⁵`` … ``1`` (``0.1``, ``1``, ``10`` written plainly)."""
    ticks = [10.0 ** n for n in range(math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9) + 1)]
    return ticks, [_power_label(t) for t in ticks]


def _power_label(value: float) -> str:
    exponent = round(math.log10(value))
    if -1 <= exponent <= 3:
        return tick_label(value)
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def viridis(t: np.ndarray) -> list[str | None]:
    """Viridis colours (plotly's ten stops, linearly interpolated in RGB, as plotly draws its heat maps) for
    ``t`` in [0, 1] as ``#rrggbb``; NaN gives None (a blank cell)."""
    stops = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in plotly.colors.sequential.Viridis],
                     dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(stops))
    flat = np.asarray(t, dtype=np.float64).ravel()
    valid = np.isfinite(flat)
    clipped = np.clip(np.where(valid, flat, 0.0), 0.0, 1.0)
    rgb = np.stack([np.interp(clipped, where, stops[:, c]) for c in range(3)], axis=1)
    rgb = np.round(rgb).astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" if ok else None for (r, g, b), ok in zip(rgb, valid, strict=True)]


VIRIDIS_STOPS: list[str] = list(plotly.colors.sequential.Viridis)
