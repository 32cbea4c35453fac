"""lib.smoothing: the worked example, closed forms, properties over the valid range, error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from strategies import logit_vectors, settings, settings_with_logits, small_class_counts, softmax, spreads

from lib.smoothing import (
    ce_vs_logit_gap,
    ce_vs_true_prob,
    convert_eps,
    cross_entropy,
    cross_entropy_with_logits,
    entropy_floor,
    floor_curve,
    floor_grid,
    from_pytorch_label_smoothing,
    kl_divergence,
    kl_vs_true_prob,
    max_eps,
    optimal_logit_gap,
    smoothed_target,
    target_values,
    to_pytorch_label_smoothing,
)


# --------------------------------------------------------------------------------------------- worked example
def test_worked_example_floor_is_0_5003_nats_in_pytorch_convention():
    assert round(entropy_floor(10, 0.1, spread="all"), 4) == 0.5003
    expected = -(0.91 * math.log(0.91) + 9 * 0.01 * math.log(0.01))
    assert entropy_floor(10, 0.1) == pytest.approx(expected, abs=1e-15)


def test_worked_example_floor_is_0_5448_nats_in_others_convention():
    assert round(entropy_floor(10, 0.1, spread="others"), 4) == 0.5448
    expected = -(0.9 * math.log(0.9) + 9 * (0.1 / 9) * math.log(0.1 / 9))
    assert entropy_floor(10, 0.1, spread="others") == pytest.approx(expected, abs=1e-15)


def test_worked_example_targets_in_both_conventions():
    np.testing.assert_allclose(smoothed_target(10, 0.1), [0.91] + [0.01] * 9, rtol=0, atol=1e-15)
    np.testing.assert_allclose(smoothed_target(10, 0.1, spread="others"), [0.9] + [0.1 / 9] * 9, rtol=0,
                               atol=1e-15)


def test_smoothed_target_is_float64_with_true_class_where_asked():
    target = smoothed_target(4, 0.2, true_class=2)
    assert target.dtype == np.float64 and target.shape == (4,)
    assert int(np.argmax(target)) == 2
    assert target[2] == pytest.approx(0.85) and target[0] == pytest.approx(0.05)


def test_entropy_floor_returns_a_python_float():
    assert type(entropy_floor(10, 0.1)) is float


# --------------------------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("spread", ["all", "others"])
@pytest.mark.parametrize("k", [2, 3, 10, 1000])
def test_no_smoothing_has_floor_zero(k, spread):
    assert entropy_floor(k, 0.0, spread=spread) == 0.0


@pytest.mark.parametrize("k", [2, 3, 10, 1000])
def test_uniform_target_has_floor_ln_k(k):
    # The end of the valid range in either convention is the uniform target.
    assert entropy_floor(k, 1.0, spread="all") == pytest.approx(math.log(k), rel=1e-14)
    assert entropy_floor(k, (k - 1) / k, spread="others") == pytest.approx(math.log(k), rel=1e-14)
    np.testing.assert_allclose(smoothed_target(k, (k - 1) / k, spread="others"), np.full(k, 1 / k), rtol=1e-14)


@pytest.mark.parametrize("k,eps", [(2, 0.1), (10, 0.1), (10, 0.5), (1000, 0.01), (1000, 0.9)])
def test_optimal_gap_matches_closed_forms(k, eps):
    assert optimal_logit_gap(k, eps, spread="all") == pytest.approx(math.log(1 + k * (1 - eps) / eps), rel=1e-14)
    assert optimal_logit_gap(k, eps, spread="others") == pytest.approx(
        math.log((1 - eps) * (k - 1) / eps), rel=1e-14)


def test_worked_example_optimal_gaps():
    assert optimal_logit_gap(10, 0.1) == pytest.approx(math.log(91), rel=1e-15)
    assert optimal_logit_gap(10, 0.1, spread="others") == pytest.approx(math.log(81), rel=1e-15)


def test_one_hot_has_no_finite_optimal_gap():
    assert optimal_logit_gap(10, 0.0) == math.inf
    assert optimal_logit_gap(10, 0.0, spread="others") == math.inf


def test_one_hot_loss_keeps_falling_as_the_gap_grows():
    losses = ce_vs_logit_gap(10, 0.0, np.linspace(0, 40, 81))
    assert np.all(np.diff(losses) < 0)


def test_pytorch_label_smoothing_eps_k_over_k_minus_1_reproduces_others_target():
    k, eps = 10, 0.1
    ls = to_pytorch_label_smoothing(k, eps, spread="others")
    assert ls == pytest.approx(eps * k / (k - 1))
    np.testing.assert_allclose(smoothed_target(k, ls, spread="all"), smoothed_target(k, eps, spread="others"),
                               rtol=0, atol=1e-15)
    assert from_pytorch_label_smoothing(k, ls, spread="others") == pytest.approx(eps)
    assert to_pytorch_label_smoothing(k, eps, spread="all") == eps


def test_max_eps_is_where_the_true_class_stops_being_most_likely():
    assert max_eps(10, spread="all") == 1.0
    assert max_eps(10, spread="others") == pytest.approx(0.9)
    on, off = target_values(10, 0.9, spread="others")
    assert on == pytest.approx(off)


def test_floor_curve_is_nan_past_the_valid_range_and_matches_entropy_floor_inside():
    eps = np.array([0.0, 0.1, 0.5, 0.95])
    curve = floor_curve(10, eps, spread="others")
    assert np.isnan(curve[3])
    np.testing.assert_allclose(curve[:3], [entropy_floor(10, e, spread="others") for e in eps[:3]], rtol=1e-14)
    grid = floor_grid(np.array([2, 10]), eps, spread="all")
    assert grid.shape == (2, 4) and grid[1, 1] == pytest.approx(entropy_floor(10, 0.1))


def test_zero_log_zero_counts_as_zero():
    assert cross_entropy(smoothed_target(3, 0.0), np.array([0.5, 0.5, 0.0])) == pytest.approx(math.log(2))
    assert kl_divergence(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0


def test_zero_probability_on_a_target_class_costs_infinite_loss():
    assert cross_entropy(smoothed_target(3, 0.3), np.array([1.0, 0.0, 0.0])) == math.inf


# --------------------------------------------------------------------------------------------- properties
@given(settings())
def test_targets_sum_to_one_and_favour_the_true_class(setting):
    k, eps, spread = setting
    target = smoothed_target(k, eps, spread=spread)
    assert target.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(target >= 0.0)
    assert target[0] >= target[1:].max() - 1e-15


@given(settings())
def test_entropy_floor_lies_between_zero_and_ln_k(setting):
    k, eps, spread = setting
    assert -1e-15 <= entropy_floor(k, eps, spread=spread) <= math.log(k) + 1e-12


@given(settings_with_logits())
def test_cross_entropy_never_below_entropy_floor(case):
    k, eps, spread, logits = case
    target, probs = smoothed_target(k, eps, spread=spread), softmax(logits)
    gap = cross_entropy(target, probs) - entropy_floor(k, eps, spread=spread)
    # Pinsker: KL ≥ ½‖ỹ − p‖₁², so the excess is zero only at p = ỹ.
    assert gap >= 0.5 * np.abs(target - probs).sum() ** 2 - 1e-9


@given(settings(small_class_counts))
def test_cross_entropy_equals_floor_at_the_target(setting):
    k, eps, spread = setting
    target = smoothed_target(k, eps, spread=spread)
    assert cross_entropy(target, target) == pytest.approx(entropy_floor(k, eps, spread=spread), abs=1e-12)
    assert kl_divergence(target, target) == pytest.approx(0.0, abs=1e-12)


@given(settings_with_logits())
def test_kl_divergence_is_never_negative_and_closes_the_gap(case):
    k, eps, spread, logits = case
    target, probs = smoothed_target(k, eps, spread=spread), softmax(logits)
    kl = kl_divergence(target, probs)
    assert kl >= 0.0
    assert cross_entropy(target, probs) == pytest.approx(entropy_floor(k, eps, spread=spread) + kl,
                                                         rel=1e-9, abs=1e-9)


@given(settings_with_logits(), st.floats(min_value=-1e3, max_value=1e3, allow_nan=False))
def test_loss_is_invariant_to_a_logit_shift(case, shift):
    k, eps, spread, logits = case
    target = smoothed_target(k, eps, spread=spread)
    assert cross_entropy_with_logits(target, logits + shift) == pytest.approx(
        cross_entropy_with_logits(target, logits), rel=1e-9, abs=1e-9)


@given(settings(), st.floats(min_value=0.0, max_value=1.0))
def test_loss_curve_over_p_is_floor_plus_kl_and_minimal_at_target(setting, p):
    k, eps, spread = setting
    on, _ = target_values(k, eps, spread=spread)
    floor = entropy_floor(k, eps, spread=spread)
    ps = np.array([p, on])
    ce, kl = ce_vs_true_prob(k, eps, ps, spread=spread), kl_vs_true_prob(k, eps, ps, spread=spread)
    if np.isfinite(ce[0]):
        assert ce[0] == pytest.approx(floor + kl[0], rel=1e-9, abs=1e-9)
        assert ce[0] >= floor - 1e-12
    if on < 1.0:  # for ε below ~1e-16, p = 1 − ε rounds to 1 and the minimiser is not representable
        assert ce[1] == pytest.approx(floor, abs=1e-12)


@given(settings())
def test_loss_at_optimal_gap_is_the_floor_and_nowhere_lower(setting):
    k, eps, spread = setting
    gap = optimal_logit_gap(k, eps, spread=spread)
    if not math.isfinite(gap):
        return
    floor = entropy_floor(k, eps, spread=spread)
    around = ce_vs_logit_gap(k, eps, np.array([gap - 0.5, gap, gap + 0.5]), spread=spread)
    assert around[1] == pytest.approx(floor, rel=1e-12, abs=1e-12)
    assert around[0] >= around[1] - 1e-12 and around[2] >= around[1] - 1e-12


@given(settings(), spreads)
def test_converting_eps_between_conventions_keeps_the_target(setting, to_spread):
    k, eps, spread = setting
    converted = convert_eps(k, eps, from_spread=spread, to_spread=to_spread)
    np.testing.assert_allclose(smoothed_target(k, converted, spread=to_spread),
                               smoothed_target(k, eps, spread=spread), rtol=0, atol=1e-12)


@hyp_settings(max_examples=30)
@given(small_class_counts.flatmap(lambda k: logit_vectors(k, bound=700.0)))
def test_log_softmax_survives_huge_logits(logits):
    target = smoothed_target(len(logits), 0.1)
    assert math.isfinite(cross_entropy_with_logits(target, logits))


# --------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("k,message", [
    (1, "at least 2"), (0, "at least 2"), (-5, "at least 2"), (2.5, "whole number"), (True, "whole number"),
    ("10", "whole number"), (float("nan"), "whole number"), (None, "whole number"),
])
def test_invalid_class_count_is_explained(k, message):
    with pytest.raises(ValueError, match=message):
        entropy_floor(k, 0.1)


def test_integral_float_class_count_is_accepted():
    assert entropy_floor(10.0, 0.1) == entropy_floor(10, 0.1)


@pytest.mark.parametrize("eps,message", [
    (float("nan"), "NaN"), (-0.1, "must be ≥ 0"), (1.5, "must be ≤ 1"), ("0.1", "must be a number"),
    (None, "must be a number"),
])
def test_invalid_eps_is_explained(eps, message):
    with pytest.raises(ValueError, match=message):
        smoothed_target(10, eps)


def test_eps_past_the_others_limit_names_the_limit():
    with pytest.raises(ValueError, match=r"\(K−1\)/K = 0\.9.*less probability than each other class"):
        entropy_floor(10, 0.95, spread="others")


def test_unknown_convention_is_explained():
    with pytest.raises(ValueError, match='"all".*"others"'):
        entropy_floor(10, 0.1, spread="both")  # type: ignore[arg-type]


def test_true_class_out_of_range_is_explained():
    with pytest.raises(ValueError, match="from 0 to K−1 = 9"):
        smoothed_target(10, 0.1, true_class=10)


@pytest.mark.parametrize("probs,message", [
    (np.array([0.5, 0.6]), "sum to 1"), (np.array([1.5, -0.5]), "negative"), (np.array([np.nan, 1.0]), "NaN"),
    (np.array([1.0]), "K ≥ 2"), (np.array([0.2, 0.3, 0.5]), "same number of classes"),
])
def test_invalid_probabilities_are_explained(probs, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(np.array([0.9, 0.1]), probs)


def test_other_spread_names_the_convention_beside_the_current_one():
    from lib.smoothing import CONVENTIONS, SPREADS, other_spread

    assert [other_spread(s) for s in SPREADS] == ["others", "all"]
    assert set(CONVENTIONS) == set(SPREADS) and all(CONVENTIONS[s].spread == s for s in SPREADS)


def test_the_convention_table_gives_every_name_the_app_shows():
    from lib.smoothing import CONVENTIONS

    assert CONVENTIONS["all"].label == '"all" (PyTorch)' and CONVENTIONS["others"].label == '"others" (fairseq)'
    assert CONVENTIONS["all"].legend == '"all" (PyTorch, Keras, optax)'
    assert CONVENTIONS["others"].meaning == '"others": ε spread over the K − 1 wrong classes only'
    assert CONVENTIONS["all"].summary == ('"all": ε spread over all K classes, the true one included: ỹ_true = '
                                          "1 − ε + ε/K, others ε/K (PyTorch, Keras, optax, Szegedy et al. 2016).")
