"""What smoothing erases: the structure of a model's wrong-class probabilities (Müller et al. 2019, §4).

Müller, Kornblith & Hinton found that a teacher trained with label smoothing distils worse: smoothing
asks every wrong class for the same probability ε/K, so the network learns to squeeze the wrong-class
logits together, and with them the "dark knowledge" of which wrong classes an image resembles.

On a test split with true labels t and predicted probabilities p (N × K):

* ``M[t, j]`` = mean of ``p_j`` over the images of class t — the mean predicted probability of each
  class given the true class (:func:`mean_probability_matrix`);
* ``W[t, ·]`` = row t of M without its diagonal, renormalised: the *wrong-class distribution* of class
  t, "when the model is looking at a cat, which wrong class gets its leftover probability"
  (:func:`wrong_class_distribution`);
* its normalised entropy ``H(W[t]) / ln(K − 1)`` (:func:`wrong_class_entropy`): 1 when the leftover
  is spread evenly over the K − 1 wrong classes — the structure erased — and lower the more it picks
  out a few look-alikes;
* the Spearman rank correlation between two models' wrong-class distributions of the same class
  (:func:`rank_correlation`): how much of one model's ranking of the wrong classes the other keeps.
"""

from __future__ import annotations

import numpy as np


def _check(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels)
    if p.ndim != 2 or y.shape != (p.shape[0],) or p.shape[1] < 3:
        raise ValueError("probs must be (N, K) with K ≥ 3 and labels (N,)")
    return p, y.astype(np.int64)


def mean_probability_matrix(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(K, K): row t is the mean predicted distribution over the images whose true class is t."""
    p, y = _check(probs, labels)
    k = p.shape[1]
    counts = np.bincount(y, minlength=k).astype(np.float64)
    if np.any(counts == 0):
        raise ValueError("every class needs at least one image")
    sums = np.zeros((k, k))
    np.add.at(sums, y, p)
    return sums / counts[:, None]


def wrong_class_distribution(matrix: np.ndarray) -> np.ndarray:
    """(K, K − 1): each row of ``matrix`` without its diagonal entry, renormalised to sum to one."""
    m = np.asarray(matrix, dtype=np.float64)
    k = m.shape[0]
    off = m[~np.eye(k, dtype=bool)].reshape(k, k - 1)
    return off / off.sum(axis=1, keepdims=True)


def wrong_classes_of(k: int, true_class: int) -> list[int]:
    """The class indices of row ``true_class`` of :func:`wrong_class_distribution`, in order."""
    return [j for j in range(k) if j != true_class]


def wrong_class_entropy(distribution: np.ndarray) -> np.ndarray:
    """Entropy of each row divided by ln(number of columns): 1 = uniform (no structure), 0 = one class."""
    w = np.asarray(distribution, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(w > 0, w * np.log(w), 0.0)
    return -terms.sum(axis=1) / np.log(w.shape[1])


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + 1 + end) / 2.0
    return ranks


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's ρ of two vectors: the Pearson correlation of their average ranks (ties shared)."""
    ra, rb = _average_ranks(np.asarray(a, dtype=np.float64)), _average_ranks(np.asarray(b, dtype=np.float64))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra ** 2).sum() * (rb ** 2).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def wrong_class_ranking(probs: np.ndarray, true_class: int, classes: list[str]) -> list[tuple[str, float]]:
    """One image's wrong classes, most probable first: ``[(name, probability), …]`` without ``true_class``.

    ``true_class`` is the class to leave out — on an upload, the model's own top class.
    """
    p = np.asarray(probs, dtype=np.float64)
    order = [j for j in np.argsort(-p, kind="mergesort") if j != true_class]
    return [(classes[j], float(p[j])) for j in order]


def summary(probs_by_model: dict[str, np.ndarray], labels: np.ndarray, classes: list[str]) -> dict:
    """Everything the page shows, for JSON: per model M, W and the entropies; per class the two models' ρ."""
    models = {}
    for name, probs in probs_by_model.items():
        matrix = mean_probability_matrix(probs, labels)
        wrong = wrong_class_distribution(matrix)
        entropy = wrong_class_entropy(wrong)
        models[name] = {"mean_probability": matrix.tolist(), "wrong_class_distribution": wrong.tolist(),
                        "normalised_entropy": entropy.tolist(), "mean_normalised_entropy": float(entropy.mean())}
    out: dict = {"classes": list(classes), "n": int(len(labels)), "models": models}
    names = list(probs_by_model)
    if len(names) == 2:
        a, b = (np.asarray(models[n]["wrong_class_distribution"]) for n in names)
        rho = [rank_correlation(a[t], b[t]) for t in range(len(classes))]
        out["rank_correlation"] = {"between": names, "per_class": rho, "mean": float(np.mean(rho))}
    return out
