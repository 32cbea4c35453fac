"""Each framework's call trains against the target the pages show: its source's rule, as a lib function,
against lib.smoothing, and each loss as its source writes it, in torch float64, against our cross-entropy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explainer import frameworks
from lib.smoothing import cross_entropy_with_logits, smoothed_target
from tests.strategies import settings as smoothing_settings


def loss_as_written(key: str, logits: torch.Tensor, target: torch.Tensor, a: float) -> torch.Tensor:
    """One sample's loss, transcribed from each framework's source (module docstring of lib.explainer.frameworks)."""
    lprobs = F.log_softmax(logits, dim=-1)
    k = lprobs.shape[-1]
    nll = -lprobs.gather(-1, target[:, None]).squeeze(-1)
    if key == "pytorch":
        return F.cross_entropy(logits, target, label_smoothing=a)
    if key in ("keras", "optax"):
        labels = F.one_hot(target, k).double() * (1.0 - a) + a / k
        return -(labels * lprobs).sum(-1)
    if key in ("transformers", "timm"):
        return (1 - a) * nll + a * (-lprobs.mean(-1))
    if key == "fairseq":
        eps_i = a / (k - 1)
        return (1.0 - a - eps_i) * nll + eps_i * (-lprobs.sum(-1))
    raise AssertionError(key)


@settings(max_examples=40, deadline=None)
@given(smoothing_settings(st.integers(2, 60)), st.sampled_from([f.key for f in frameworks.FRAMEWORKS]),
       st.integers(0, 2**32 - 1))
def test_every_frameworks_call_trains_against_the_pages_target(setting, key, seed):
    K, eps, spread = setting
    arg = frameworks.framework_argument(key, K, eps, spread=spread)
    ours = smoothed_target(K, eps, spread=spread)
    np.testing.assert_allclose(frameworks.framework_target(key, K, arg), ours, atol=1e-12)
    logits = np.random.default_rng(seed).normal(scale=3.0, size=K)
    loss = loss_as_written(key, torch.tensor(logits[None]), torch.tensor([0]), arg)
    assert float(loss) == pytest.approx(cross_entropy_with_logits(ours, logits), rel=1e-9, abs=1e-12)


def test_worked_example_calls():
    assert frameworks.framework_call("pytorch", 10, 0.1) == "torch.nn.CrossEntropyLoss(label_smoothing=0.1)"
    assert frameworks.framework_call("pytorch", 10, 0.1, spread="others") == \
        "torch.nn.CrossEntropyLoss(label_smoothing=0.1111111111111111)"
    assert frameworks.framework_call("fairseq", 10, 0.1, spread="others").endswith("--label-smoothing 0.1")
    assert frameworks.framework_call("fairseq", 10, 0.1).endswith("--label-smoothing 0.09")
    assert "one_hot(labels, 10), alpha=0.1" in frameworks.framework_call("optax", 10, 0.1)


def test_conventions_read_from_the_sources():
    assert {f.key: f.convention for f in frameworks.FRAMEWORKS} == {
        "pytorch": "all", "keras": "all", "optax": "all", "transformers": "all", "timm": "all",
        "fairseq": "others"}
    table = frameworks.calls(5, 0.2, spread="others")
    assert [row["framework"] for row in table][0] == "PyTorch" and len(table) == 6
