"""The figures' text alternatives (lib.explainer.words.*_caption) state the same numbers as lib computes."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lib.digits import for_people, nats
from lib.explainer import figures, words
from lib.smoothing import (
    entropy_floor,
    floor_grid,
    optimal_logit_gap,
    smoothed_target,
    target_values,
    to_pytorch_label_smoothing,
)

SETTINGS = [(2, 0.0, "all"), (10, 0.1, "all"), (10, 0.1, "others"), (5, 0.2, "others"), (1000, 0.99, "all")]


@pytest.mark.parametrize("K,eps,spread", SETTINGS)
def test_target_floor_and_curve_captions_carry_the_computed_values(K, eps, spread):
    on, off = target_values(K, eps, spread=spread)
    floor = entropy_floor(K, eps, spread=spread)
    bars = words.target_bars_caption(K, eps, spread=spread)
    assert f"the true class {for_people(on)}" in bars and f" {for_people(off)}" in bars
    curve = words.floor_curve_caption(K, eps, spread=spread)
    assert f"ln K = {nats(math.log(K))}" in curve and f"L_min = {nats(floor)}" in curve
    prob = words.ce_vs_prob_caption(K, eps, spread=spread)
    assert f"p = ỹ_true = {for_people(on)}," in prob and f"the floor, {nats(floor)}" in prob
    assert words.explainer_settings(K, eps, spread) in prob
    assert f"H(ỹ) = {nats(floor)}" in words.decomposition_caption(K, eps, spread=spread)


@pytest.mark.parametrize("K,eps,spread", SETTINGS)
def test_the_minimum_is_said_to_differ_from_p_1_only_where_it_does(K, eps, spread):
    """/loss_curves?K=2&eps=0 said "The minimum sits at p = ỹ_true = 1, not at p = 1"."""
    on, _ = target_values(K, eps, spread=spread)
    prob = words.ce_vs_prob_caption(K, eps, spread=spread)
    assert ("not at p = 1" in prob) == (on < 1)
    if eps == 0:
        assert "one-hot" in prob
        assert "keeps falling until p = ỹ_true = 1, where the minimum is the floor, 0 nats" in prob


@pytest.mark.parametrize("K,eps,spread", SETTINGS)
def test_gap_caption_states_the_optimal_gap_or_that_there_is_none(K, eps, spread):
    text = words.gap_caption(K, eps, spread=spread)
    gap = optimal_logit_gap(K, eps, spread=spread)
    if math.isinf(gap):
        assert "only the one-hot curve is drawn" in text
    else:
        assert f"at the gap {for_people(gap)}." in text


@pytest.mark.parametrize("spread", ["all", "others"])
def test_heatmap_caption_reads_its_range_from_the_grid_it_describes(spread):
    ks, eps_grid = figures.heatmap_axes()
    floors = floor_grid(ks, eps_grid, spread=spread)
    text = words.heatmap_caption(10, 0.1, ks, eps_grid, floors, spread=spread)
    assert f"K = {ks[0]}–{ks[-1]} and ε = 0–0.99" in text
    top = np.nanmax(floors)
    assert f"to {nats(top)} at K = 1000, ε = 0.99" in text
    assert top < math.log(1000) - 0.01  # the map never reaches ln 1000: no target on it is uniform
    assert f"L_min = {nats(entropy_floor(10, 0.1, spread=spread))}" in text
    small = words.heatmap_caption(3, 0.5, ks[:3], eps_grid[:11], floors[:3, :11], spread=spread)
    assert f"K = {ks[0]}–{ks[2]} and ε = 0–0.1," in small
    assert f"to {nats(np.nanmax(floors[:3, :11]))}" in small


@pytest.mark.parametrize("K,eps,spread", SETTINGS)
def test_the_pytorch_sentence_names_the_argument_that_rebuilds_the_current_target(K, eps, spread):
    """The argument quoted, fed to PyTorch's "all" convention, gives back the target of (K, ε, spread)."""
    text = words.pytorch_conversion_sentence(K, eps, spread)
    argument = to_pytorch_label_smoothing(K, eps, spread=spread)
    quoted = re.findall(r"label_smoothing(?:=| = ε·K/\(K−1\) = [\d.]+·\d+/\d+ = )([\d.]+)[`)]", text)[0]
    assert float(quoted) == pytest.approx(argument, abs=5e-5)
    np.testing.assert_allclose(smoothed_target(K, argument, spread="all"), smoothed_target(K, eps, spread=spread),
                               atol=1e-12)
    assert f"K = {K}, ε = {eps:g}" in text and nats(entropy_floor(K, eps, spread=spread)) in text
