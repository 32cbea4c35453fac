"""lib.training.figures: each figure draws the data and the reference lines its caption promises."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import build_log, trace_colours, write_run

from lib import palette
from lib.calibration import reliability_bins
from lib.digits import percent
from lib.training import figures as figs
from lib.training import runs, toy


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> list[runs.Run]:
    folder: Path = tmp_path_factory.mktemp("models")
    write_run(folder / "eps0", build_log(0.0, seed=2))
    write_run(folder / "eps0.1", build_log(0.1, seed=1))
    return runs.load_runs(folder)


def _hline_values(fig: go.Figure) -> list[float]:
    return [shape.y0 for shape in fig.layout.shapes if shape.y0 == shape.y1]


def _annotations(fig: go.Figure) -> str:
    return " | ".join(a.text for a in fig.layout.annotations)


PALETTE = {c.lower() for c in (*palette.OKABE_ITO, palette.GREY, palette.MARKER, palette.FLOOR, "white")}


def test_training_loss_draws_each_runs_curve_average_and_floor(two_runs):
    fig = figs.training_loss(two_runs, 10)
    assert len(fig.data) == 6  # per step, moving average and floor, per run
    plain, smooth = two_runs
    assert list(fig.data[3].y) == pytest.approx(smooth.loss)
    assert list(fig.data[4].y) == pytest.approx(runs.moving_average(smooth.loss, 10))
    floors = [t for t in fig.data if t.name.startswith("floor H(ỹ)")]
    assert [t.y[0] for t in floors] == pytest.approx([0.0, smooth.floor])
    assert floors[1].name == "floor H(ỹ), ε = 0.1: 0.5003 nats"
    # No label sits on a line (the ε = 0 floor's lay over its own curve): the floors are named in the legend.
    assert _annotations(fig) == "" and not _hline_values(fig)
    assert trace_colours(fig) <= PALETTE


def test_the_test_metrics_legend_sits_below_the_panels_clear_of_their_titles(two_runs):
    fig = figs.test_metrics(two_runs)
    assert fig.layout.legend.yanchor == "bottom" and fig.layout.legend.y == 0 and fig.layout.legend.yref == "container"
    # Short panel titles on two lines: long ones ran into each other at 375 px.
    assert all(len(line) <= 18 for a in fig.layout.annotations for line in a.text.split("<br>"))


def test_loss_minus_floor_puts_every_run_on_one_zero(two_runs):
    fig = figs.training_loss(two_runs, 10, above_floor=True)
    smooth = two_runs[1]
    assert list(fig.data[2].y) == pytest.approx(smooth.loss - smooth.floor)
    assert _hline_values(fig) == [0.0]
    assert "KL" in fig.layout.yaxis.title.text


def test_test_metrics_show_nll_and_accuracy_in_percent(two_runs):
    fig = figs.test_metrics(two_runs)
    nll = [t for t in fig.data if t.xaxis == "x"]
    acc = [t for t in fig.data if t.xaxis == "x2"]
    assert len(nll) == len(acc) == 2
    _, expected = runs.epoch_series(two_runs[1], "accuracy")
    assert list(acc[1].y) == pytest.approx(100 * expected)
    assert list(nll[1].x) == [1, 2]


def test_reliability_diagram_has_fifteen_bins_with_counts_written_on_them():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.1, 1.0, 500)
    bins = reliability_bins(conf, rng.uniform(size=500) < conf, n_bins=15).to_dict()
    fig = figs.reliability_diagram(bins, title="ε = 0.1", eps=0.1)
    accuracy, confidence, diagonal, counts = fig.data
    assert len(accuracy.x) == 15 and len(counts.x) == 15
    assert list(counts.text) == [str(c) if c else "" for c in bins["count"]]
    assert list(accuracy.y) == bins["accuracy"]
    assert f"ECE {percent(bins['ece'])}" in fig.layout.title.text
    assert list(diagonal.x) == [0, 1] and list(diagonal.y) == [0, 1]


def test_projection_keeps_distances_honest_and_marks_the_templates(two_runs):
    entry = runs.projection(two_runs[1], "cat-dog-deer")
    fig = figs.projection(entry, title="ε = 0.1", eps=0.1)
    names = [t.name for t in fig.data]
    assert names[:3] == ["cat", "dog", "deer"]
    assert list(fig.data[3].text) == ["cat", "dog", "deer"]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    symbols = {t.marker.symbol for t in fig.data[:3]}
    assert len(symbols) == 3  # not colour alone


def _annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_race_figures_draw_both_runs_up_to_the_frame_against_each_reference():
    race = toy.race(10, 0.1)
    loss, gap, conf = figs.race_loss(race, 12), figs.race_gap(race, 12), figs.race_confidence(race, 12)
    for fig, key in ((loss, "loss"), (gap, "gap"), (conf, "confidence")):
        lines = [t for t in fig.data if t.mode == "lines"]
        assert [t.name for t in lines] == ["ε = 0 (one-hot)", "ε = 0.1 (smoothed)"]
        assert list(lines[0].y) == race.one_hot[key][:13].tolist()
        assert list(lines[1].y) == race.smoothed[key][:13].tolist()
        assert list(lines[1].x) == race.smoothed["step"][:13].tolist()
        heads = [t for t in fig.data if t.mode == "markers"]  # where each run is now
        assert [t.y[0] for t in heads] == [race.one_hot[key][12], race.smoothed[key][12]]
        # Shared, fixed axes: the whole race's steps and values, so nothing rescales while it plays.
        assert fig.layout.xaxis.range[1] >= race.one_hot["step"][-1]
        assert fig.layout.yaxis.range[1] >= max(race.one_hot[key].max(), race.smoothed[key].max())
    assert sorted(_hline_values(loss)) == pytest.approx([0.0, 0.5002880350577578])
    assert _hline_values(gap) == pytest.approx([math.log(91)])
    assert sorted(_hline_values(conf)) == pytest.approx([0.91, 1.0])
    assert "floor H(ỹ) for ε = 0.1: 0.5003" in _annotation_texts(loss)
    assert "gap* for ε = 0.1: 4.511" in _annotation_texts(gap)
    assert "1 − ε + ε/K = 0.91" in _annotation_texts(conf)


def test_race_figures_colour_one_hot_and_smoothed_by_their_palette_names():
    race = toy.race(5, 0.2)
    for fig in (figs.race_loss(race, 30), figs.race_gap(race, 30), figs.race_confidence(race, 30)):
        by_name = {t.name: t.line.color for t in fig.data if t.mode == "lines"}
        assert by_name == {"ε = 0 (one-hot)": palette.ONE_HOT, "ε = 0.2 (smoothed)": palette.SMOOTHED}
        assert len({t.line.dash for t in fig.data if t.mode == "lines"}) == 2  # not colour alone
        assert trace_colours(fig) <= PALETTE


def test_race_figures_at_eps_zero_draw_the_one_run_with_no_finite_optimum():
    race = toy.race(4, 0.0)
    gap = figs.race_gap(race, 20)
    assert [t.name for t in gap.data if t.mode == "lines"] == ["ε = 0 (one-hot)"]
    assert _hline_values(gap) == []
    assert _hline_values(figs.race_loss(race, 20)) == [0.0]
    assert _hline_values(figs.race_confidence(race, 20)) == [1.0]


def test_the_race_opens_on_curves_not_empty_axes():
    race = toy.race(5, 0.1)
    lines = [t for t in figs.race_gap(race, toy.OPENING_FRAME).data if t.mode == "lines"]
    assert all(len(t.y) == toy.OPENING_FRAME + 1 for t in lines)
    assert lines[0].y[-1] > lines[1].y[-1] > 0.5  # both under way, the one-hot run already ahead

