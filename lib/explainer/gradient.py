"""The gradient of the cross-entropy with respect to the logits: why smoothing keeps the logits finite.

For logits z and target ỹ, ``L(z) = −Σᵢ ỹᵢ log softmax(z)ᵢ`` has the gradient

    ∂L/∂zᵢ = pᵢ − ỹᵢ,   p = softmax(z)

(the target sums to one). On the family the explainer uses — the true logit ``gap`` above K − 1 equal
others — ``p_true = 1 / (1 + (K − 1)·e^(−gap))`` and the true class's component is ``p_true − ỹ_true``.

* One-hot (ε = 0): ``p_true − 1 < 0`` for every finite gap, so gradient descent raises the true logit
  for ever; the push only fades towards zero as the gap grows.
* Smoothed: zero exactly at the optimal gap ``ln(ỹ_true/ỹ_other)`` (:func:`lib.smoothing.optimal_logit_gap`)
  and positive beyond it, so a step of gradient descent *lowers* a gap that has grown too large: the
  loss pushes back (Müller et al. 2019, §2).

The pages show one quantity with one sign: the gradient ∂L/∂z itself, never its negative. A step of gradient
descent, ``z ← z − η·∂L/∂z``, therefore *raises* a logit whose gradient is negative and lowers one whose gradient
is positive; :func:`descent_word` says so in words, and every figure and caption uses it. Everything is float64;
the gradient sums to zero over the classes (softmax is invariant to a common shift of the logits).
"""

from __future__ import annotations

import math

import numpy as np

from lib.smoothing import Spread, optimal_logit_gap, smoothed_target, target_values, validate

GAP_MIN, GAP_MAX, GAP_STEP = -5.0, 20.0, 0.1
"""The logit gaps the page's gap slider offers."""


def starting_gap(K: int, eps: float, *, spread: Spread = "all") -> float:
    """The gap the page starts at: just past the optimum (where smoothing already pushes back and one-hot still
    pulls), on the slider's 0.1 grid and within its range; 6 where there is no finite optimum (ε = 0)."""
    star = optimal_logit_gap(K, eps, spread=spread)
    return min(GAP_MAX, round(star + 1.5, 1)) if math.isfinite(star) else 6.0


def gap_logits(K: int, gap: float) -> np.ndarray:
    """Logits ``(gap, 0, …, 0)``: the true class (index 0) ``gap`` above the K − 1 others."""
    logits = np.zeros(int(K), dtype=np.float64)
    logits[0] = float(gap)
    return logits


def _p_true(K: int, gap: np.ndarray) -> np.ndarray:
    """softmax of ``(gap, 0, …, 0)`` at the true class, ``1 / (1 + (K−1)·e^(−gap))``, without overflow."""
    g = np.asarray(gap, dtype=np.float64)
    # For gap ≥ 0, e^(−gap) ≤ 1; for gap < 0 use the equivalent e^gap / (e^gap + K − 1).
    with np.errstate(over="ignore"):
        return np.where(g >= 0, 1.0 / (1.0 + (K - 1) * np.exp(-np.abs(g))),
                        np.exp(-np.abs(g)) / (np.exp(-np.abs(g)) + (K - 1)))


def logit_gradient(K: int, eps: float, gap: float, *, spread: Spread = "all") -> np.ndarray:
    """``∂L/∂z = softmax(z) − ỹ`` at the logits ``(gap, 0, …, 0)``, shape (K,), true class first."""
    k, e, s = validate(K, eps, spread=spread)
    p_true = float(_p_true(k, np.asarray(gap)))
    probs = np.full(k, (1.0 - p_true) / (k - 1))
    probs[0] = p_true
    return probs - smoothed_target(k, e, spread=s)


def true_class_gradient(K: int, eps: float, gap: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """``∂L/∂z_true = p_true(gap) − ỹ_true`` for many gaps at once (float64, shaped like ``gap``).

    Negative below the optimal gap, zero at it, positive beyond it; with ε = 0 negative everywhere.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)
    return _p_true(k, np.asarray(gap, dtype=np.float64)) - on


# |∂L/∂z| below this reads as zero: at the optimal gap itself float64 leaves ~1e-17 of rounding, which has no
# direction to tell; a gradient this small would move a logit by nothing a learner could see.
ZERO_GRADIENT = 1e-12


def descent_word(grad: float, logit: str = "the true logit") -> str:
    """What one step of gradient descent does to ``logit`` whose gradient is ``grad``, in words.

    ``z ← z − η·grad``: a negative gradient "pushes the true logit up", a positive one "pushes the true logit
    down", and a zero one (within :data:`ZERO_GRADIENT`) "leaves the true logit where it is".
    """
    if grad < -ZERO_GRADIENT:
        return f"pushes {logit} up"
    if grad > ZERO_GRADIENT:
        return f"pushes {logit} down"
    return f"leaves {logit} where it is"
