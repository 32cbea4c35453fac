"""The one rule for numbers people read (lib/digits.py): 4 significant figures, trailing zeros dropped."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.digits import MINUS, TINY, for_people, nats, percent, signed, tex


def read_back(text: str) -> float:
    """The value a written number names (``1.2 × 10⁻⁵`` and the real minus sign included)."""
    text = text.replace(MINUS, "-").rstrip("%")
    if " × 10" in text:
        mantissa, power = text.split(" × 10")
        exponent = power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        return float(mantissa) * 10.0 ** int(exponent)
    return float(text)


@pytest.mark.parametrize(("value", "text"), [
    (0.50030, "0.5003"), (0.54480, "0.5448"), (2.302585, "2.303"), (0.9, "0.9"), (0.91, "0.91"),
    (0.011111, "0.01111"), (0.01, "0.01"), (4.5109, "4.511"), (1.0, "1"), (9.99996, "10"), (0.1111, "0.1111"),
    (-0.9, "−0.9"), (1.2e-5, "1.2 × 10⁻⁵"), (0.0, "0"), (-0.0, "0"), (math.inf, "∞"), (12345.6, "12350"),
])
def test_four_significant_figures_with_trailing_zeros_dropped(value, text):
    assert for_people(value) == text


def test_the_worked_example_neighbours_read_alike():
    """The issue's examples: the same number once, one way (0.90 vs 0.9, 0.0111 vs 0.01111, 0.5003 vs 0.500)."""
    assert for_people(1 - 0.1) == for_people(0.9) == "0.9"
    assert for_people(0.1 / 9) == "0.01111"
    assert nats(0.500289) == "0.5003 nats"


def test_signs_percentages_and_latex():
    assert signed(0.01) == "+0.01" and signed(-0.9) == "−0.9" and signed(0.0) == "0"
    assert percent(0.6234) == "62.3%" and percent(1.0) == "100%" and percent(0.046) == "4.6%"
    assert tex(0.91) == "0.91" and tex(1.2e-5) == "1.2\\times10^{-5}" and tex(-0.9) == "-0.9"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_the_text_names_the_value_to_four_significant_figures(x):
    text = for_people(x)
    if abs(x) < TINY:  # nothing a page shows: written 0 (lib.digits._special)
        assert text == "0"
        return
    assert abs(read_back(text) - x) <= 0.5 * 10 ** (math.floor(math.log10(abs(x))) - 3) * 1.0001
    significant = text.split(" × ")[0].replace(MINUS, "").replace(".", "").strip("0")
    assert len(significant) <= 4  # never more than 4 significant figures (an integer's zeros hold places)
    assert not ("." in text.split(" × ")[0] and text.split(" × ")[0].endswith("0"))  # no trailing zero


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_a_number_and_its_written_form_read_the_same(x):
    """Written once, read back, written again: the same text (so a number quoted from a label reads alike)."""
    assert for_people(read_back(for_people(x))) == for_people(x)
