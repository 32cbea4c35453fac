"""Each explainer page's live table: its figures (:mod:`lib.explainer.live_figures`) and texts at every ε the
slider offers, for one K and convention, built with arrays rather than one whole view per ε.

A table is ``{"values": [ε, …], "figures": {name: spec}, "text": {name: str | PerState}}``; the texts are the
same captions, formulas and numbers the Streamlit path shows (:mod:`lib.explainer.views`), so
``tests/test_live_views.py`` checks one against the other at every position. Formulas are MathML made from the
same LaTeX: converted once per *shape* of formula (its LaTeX with the numbers taken out) and the numbers put
back, because ``latex2mathml`` costs about a millisecond a call, 100 times per K. Pure Python, no streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from lib.digits import nats
from lib.explainer import live_figures, words
from lib.explainer.live_table import PerState
from lib.explainer.views import heatmap_grid, mathml, slider_values
from lib.export import file_stem
from lib.smoothing import CONVENTIONS, Spread, entropy_floor, max_eps, other_spread

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PLACEHOLDER = "98765{:05d}"  # a number no formula holds, one per number in the LaTeX


@lru_cache(maxsize=256)
def _mathml_shape(skeleton: str) -> str:
    return mathml(skeleton)


def mathml_fast(latex: str) -> str:
    """``mathml(latex)``, converting each shape of formula once: the numbers become placeholders, the shape is
    converted (cached), and the numbers are put back in place of their placeholders."""
    numbers = _NUMBER.findall(latex)
    counter = iter(range(len(numbers)))
    skeleton = _NUMBER.sub(lambda _: _PLACEHOLDER.format(next(counter)), latex)
    out = _mathml_shape(skeleton)
    for i in reversed(range(len(numbers))):  # reversed: placeholder 1 is a prefix of none, but 10 starts like 1…
        out = out.replace(_PLACEHOLDER.format(i), numbers[i])
    return out


def _same_or_per_state(strings: list[str]) -> str | PerState:
    """One string where every position has the same, else one per position."""
    return strings[0] if all(s == strings[0] for s in strings) else PerState(strings)


def _texts(values: Sequence[float], **makers: Callable[[float], str]) -> dict[str, Any]:
    """One text per slider value for each maker; a text that is the same at every position travels once."""
    return {name: _same_or_per_state([make(float(e)) for e in values]) for name, make in makers.items()}


def _formula(values: Sequence[float], name: str, latex: Callable[[float], str]) -> dict[str, Any]:
    """A formula as MathML and as its LaTeX (``<name>_tex``: the ``alttext`` a screen reader may read instead)."""
    sources = [latex(float(e)) for e in values]
    return {name: _same_or_per_state([mathml_fast(s) for s in sources]), f"{name}_tex": _same_or_per_state(sources)}


def _slider_texts(values: Sequence[float]) -> dict[str, Any]:
    return _texts(values, eps_shown=lambda e: f"{e:.2f}", eps_spoken=lambda e: f"ε = {e:g}")


def floor_table(K: int, spread: Spread) -> dict[str, Any]:
    """Page 1's table: target bars, both floors, the written-out sum, the floor curve and the heat map."""
    values = slider_values(K, spread)
    other = other_spread(spread)
    ks, eps_grid, floors = heatmap_grid(spread)
    return {
        "values": values,
        "figures": {
            "bars": live_figures.target_bars(K, spread, values),
            "curve": live_figures.floor_vs_eps(K, spread, values),
            "heatmap": live_figures.floor_heatmap(K, spread, values, ks, eps_grid, floors),
        },
        "text": {
            **_slider_texts(values),
            **_formula(values, "target_formula", lambda e: words.target_latex(K, e, spread=spread)),
            **_formula(values, "sum_formula", lambda e: words.floor_sum_latex(K, e, spread=spread)),
            **_texts(
                values,
                bars_caption=lambda e: words.target_bars_caption(K, e, spread=spread),
                bars_stem=lambda e: file_stem("target", K=K, eps=e, spread=spread),
                floor_label=lambda e: f"Entropy floor L_min, {CONVENTIONS[spread].label}",
                floor_value=lambda e: nats(entropy_floor(K, e, spread=spread)),
                other_label=lambda e: f"Same K and ε, {CONVENTIONS[other].label}",
                other_value=lambda e: (nats(entropy_floor(K, e, spread=other))
                                       if e <= max_eps(K, spread=other) else "not defined"),
                other_note=lambda e: ("" if e <= max_eps(K, spread=other) else
                                      f"With K = {K}, ε = {e:g} would make a wrong class more likely than the "
                                      "true one."),
                curve_caption=lambda e: words.floor_curve_caption(K, e, spread=spread),
                curve_stem=lambda e: file_stem("floor-vs-eps", K=K, eps=e, spread=spread),
                heatmap_caption=lambda e: words.heatmap_caption(K, e, ks, eps_grid, floors, spread=spread),
                heatmap_stem=lambda e: file_stem("floor-heatmap", K=K, eps=e, spread=spread),
            ),
        },
    }


def curves_table(K: int, spread: Spread) -> dict[str, Any]:
    """Page 2's table: CE against p, CE = H + KL, CE against the logit gap, and the optimal-gap formula."""
    values = slider_values(K, spread)
    return {
        "values": values,
        "figures": {
            "ce": live_figures.ce_vs_prob(K, spread, values),
            "split": live_figures.ce_decomposition(K, spread, values),
            "gap": live_figures.ce_vs_gap(K, spread, values),
        },
        "text": {
            **_slider_texts(values),
            **_texts(
                values,
                ce_caption=lambda e: words.ce_vs_prob_caption(K, e, spread=spread),
                ce_stem=lambda e: file_stem("ce-vs-p", K=K, eps=e, spread=spread),
                split_caption=lambda e: words.decomposition_caption(K, e, spread=spread),
                split_stem=lambda e: file_stem("ce-h-plus-kl", K=K, eps=e, spread=spread),
                gap_caption=lambda e: words.gap_caption(K, e, spread=spread),
                gap_stem=lambda e: file_stem("ce-vs-gap", K=K, eps=e, spread=spread),
            ),
            **_formula(values, "gap_formula", lambda e: words.gap_latex(K, e, spread=spread)),
        },
    }


def gradient_table(K: int, spread: Spread, gap: float) -> dict[str, Any]:
    """The loss-curves page's gradient section at the gap the learner set: the bars of ∂L/∂zᵢ and ∂L/∂z_true
    against the gap, and their caption."""
    values = slider_values(K, spread)
    return {
        "values": values,
        "figures": {
            "gradient_bars": live_figures.gradient_bars(K, spread, values, gap),
            "push": live_figures.gradient_vs_gap(K, spread, values, gap),
        },
        "text": _texts(
            values,
            gradient_bars_stem=lambda e: file_stem("gradient", K=K, eps=e, spread=spread, gap=gap),
            push_stem=lambda e: file_stem("push-vs-gap", K=K, eps=e, spread=spread),
            gradient_caption=lambda e: words.gradient_caption(K, e, gap, spread=spread),
        ),
    }


def home_table(K: int, spread: Spread) -> dict[str, Any]:
    """The home page's first figure: the loss against p with its floor, and the smoothed target's bars."""
    values = slider_values(K, spread)
    return {
        "values": values,
        "figures": {"ce": live_figures.ce_vs_prob(K, spread, values),
                    "bars": live_figures.target_bars(K, spread, values)},
        "text": {
            **_slider_texts(values),
            **_texts(
                values,
                ce_caption=lambda e: words.home_curve_caption(K, e, spread=spread),
                ce_stem=lambda e: file_stem("ce-vs-p", K=K, eps=e, spread=spread),
                bars_caption=lambda e: words.target_bars_caption(K, e, spread=spread),
                bars_stem=lambda e: file_stem("target", K=K, eps=e, spread=spread),
            ),
        },
    }


TABLES: dict[str, Callable[..., dict[str, Any]]] = {"floor": floor_table, "curves": curves_table,
                                                    "gradient": gradient_table, "home": home_table}
"""Page part → live table builder, called with K, the convention and the part's own settings (the gap)."""
