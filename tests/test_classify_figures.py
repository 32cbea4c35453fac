"""lib.classifier.figures: the probability bars show the prediction's own numbers and the right ceiling."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from lib import palette
from lib.cifar.data import CLASSES
from lib.classifier.classify import ModelPrediction
from lib.classifier.figures import probability_bars

PROBS = np.array([0.05, 0.05, 0.62, 0.08, 0.05, 0.05, 0.04, 0.02, 0.02, 0.02])


def bars_of(eps: float) -> go.Figure:
    return probability_bars(ModelPrediction(f"eps{eps:g}", eps, CLASSES, PROBS))


def test_bars_show_every_class_with_its_probability():
    bars, _ = bars_of(0.1).data
    assert list(bars.x) == list(CLASSES) and np.allclose(bars.y, PROBS)


@pytest.mark.parametrize(("eps", "colour"), [(0.1, palette.SMOOTHED), (0.0, palette.ONE_HOT)])
def test_only_the_top_class_is_highlighted_and_labelled(eps, colour):
    bars, line = bars_of(eps).data
    colours, labels = list(bars.marker.color), list(bars.text)
    # In the colour of the target the model learnt from, as every figure of the app draws that model.
    assert colours[2] == colour and colours.count(colour) == 1 and line.line.color == colour
    assert labels[2] == "62%" and labels.count("") == 9  # the value is printed, not told by colour alone


@pytest.mark.parametrize(("eps", "ceiling", "words"), [(0.1, 0.91, "1 − ε + ε/K = 91%"), (0.0, 1.0, "one-hot")])
def test_the_dashed_line_sits_at_the_smoothed_target_ceiling(eps, ceiling, words):
    fig = bars_of(eps)
    _, line = fig.data
    assert list(line.y) == pytest.approx([ceiling, ceiling]) and line.line.dash == "dash"
    assert words in line.name
    # Named in the legend below the class names, not by a label on the plot where the top bar's value sits.
    assert not fig.layout.annotations and fig.layout.legend.y == 0 and fig.layout.legend.yref == "container"


def test_title_names_the_model_top_class_confidence_and_entropy():
    title = bars_of(0.1).layout.title.text
    assert title.startswith("ε = 0.1: bird 62%, entropy ") and title.endswith(" nats")
