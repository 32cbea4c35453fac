"""lib.training.toy: the train-it-yourself classifier reaches the floor and the closed-form optimum, each of its
steps is the step PyTorch takes, and the race of ε = 0 against ε shows one gap stopping and the other not."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import toy_classes, toy_smoothing, toy_smoothing_or_none

from lib.smoothing import entropy_floor, optimal_logit_gap
from lib.training import toy

STEPS = 300  # what the tests train; the page trains 100 per click, and the curves level off within 100

toy_k = toy_classes
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


# --------------------------------------------------------------------------------------------- the race
RACES: dict[tuple[int, float], toy.Race] = {}


def raced(K: int, eps: float) -> toy.Race:
    """toy.race, once per (K, ε) in this module: several properties are checked on the same draw."""
    if (K, eps) not in RACES:
        RACES[K, eps] = toy.race(K, eps)
    return RACES[K, eps]


@given(toy_classes, toy_smoothing_or_none)
@settings(max_examples=6, deadline=None)
def test_both_runs_start_from_the_same_data_and_model_and_take_plain_steps(K, eps):
    race = raced(K, eps)
    one_hot, smoothed = race.states
    assert np.array_equal(one_hot.x, smoothed.x) and np.array_equal(one_hot.y, smoothed.y)
    assert (one_hot.config.eps, smoothed.config.eps) == (0.0, eps)
    assert one_hot.config.lr == smoothed.config.lr == toy.RACE_LR
    for curves in (race.one_hot, race.smoothed):
        assert curves["loss"][0] == pytest.approx(math.log(K)) and curves["gap"][0] == 0.0
        assert curves["confidence"][0] == pytest.approx(1 / K)
    # Each run is the toy's own training from its untrained start, seen every `pace` steps (at least one).
    frames = race.one_hot["step"].astype(int)
    assert frames[0] == 0 and (np.diff(frames) >= 1).all() and np.diff(frames).max() - np.diff(frames).min() <= 1
    assert np.array_equal(race.smoothed["step"], race.one_hot["step"])
    for run, curves in zip(race.states, (race.one_hot, race.smoothed), strict=True):
        alone = toy.train(toy.start(run.config), int(frames[-1]))
        assert np.array(alone.history["gap"])[frames] == pytest.approx(curves["gap"], abs=1e-12)
        assert np.array(alone.history["loss"])[frames] == pytest.approx(curves["loss"], abs=1e-12)


@given(toy_classes, toy_smoothing)
@settings(max_examples=6, deadline=None)
def test_the_one_hot_gap_keeps_growing_after_the_smoothed_gap_has_stopped(K, eps):
    race = raced(K, eps)
    gap = race.one_hot["gap"]
    assert (np.diff(gap) > 0).all()  # every frame, to the last
    settle_frame = toy.settle_frame(race)
    assert gap[-1] - gap[settle_frame] > 0.5  # in nats, after the smoothed run stopped: visibly on the way up
    assert gap[-1] > race.smoothed["gap"][-1] and gap[-1] > optimal_logit_gap(K, eps)


@given(toy_classes, toy_smoothing)
@settings(max_examples=6, deadline=None)
def test_the_smoothed_gap_converges_to_gap_star_and_stays(K, eps):
    race = raced(K, eps)
    star = optimal_logit_gap(K, eps)
    gap = race.smoothed["gap"]
    settle_frame = toy.settle_frame(race)
    assert np.abs(gap[settle_frame:] - star).max() <= toy.SETTLE_TOL * star
    assert np.abs(gap[:settle_frame] - star).min() > toy.SETTLE_TOL * star  # not in the band before it
    assert gap.max() <= star * (1 + toy.SETTLE_TOL)  # approaches from below, never overshoots
    assert gap[-1] == pytest.approx(star, rel=toy.SETTLE_TOL)  # the noisy points keep it off gap* by ~0.2%
    assert race.smoothed["confidence"][-1] == pytest.approx(1 - eps + eps / K, abs=0.005)
    assert toy.settled(race, settle_frame) and not toy.settled(race, settle_frame - 1)


@given(toy_classes, toy_smoothing)
@settings(max_examples=6, deadline=None)
def test_the_smoothed_run_settles_about_ten_seconds_into_the_race(K, eps):
    race = raced(K, eps)
    settle_frame = toy.settle_frame(race)
    if race.settle_step >= toy.SETTLE_FRAMES:
        assert settle_frame == toy.SETTLE_FRAMES  # 10 s at four frames a second
    else:  # one step a frame is the slowest pace: a run that settles in fewer steps settles sooner
        assert settle_frame == race.settle_step and race.pace == 1
    assert toy.SETTLE_FRAMES * toy.FRAME_SECONDS == 10.0
    assert race.frames == toy.RACE_FRAMES and settle_frame < 0.5 * race.frames


@given(toy_classes, toy_smoothing_or_none)
@settings(max_examples=6, deadline=None)
def test_each_loss_stays_above_its_own_floor(K, eps):
    race = raced(K, eps)
    one_hot, smoothed = race.states
    assert min(one_hot.history["loss"]) > 0.0  # ε = 0: the floor is 0, reached only as the gap goes to infinity
    assert min(smoothed.history["loss"]) >= entropy_floor(K, eps) - 1e-12  # every step, not just every frame
    assert race.one_hot["loss"][-1] < race.smoothed["loss"][-1] or eps == 0


def test_with_eps_zero_both_runs_are_the_one_hot_run_at_the_pace_of_eps_0_1():
    race = toy.race(5, 0.0)
    assert race.settle_step is None and not toy.settled(race, race.frames)
    for key in ("loss", "gap", "confidence"):
        assert np.array_equal(race.one_hot[key], race.smoothed[key])
    assert race.pace == toy.race(5, toy.PACE_EPS).pace and toy.settle_frame(race) is None


@pytest.mark.parametrize("K, eps", [(2, 0.01), (20, 0.01), (20, 0.5)])
def test_the_slider_corners_race_to_the_end_and_settle(K, eps):
    race = raced(K, eps)
    assert race.settle_step is not None and race.frames == toy.RACE_FRAMES
    assert race.smoothed["gap"][-1] == pytest.approx(optimal_logit_gap(K, eps), rel=toy.SETTLE_TOL)


def test_frame_values_are_both_runs_at_that_frame_beside_their_references():
    race = raced(5, 0.1)
    v = toy.frame_values(race, 10)
    assert v["one_hot"]["gap"] == race.one_hot["gap"][10] and v["smoothed"]["loss"] == race.smoothed["loss"][10]
    assert v["one_hot"]["floor"] == 0.0 and math.isinf(v["one_hot"]["gap_optimum"])
    assert v["one_hot"]["confidence_target"] == 1.0
    assert v["smoothed"]["floor"] == pytest.approx(entropy_floor(5, 0.1))
    assert v["smoothed"]["confidence_target"] == pytest.approx(0.92)
    assert toy.frame_values(race, 10_000)["one_hot"]["step"] == race.one_hot["step"][-1]  # clamped


def test_settle_step_is_the_first_entry_into_the_band():
    assert toy.settle_step([0.0, 5.0, 9.0, 9.95, 10.0], 10.0) == 3
    assert toy.settle_step([0.0, 5.0], 10.0) is None
    assert toy.settle_step([0.0, 5.0], math.inf) is None


@pytest.mark.parametrize("frame, playing, action, expected", [
    (5, False, "play", (5, True)),
    (100, False, "play", (0, True)),  # at the end, Play plays it again
    (5, True, "pause", (5, False)),
    (5, True, "step", (6, False)),  # a step pauses
    (100, False, "step", (100, False)),
    (50, False, "start", (0, True)),
    (5, True, "tick", (6, True)),
    (99, True, "tick", (100, False)),  # the last frame stops the race
    (5, False, "tick", (5, False)),  # a late tick after Pause changes nothing
    (-3, False, "pause", (0, False)),
])
def test_controls_move_the_frame_and_start_or_stop_the_race(frame, playing, action, expected):
    assert toy.control(frame, playing, action, last=100) == expected


def test_an_unknown_control_or_an_off_grid_setting_is_refused_with_a_message():
    with pytest.raises(ValueError, match="action must be one of"):
        toy.control(0, False, "jump")
    with pytest.raises(ValueError, match="K = 2–20"):
        toy.race(50, 0.1)
    with pytest.raises(ValueError, match="steps of 0.01"):
        toy.race(5, 0.123)
