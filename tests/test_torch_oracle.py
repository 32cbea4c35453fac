"""Our cross-entropy and targets against the trusted oracle, PyTorch's F.cross_entropy, in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from strategies import settings_with_logits, softmax

from lib.smoothing import (
    cross_entropy,
    cross_entropy_with_logits,
    entropy_floor,
    log_softmax,
    smoothed_target,
    to_pytorch_label_smoothing,
)


def torch_loss(logits: np.ndarray, true_class: int, label_smoothing: float) -> float:
    z = torch.tensor(logits[None, :], dtype=torch.float64)
    y = torch.tensor([true_class])
    return float(F.cross_entropy(z, y, label_smoothing=label_smoothing))


@hyp_settings(max_examples=200, deadline=None)
@given(settings_with_logits(), st.data())
def test_cross_entropy_matches_pytorch_in_both_conventions(case, data):
    k, eps, spread, logits = case
    true_class = data.draw(st.integers(min_value=0, max_value=k - 1), label="true_class")
    target = smoothed_target(k, eps, spread=spread, true_class=true_class)
    expected = torch_loss(logits, true_class, to_pytorch_label_smoothing(k, eps, spread=spread))
    assert cross_entropy_with_logits(target, logits) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert cross_entropy(target, softmax(logits)) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_pytorch_label_smoothing_is_the_all_convention():
    logits = np.array([2.0, -1.0, 0.5, 0.0, 3.0])
    ours = cross_entropy_with_logits(smoothed_target(5, 0.2, spread="all", true_class=1), logits)
    assert torch_loss(logits, 1, 0.2) == pytest.approx(ours, rel=1e-14)
    others = cross_entropy_with_logits(smoothed_target(5, 0.2, spread="others", true_class=1), logits)
    assert torch_loss(logits, 1, 0.2) != pytest.approx(others, rel=1e-6)


@pytest.mark.parametrize("k,eps", [(2, 0.3), (10, 0.1), (10, 0.85), (1000, 0.5)])
def test_label_smoothing_eps_k_over_k_minus_1_reproduces_others_convention(k, eps):
    rng = np.random.default_rng(k)
    logits = rng.normal(size=k) * 3
    ours = cross_entropy_with_logits(smoothed_target(k, eps, spread="others"), logits)
    assert torch_loss(logits, 0, eps * k / (k - 1)) == pytest.approx(ours, rel=1e-13)


def test_batched_pytorch_mean_matches_mean_of_our_losses():
    rng = np.random.default_rng(0)
    k, eps, n = 7, 0.15, 32
    logits, labels = rng.normal(size=(n, k)) * 4, rng.integers(0, k, size=n)
    ours = np.mean([cross_entropy_with_logits(smoothed_target(k, eps, true_class=int(y)), z)
                    for z, y in zip(logits, labels, strict=True)])
    theirs = F.cross_entropy(torch.tensor(logits), torch.tensor(labels), label_smoothing=eps)
    assert theirs.dtype == torch.float64
    assert float(theirs) == pytest.approx(ours, rel=1e-13)


@pytest.mark.parametrize("spread,expected", [("all", 0.5003), ("others", 0.5448)])
def test_pytorch_reaches_the_worked_example_floor_at_the_target(spread, expected):
    # Logits = log of the target: softmax gives back exactly ỹ, the minimiser.
    target = smoothed_target(10, 0.1, spread=spread)
    loss = torch_loss(np.log(target), 0, to_pytorch_label_smoothing(10, 0.1, spread=spread))
    assert loss == pytest.approx(entropy_floor(10, 0.1, spread=spread), abs=1e-14)
    assert round(loss, 4) == expected


@hyp_settings(max_examples=50, deadline=None)
@given(st.integers(2, 12).flatmap(lambda k: st.lists(st.lists(st.floats(-700, 700), min_size=k, max_size=k),
                                                     min_size=1, max_size=6)))
def test_log_softmax_matches_pytorch_for_one_vector_and_for_a_batch(rows):
    batch = np.asarray(rows, dtype=np.float64)
    expected = F.log_softmax(torch.tensor(batch, dtype=torch.float64), dim=-1).numpy()
    np.testing.assert_allclose(log_softmax(batch), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(log_softmax(batch[0]), log_softmax(batch)[0])
