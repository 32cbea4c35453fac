"""lib.cifar.torch_check: PyTorch's loss at the optimal logits equals our entropy floor."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from lib.cifar.torch_check import (
    check_floor_with_pytorch,
    check_gradient_with_pytorch,
    optimal_logits,
    pytorch_cross_entropy,
)
from lib.smoothing import entropy_floor, optimal_logit_gap


@pytest.mark.parametrize("spread,floor", [("all", 0.5003), ("others", 0.5448)])
def test_pytorch_loss_at_optimum_equals_worked_example_floor(spread, floor):
    check = check_floor_with_pytorch(10, 0.1, spread=spread)
    assert round(check.pytorch_loss, 4) == floor
    assert check.abs_difference < 1e-12
    assert check.floor == entropy_floor(10, 0.1, spread=spread)
    assert check.logit_gap == optimal_logit_gap(10, 0.1, spread=spread)


def test_others_check_hands_pytorch_eps_k_over_k_minus_1():
    check = check_floor_with_pytorch(10, 0.1, spread="others")
    assert check.label_smoothing == pytest.approx(0.1 * 10 / 9)
    assert check_floor_with_pytorch(10, 0.1, spread="all").label_smoothing == 0.1


@pytest.mark.parametrize("k,eps,spread", [(2, 0.01, "all"), (2, 0.49, "others"), (1000, 0.99, "all"),
                                          (1000, 0.01, "others"), (37, 0.5, "others")])
def test_pytorch_loss_at_optimum_equals_floor_across_the_range(k, eps, spread):
    check = check_floor_with_pytorch(k, eps, spread=spread)
    assert check.pytorch_loss == pytest.approx(check.floor, rel=1e-12, abs=1e-12)


def test_moving_off_the_optimum_raises_the_pytorch_loss():
    logits = optimal_logits(10, 0.1)
    best = pytorch_cross_entropy(logits, 10, 0.1)
    for delta in (-0.5, 0.5):
        moved = [logits[0] + delta] + logits[1:]
        assert pytorch_cross_entropy(moved, 10, 0.1) > best


def test_one_hot_has_no_finite_optimum_to_check():
    with pytest.raises(ValueError, match="no finite optimum"):
        check_floor_with_pytorch(10, 0.0)


def test_wrong_number_of_logits_is_explained():
    with pytest.raises(ValueError, match="Expected 10 logits"):
        pytorch_cross_entropy([0.0, 1.0], 10, 0.1)


def test_code_snippet_reproduces_the_reported_loss():
    check = check_floor_with_pytorch(10, 0.1, spread="others")
    namespace: dict = {"torch": torch, "F": F, "math": math}
    exec(check.code().replace("print(loss.item())", "result = loss.item()"), namespace)  # noqa: S102
    assert namespace["result"] == check.pytorch_loss


@pytest.mark.parametrize("k,eps,spread,gap", [(10, 0.1, "all", 3.0), (10, 0.1, "others", 9.0), (2, 0.3, "all", -1.0),
                                              (1000, 0.05, "others", 12.0), (5, 0.0, "all", 4.0)])
def test_autograd_gradient_matches_p_minus_target(k, eps, spread, gap):
    check = check_gradient_with_pytorch(k, eps, gap, spread=spread)
    assert check.max_abs_difference < 1e-14
    assert check.pytorch_gradient[0] + (k - 1) * check.pytorch_gradient[1] == pytest.approx(0.0, abs=1e-14)
    namespace: dict = {}
    exec(check.code().replace("print(", "result = ("), namespace)
    assert namespace["result"].tolist() == list(check.pytorch_gradient)
