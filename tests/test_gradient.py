"""∂L/∂z = p − ỹ against torch.autograd in float64, and the shape of the push on the true logit."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explainer import gradient
from lib.smoothing import optimal_logit_gap, smoothed_target, to_pytorch_label_smoothing
from tests.strategies import settings as smoothing_settings


def autograd_gradient(K: int, eps: float, gap: float, spread: str) -> np.ndarray:
    logits = torch.tensor(gradient.gap_logits(K, gap), dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits[None], torch.tensor([0]),
                                             label_smoothing=to_pytorch_label_smoothing(K, eps, spread=spread))
    loss.backward()
    return logits.grad.numpy()


@settings(max_examples=60, deadline=None)
@given(smoothing_settings(st.integers(2, 200)), st.floats(-30, 40))
def test_gradient_equals_pytorch_autograd(setting, gap):
    K, eps, spread = setting
    ours = gradient.logit_gradient(K, eps, gap, spread=spread)
    np.testing.assert_allclose(ours, autograd_gradient(K, eps, gap, spread), atol=1e-12, rtol=1e-9)
    assert abs(ours.sum()) < 1e-12


def test_worked_example_gradient_vanishes_at_the_optimal_gap():
    gap = optimal_logit_gap(10, 0.1)  # ln 91
    grad = gradient.logit_gradient(10, 0.1, gap)
    np.testing.assert_allclose(grad, 0.0, atol=1e-15)
    assert math.isclose(gradient.true_class_gradient(10, 0.1, 0.0), 0.1 - 0.91)  # p_true = 1/10 at gap 0


def test_push_changes_sign_at_the_optimum_with_smoothing_and_never_with_one_hot():
    gaps = np.linspace(-5, 30, 701)
    for spread in ("all", "others"):
        push = gradient.push_on_true_logit(10, 0.1, gaps, spread=spread)
        star = optimal_logit_gap(10, 0.1, spread=spread)
        assert np.all(push[gaps < star - 1e-6] > 0) and np.all(push[gaps > star + 1e-6] < 0)
    one_hot = gradient.push_on_true_logit(10, 0.0, gaps)
    assert np.all(one_hot > 0) and one_hot[-1] < 1e-11
    assert np.all(np.diff(one_hot) < 0)


def test_no_overflow_at_extreme_gaps():
    values = gradient.true_class_gradient(5, 0.2, np.array([-800.0, 800.0]))
    target = smoothed_target(5, 0.2)
    np.testing.assert_allclose(values, [-target[0], 1 - target[0]])


def test_the_section_starts_just_past_the_optimum_on_the_sliders_grid():
    assert gradient.starting_gap(10, 0.1) == round(optimal_logit_gap(10, 0.1) + 1.5, 1) == 6.0
    assert gradient.starting_gap(10, 0.0) == 6.0  # one-hot: no finite optimum
    assert gradient.starting_gap(1000, 1e-8) == gradient.GAP_MAX  # the optimum (gap 25.3) lies past the range
