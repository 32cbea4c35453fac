"""lib.training.toy: the train-it-yourself classifier reaches the floor and the closed-form optimum, and each of
its steps is the step PyTorch takes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.smoothing import entropy_floor, optimal_logit_gap
from lib.training import toy, words

STEPS = 300  # what the tests train; the page trains 100 per click, and the curves level off within 100

toy_k = st.integers(toy.K_MIN, 10)  # up to 10 keeps a draw well under a second on a shared core
toy_eps = st.integers(2, 50).map(lambda n: n / 100)  # ε > 0 on the slider's grid


def trained(K: int, eps: float, steps: int = STEPS) -> toy.ToyState:
    return toy.train(toy.start(toy.ToyConfig(K=K, eps=eps)), steps)


@given(toy_k, toy_eps)
@settings(max_examples=6, deadline=None)
def test_loss_reaches_within_one_percent_of_the_floor_on_separable_data(K, eps):
    s = toy.summary(trained(K, eps))
    assert s["floor"] == pytest.approx(entropy_floor(K, eps))
    assert s["floor"] <= s["loss"] <= 1.01 * s["floor"]


@given(toy_k, toy_eps)
@settings(max_examples=6, deadline=None)
def test_mean_logit_gap_approaches_the_closed_form_optimum(K, eps):
    s = toy.summary(trained(K, eps))
    assert s["gap_optimum"] == pytest.approx(optimal_logit_gap(K, eps))
    assert s["gap"] == pytest.approx(s["gap_optimum"], rel=0.02)


@pytest.mark.parametrize("K, eps", [(2, 0.01), (20, 0.01), (20, 0.5), (10, 0.1)])
def test_the_slider_corners_reach_floor_gap_and_confidence(K, eps):
    s = toy.summary(trained(K, eps))
    assert s["loss"] <= 1.01 * s["floor"]
    assert s["gap"] == pytest.approx(s["gap_optimum"], rel=0.02)
    # Confidence stays near ỹ_true = 1 − ε + ε/K, not at 1.
    assert s["confidence"] == pytest.approx(1 - eps + eps / K, abs=0.005)


@pytest.mark.parametrize("K, eps", [(2, 0.01), (20, 0.01), (5, 0.3)])
def test_smoothed_curves_approach_their_limits_without_overshooting(K, eps):
    state = trained(K, eps, 200)
    ref = toy.reference_lines(K, eps)
    assert max(state.history["confidence"]) <= ref["confidence"] + 1e-3  # never shoots up to 1 first
    assert max(state.history["gap"]) <= ref["gap"] * 1.01


def test_the_untrained_model_starts_at_ln_k_with_no_gap_and_uniform_confidence():
    state = toy.start(toy.ToyConfig(K=7, eps=0.2))
    assert state.history["step"] == [0]
    assert state.history["loss"][0] == pytest.approx(math.log(7))
    assert state.history["gap"][0] == 0.0
    assert state.history["confidence"][0] == pytest.approx(1 / 7)


@given(toy_k, st.integers(0, 50).map(lambda n: n / 100))
@settings(max_examples=8, deadline=None)
def test_training_loss_never_goes_below_the_entropy_floor(K, eps):
    state = trained(K, eps, steps=150)
    assert min(state.history["loss"]) >= entropy_floor(K, eps) - 1e-12


def test_without_smoothing_the_gap_keeps_growing_and_confidence_heads_for_one():
    long = trained(5, 0.0, 1200)
    gap, loss = np.array(long.history["gap"]), np.array(long.history["loss"])
    # No optimum to settle at: the gap only grows and the loss only falls.
    assert (np.diff(gap) > 0).all() and (np.diff(loss) < 0).all()
    assert gap[-1] > optimal_logit_gap(5, 0.01)  # already past where even ε = 0.01 would stop
    assert loss[-1] < 1e-3
    assert toy.summary(long)["confidence"] > 0.999
    assert math.isinf(toy.summary(long)["gap_optimum"])
    assert "no finite optimum" in words.toy_caption(long)


def test_measured_loss_matches_pytorch_cross_entropy_with_label_smoothing():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (50, 6))
    y = rng.integers(0, 6, 50)
    target = np.full((50, 6), 0.15 / 6)
    target[np.arange(50), y] += 0.85
    expected = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y), label_smoothing=0.15)
    assert toy.measure(z, y, target)["loss"] == pytest.approx(float(expected), abs=1e-12)


def test_each_step_is_pytorch_sgd_on_a_linear_layer():
    cfg = toy.ToyConfig(K=4, eps=0.1)
    state = toy.start(cfg)
    layer = torch.nn.Linear(4, 4, dtype=torch.float64)
    torch.nn.init.zeros_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(layer.parameters(), lr=cfg.lr)
    x, y = torch.from_numpy(state.x), torch.from_numpy(state.y)
    for _ in range(5):
        opt.zero_grad()
        F.cross_entropy(layer(x), y, label_smoothing=cfg.eps).backward()
        opt.step()
        state = toy.train(state, 1)
    # torch stores the weight as (out, in); ours is z = x W + b with W (in, out).
    assert state.W == pytest.approx(layer.weight.detach().numpy().T, abs=1e-12)
    assert state.b == pytest.approx(layer.bias.detach().numpy(), abs=1e-12)
    final = F.cross_entropy(layer(x), y, label_smoothing=cfg.eps).detach()
    assert state.history["loss"][-1] == pytest.approx(float(final), abs=1e-12)


def test_train_returns_a_new_state_and_leaves_the_old_one_untouched():
    before = toy.start(toy.ToyConfig(K=3, eps=0.1))
    after = toy.train(before, 10)
    assert before.step == 0 and len(before.history["loss"]) == 1 and not before.W.any()
    assert after.step == 10 and len(after.history["loss"]) == 11
    assert all(len(values) == 11 for values in after.history.values())


def test_training_stops_at_the_step_cap(monkeypatch):
    monkeypatch.setattr(toy, "MAX_STEPS", 25)
    state = toy.train(toy.start(toy.ToyConfig(K=3, eps=0.1)), 100)
    assert state.step == 25
    assert toy.train(state, 10).step == 25


def test_the_blobs_are_separable_by_their_class_centres():
    x, y = toy.make_blobs(6, 40, radius=1.0, noise=0.03, seed=3)
    assert x.shape == (240, 6) and np.bincount(y).tolist() == [40] * 6
    assert (x.argmax(axis=1) == y).all()


@pytest.mark.parametrize("K,eps", [(2, 0.01), (5, 0.1), (20, 0.5)])
def test_a_new_toy_opens_where_the_learner_can_watch_it_converge(K, eps):
    """Opened untrained, far above its floor: one Step visibly lowers the loss, Continue nearly reaches the floor."""
    opened = toy.advance(None, K, eps, None)
    floor = toy.reference_lines(K, eps)["floor"]
    above = opened.history["loss"][-1] - floor
    assert opened.step == 0 and above > 0.5
    assert toy.advance(opened, K, eps, "step").history["loss"][-1] - floor < 0.9 * above
    assert toy.advance(opened, K, eps, "continue").history["loss"][-1] - floor < 0.01 * above


def test_advance_does_what_the_buttons_say():
    first = toy.advance(None, 4, 0.1, None)
    assert first.step == toy.OPENING_STEPS and first.config.K == 4
    assert toy.advance(first, 4, 0.1, None) is first
    assert toy.advance(first, 4, 0.1, "step").step == toy.OPENING_STEPS + 1
    assert toy.advance(first, 4, 0.1, "continue").step == toy.OPENING_STEPS + toy.CHUNK
    again = toy.advance(first, 4, 0.1, "start")
    assert again.step == 0 and again.config.seed == first.config.seed + 1
    assert not np.array_equal(again.x, first.x)  # new data, not the same draw
    changed = toy.advance(first, 6, 0.1, "step")  # a new K restarts, whatever was clicked
    assert changed.config.K == 6 and changed.step == toy.OPENING_STEPS
    with pytest.raises(ValueError, match="action"):
        toy.advance(first, 4, 0.1, "jump")


@pytest.mark.parametrize("raw_k, raw_eps, expected, n_notes", [
    (None, None, (5, 0.1), 0),
    ("8", "0.25", (8, 0.25), 0),
    ("eight", "0.25", (5, 0.25), 1),
    ("100", "0.9", (20, 0.5), 2),
    ("1", "-0.1", (2, 0.0), 2),
    ("3.4", "0.123", (3, 0.12), 2),
    ("nan", "inf", (5, 0.1), 2),
])
def test_url_values_are_parsed_and_clamped_with_a_note_per_repair(raw_k, raw_eps, expected, n_notes):
    k, eps, notes = toy.parse_controls(raw_k, raw_eps)
    assert (k, eps) == expected
    assert len(notes) == n_notes


@given(st.text(max_size=30), st.text(max_size=30))
@settings(max_examples=100, deadline=None)
def test_parse_controls_never_raises_and_stays_in_range(raw_k, raw_eps):
    k, eps, notes = toy.parse_controls(raw_k, raw_eps)
    assert toy.K_MIN <= k <= toy.K_MAX and toy.EPS_MIN <= eps <= toy.EPS_MAX
    assert all("](" not in note for note in notes)


def test_caption_states_loss_floor_gap_and_confidence():
    state = trained(10, 0.1, 300)
    s = toy.summary(state)
    text = words.toy_caption(state, 0.123)
    assert "K = 10, ε = 0.1, after 300 steps on 600 points" in text and "0.12 s" in text
    assert f"floor H(ỹ) = {s['floor']:.4f} nats" in text and "0.5003" in text
    assert f"optimum ln(1 + K(1 − ε)/ε) = {s['gap_optimum']:.3f}" in text and "4.511" in text
    assert "target 1 − ε + ε/K = 0.9100" in text
