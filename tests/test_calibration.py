"""ECE, reliability bins, NLL and temperature scaling against hand-computed cases and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib.calibration import (
    calibration_report,
    expected_calibration_error,
    fit_temperature,
    nll,
    reliability_bins,
    smoothed_loss,
)


def test_ece_matches_a_hand_computed_case():
    # Bins of width 0.5: (0, 0.5] holds 0.2 and 0.4 (one right) → |0.5 − 0.3| = 0.2, weight 2/5;
    # (0.5, 1] holds 0.6, 0.9, 1.0 (two right) → |2/3 − 2.5/3| = 1/6, weight 3/5.
    conf = np.array([0.2, 0.4, 0.6, 0.9, 1.0])
    hit = np.array([1, 0, 1, 0, 1])
    bins = reliability_bins(conf, hit, n_bins=2)
    assert bins.count == [2, 3]
    assert bins.accuracy == pytest.approx([0.5, 2 / 3])
    assert bins.confidence == pytest.approx([0.3, 2.5 / 3])
    assert bins.ece == pytest.approx(2 / 5 * 0.2 + 3 / 5 * (1 / 6))


def test_bins_are_right_closed_and_empty_bins_are_none():
    bins = reliability_bins(np.array([0.0, 0.5, 0.5000001]), np.array([1, 1, 0]), n_bins=2)
    assert bins.count == [2, 1]  # 0.0 and 0.5 fall in (0, 0.5]; the next value in (0.5, 1]
    sparse = reliability_bins(np.array([0.95]), np.array([1]), n_bins=15)
    assert sparse.count[-1] == 1 and sparse.accuracy[0] is None and sum(sparse.count) == 1


def test_perfectly_calibrated_predictions_have_zero_ece():
    probs = np.array([[0.75, 0.25]] * 4)
    labels = np.array([0, 0, 0, 1])
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0)


def test_invalid_confidences_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reliability_bins(np.array([1.5]), np.array([1]))
    with pytest.raises(ValueError, match="non-empty"):
        reliability_bins(np.array([]), np.array([]))


def test_nll_and_smoothed_loss_match_pytorch():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (64, 10))
    labels = rng.integers(0, 10, 64)
    t_logits, t_labels = torch.from_numpy(logits), torch.from_numpy(labels)
    assert nll(logits, labels) == pytest.approx(float(F.cross_entropy(t_logits, t_labels)), abs=1e-12)
    expected = float(F.cross_entropy(t_logits, t_labels, label_smoothing=0.1))
    assert smoothed_loss(logits, labels, 0.1) == pytest.approx(expected, abs=1e-12)


def sample_labels(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    return np.array([rng.choice(len(p), p=p) for p in probs])


def test_temperature_scaling_lowers_nll_of_an_overconfident_model():
    rng = np.random.default_rng(1)
    n, k = 4000, 10
    # Labels drawn from softmax(calibrated) make those logits calibrated by construction; sharpening
    # them 3× gives an over-confident model with the same argmax.
    calibrated = rng.normal(0, 2, (n, k))
    labels = sample_labels(calibrated, rng)
    overconfident = 3.0 * calibrated
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(3.0, rel=0.1)
    assert nll(overconfident / temperature, labels) < nll(overconfident, labels) - 0.2
    before = calibration_report(overconfident, labels, 0.0)
    after = calibration_report(overconfident / temperature, labels, 0.0)
    assert after["ece"] < before["ece"] / 3
    assert after["accuracy"] == before["accuracy"]  # temperature never changes the argmax


def test_fitted_temperature_minimises_nll():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 4, (2000, 5))
    labels = sample_labels(logits / 2.5, rng)  # the data's own temperature is 2.5
    t = fit_temperature(logits, labels)
    assert 2.0 < t < 3.0
    best = nll(logits / t, labels)
    assert best <= nll(logits / (t * 1.01), labels) and best <= nll(logits / (t * 0.99), labels)
