"""lib.url_values: a URL value is quoted back only when short and plain, numbers parse one way, repeats count last."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.url_values import UNREADABLE, last_value, parse_number, quoted


def test_a_short_plain_value_is_quoted_and_anything_else_is_not():
    assert quoted("ten") == '"ten"'
    assert quoted("a" * 24) == f'"{"a" * 24}"' and quoted("a" * 25) == UNREADABLE
    assert quoted("a" * 40, max_length=40) == f'"{"a" * 40}"'
    assert quoted("[click](https://evil)") == UNREADABLE
    assert quoted("<b>x</b>") == UNREADABLE


@given(st.text(max_size=60))
def test_nothing_markdown_or_html_could_use_is_ever_echoed(raw):
    shown = quoted(raw, max_length=60)
    assert shown == UNREADABLE or not any(c in shown[1:-1] for c in "[]()<>*`#!&|\n")


@pytest.mark.parametrize(("raw", "number"), [("3", 3.0), (" 0.25 ", 0.25), ("1e2", 100.0), ("-0", 0.0),
                                             ("ten", None), ("nan", None), ("inf", None), ("", None)])
def test_only_finite_numbers_parse(raw, number):
    assert parse_number(raw) == number


def test_a_repeated_key_counts_as_its_last_value():
    assert last_value(None) is None and last_value("5") == "5"
    assert last_value(["3", "5"]) == "5" and last_value([]) is None
