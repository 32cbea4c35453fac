"""lib.explainer.url_state: every URL becomes a valid state, each repair is explained, and states round-trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.explainer.url_state import (
    DEFAULT_STATE,
    K_MAX,
    K_MIN,
    SmoothingState,
    clamp_state,
    eps_slider_max,
    parse_query_params,
    to_query_params,
)
from lib.smoothing import max_eps


def test_missing_parameters_keep_the_fallback_silently():
    assert parse_query_params({}) == (DEFAULT_STATE, [])
    fallback = SmoothingState(K=7, eps=0.3, spread="others")
    assert parse_query_params({"K": "5"}, fallback=fallback) == (SmoothingState(5, 0.3, "others"), [])


def test_a_full_deep_link_is_read_exactly():
    state, notes = parse_query_params({"K": "10", "eps": "0.1", "spread": "others"})
    assert state == SmoothingState(K=10, eps=0.1, spread="others") and notes == []


@pytest.mark.parametrize("params,expected,note", [
    ({"K": "ten"}, SmoothingState(10, 0.1, "all"), 'K="ten" is not a number'),
    ({"K": "1"}, SmoothingState(2, 0.1, "all"), "outside 2–1000; showing K=2"),
    ({"K": "5000"}, SmoothingState(1000, 0.1, "all"), "showing K=1000"),
    ({"K": "1e300"}, SmoothingState(1000, 0.1, "all"), "showing K=1000"),
    ({"K": "7.6"}, SmoothingState(8, 0.1, "all"), "not a whole number"),
    ({"eps": "nan"}, SmoothingState(10, 0.1, "all"), "not a number"),
    ({"eps": "inf"}, SmoothingState(10, 0.1, "all"), "not a number"),
    ({"eps": "-0.2"}, SmoothingState(10, 0.0, "all"), "below 0"),
    ({"eps": "1"}, SmoothingState(10, 0.99, "all"), "target uniform"),
    ({"eps": "0.123"}, SmoothingState(10, 0.12, "all"), "rounded to 0.12"),
    ({"spread": "both"}, SmoothingState(10, 0.1, "all"), 'Convention "both" is unknown'),
    ({"K": "2", "eps": "0.7", "spread": "others"}, SmoothingState(2, 0.49, "others"),
     "stops being the most likely at ε = (K−1)/K = 0.5"),
])
def test_malformed_or_out_of_range_values_are_clamped_with_a_note(params, expected, note):
    state, notes = parse_query_params(params)
    assert state == expected
    assert any(note in n for n in notes), notes


def test_spread_is_case_insensitive_and_repeated_keys_use_the_last_value():
    state, notes = parse_query_params({"spread": "OTHERS", "K": ["3", "7"]})
    assert state == SmoothingState(7, 0.1, "others") and notes == []


def test_notes_never_echo_markup_from_the_url():
    _, notes = parse_query_params({"K": "[click](https://example.com)", "spread": "<script>"})
    assert notes and all("](" not in n and "<" not in n for n in notes)


@pytest.mark.parametrize("k,spread,expected", [(2, "others", 0.49), (3, "others", 0.66), (10, "others", 0.89),
                                               (1000, "others", 0.99), (2, "all", 0.99), (1000, "all", 0.99)])
def test_eps_slider_stops_just_before_true_class_stops_being_most_likely(k, spread, expected):
    assert eps_slider_max(k, spread) == expected
    assert expected < max_eps(k, spread=spread)


def test_lowering_k_clamps_eps_in_others_convention_with_reason():
    state, notes = clamp_state(2, 0.8, "others")
    assert state == SmoothingState(2, 0.49, "others")
    assert len(notes) == 1 and "(K−1)/K = 0.5" in notes[0]


@given(st.dictionaries(st.sampled_from(["K", "eps", "spread", "other"]), st.text(max_size=30)))
def test_any_query_string_gives_a_valid_state(params):
    state, _ = parse_query_params(params)
    assert K_MIN <= state.K <= K_MAX and isinstance(state.K, int)
    assert state.spread in ("all", "others")
    assert 0.0 <= state.eps <= eps_slider_max(state.K, state.spread)


@given(st.integers(K_MIN, K_MAX), st.sampled_from(["all", "others"]), st.integers(0, 99))
def test_valid_states_round_trip_through_the_url(k, spread, hundredths):
    eps = min(hundredths / 100, eps_slider_max(k, spread))
    state = SmoothingState(k, eps, spread)
    assert parse_query_params(to_query_params(state)) == (state, [])


def test_url_form_is_short():
    assert to_query_params(SmoothingState(10, 0.1, "others")) == {"K": "10", "eps": "0.1", "spread": "others"}
    assert to_query_params(SmoothingState(3, 0.0, "all"))["eps"] == "0"
