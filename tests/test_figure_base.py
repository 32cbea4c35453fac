"""One figure base, one theme: every page's figures share the template, legend, hover and margins of lib.figure_base."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import build_log, write_run

from lib import palette
from lib.cifar.data import CLASSES
from lib.classifier.classify import ModelPrediction
from lib.classifier.figures import probability_bars
from lib.explainer import figures as explainer
from lib.figure_base import TITLE_CHARS, TOOLBAR_BAND, base_layout, wrapped
from lib.smoothing import floor_grid
from lib.training import figures as training
from lib.training import runs, toy


@pytest.fixture(scope="module")
def every_figure(tmp_path_factory) -> dict[str, go.Figure]:
    folder = tmp_path_factory.mktemp("models")
    write_run(folder / "eps0", build_log(0.0, seed=2))
    write_run(folder / "eps0.1", build_log(0.1, seed=1))
    both = runs.load_runs(folder)
    race = toy.race(5, 0.1)
    ks, eps_grid = explainer.heatmap_axes(6, 5)
    prediction = ModelPrediction("eps0.1", 0.1, CLASSES, np.full(10, 0.1))
    return {
        "target_bars": explainer.target_bars(10, 0.1), "floor_vs_eps": explainer.floor_vs_eps(10, 0.1),
        "floor_heatmap": explainer.floor_heatmap(ks, eps_grid, floor_grid(ks, eps_grid), K=10, eps=0.1),
        "ce_vs_prob": explainer.ce_vs_prob(10, 0.1), "ce_decomposition": explainer.ce_decomposition(10, 0.1),
        "ce_vs_gap": explainer.ce_vs_gap(10, 0.1), "probability_bars": probability_bars(prediction),
        "training_loss": training.training_loss(both, 10), "test_metrics": training.test_metrics(both),
        "reliability": training.reliability_diagram(both[0].last["test"]["reliability"], title="ε = 0", eps=0.0),
        "projection": training.projection(runs.projection(both[0], runs.shared_triples(both)[0]), title="ε = 0",
                                          eps=0.0),
        "race_loss": training.race_loss(race, 20), "race_gap": training.race_gap(race, 20),
        "race_confidence": training.race_confidence(race, 20),
    }


def test_every_figure_of_every_page_has_the_one_theme(every_figure):
    base = base_layout(x_title="x", y_title="y")
    for name, fig in every_figure.items():
        layout = fig.to_dict()["layout"]
        assert layout["template"] == palette.PLOTLY_TEMPLATE, name
        assert layout["hovermode"] == base["hovermode"], name
        assert layout["margin"]["l"] in (50, 60), name
        go.Figure(fig.to_dict())  # a valid plotly spec, though some builders skip validation for speed


def test_a_title_starts_below_the_toolbar_and_pushes_the_plot_down():
    titled = base_layout(x_title="x", y_title="y", title="T")["title"]
    assert titled["text"] == "T" and titled["yref"] == "container" and titled["automargin"]
    assert titled["pad"]["t"] == TOOLBAR_BAND
    # Plotly anchors a title of several lines by its last line, so the pad grows by the lines above it.
    long = base_layout(x_title="x", y_title="y", title="word " * 15)["title"]
    assert long["text"].count("<br>") == 1 and long["pad"]["t"] > TOOLBAR_BAND


def test_every_legend_sits_at_the_bottom_of_its_figure(every_figure):
    """Clear of the toolbar, which shows over the top right corner (at 375 px it spanned a legend above the plot)."""
    for name, fig in every_figure.items():
        legend = fig.layout.legend
        assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom"), name


@pytest.mark.parametrize(("text", "lines"), [
    ("short", ["short"]), ("logit gap z_true − z_other (nats: a log of a probability ratio)",
                           ["logit gap z_true − z_other (nats: a", "log of a probability ratio)"]),
    ("kept<br>as written, too long for one line of a phone", ["kept", "as written, too long for one line of a phone"]),
])
def test_long_titles_are_wrapped_at_spaces(text, lines):
    assert wrapped(text).split("<br>") == lines
    assert all(len(line) <= TITLE_CHARS for line in wrapped(text).split("<br>") if "<br>" not in text)


def test_the_training_page_is_no_longer_themed_apart(tmp_path: Path):
    write_run(tmp_path / "eps0", build_log(0.0))
    fig = training.training_loss(runs.load_runs(tmp_path), 10)
    assert "plotly_white" not in str(fig.layout.template) and fig.layout.xaxis.title.text == "optimizer step"
