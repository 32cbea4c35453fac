"""The live table a page is sent equals lib at every slider position: texts, tick labels, curve points, bar
heights, marked points and the heat map's colours — decoded from the bytes as the browser decodes them."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import plotly.colors
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from strategies import class_counts, spreads

from lib.digits import nats
from lib.explainer import gradient, live_figures, words
from lib.explainer.live_table import at_state, decode_table, encode_table
from lib.explainer.live_ticks import linear_ticks, log_ticks, tick_label, viridis
from lib.explainer.live_views import TABLES, mathml_fast
from lib.explainer.views import VIEWS, heatmap_grid, mathml, slider_values
from lib.smoothing import (
    ce_vs_logit_gap,
    ce_vs_true_prob,
    entropy_floor,
    floor_curve,
    kl_vs_true_prob,
    max_eps,
    optimal_logit_gap,
    target_values,
)

F32 = dict(rtol=2e-6, atol=1e-6, equal_nan=True)  # float32 on the wire: what a drawing cannot tell apart


def sent(page: str, K: int, spread: str, *settings: float) -> dict:
    """The table as the browser gets it: encoded to bytes and decoded again."""
    version, table = decode_table(encode_table(TABLES[page](K, spread, *settings), "test"))
    assert version == "test"
    return table


def marks(figure: dict) -> dict[str, dict]:
    return {m["id"]: m for m in figure["marks"]}


def check_axes(figure: dict) -> None:
    for axis in ("x", "y"):
        spec = figure[axis]
        if spec["scale"] != "band":
            if spec["scale"] == "linear":
                assert spec["tick_labels"] == [tick_label(t) for t in spec["ticks"]]
            lo, hi = spec["domain"]
            assert all(lo - 1e-9 <= t <= hi + 1e-9 for t in spec["ticks"])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(K=class_counts, spread=spreads)
def test_the_floor_table_equals_lib_at_every_position(K, spread):
    table = sent("floor", K, spread)
    values = slider_values(K, spread)
    assert table["values"] == values
    view = VIEWS["floor"](K, spread)
    bars, curve, heat = (marks(table["figures"][n]) for n in ("bars", "curve", "heatmap"))
    for figure in table["figures"].values():
        check_axes(figure)
    few = K <= live_figures.MAX_BARS
    for i, eps in enumerate(values):
        parts = view(eps)
        text = at_state(table["text"], i)
        for name in ("bars_caption", "curve_caption", "heatmap_caption", "floor_value", "other_value", "other_note",
                     "bars_stem", "curve_stem", "heatmap_stem", "eps_shown", "eps_spoken"):
            assert text[name] == parts[name], (name, K, spread, eps)
        for name in ("target_formula", "sum_formula"):
            assert text[name] == parts[name] and text[f"{name}_tex"] == parts[f"{name}_tex"]
        on, off = target_values(K, eps, spread=spread)
        heights = at_state(bars[f"bars-{spread}"]["y"], i)
        assert np.allclose(heights, [on] + [off] * (len(heights) - 1), **F32)
        assert len(heights) == (K if few else 2)
        floor = entropy_floor(K, eps, spread=spread)
        now = at_state(curve["now"], i)
        assert np.isclose(now["x"], eps, **F32) and np.isclose(now["y"], floor, **F32)
        assert now["label"] == f"now: L_min = {nats(floor)}"
        arrow = at_state(heat["now"], i)
        assert np.isclose(arrow["x"], eps, **F32) and arrow["y"] == K  # the current cell, at every position
    grid = np.asarray(curve[f"floor-{spread}"]["x"], dtype=np.float64)
    assert np.allclose(curve[f"floor-{spread}"]["y"], floor_curve(K, grid, spread=spread), **F32)


def heatmap_pixels(figure: dict) -> tuple[dict, np.ndarray]:
    image = marks(figure)["cells"]
    with Image.open(io.BytesIO(base64.b64decode(image["href"].split(",", 1)[1]))) as png:
        return image, np.asarray(png.convert("RGBA"))


@pytest.mark.parametrize("spread", ["all", "others"])
def test_the_heat_map_colours_follow_the_colour_scale_cell_by_cell(spread):
    ks, eps_grid, floors = heatmap_grid(spread)
    image, pixels = heatmap_pixels(sent("floor", 10, spread)["figures"]["heatmap"])
    assert pixels.shape == (live_figures.HEATMAP_ROWS, len(eps_grid), 4)
    expected = plotly.colors.sample_colorscale("Viridis", list(np.nan_to_num(floors / np.nanmax(floors)).ravel()))
    log0, log1 = math.log10(image["y0"]), math.log10(image["y1"])
    for r, k in enumerate(ks):
        # The pixel row at log10 K (the cell's centre on the axis), read top-down as the image is laid out.
        row = int((log1 - math.log10(k)) / (log1 - log0) * live_figures.HEATMAP_ROWS)
        for c in range(len(eps_grid)):
            red, green, blue, alpha = pixels[row, c]
            if np.isnan(floors[r, c]):
                assert alpha == 0, (k, eps_grid[c])  # "others" allows no such ε: blank
                continue
            reference = expected[r * len(eps_grid) + c]
            assert (red, green, blue, alpha) == (*(round(float(v)) for v in reference[4:-1].split(",")), 255), (
                k, eps_grid[c])
    # The image spans the axis' ends, so it lines up with the ticks.
    figure = sent("floor", 10, spread)["figures"]["heatmap"]
    assert [image["x0"], image["x1"]] == figure["x"]["domain"] and [image["y0"], image["y1"]] == figure["y"]["domain"]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(K=class_counts, spread=spreads)
def test_the_curves_table_equals_lib_at_every_position(K, spread):
    table = sent("curves", K, spread)
    values = slider_values(K, spread)
    view = VIEWS["curves"](K, spread)
    ce, split, gap = (marks(table["figures"][n]) for n in ("ce", "split", "gap"))
    p, gaps = live_figures.p_grid(), np.linspace(*live_figures.GAP_RANGE, live_figures.CURVE_POINTS)
    assert np.allclose(ce["smoothed"]["x"], p, **F32) and np.allclose(gap["smoothed"]["x"], gaps, **F32)
    assert np.allclose(ce["one-hot"]["y"], ce_vs_true_prob(K, 0.0, p), **F32)
    for i, eps in enumerate(values):
        parts = view(eps)
        text = at_state(table["text"], i)
        for name in ("ce_caption", "split_caption", "gap_caption", "ce_stem", "split_stem", "gap_stem",
                     "gap_formula", "gap_formula_tex"):
            assert text[name] == parts[name], (name, K, spread, eps)
        floor = entropy_floor(K, eps, spread=spread)
        on, _ = target_values(K, eps, spread=spread)
        assert np.allclose(at_state(ce["smoothed"]["y"], i), ce_vs_true_prob(K, eps, p, spread=spread), **F32)
        minimum = at_state(ce["minimum"], i)
        assert np.isclose(minimum["x"], on, **F32) and np.isclose(minimum["y"], floor, **F32)
        assert np.isclose(at_state(ce["floor"]["value"], i), floor, **F32)
        assert np.allclose(at_state(split["kl"]["y1"], i), floor + kl_vs_true_prob(K, eps, p, spread=spread), **F32)
        assert np.isclose(at_state(split["kl"]["y0"], i), floor, **F32)
        star = optimal_logit_gap(K, eps, spread=spread)
        curve = at_state(gap["smoothed"]["y"], i)
        if math.isfinite(star):
            assert np.allclose(curve, ce_vs_logit_gap(K, eps, gaps, spread=spread), **F32)
            assert np.isclose(at_state(gap["optimum"]["x"], i), star, **F32)
        else:
            assert np.isnan(curve).all() and np.isnan(at_state(gap["optimum"]["x"], i))


@pytest.mark.parametrize("K,spread,gap", [(2, "all", 0.5), (10, "others", 8.0), (1000, "all", 3.0)])
def test_the_gradient_table_equals_lib_at_every_position(K, spread, gap):
    table = sent("gradient", K, spread, gap)
    view = VIEWS["gradient"](K, spread, gap)
    bars, push = (marks(table["figures"][n]) for n in ("gradient_bars", "push"))
    gaps = np.linspace(live_figures.GAP_RANGE[0], max(live_figures.GAP_RANGE[1], gap + 2), live_figures.PUSH_POINTS)
    assert np.allclose(push["smoothed"]["x"], gaps, **F32)
    for i, eps in enumerate(slider_values(K, spread)):
        assert at_state(table["text"], i)["gradient_caption"] == view(eps)["gradient_caption"]
        grad = gradient.logit_gradient(K, eps, gap, spread=spread)
        assert np.allclose(at_state(bars["smoothed"]["y"], i), grad[: min(K, live_figures.MAX_BARS) if K <= 12 else 2],
                           **F32)
        now = at_state(push["now"], i)
        assert now["x"] == gap and np.isclose(now["y"], grad[0], **F32)
        shifted = push["smoothed"]["y"] + at_state(push["smoothed"]["dy"], i)  # the curve moved by dy
        if eps > 0:
            assert np.allclose(shifted, gradient.true_class_gradient(K, eps, gaps, spread=spread), **F32)
        else:
            assert np.isnan(shifted).all()  # no smoothed curve at ε = 0


@pytest.mark.parametrize("K", [2, 10, 1000])
def test_a_k_move_sends_at_most_300_kb_per_page(K):
    for spread in ("all", "others"):
        floor = len(encode_table(TABLES["floor"](K, spread), "v"))
        curves = len(encode_table(TABLES["curves"](K, spread), "v")) + len(
            encode_table(TABLES["gradient"](K, spread, gradient.starting_gap(K, 0.1, spread=spread)), "v"))
        assert floor <= 300_000 and curves <= 300_000, (K, spread, floor, curves)


def test_large_k_shows_the_true_class_against_each_other_class_on_a_log_axis():
    figure = sent("floor", 1000, "all")["figures"]["bars"]
    assert figure["x"]["domain"] == ["true class", "each of the other 999"]
    assert figure["y"]["scale"] == "log" and figure["y"]["domain"][0] <= 0.01 / 1000
    assert "10⁻⁵" in figure["y"]["tick_labels"] or "10⁻⁶" in figure["y"]["tick_labels"]


@settings(max_examples=40, deadline=None)
@given(K=class_counts, spread=spreads, hundredths=st.integers(0, 99))
def test_formulas_converted_once_per_shape_equal_a_direct_conversion(K, spread, hundredths):
    eps = min(hundredths / 100, max_eps(K, spread=spread))
    for latex in (words.target_latex(K, eps, spread=spread), words.floor_sum_latex(K, eps, spread=spread),
                  words.gap_latex(K, eps, spread=spread)):
        assert mathml_fast(latex) == mathml(latex)


@given(lo=st.floats(-100, 100), width=st.floats(1e-3, 1e3))
def test_linear_ticks_are_round_and_inside_the_domain(lo, width):
    ticks = linear_ticks(lo, lo + width)
    assert 2 <= len(ticks) <= 11
    assert all(lo - 1e-8 * width <= t <= lo + width + 1e-8 * width for t in ticks)  # within rounding
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


def test_log_ticks_are_labelled_as_people_read_them():
    ticks, labels = log_ticks(1e-6, 2.0)
    assert ticks[0] == 1e-6 and ticks[-1] == 1.0
    assert labels == ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "0.1", "1"]
    assert tick_label(-2.0) == "−2" and tick_label(0.30000000000000004) == "0.3"


def test_viridis_blanks_nan_and_keeps_the_ends():
    assert viridis(np.array([0.0, 1.0, np.nan])) == ["#440154", "#fde725", None]


@pytest.mark.parametrize("K,spread", [(2, "others"), (10, "all"), (1000, "others")])
def test_the_slider_index_names_the_position_of_each_eps_the_slider_offers(K, spread):
    from lib.explainer.views import slider_index

    values = slider_values(K, spread)
    assert [slider_index(K, spread, eps) for eps in values] == list(range(len(values)))
    assert slider_index(K, spread, 0.104) == 10 and slider_index(K, spread, 5.0) == len(values) - 1
