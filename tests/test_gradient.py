"""∂L/∂z = p − ỹ against torch.autograd in float64, the sign of ∂L/∂z_true along the gap, and one quantity with one
sign, in the same words, in both gradient figures and their caption."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explainer import figures, gradient, words
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


def test_the_true_gradient_changes_sign_at_the_optimum_with_smoothing_and_never_with_one_hot():
    gaps = np.linspace(-5, 30, 701)
    for spread in ("all", "others"):
        grad = gradient.true_class_gradient(10, 0.1, gaps, spread=spread)
        star = optimal_logit_gap(10, 0.1, spread=spread)
        assert np.all(grad[gaps < star - 1e-6] < 0) and np.all(grad[gaps > star + 1e-6] > 0)
    one_hot = gradient.true_class_gradient(10, 0.0, gaps)
    assert np.all(one_hot < 0) and one_hot[-1] > -1e-11
    assert np.all(np.diff(one_hot) > 0)


@given(st.floats(-1, 1))
def test_the_descent_word_follows_the_sign_of_the_gradient(grad):
    """z ← z − η·∂L/∂z: a negative gradient raises the logit, a positive one lowers it."""
    word = gradient.descent_word(grad)
    expected = ("up" if grad < -gradient.ZERO_GRADIENT else "down" if grad > gradient.ZERO_GRADIENT else None)
    assert word == (f"pushes the true logit {expected}" if expected else "leaves the true logit where it is")


def _named(fig) -> str:
    """Every name a reader meets in a figure: axis titles, legend names, hover templates, annotations."""
    layout = fig.to_dict()["layout"]
    texts = [layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]]
    texts += [str(t.get(key, "")) for t in fig.to_dict()["data"] for key in ("name", "hovertemplate", "customdata")]
    texts += [a["text"] for a in layout.get("annotations", [])]
    return "\n".join(texts)


def test_the_issues_example_names_one_quantity_with_one_sign_in_both_figures_and_the_caption():
    """/loss_curves?K=3&eps=0.5&spread=others at its starting gap 2.2 plotted ∂L/∂z_true = +0.32 on the left, its
    negative as "push" on the right, and called one-hot's curve "always positive" beside a caption saying negative."""
    K, eps, spread = 3, 0.5, "others"
    gap = gradient.starting_gap(K, eps, spread=spread)
    value = float(gradient.true_class_gradient(K, eps, np.array(gap), spread=spread))
    assert gap == 2.2 and value > 0
    bars = figures.gradient_bars(K, eps, gap, spread=spread)
    curve = figures.gradient_vs_gap(K, eps, gap, spread=spread)
    caption = words.gradient_caption(K, eps, gap, spread=spread)
    for fig in (bars, curve):
        assert "push =" not in _named(fig) and "−∂L" not in _named(fig) and "positive" not in _named(fig)
    assert bars.layout.yaxis.title.text.startswith("∂L/∂zᵢ = pᵢ − ỹᵢ")
    assert curve.layout.yaxis.title.text.startswith("∂L/∂z_true = p_true − ỹ_true")
    # The same number, with the same sign, in the bars, the curve's marker and the caption, and the same words.
    assert bars.data[0].y[0] == value == curve.data[-1].y[0]
    assert curve.data[-1].name == f"now: gap 2.2, ∂L/∂z_true = {value:+.4g} (pushes the true logit down)"
    assert f"∂L/∂z_true = p_true − ỹ_true = {value:+.4g}" in caption
    assert "positive, so gradient descent pushes the true logit down" in caption
    # One-hot: negative at every gap, in its legend name, its numbers and the caption.
    one_hot = curve.data[0]
    assert one_hot.name == "one-hot (ε = 0): negative at every gap (pushes the true logit up)"
    assert np.all(np.asarray(one_hot.y) < 0)
    assert "negative at every gap" in caption and "pushes the true logit up" in caption


@settings(max_examples=40, deadline=None)
@given(smoothing_settings(st.integers(2, 200)), st.floats(gradient.GAP_MIN, gradient.GAP_MAX))
def test_the_caption_and_the_marker_say_the_direction_the_numbers_show(setting, gap):
    K, eps, spread = setting
    value = float(gradient.true_class_gradient(K, eps, np.array(gap), spread=spread))
    word = gradient.descent_word(value)
    assert word in words.gradient_caption(K, eps, gap, spread=spread)
    marker = figures.gradient_vs_gap(K, eps, gap, spread=spread, n=20).data[-1]
    assert marker.y[0] == value and marker.name.endswith(f"({word})")
    bar_words = figures.gradient_bars(K, eps, gap, spread=spread).data[0].customdata
    assert bar_words[0] == gradient.descent_word(value, "this logit")


def test_no_overflow_at_extreme_gaps():
    values = gradient.true_class_gradient(5, 0.2, np.array([-800.0, 800.0]))
    target = smoothed_target(5, 0.2)
    np.testing.assert_allclose(values, [-target[0], 1 - target[0]])


def test_the_section_starts_just_past_the_optimum_on_the_sliders_grid():
    assert gradient.starting_gap(10, 0.1) == round(optimal_logit_gap(10, 0.1) + 1.5, 1) == 6.0
    assert gradient.starting_gap(10, 0.0) == 6.0  # one-hot: no finite optimum
    assert gradient.starting_gap(1000, 1e-8) == gradient.GAP_MAX  # the optimum (gap 25.3) lies past the range
