"""How the app writes a number for people to read: one rule, so the same number reads the same wherever it appears.

(Named ``digits``, not ``numbers``: a module ``numbers`` would shadow the standard library's wherever ``lib/`` itself
is on ``sys.path``, as it is in the decode workers.)

The rule (issue 21, "Digits for people"):

* **4 significant figures, trailing zeros dropped** — ``0.50030 → 0.5003``, ``2.302585 → 2.303``,
  ``0.9 → 0.9`` (not ``0.90``), ``0.011111 → 0.01111``, ``4.5109 → 4.511``, ``1.0 → 1``. Four, not three,
  because the app's headline numbers differ in the fourth: the floor 0.5003 nats would read "0.5" (or "0.500")
  at three, as if it were exactly a half, and a loss just above its floor would read the same as the floor.
  Dropping the trailing zeros makes an exact value look exact (1 − ε = 0.9, ε/K = 0.01).
* Below 10⁻³ in size, scientific: ``1.2 × 10⁻⁵`` (``1.2\\times10^{-5}`` in LaTeX); a real minus sign, ``−0.9``.
* **Percentages get 3 significant figures** (:func:`percent`): ``0.6234 → 62.3%``, ``0.046 → 4.6%``,
  ``1.0 → 100%``: ×100 already moves two digits before the point, so three carry what four carry for a
  probability, and a percentage with more digits reads as false precision.
* Settings people typed or picked (K, ε, a step count) are written as they are (``f"{eps:g}"``), not through
  this rule: they are inputs, not results.

Where a number is *checked* rather than read — the PyTorch panel's losses and gradients, the code it runs — the
page keeps full precision on purpose and does not use these helpers. The formulas that write a sum out
(:func:`lib.explainer.words.floor_sum_latex`) use this same rule for their terms and total: at 4 figures the
terms visibly add up to the total, to its last digit within rounding.
"""

from __future__ import annotations

import math
from decimal import Decimal

SIGNIFICANT = 4
"""Significant figures of a number in prose, a caption or a label."""

PERCENT_SIGNIFICANT = 3
"""Significant figures of a percentage."""

SMALLEST_PLAIN = 1e-3
"""Numbers smaller than this in size are written in scientific notation (``1.2 × 10⁻⁵``)."""

MINUS = "−"  # U+2212, the minus sign of typeset text (a hyphen is shorter and sits lower)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parts(x: float, digits: int) -> tuple[str, int]:
    """``abs(x)`` rounded to ``digits`` significant figures as (its mantissa, trailing zeros dropped, its exponent):
    the exponent of the *rounded* value, so 9.9996 at 4 figures is (``"1"``, 1)."""
    mantissa, exponent = f"{abs(x):.{digits - 1}e}".split("e")
    return mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa, int(exponent)


def _plain(x: float, digits: int) -> str:
    """``abs(x)`` at ``digits`` significant figures in positional notation, trailing zeros dropped."""
    text = format(Decimal(f"{abs(x):.{digits - 1}e}"), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


TINY = 1e-300
"""Below this a number is written 0 (see :func:`_special`)."""


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    # Near the smallest normal float (2.2 × 10⁻³⁰⁸) and below it a number keeps fewer digits than it is written
    # with, so its written form would read back as another number (5e-324 as 0). Nothing a page shows is that
    # small: below 10⁻³⁰⁰ it is written 0.
    if abs(x) < TINY:
        return "0"
    return None


def for_people(x: float, digits: int = SIGNIFICANT) -> str:
    """``x`` as prose, captions and labels write it: ``digits`` significant figures, trailing zeros dropped, a real
    minus sign, scientific below 10⁻³ (``0.50030 → "0.5003"``, ``-0.9 → "−0.9"``, ``1.2e-5 → "1.2 × 10⁻⁵"``)."""
    special = _special(float(x))
    if special is not None:
        return special
    sign = MINUS if x < 0 else ""
    mantissa, exponent = _parts(float(x), digits)
    if 10.0**exponent < SMALLEST_PLAIN:
        return f"{sign}{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    return sign + _plain(float(x), digits)


def signed(x: float, digits: int = SIGNIFICANT) -> str:
    """:func:`for_people` with its sign always written, for a quantity whose sign is the point (a gradient):
    ``+0.01``, ``−0.9``, ``0``."""
    text = for_people(x, digits)
    return text if text.startswith(MINUS) or x == 0 or math.isnan(x) else "+" + text


def nats(x: float) -> str:
    """A loss or an entropy with its unit: ``"0.5003 nats"``."""
    return f"{for_people(x)} nats"


def percent(p: float, digits: int = PERCENT_SIGNIFICANT) -> str:
    """A probability or a rate as a percentage at 3 significant figures: ``0.6234 → "62.3%"``, ``1.0 → "100%"``."""
    return f"{for_people(100.0 * p, digits)}%"


def tex(x: float, digits: int = SIGNIFICANT) -> str:
    """:func:`for_people` for LaTeX: ``0.91 → 0.91``, ``1.2e-5 → 1.2\\times10^{-5}``, ``-0.9 → -0.9``."""
    special = _special(float(x))
    if special is not None:
        return {"∞": r"\infty", f"{MINUS}∞": r"-\infty", "undefined": r"\text{undefined}"}.get(special, special)
    sign = "-" if x < 0 else ""
    mantissa, exponent = _parts(float(x), digits)
    if 10.0**exponent < SMALLEST_PLAIN:
        return f"{sign}{mantissa}\\times10^{{{exponent}}}"
    return sign + _plain(float(x), digits)
