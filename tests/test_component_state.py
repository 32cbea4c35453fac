"""The ε a live explorable reports is read like a URL value: whatever a crafted client sends, no exception, a
short note, and nothing long copied anywhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.explainer.component_state import read_eps

LONG = "9" * 5_000_000


@pytest.mark.parametrize("raw", ["ten", "", LONG, "1e309", float("nan"), float("inf"), -float("inf"), 1e308,
                                 10**400, -(10**400), [0.2], {"x": 1}, True, False, "<b>x</b>"])
def test_a_crafted_eps_keeps_the_current_one_with_a_short_note_or_is_clamped(raw):
    eps, notes = read_eps({"eps": raw}, 10, "all")
    assert eps is None or 0.0 <= eps <= 0.99
    assert notes and all(len(note) < 200 for note in notes)
    assert all("99999999" not in note and "<b>" not in note for note in notes)


def test_a_good_eps_passes_and_one_off_the_grid_or_out_of_range_is_repaired():
    assert read_eps({"eps": 0.23}, 10, "all") == (0.23, [])
    assert read_eps({"eps": "0.3"}, 10, "all") == (0.3, [])
    eps, notes = read_eps({"eps": 0.95}, 10, "others")  # "others" stops at 0.89 for K = 10
    assert eps == 0.89 and "too large" in notes[0]
    eps, notes = read_eps({"eps": -3}, 10, "all")
    assert eps == 0.0 and notes


@pytest.mark.parametrize("state", [None, {}, {"other": 1}])
def test_no_eps_in_the_state_changes_nothing_silently(state):
    assert read_eps(state, 10, "all") == (None, [])


@pytest.mark.parametrize("state", [[1, 2], "eps", 3.5, b"\x00"])
def test_a_state_that_is_not_an_object_changes_nothing_with_a_note(state):
    eps, notes = read_eps(state, 10, "all")
    assert eps is None and len(notes) == 1


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                  max_size=3)))
def test_read_eps_never_raises(raw):
    for state in (raw, {"eps": raw}):
        eps, notes = read_eps(state, 7, "others")
        assert eps is None or 0.0 <= eps <= 0.85
        assert all(len(note) < 200 for note in notes)
