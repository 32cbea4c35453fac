"""What each explainer page shows at one ε, as named parts: what the Streamlit path draws, and the plotly figures
the HTML downloads carry (the live pages draw the same numbers from :mod:`lib.explainer.live_views`).

A view is the page's figures (from :mod:`lib.explainer.figures`), captions and formulas (from
:mod:`lib.explainer.words`) and formatted numbers (from :mod:`lib.smoothing`) at one slider value, for a
fixed K and convention.
Formulas are MathML (``latex2mathml``, from the same LaTeX strings ``st.latex`` shows), which browsers
draw natively. File names come from :func:`lib.export.file_stem`, so a PNG saved at any state carries
its settings. Pure functions, no streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from latex2mathml.converter import convert as latex_to_mathml

from lib.digits import nats
from lib.explainer import figures, words
from lib.explainer.url_state import eps_slider_max
from lib.export import file_stem
from lib.smoothing import CONVENTIONS, Spread, entropy_floor, floor_grid, max_eps, other_spread

View = Callable[[float], dict[str, Any]]


def slider_values(K: int, spread: Spread) -> list[float]:
    """Every ε the slider offers for K and the convention: 0, 0.01, … up to :func:`eps_slider_max`."""
    top = round(eps_slider_max(K, spread) * 100)
    return [n / 100 for n in range(top + 1)]


def slider_index(K: int, spread: Spread, eps: float) -> int:
    """The slider position showing ``eps`` (the nearest: values lie on the same 0.01 grid)."""
    values = np.asarray(slider_values(K, spread), dtype=np.float64)
    return int(np.argmin(np.abs(values - eps)))


def mathml(latex: str) -> str:
    """``latex`` as a MathML ``<math>`` element (block display), for the browser to draw."""
    return latex_to_mathml(latex, display="block")


def _formula(name: str, latex: str) -> dict[str, str]:
    # MathML for the live page, the LaTeX itself for st.latex on the Streamlit-slider path.
    return {name: mathml(latex), f"{name}_tex": latex}


def _slider_parts(eps: float) -> dict[str, str]:
    # What the slider says: beside its label, and to a screen reader (aria-valuetext).
    return {"eps_shown": f"{eps:.2f}", "eps_spoken": f"ε = {eps:g}"}


@lru_cache(maxsize=4)
def heatmap_grid(spread: Spread) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The heat map's K × ε grid of floors: the same for every slider position, so computed once."""
    ks, eps_grid = figures.heatmap_axes()
    return ks, eps_grid, floor_grid(ks, eps_grid, spread=spread)


def target_and_floor_view(K: int, spread: Spread) -> View:
    """Page 1 at ε: the target bars, both floors, the written-out sum, the floor curve and the heat map."""
    other = other_spread(spread)
    ks, eps_grid, floors = heatmap_grid(spread)

    def view(eps: float) -> dict[str, Any]:
        settings = dict(K=K, eps=eps, spread=spread)
        floor = entropy_floor(K, eps, spread=spread)
        other_defined = eps <= max_eps(K, spread=other)
        return {
            **_slider_parts(eps),
            **_formula("target_formula", words.target_latex(K, eps, spread=spread)),
            "bars": figures.target_bars(K, eps, spread=spread),
            "bars_caption": words.target_bars_caption(K, eps, spread=spread),
            "bars_stem": file_stem("target", **settings),
            "floor_label": f"Entropy floor L_min, {CONVENTIONS[spread].label}",
            "floor_value": nats(floor),
            "other_label": f"Same K and ε, {CONVENTIONS[other].label}",
            "other_value": (nats(entropy_floor(K, eps, spread=other)) if other_defined
                            else "not defined"),
            "other_note": ("" if other_defined else
                           f"With K = {K}, ε = {eps:g} would make a wrong class more likely than the true one."),
            **_formula("sum_formula", words.floor_sum_latex(K, eps, spread=spread)),
            "curve": figures.floor_vs_eps(K, eps, spread=spread),
            "curve_caption": words.floor_curve_caption(K, eps, spread=spread),
            "curve_stem": file_stem("floor-vs-eps", **settings),
            "heatmap": figures.floor_heatmap(ks, eps_grid, floors, K=K, eps=eps, spread=spread),
            "heatmap_caption": words.heatmap_caption(K, eps, ks, eps_grid, floors, spread=spread),
            "heatmap_stem": file_stem("floor-heatmap", **settings),
        }

    return view


def loss_curves_view(K: int, spread: Spread) -> View:
    """Page 2 at ε: CE against p, CE = H + KL, CE against the logit gap, and the optimal-gap formula."""

    def view(eps: float) -> dict[str, Any]:
        settings = dict(K=K, eps=eps, spread=spread)
        return {
            **_slider_parts(eps),
            "ce": figures.ce_vs_prob(K, eps, spread=spread),
            "ce_caption": words.ce_vs_prob_caption(K, eps, spread=spread),
            "ce_stem": file_stem("ce-vs-p", **settings),
            "split": figures.ce_decomposition(K, eps, spread=spread),
            "split_caption": words.decomposition_caption(K, eps, spread=spread),
            "split_stem": file_stem("ce-h-plus-kl", **settings),
            "gap": figures.ce_vs_gap(K, eps, spread=spread),
            "gap_caption": words.gap_caption(K, eps, spread=spread),
            "gap_stem": file_stem("ce-vs-gap", **settings),
            **_formula("gap_formula", words.gap_latex(K, eps, spread=spread)),
        }

    return view


def gradient_view(K: int, spread: Spread, gap: float) -> View:
    """The loss-curves page's gradient section at ε, for the logit gap the learner set: the bars of
    ∂L/∂zᵢ = pᵢ − ỹᵢ, the true logit's ∂L/∂z_true against the gap (the part still named "push"), and what they
    show."""

    def view(eps: float) -> dict[str, Any]:
        return {
            "gradient_bars": figures.gradient_bars(K, eps, gap, spread=spread),
            "gradient_bars_stem": file_stem("gradient", K=K, eps=eps, spread=spread, gap=gap),
            "push": figures.gradient_vs_gap(K, eps, gap, spread=spread),
            "push_stem": file_stem("true-logit-gradient-vs-gap", K=K, eps=eps, spread=spread),
            "gradient_caption": words.gradient_caption(K, eps, gap, spread=spread),
        }

    return view


def home_view(K: int, spread: Spread) -> View:
    """The home page's first figure at ε: the loss against p with its floor, and the smoothed target's bars."""

    def view(eps: float) -> dict[str, Any]:
        settings = dict(K=K, eps=eps, spread=spread)
        return {
            **_slider_parts(eps),
            "ce": figures.ce_vs_prob(K, eps, spread=spread),
            "ce_caption": words.home_curve_caption(K, eps, spread=spread),
            "ce_stem": file_stem("ce-vs-p", **settings),
            "bars": figures.target_bars(K, eps, spread=spread),
            "bars_caption": words.target_bars_caption(K, eps, spread=spread),
            "bars_stem": file_stem("target", **settings),
        }

    return view


VIEWS: dict[str, Callable[..., View]] = {"floor": target_and_floor_view, "curves": loss_curves_view,
                                         "gradient": gradient_view, "home": home_view}
"""Page part → view builder, called with K, the convention and the part's own settings (the gradient's gap)."""
