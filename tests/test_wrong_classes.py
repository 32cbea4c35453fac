"""Wrong-class structure and confidence AUROC on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib.calibration import confidence_auroc
from lib.training import wrong_classes


def test_auroc_hand_computed_with_a_tie():
    # right answers: 0.9, 0.8, 0.6; wrong: 0.7, 0.6. Pairs (right > wrong): 0.9>0.7, 0.9>0.6, 0.8>0.7,
    # 0.8>0.6, 0.6=0.6 (half), 0.6<0.7 → (5 − 1 + 0.5)/6 = 4.5/6.
    conf = np.array([0.9, 0.8, 0.6, 0.7, 0.6])
    right = np.array([True, True, True, False, False])
    assert math.isclose(confidence_auroc(conf, right), 4.5 / 6)


def test_auroc_extremes_and_undefined():
    assert confidence_auroc(np.array([0.9, 0.2]), np.array([True, False])) == 1.0
    assert confidence_auroc(np.array([0.2, 0.9]), np.array([True, False])) == 0.0
    assert math.isnan(confidence_auroc(np.array([0.5, 0.6]), np.array([True, True])))


def test_auroc_equals_the_pairwise_definition_on_random_data():
    rng = np.random.default_rng(0)
    conf = np.round(rng.random(200), 2)  # rounding makes ties
    right = rng.random(200) < 0.7
    r, w = conf[right], conf[~right]
    pairs = (r[:, None] > w[None, :]).sum() + 0.5 * (r[:, None] == w[None, :]).sum()
    assert math.isclose(confidence_auroc(conf, right), pairs / (len(r) * len(w)))


def test_mean_probability_matrix_and_wrong_class_distribution_by_hand():
    probs = np.array([[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    labels = np.array([0, 0, 1, 2])
    m = wrong_classes.mean_probability_matrix(probs, labels)
    np.testing.assert_allclose(m, [[0.6, 0.3, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    w = wrong_classes.wrong_class_distribution(m)
    np.testing.assert_allclose(w, [[0.75, 0.25], [0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(wrong_classes.wrong_class_entropy(w)[1:], 1.0)
    assert wrong_classes.wrong_classes_of(3, 1) == [0, 2]


def test_entropy_is_zero_for_one_look_alike_and_one_for_uniform():
    w = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(wrong_classes.wrong_class_entropy(w), [0.0, 1.0], atol=1e-15)


def test_rank_correlation_by_hand():
    assert wrong_classes.rank_correlation(np.array([1, 2, 3, 4]), np.array([10, 20, 30, 40])) == pytest.approx(1)
    assert wrong_classes.rank_correlation(np.array([1, 2, 3]), np.array([3, 2, 1])) == pytest.approx(-1)
    # ranks (1, 2, 3) vs (1.5, 1.5, 3): Pearson of centred (−1, 0, 1) and (−0.5, −0.5, 1) = 1.5 / √(2 · 1.5)
    assert wrong_classes.rank_correlation(np.array([1, 2, 3]), np.array([5, 5, 9])) == pytest.approx(1.5 / math.sqrt(3))


def test_ranking_of_one_image_leaves_out_its_class():
    ranking = wrong_classes.wrong_class_ranking(np.array([0.1, 0.6, 0.3]), 1, ["a", "b", "c"])
    assert ranking == [("c", 0.3), ("a", 0.1)]


def test_summary_compares_two_models_per_class():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(4), 5)
    probs = rng.dirichlet(np.ones(4), size=20)
    out = wrong_classes.summary({"a": probs, "b": probs}, labels, ["w", "x", "y", "z"])
    assert out["rank_correlation"]["mean"] == pytest.approx(1.0)
    assert len(out["models"]["a"]["mean_probability"]) == 4
