"""The state table the live explorable is sent equals lib's own figures, captions and numbers at every state."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from latex2mathml.converter import convert
from strategies import class_counts, spreads

from lib.explainer import words
from lib.explainer.explorable import encode_table, figure_json, index_of, state_at, state_table, view_parts
from lib.explainer.figures import target_bars
from lib.explainer.url_state import eps_slider_max
from lib.explainer.views import VIEWS, loss_curves_view, slider_values, target_and_floor_view
from lib.smoothing import entropy_floor


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(sorted(VIEWS)), K=class_counts, spread=spreads,
       gap=st.floats(-5.0, 20.0).map(lambda g: round(g, 1)))
def test_the_table_equals_the_view_at_every_slider_state(page, K, spread, gap):
    view = VIEWS[page](K, spread, *((gap,) if page == "gradient" else ()))
    values = slider_values(K, spread)
    table = json.loads(encode_table(state_table(view, values)))  # what the browser parses
    assert table["values"] == values
    for index, eps in enumerate(values):
        assert state_at(table, index) == view_parts(view, eps), (page, K, spread, eps)


@pytest.mark.parametrize("K,spread", [(2, "others"), (10, "all"), (1000, "others")])
def test_the_slider_offers_every_hundredth_up_to_the_limit(K, spread):
    values = slider_values(K, spread)
    assert values[0] == 0.0 and values[-1] == eps_slider_max(K, spread)
    assert np.allclose(np.diff(values), 0.01) and len(values) == round(eps_slider_max(K, spread) * 100) + 1
    assert all(index_of(values, eps) == i for i, eps in enumerate(values))


def test_figures_travel_as_exact_float64():
    fig = target_bars(7, 0.23, spread="others")
    sent = figure_json(fig)["data"][0]["y"]
    assert sent["dtype"] == "f8"
    assert np.array_equal(np.frombuffer(base64.b64decode(sent["bdata"]), dtype="<f8"), np.asarray(fig.data[0].y))


def test_the_worked_example_state_shows_the_worked_example_numbers():
    view = target_and_floor_view(10, "all")
    table = state_table(view, slider_values(10, "all"))
    parts = state_at(table, index_of(table["values"], 0.1))
    assert parts["floor_value"] == "0.5003 nats" and parts["other_value"] == "0.5448 nats"
    assert parts["sum_formula"] == convert(words.floor_sum_latex(10, 0.1), display="block")
    assert parts["bars_stem"] == "label-smoothing_target_K10_eps0.1_all"
    curves = state_at(state_table(loss_curves_view(10, "others"), [0.0, 0.1]), 1)
    assert f"{entropy_floor(10, 0.1, spread='others'):.4f} nats" in curves["ce_caption"]


def test_a_state_where_the_other_convention_is_undefined_says_so():
    parts = view_parts(target_and_floor_view(2, "all"), 0.6)  # "others" stops at (K−1)/K = 0.5
    assert parts["other_value"] == "not defined" and "K = 2" in parts["other_note"]
    assert len(parts["bars"]["data"]) == 1  # only the selected convention's bars


def test_states_with_different_shapes_are_kept_whole():
    def view(x: float) -> dict:
        return {"same": "a", "list": [1] * int(x), "nested": {"k": x, "fixed": 1}, "keys": {"x": 1} if x else {}}

    table = state_table(view, [0.0, 1.0, 2.0])
    assert table["base"]["same"] == "a" and table["base"]["nested"]["fixed"] == 1
    assert sorted(json.dumps(p["path"]) for p in table["varying"]) == ['["keys"]', '["list"]', '["nested", "k"]']
    for index, x in enumerate(table["values"]):
        assert state_at(table, index) == view(x)


def test_an_empty_table_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        state_table(lambda x: {}, [])
