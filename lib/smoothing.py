"""Label smoothing in numbers: smoothed targets, the entropy floor, cross-entropy and KL.

Two conventions exist for spreading the smoothing mass ε over K classes (true class index ``t``):

* ``spread="all"`` — ε is spread over **all** K classes, the true one included:
  ``ỹ_t = 1 − ε + ε/K``, ``ỹ_i = ε/K`` for ``i ≠ t``. This is PyTorch's
  ``nn.CrossEntropyLoss(label_smoothing=ε)``, Keras, optax, and Szegedy et al. 2016 (Inception v3).
* ``spread="others"`` — ε is spread over the K−1 **other** classes only:
  ``ỹ_t = 1 − ε``, ``ỹ_i = ε/(K−1)``. This is fairseq's and sockeye's label-smoothed cross-entropy and
  what many blog posts write down.

The two describe the same family of targets: "others" with ε equals "all" with ε·K/(K−1), so PyTorch's
``label_smoothing = ε·K/(K−1)`` reproduces an "others" target (:func:`to_pytorch_label_smoothing`).

Cross-entropy against a smoothed target never reaches zero: ``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)``, and since
``KL ≥ 0`` with equality only at ``p = ỹ``, its minimum is the entropy of the target,
``L_min = H(ỹ) = −Σᵢ ỹᵢ log ỹᵢ`` (the *entropy floor*). Müller et al. 2019, "When does label smoothing
help?", discuss what this finite optimum does to the logits.

The true class stays the most likely class only while ``ỹ_t > ỹ_i``: for "all" that is ε < 1, for
"others" ε < (K−1)/K. At the end point the target is uniform (floor ``ln K``); past it the "smoothed"
label would favour a wrong class, so it is rejected.

Everything is float64, in nats, with ``0 · log 0 = 0``. No streamlit here: every function runs in a
notebook or a plain unit test.

References: Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer Vision", §7;
Müller, Kornblith & Hinton 2019, "When does label smoothing help?".
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

import numpy as np

Spread = Literal["all", "others"]


@dataclass(frozen=True)
class Convention:
    """One way of spreading ε: every page, figure, quiz and widget takes its words for it from here."""

    spread: Spread
    library: str  # the best-known library that uses it, in short labels
    used_by: str  # who uses it, in legends and tables
    spread_over: str  # where ε goes, in words
    true_formula: str  # ỹ_true
    other_formula: str  # ỹ_i for each other class i
    reference: str = ""  # a paper that defines it, where there is one

    @property
    def label(self) -> str:
        """``"all" (PyTorch)``: the convention after a library that uses it (widgets, metrics, titles)."""
        return f'"{self.spread}" ({self.library})'

    @property
    def legend(self) -> str:
        """``"all" (PyTorch, Keras, optax)``: the convention with who uses it (figure legends, messages)."""
        return f'"{self.spread}" ({self.used_by})'

    @property
    def meaning(self) -> str:
        """``"all": ε spread over all K classes, the true one included``: what the convention does."""
        return f'"{self.spread}": {self.spread_over}'

    @property
    def summary(self) -> str:
        """Where ε goes, the two target values and who uses it, in one sentence (the convention switch's help)."""
        sources = self.used_by + (f", {self.reference}" if self.reference else "")
        return f"{self.meaning}: ỹ_true = {self.true_formula}, others {self.other_formula} ({sources})."


# The one table of the two conventions.
CONVENTIONS: dict[Spread, Convention] = {
    "all": Convention("all", "PyTorch", "PyTorch, Keras, optax", "ε spread over all K classes, the true one included",
                      "1 − ε + ε/K", "ε/K", reference="Szegedy et al. 2016"),
    "others": Convention("others", "fairseq", "fairseq, sockeye, many blog posts",
                         "ε spread over the K − 1 wrong classes only", "1 − ε", "ε/(K − 1)"),
}
SPREADS: tuple[Spread, ...] = tuple(CONVENTIONS)

# Tolerance for "this array sums to one" checks on user-supplied distributions.
_SUM_TOL = 1e-9


# --------------------------------------------------------------------------------------------- validation
def _check_k(K: object) -> int:
    if isinstance(K, bool) or not isinstance(K, Real):
        raise ValueError(f"K is the number of classes and must be a whole number ≥ 2; got {K!r}.")
    if isinstance(K, Integral):
        k = int(K)
    else:
        k_float = float(K)
        if math.isnan(k_float) or not k_float.is_integer():
            raise ValueError(f"K is the number of classes and must be a whole number ≥ 2; got {K!r}.")
        k = int(k_float)
    if k < 2:
        raise ValueError(f"K is the number of classes and must be at least 2 (one class needs no "
                         f"smoothing); got {k}.")
    return k


def _check_spread(spread: object) -> Spread:
    if spread == "all" or spread == "others":
        return spread
    raise ValueError(f"spread must be {CONVENTIONS['all'].legend} or {CONVENTIONS['others'].legend}; "
                     f"got {spread!r}.")


def other_spread(spread: str) -> Spread:
    """The convention that is not ``spread``: the one the pages set beside it."""
    return "others" if spread == "all" else "all"


def max_eps(K: int, *, spread: Spread = "all") -> float:
    """Largest ε for which the true class is still (jointly) the most likely one.

    ``"all"``: ``ỹ_t = 1 − ε + ε/K ≥ ε/K`` ⇔ ε ≤ 1. ``"others"``: ``1 − ε ≥ ε/(K−1)`` ⇔ ε ≤ (K−1)/K.
    At that end point the target is uniform; any larger ε would make a wrong class more likely.
    """
    k = _check_k(K)
    spread = _check_spread(spread)
    return 1.0 if spread == "all" else (k - 1) / k


def _check_eps(K: int, eps: object, spread: Spread) -> float:
    if isinstance(eps, bool) or not isinstance(eps, Real):
        raise ValueError(f"ε (eps) is the smoothing strength and must be a number in [0, 1]; got {eps!r}.")
    e = float(eps)
    if math.isnan(e):
        raise ValueError("ε (eps) is NaN; the smoothing strength must be a number in [0, 1].")
    if e < 0.0:
        raise ValueError(f"ε (eps) must be ≥ 0: it is the probability mass taken from the true class; "
                         f"got {e}.")
    limit = max_eps(K, spread=spread)
    if e > limit:
        if spread == "all":
            raise ValueError(f"ε (eps) must be ≤ 1 with spread=\"all\"; got {e}. At ε = 1 the target is "
                             f"already uniform.")
        raise ValueError(f"With spread=\"others\" and K={K}, ε (eps) must be ≤ (K−1)/K = {limit:.6g}; got "
                         f"{e}. Past that point the true class (1−ε) gets less probability than each "
                         f"other class (ε/(K−1)).")
    return e


@functools.lru_cache(maxsize=4096, typed=True)
def validate(K: int, eps: float, *, spread: Spread = "all") -> tuple[int, float, Spread]:
    """Check (K, ε, spread) and return them normalised as (int, float, Spread); raise ``ValueError`` if not.

    Cached (by value and type, so 10 and 10.0 stay apart): a page's live table checks the same few settings
    thousands of times, and the checks were most of its cost. Only valid settings are cached; a refusal raises
    every time."""
    k = _check_k(K)
    s = _check_spread(spread)
    return k, _check_eps(k, eps, s), s


# --------------------------------------------------------------------------------------------- targets
def target_values(K: int, eps: float, *, spread: Spread = "all") -> tuple[float, float]:
    """The two distinct probabilities of the smoothed target: ``(ỹ_true, ỹ_other)``.

    ``"all"``: ``(1 − ε + ε/K, ε/K)``; ``"others"``: ``(1 − ε, ε/(K−1))`` (Szegedy et al. 2016).
    """
    k, e, s = validate(K, eps, spread=spread)
    if s == "all":
        return 1.0 - e + e / k, e / k
    return 1.0 - e, e / (k - 1)


def smoothed_target(K: int, eps: float, *, spread: Spread = "all", true_class: int = 0) -> np.ndarray:
    """The smoothed one-hot target ỹ as a float64 array of shape (K,).

    ``"all"`` (PyTorch ``label_smoothing``): ``ỹ = (1 − ε)·onehot + ε/K``.
    ``"others"`` (fairseq): ``ỹ_true = 1 − ε``, ``ỹ_i = ε/(K−1)`` elsewhere.
    Reference: Szegedy et al. 2016, §7.
    """
    k, e, s = validate(K, eps, spread=spread)
    if isinstance(true_class, bool) or not isinstance(true_class, Integral) or not 0 <= true_class < k:
        raise ValueError(f"true_class must be a class index from 0 to K−1 = {k - 1}; got {true_class!r}.")
    on, off = target_values(k, e, spread=s)
    target = np.full(k, off, dtype=np.float64)
    target[int(true_class)] = on
    return target


# --------------------------------------------------------------------------------------------- information
def _xlogy(x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
    """``x · log y`` elementwise with ``0 · log 0 = 0`` (and ``0 · log y = 0`` for any y ≥ 0)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0.0, 0.0, out)


def entropy_floor(K: int, eps: float, *, spread: Spread = "all") -> float:
    """The smallest cross-entropy any prediction can reach against the smoothed target, in nats.

    ``L_min = H(ỹ) = −Σᵢ ỹᵢ log ỹᵢ = −ỹ_true log ỹ_true − (K−1)·ỹ_other log ỹ_other``, reached at
    ``p = ỹ`` because ``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)``. Convention as in :func:`smoothed_target`.
    Worked example, K=10, ε=0.1: 0.5003 nats ("all", PyTorch) and 0.5448 nats ("others").
    ε=0 gives 0; a uniform target gives ln K. References: Szegedy et al. 2016; Müller et al. 2019.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)
    # "+ 0.0" turns the −0.0 of a one-hot target into a plain 0.0.
    return float(-(_xlogy(on, on) + (k - 1) * _xlogy(off, off))) + 0.0


def _check_distribution(name: str, p: object, *, allow_zero: bool = True) -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be a 1-D probability vector over K ≥ 2 classes; "
                         f"got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; probabilities must be finite numbers.")
    if np.any(arr < 0.0):
        raise ValueError(f"{name} has a negative entry; probabilities are never below 0.")
    total = float(arr.sum())
    if abs(total - 1.0) > _SUM_TOL * max(1.0, arr.size):
        raise ValueError(f"{name} must sum to 1 (it is a probability distribution); it sums to {total:.12g}.")
    return arr


def _check_pair(target: object, probs: object) -> tuple[np.ndarray, np.ndarray]:
    t = _check_distribution("target", target)
    p = _check_distribution("probs", probs)
    if t.shape != p.shape:
        raise ValueError(f"target and probs must have the same number of classes; got {t.size} and {p.size}.")
    return t, p


def cross_entropy(target: np.ndarray, probs: np.ndarray) -> float:
    """Cross-entropy ``CE(ỹ, p) = −Σᵢ ỹᵢ log pᵢ`` in nats, for 1-D distributions of equal length.

    ``0 · log 0 = 0``; a class with ỹᵢ > 0 and pᵢ = 0 makes the loss ``inf``. Works for either convention:
    pass the target from :func:`smoothed_target`. Reference: Szegedy et al. 2016, §7.
    """
    t, p = _check_pair(target, probs)
    return float(-np.sum(_xlogy(t, p)))


def kl_divergence(target: np.ndarray, probs: np.ndarray) -> float:
    """Kullback–Leibler divergence ``KL(ỹ‖p) = Σᵢ ỹᵢ log(ỹᵢ / pᵢ) ≥ 0`` in nats.

    It is the part of the cross-entropy above the floor: ``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)``; zero only at
    ``p = ỹ``. ``0 · log(0/q) = 0``; ỹᵢ > 0 with pᵢ = 0 gives ``inf``. Reference: Müller et al. 2019.
    """
    t, p = _check_pair(target, probs)
    with np.errstate(divide="ignore"):
        terms = np.where(t == 0.0, 0.0, _xlogy(t, t) - _xlogy(t, p))
    # Tiny negative values are rounding, not information.
    return float(max(0.0, np.sum(terms)))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log softmax(z)ᵢ = zᵢ − log Σⱼ exp zⱼ`` over the last axis, in float64: one vector (K,) or a batch
    (N, K). The log-sum-exp shift (subtract the largest logit first) keeps huge logits from overflowing.
    """
    z = np.asarray(logits, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy_with_logits(target: np.ndarray, logits: np.ndarray) -> float:
    """``CE(ỹ, softmax(z)) = −Σᵢ ỹᵢ log softmax(z)ᵢ`` in nats, computed stably from logits z.

    Adding the same constant to every logit changes nothing. This is what
    ``F.cross_entropy(z, y, label_smoothing=ε)`` computes for one sample with ỹ in the "all" convention.
    """
    t = _check_distribution("target", target)
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be a 1-D vector of finite numbers over K ≥ 2 classes.")
    logp = log_softmax(z)
    if logp.shape != t.shape:
        raise ValueError(f"target and logits must have the same number of classes; got {t.size} and "
                         f"{logp.size}.")
    return float(-np.sum(t * logp))


# --------------------------------------------------------------------------------------------- optimum
def optimal_logit_gap(K: int, eps: float, *, spread: Spread = "all") -> float:
    """Gap ``z_true − z_other`` between the logits of the loss-minimising prediction (p = ỹ).

    Softmax makes ``p_true / p_other = exp(gap)``, and the optimum has ``p = ỹ``, so
    ``gap* = ln(ỹ_true / ỹ_other)``:

    * ``"all"``: ``gap* = ln(1 + K(1 − ε)/ε)``;
    * ``"others"``: ``gap* = ln((1 − ε)(K − 1)/ε)``.

    Finite for every ε > 0 — smoothing stops the logits from growing without bound (Müller et al. 2019).
    ε = 0 (one-hot) returns ``inf``: the loss keeps falling as the gap grows.
    """
    k, e, s = validate(K, eps, spread=spread)
    if e == 0.0:
        return math.inf
    if s == "all":
        return math.log1p(k * (1.0 - e) / e)
    return math.log((1.0 - e) * (k - 1) / e)


# --------------------------------------------------------------------------------------------- conventions
def convert_eps(K: int, eps: float, *, from_spread: Spread, to_spread: Spread) -> float:
    """The ε that gives the *same* target in another convention.

    "others" with ε ⇔ "all" with ε·K/(K−1); "all" with ε ⇔ "others" with ε·(K−1)/K.
    """
    k, e, src = validate(K, eps, spread=from_spread)
    dst = _check_spread(to_spread)
    if src == dst:
        return e
    if src == "others":
        return min(1.0, e * k / (k - 1))
    return e * (k - 1) / k


def to_pytorch_label_smoothing(K: int, eps: float, *, spread: Spread = "all") -> float:
    """The ``label_smoothing`` argument of ``torch.nn.functional.cross_entropy`` that builds our target.

    PyTorch uses the "all" convention, so ``"all"`` passes ε through and ``"others"`` needs
    ``label_smoothing = ε·K/(K−1)``.
    """
    return convert_eps(K, eps, from_spread=spread, to_spread="all")


def from_pytorch_label_smoothing(K: int, label_smoothing: float, *, spread: Spread = "all") -> float:
    """Inverse of :func:`to_pytorch_label_smoothing`: the ε of ``spread`` that PyTorch's argument means."""
    return convert_eps(K, label_smoothing, from_spread="all", to_spread=spread)


# --------------------------------------------------------------------------------------------- curves
def floor_curve(K: int, eps: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """Entropy floor ``H(ỹ)`` for many ε at once (float64 array, same shape as ``eps``), in nats.

    ε past :func:`max_eps` gives NaN (no valid target there), so a plot shows a gap instead of a lie.
    """
    k = _check_k(K)
    s = _check_spread(spread)
    e = np.asarray(eps, dtype=np.float64)
    on = 1.0 - e + e / k if s == "all" else 1.0 - e
    off = e / k if s == "all" else e / (k - 1)
    floor = -(_xlogy(on, on) + (k - 1) * _xlogy(off, off))
    valid = (e >= 0.0) & (e <= max_eps(k, spread=s))
    return np.where(valid, floor, np.nan)


def floor_grid(Ks: np.ndarray, eps: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """Entropy floor on a grid: rows are the K values, columns the ε values (shape (len(Ks), len(eps))).

    Invalid cells (ε past :func:`max_eps` for that K) are NaN.
    """
    ks = [_check_k(k) for k in np.asarray(Ks).ravel()]
    return np.stack([floor_curve(k, eps, spread=spread) for k in ks]) if ks else np.empty((0, np.size(eps)))


def _check_p_true(p_true: np.ndarray) -> np.ndarray:
    p = np.asarray(p_true, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any(p < 0.0) or np.any(p > 1.0):
        raise ValueError("p_true holds probabilities of the true class and must lie in [0, 1].")
    return p


def ce_vs_true_prob(K: int, eps: float, p_true: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """Cross-entropy when the model gives ``p_true`` to the true class and ``(1 − p_true)/(K − 1)`` to
    each other class, as a float64 array shaped like ``p_true`` (nats).

    ``CE(p) = −ỹ_true log p − (1 − ỹ_true) log((1 − p)/(K − 1))``; its minimum is the floor, at
    ``p = ỹ_true``. With ε = 0 this is ``−log p``, which only reaches 0 at p = 1. (For ε below about
    1e-16, ỹ_true rounds to 1 in float64, so the minimiser itself cannot be passed as ``p_true``.)
    """
    k, e, s = validate(K, eps, spread=spread)
    p = _check_p_true(p_true)
    on, off = target_values(k, e, spread=s)
    # (K−1)·ỹ_other rather than 1 − ỹ_true: exact even when ε is so small that 1 − ε rounds to 1.
    return -(_xlogy(on, p) + (k - 1) * _xlogy(off, (1.0 - p) / (k - 1))) + 0.0


def kl_vs_true_prob(K: int, eps: float, p_true: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """``KL(ỹ‖p)`` for the same family of predictions as :func:`ce_vs_true_prob`, computed directly
    (not as CE − H, which would cancel), so ``ce_vs_true_prob = entropy_floor + kl_vs_true_prob``.
    """
    k, e, s = validate(K, eps, spread=spread)
    p = _check_p_true(p_true)
    on, off = target_values(k, e, spread=s)
    q_off = (1.0 - p) / (k - 1)
    kl = (_xlogy(on, on) - _xlogy(on, p)) + (k - 1) * (_xlogy(off, off) - _xlogy(off, q_off))
    return np.maximum(kl, 0.0)


def ce_vs_logit_gap(K: int, eps: float, gap: np.ndarray, *, spread: Spread = "all") -> np.ndarray:
    """Cross-entropy when the true logit exceeds every other logit (all equal) by ``gap`` (nats).

    With logits ``(gap, 0, …, 0)``: ``log p_true = gap − lse``, ``log p_other = −lse`` where
    ``lse = log(exp(gap) + K − 1)``, so ``CE(gap) = lse − ỹ_true · gap`` (the target sums to one),
    evaluated without cancellation for large gaps.
    Its minimum is at :func:`optimal_logit_gap`; with ε = 0 it falls forever as the gap grows.
    """
    k, e, s = validate(K, eps, spread=spread)
    g = np.asarray(gap, dtype=np.float64)
    on, off = target_values(k, e, spread=s)
    c = math.log(k - 1)
    # lse = max(g, c) + log1p(exp(−|g − c|)). For g ≥ c, write lse − ỹ_true·g as (1 − ỹ_true)·g + …
    # so a large gap does not cancel g against g (the one-hot loss would round to a flat 0).
    tail = np.log1p(np.exp(-np.abs(g - c)))
    return np.where(g >= c, (k - 1) * off * g + tail, c - on * g + tail)
