"""The explainer's state (K, ε, convention) as URL query parameters: parse, clamp, write back.

A link like ``?K=10&eps=0.1&spread=others`` reproduces what a learner sees. Anything malformed or out
of range is repaired — never an exception — and each repair comes with a sentence saying what was
changed and why, for the page to show. Pure functions, no streamlit: the pages call them.

Ranges (what the sliders offer):

* ``K`` — whole numbers from 2 to 1000;
* ``ε`` — steps of 0.01 from 0 up to, but excluding, the point where the true class stops being the
  most likely: ε < 1 for ``spread="all"`` and ε < (K−1)/K for ``spread="others"``
  (see :func:`lib.smoothing.max_eps`);
* ``spread`` — ``"all"`` (PyTorch, the default) or ``"others"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lib.smoothing import SPREADS
from lib.url_values import last_value, parse_number, quoted

K_MIN = 2
K_MAX = 1000
EPS_STEP = 0.01
# ε is kept as a whole number of hundredths internally so "0.1" never turns into 0.10000000000000002.
_EPS_SCALE = 100
PARAM_NAMES: tuple[str, ...] = ("K", "eps", "spread")


# The K slider's stops: every K up to 20, then about six a decade (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ
# thinned), so a drag reaches 3, 10, 100 and 1000 and a key press moves one stop.
K_STOPS: tuple[int, ...] = (*range(2, 21), 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800,
                            1000)


def k_stops(K: int) -> list[int]:
    """The K slider's stops with ``K`` among them: an exact K from a link stays exact (and one stop more)."""
    return sorted({*K_STOPS, int(min(max(K, K_MIN), K_MAX))})


@dataclass(frozen=True)
class SmoothingState:
    """What the explainer pages show: K classes, smoothing ε, and the convention ``spread``."""

    K: int
    eps: float
    spread: str


DEFAULT_STATE = SmoothingState(K=10, eps=0.1, spread="all")


def eps_slider_max(K: int, spread: str) -> float:
    """Largest ε on the 0.01 grid with the true class still strictly the most likely.

    "all": 0.99 (ε < 1). "others": the largest n/100 with n/100 < (K−1)/K, i.e. n·K < 100·(K−1),
    computed in integers so K=2 gives 0.49 and K=10 gives 0.89 exactly.
    """
    top = _EPS_SCALE - 1
    if spread == "others":
        top = min(top, -(-_EPS_SCALE * (K - 1) // K) - 1)  # ceil(100(K−1)/K) − 1
    return top / _EPS_SCALE


def _eps_limit_reason(K: int, spread: str) -> str:
    if spread == "others":
        return (f'with K={K} in the "others" convention the true class stops being the most likely at '
                f"ε = (K−1)/K = {(K - 1) / K:.4g}")
    return 'in the "all" convention ε = 1 would make the target uniform'


def clamp_state(K: int, eps: float, spread: str) -> tuple[SmoothingState, list[str]]:
    """Bring an already-numeric (K, ε, spread) into range; return the state and a note per change.

    Used after a widget move (for example K lowered while ``spread="others"``) and by
    :func:`parse_query_params`. ε is snapped to the 0.01 grid.
    """
    notes: list[str] = []
    if spread not in SPREADS:
        notes.append(f'Convention {quoted(spread)} is unknown; showing "all" (PyTorch\'s).')
        spread = "all"
    if K < K_MIN or K > K_MAX:
        clamped_k = min(max(K, K_MIN), K_MAX)
        notes.append(f"K={K} is outside {K_MIN}–{K_MAX}; showing K={clamped_k}.")
        K = clamped_k
    # Bounded before scaling: ε = 1e308 (a crafted component state) would overflow round() to an exception.
    hundredths = min(max(eps, -1.0), 2.0) * _EPS_SCALE
    snapped = round(hundredths)
    if abs(hundredths - snapped) > 1e-6:
        notes.append(f"ε={eps:g} rounded to {snapped / _EPS_SCALE:.2f}, the slider's step of {EPS_STEP}.")
    top = round(eps_slider_max(K, spread) * _EPS_SCALE)
    if snapped < 0:
        notes.append(f"ε={eps:g} is below 0 (ε is a probability mass); showing ε=0.")
        snapped = 0
    elif snapped > top:
        notes.append(f"ε={eps:g} is too large: {_eps_limit_reason(K, spread)}; "
                     f"showing ε={top / _EPS_SCALE:.2f}.")
        snapped = top
    return SmoothingState(K=int(K), eps=snapped / _EPS_SCALE, spread=spread), notes


def parse_query_params(
    params: Mapping[str, str | Sequence[str]], fallback: SmoothingState = DEFAULT_STATE
) -> tuple[SmoothingState, list[str]]:
    """Read K, ε and spread from query parameters; repair what is wrong and say so.

    A missing parameter keeps its ``fallback`` value silently; a malformed one (``K=ten``, ``eps=nan``)
    falls back with a note; an out-of-range one is clamped with a note (:func:`clamp_state`).
    Never raises for any string input.
    """
    notes: list[str] = []
    k = fallback.K
    raw_k = last_value(params.get("K"))
    if raw_k is not None:
        parsed = parse_number(raw_k)
        if parsed is None:
            notes.append(f"K={quoted(raw_k)} is not a number; showing K={fallback.K}.")
        else:
            # Clamp before int(), so K=1e300 never builds a 300-digit integer.
            whole = round(min(max(parsed, K_MIN), K_MAX))
            if not parsed.is_integer() and K_MIN <= parsed <= K_MAX:
                notes.append(f"K={parsed:g} is not a whole number of classes; showing K={whole}.")
            elif whole != parsed:
                notes.append(f"K={parsed:g} is outside {K_MIN}–{K_MAX}; showing K={whole}.")
            k = whole

    spread = fallback.spread
    raw_spread = last_value(params.get("spread"))
    if raw_spread is not None:
        spread = raw_spread.strip().lower()

    eps = fallback.eps
    raw_eps = last_value(params.get("eps"))
    if raw_eps is not None:
        parsed = parse_number(raw_eps)
        if parsed is None:
            notes.append(f"ε={quoted(raw_eps)} is not a number; showing ε={fallback.eps:.2f}.")
        else:
            eps = parsed
    state, more = clamp_state(int(k), eps, spread)
    return state, notes + more


def to_query_params(state: SmoothingState) -> dict[str, str]:
    """The URL form of a state: ``{"K": "10", "eps": "0.1", "spread": "all"}``."""
    eps_text = f"{state.eps:.2f}".rstrip("0").rstrip(".") or "0"  # 0.10 → "0.1", 0.00 → "0"
    return {"K": str(state.K), "eps": eps_text, "spread": state.spread}
