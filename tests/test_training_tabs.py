"""lib.training.tabs: the ``?tab=`` address of the training page's tabs."""

from __future__ import annotations

from lib.training import tabs


def test_every_tab_has_a_slug_that_opens_it():
    for slug, label in tabs.TABS.items():
        assert tabs.slug(label) == slug
        assert tabs.parse_tab(slug) == (label, [])
    assert tabs.LABELS[0] == tabs.DEFAULT == "Training curves"


def test_case_spaces_and_repeats_do_not_matter_and_a_missing_value_is_silent():
    assert tabs.parse_tab(" Shift ") == ("Under shift", [])
    assert tabs.parse_tab(["toy", "erased"]) == ("What smoothing erases", [])  # the last value, as st.query_params
    assert tabs.parse_tab(None) == (tabs.DEFAULT, [])


def test_an_unknown_tab_opens_the_first_with_a_note_that_escapes_markdown():
    label, notes = tabs.parse_tab("__bold__")
    assert label == tabs.DEFAULT
    assert notes == ['tab="\\_\\_bold\\_\\_" is not one of this page\'s tabs (curves, calibration, shift, erased, '
                     'representations, toy); showing training curves.']
    assert "an unreadable value" in tabs.parse_tab("x" * 200)[1][0]
