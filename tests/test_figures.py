"""lib.explainer.figures and lib.explainer.words: figures carry the right numbers, units and palette; text shows
live values."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers import trace_colours

from lib import palette
from lib.digits import nats, tex
from lib.explainer import figures
from lib.explainer.words import floor_sum_latex, gap_latex, target_latex, worked_example_sentence
from lib.smoothing import entropy_floor, floor_grid, optimal_logit_gap

ALL_BUILDERS = [figures.target_bars, figures.floor_vs_eps, figures.ce_vs_prob, figures.ce_decomposition,
                figures.ce_vs_gap]
OKABE_ITO = {c.lower() for c in (*palette.OKABE_ITO, palette.GREY, "white")}


def _marker_points(fig: go.Figure) -> list[tuple[float, float]]:
    return [(t.x[0], t.y[0]) for t in fig.data if t.type == "scatter" and t.mode == "markers"]


@pytest.mark.parametrize("builder", ALL_BUILDERS)
@pytest.mark.parametrize("k,eps,spread", [(10, 0.1, "all"), (10, 0.1, "others"), (2, 0.49, "others"),
                                          (1000, 0.99, "all"), (10, 0.0, "all")])
def test_every_figure_builds_with_palette_colours_and_hover_values(builder, k, eps, spread):
    fig = builder(k, eps, spread=spread)
    assert isinstance(fig, go.Figure) and fig.data
    go.Figure(fig.to_dict())  # the builders skip plotly's validation for speed; this raises on a bad spec
    assert trace_colours(fig) <= OKABE_ITO
    assert all(t.hovertemplate for t in fig.data)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


@pytest.mark.parametrize("builder", [figures.floor_vs_eps, figures.ce_vs_prob, figures.ce_vs_gap])
def test_loss_axes_are_in_nats(builder):
    assert "(nats)" in builder(10, 0.1).layout.yaxis.title.text


def test_floor_curve_marks_the_current_point_at_the_floor():
    fig = figures.floor_vs_eps(10, 0.1, spread="others")
    assert _marker_points(fig) == []  # an arrow, not a trace: the traces are the same at every ε
    now = fig.layout.annotations[-1]
    floor = entropy_floor(10, 0.1, spread="others")
    assert (now.x, now.y, now.text) == (0.1, floor, f"now: L_min = {nats(floor)}") and now.showarrow
    later = figures.floor_vs_eps(10, 0.3, spread="others")
    assert len(fig.data) == len(later.data) == 2
    for trace, same in zip(fig.data, later.data, strict=True):
        assert trace.name == same.name and np.array_equal(trace.y, same.y, equal_nan=True)


def test_target_bars_show_both_conventions_and_group_many_classes():
    fig = figures.target_bars(10, 0.1)
    assert [t.y[0] for t in fig.data] == [pytest.approx(0.91), pytest.approx(0.9)]
    big = figures.target_bars(1000, 0.5)
    assert len(big.data[0].x) == 12 and "999" in big.data[0].x[-1]


def test_target_bars_drop_the_other_convention_where_its_eps_is_invalid():
    assert len(figures.target_bars(2, 0.8, spread="all").data) == 1


def test_loss_curve_minimum_is_marked_at_target_probability():
    (x, y), = _marker_points(figures.ce_vs_prob(10, 0.1))
    assert (x, y) == (pytest.approx(0.91), pytest.approx(entropy_floor(10, 0.1)))


def test_decomposition_stacks_floor_and_kl_to_the_loss():
    fig = figures.ce_decomposition(10, 0.1)
    floor_band, kl = fig.data
    assert floor_band.stackgroup == kl.stackgroup
    np.testing.assert_allclose(floor_band.y, entropy_floor(10, 0.1))
    np.testing.assert_allclose(kl.customdata, np.asarray(kl.y) + entropy_floor(10, 0.1))


def test_gap_figure_marks_the_finite_optimum_and_omits_it_for_one_hot():
    (x, y), = _marker_points(figures.ce_vs_gap(10, 0.1, spread="others"))
    assert x == pytest.approx(math.log(81)) and y == pytest.approx(entropy_floor(10, 0.1, spread="others"))
    assert _marker_points(figures.ce_vs_gap(10, 0.0)) == []
    assert optimal_logit_gap(10, 0.1) < figures.ce_vs_gap(10, 0.1).layout.xaxis.range[1]


def test_heatmap_shows_the_grid_and_marks_the_current_cell():
    ks, eps_grid = figures.heatmap_axes()
    assert ks[0] == 2 and ks[-1] == 1000 and np.all(np.diff(ks) > 0)
    fig = figures.floor_heatmap(ks, eps_grid, floor_grid(ks, eps_grid), K=10, eps=0.1)
    assert fig.data[0].type == "heatmap" and fig.layout.yaxis.type == "log" and len(fig.data) == 1
    (now,) = fig.layout.annotations  # an arrow at the cell: the annotation's y on a log axis is log10 K
    assert (now.x, now.y, now.text) == (0.1, 1.0, "now") and now.showarrow
    assert now.hovertext == f"now: K = 10, ε = 0.1<br>L_min = {entropy_floor(10, 0.1):.6f} nats"


def test_formulas_write_small_numbers_as_powers_of_ten():
    assert tex(0.91) == "0.91"
    assert tex(9.9e-4) == r"9.9\times10^{-4}"
    assert tex(0.0) == "0"


def test_floor_sum_shows_the_worked_example_terms():
    latex = floor_sum_latex(10, 0.1)
    assert r"0.91\,\ln 0.91" in latex and r"9\cdot 0.01\,\ln 0.01" in latex and "0.5003" in latex
    assert "0.5448" in floor_sum_latex(10, 0.1, spread="others")
    assert r"0 \ln 0 = 0" in floor_sum_latex(10, 0.0)


def test_target_and_gap_latex_show_the_convention_formula():
    assert r"\tfrac{\varepsilon}{K-1} = 0.01111" in target_latex(10, 0.1, spread="others")
    assert "4.511" in gap_latex(10, 0.1) and r"\infty" in gap_latex(10, 0.0)


def test_worked_example_sentence_states_both_floors_and_what_pytorch_reaches():
    text = worked_example_sentence()
    assert "0.5003 nats" in text and "0.5448 nats" in text
    assert "nn.CrossEntropyLoss(label_smoothing=0.1)" in text and "reaches **0.5003 nats**" in text


def test_labels_stay_clear_of_each_other_and_of_the_edges():
    """Issue 12: "KL = 0 at …" cut at the right edge, "0.910.9" at 375 px, a legend cut in the PNG export,
    and the heat map's minor log ticks "2", "5" read as values of K."""
    (note,) = figures.ce_decomposition(10, 0.1).layout.annotations
    assert note.x == pytest.approx(0.91) and note.xanchor == "right"  # drawn on the line's left
    (left,) = figures.ce_decomposition(10, 0.7).layout.annotations
    assert left.x == pytest.approx(0.37) and left.xanchor == "left"
    selected, other = figures.target_bars(10, 0.1).data
    assert list(selected.text)[:2] == ["0.91", "0.01"] and other.text is None
    assert max(len(t.name) for t in (selected, other)) <= 36
    heat = figures.floor_heatmap(*figures.heatmap_axes(), np.zeros((1, 1)), K=10, eps=0.1).layout.yaxis
    assert list(heat.ticktext) == [str(v) for v in heat.tickvals] and 1000 in heat.tickvals
