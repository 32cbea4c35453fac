"""Hypothesis strategies shared by the tests: valid smoothing settings, distributions and logits."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from lib.smoothing import max_eps

spreads = st.sampled_from(("all", "others"))
class_counts = st.integers(min_value=2, max_value=1000)
small_class_counts = st.integers(min_value=2, max_value=50)


@st.composite
def settings(draw: st.DrawFn, ks: st.SearchStrategy[int] = class_counts) -> tuple[int, float, str]:
    """(K, ε, spread) over the whole valid range, end points included: ε ∈ [0, max_eps(K, spread)]."""
    k = draw(ks)
    spread = draw(spreads)
    top = max_eps(k, spread=spread)
    eps = draw(st.one_of(
        st.floats(min_value=0.0, max_value=top, allow_nan=False),
        st.sampled_from((0.0, top, 1e-12, 0.1)).filter(lambda e: e <= top),
    ))
    return k, eps, spread


def logit_vectors(k: int, *, bound: float = 30.0) -> st.SearchStrategy[np.ndarray]:
    """Finite float64 logit vectors of length k, wide enough for very confident predictions."""
    return st.lists(st.floats(min_value=-bound, max_value=bound, allow_nan=False), min_size=k, max_size=k).map(
        lambda xs: np.asarray(xs, dtype=np.float64))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


@st.composite
def settings_with_logits(draw: st.DrawFn) -> tuple[int, float, str, np.ndarray]:
    """(K, ε, spread, logits) with K kept small so a draw stays cheap."""
    k, eps, spread = draw(settings(small_class_counts))
    return k, eps, spread, draw(logit_vectors(k))


# The train-it-yourself toy's sliders: K = 2–20 whole, ε on the 0.01 grid. K up to 10 keeps a trained draw well
# under a second on a shared core.
toy_classes = st.integers(min_value=2, max_value=10)
toy_smoothing = st.integers(min_value=1, max_value=50).map(lambda n: n / 100)  # ε > 0
toy_smoothing_or_none = st.integers(min_value=0, max_value=50).map(lambda n: n / 100)  # ε ≥ 0
