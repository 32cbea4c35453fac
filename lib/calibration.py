"""Calibration measures: NLL, reliability bins, ECE, and temperature scaling.

* ECE (Naeini et al. 2015; Guo et al. 2017): split the top-class confidences into ``n_bins``
  equal-width bins over [0, 1]; ``ECE = Σ_b (n_b / N) · |acc_b − conf_b|``. Bins are right-closed,
  ``(lo, hi]``, with the first bin also taking confidence 0 — the convention of Guo et al.'s code.
* Temperature scaling (Guo et al. 2017): one scalar ``T > 0`` dividing the logits, fitted by
  minimising NLL on held-out data; it never changes the argmax, so accuracy is unchanged.

All functions take NumPy arrays and compute in float64.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lib.smoothing import log_softmax


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, K) logits, float64, through :func:`lib.smoothing.log_softmax`."""
    return np.exp(log_softmax(logits))


def nll(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true labels (unsmoothed cross-entropy), nats."""
    logp = log_softmax(logits)
    return float(-logp[np.arange(len(labels)), labels].mean())


def smoothed_loss(logits: np.ndarray, labels: np.ndarray, eps: float) -> float:
    """Mean cross-entropy against PyTorch-convention smoothed targets (1−ε+ε/K true, ε/K others)."""
    logp = log_softmax(logits)
    k = logp.shape[1]
    true_term = logp[np.arange(len(labels)), labels]
    return float(-((1.0 - eps) * true_term + eps / k * logp.sum(axis=1)).mean())


@dataclass(frozen=True)
class ReliabilityBins:
    """Per-bin statistics of a reliability diagram (15 equal-width bins by default)."""

    edges: list[float]
    count: list[int]
    accuracy: list[float | None]  # None for an empty bin
    confidence: list[float | None]
    ece: float

    def to_dict(self) -> dict:
        return asdict(self)


def reliability_bins(confidences: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> ReliabilityBins:
    """Bin top-class confidences into equal-width bins; return counts, accuracy, confidence and ECE."""
    conf = np.asarray(confidences, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    if conf.shape != hit.shape or conf.ndim != 1 or len(conf) == 0:
        raise ValueError("confidences and correct must be non-empty 1-D arrays of equal length")
    if np.any((conf < 0) | (conf > 1)) or np.any(np.isnan(conf)):
        raise ValueError("confidences must lie in [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # right-closed bins (lo, hi]; index 0 also holds conf == 0
    index = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    acc_sum = np.bincount(index, weights=hit, minlength=n_bins)
    conf_sum = np.bincount(index, weights=conf, minlength=n_bins)
    filled = count > 0
    acc = np.where(filled, acc_sum / np.maximum(count, 1), np.nan)
    mean_conf = np.where(filled, conf_sum / np.maximum(count, 1), np.nan)
    ece = float(np.sum(count[filled] / len(conf) * np.abs(acc[filled] - mean_conf[filled])))
    return ReliabilityBins(
        edges=edges.tolist(),
        count=count.astype(int).tolist(),
        accuracy=[float(a) if f else None for a, f in zip(acc, filled, strict=True)],
        confidence=[float(c) if f else None for c, f in zip(mean_conf, filled, strict=True)],
        ece=ece,
    )


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> float:
    """ECE of (N, K) probabilities with top-class confidence, ``n_bins`` equal-width bins."""
    probs = np.asarray(probs, dtype=np.float64)
    return reliability_bins(probs.max(axis=1), probs.argmax(axis=1) == labels, n_bins).ece


def fit_temperature(logits: np.ndarray, labels: np.ndarray, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature T minimising NLL(logits / T) on held-out data.

    NLL(logits / T) is smooth and unimodal in log T for all practical data, so a golden-section search
    over log T is exact to ~1e-6 without any optimiser dependency.
    """
    lo, hi = np.log(bounds[0]), np.log(bounds[1])
    z = np.asarray(logits, dtype=np.float64)

    def objective(log_t: float) -> float:
        return nll(z / np.exp(log_t), labels)

    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = objective(c), objective(d)
    while b - a > 1e-7:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = objective(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = objective(d)
    return float(np.exp((a + b) / 2.0))


def calibration_report(logits: np.ndarray, labels: np.ndarray, eps: float, n_bins: int = 15) -> dict:
    """Accuracy, NLL, smoothed loss, ECE and the reliability bins of one set of logits."""
    probs = softmax(logits)
    bins = reliability_bins(probs.max(axis=1), probs.argmax(axis=1) == labels, n_bins)
    return {
        "n": int(len(labels)),
        "accuracy": float((probs.argmax(axis=1) == labels).mean()),
        "nll": nll(logits, labels),
        "smoothed_loss": smoothed_loss(logits, labels, eps),
        "ece": bins.ece,
        "mean_confidence": float(probs.max(axis=1).mean()),
        "reliability": bins.to_dict(),
    }


def confidence_auroc(confidences: np.ndarray, correct: np.ndarray) -> float:
    """How well confidence separates right from wrong answers: the area under the ROC curve.

    The probability that a randomly drawn right answer has a higher confidence than a randomly drawn
    wrong one, ties counting one half — the Mann–Whitney U statistic divided by ``n_right · n_wrong``
    (average ranks for ties). 1 is a perfect separation, 0.5 chance. The failure-prediction measure of
    Hendrycks & Gimpel 2017 and of Zhu et al. 2022 / Xia et al. 2024. NaN when every answer is right
    (or every one wrong): there is nothing to separate.
    """
    conf = np.asarray(confidences, dtype=np.float64)
    hit = np.asarray(correct, dtype=bool)
    if conf.shape != hit.shape or conf.ndim != 1:
        raise ValueError("confidences and correct must be 1-D arrays of equal length")
    n_right, n_wrong = int(hit.sum()), int((~hit).sum())
    if n_right == 0 or n_wrong == 0:
        return float("nan")
    order = np.argsort(conf, kind="mergesort")
    sorted_conf = conf[order]
    ranks = np.empty(len(conf), dtype=np.float64)
    # Average rank (1-based) of each run of equal confidences.
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_conf)) + 1]
    ends = np.r_[starts[1:], len(conf)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + 1 + end) / 2.0
    u = ranks[hit].sum() - n_right * (n_right + 1) / 2.0
    return float(u / (n_right * n_wrong))
