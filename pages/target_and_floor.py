"""Page 1: the smoothed target for the current K and ε, and the entropy floor it imposes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib import quiz
from lib.explainer import figures, words
from lib.explainer.words import explainer_settings
from lib.export import file_stem
from lib.smoothing import CONVENTIONS, entropy_floor, floor_grid, max_eps, other_spread
from ui.controls import smoothing_controls
from ui.figure import figure
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import formula, prose, show_text

run_through_router()

TITLE = "Smoothed target & entropy floor"


@st.cache_data(show_spinner=False)
def heatmap_data(spread: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The K × ε grid of floors for the heat map: the same for every slider position, so computed once."""
    ks, eps_grid = figures.heatmap_axes()
    return ks, eps_grid, floor_grid(ks, eps_grid, spread=spread)


st.title(TITLE)
prose(
    "Label smoothing replaces the one-hot target by ỹ. The best any prediction can do is to match ỹ "
    "exactly, and the cross-entropy it then scores is the entropy of ỹ, the **floor** "
    "L_min = −Σᵢ ỹᵢ ln ỹᵢ. Move K and ε and watch both."
)
K, eps, spread = smoothing_controls("floor")
other = other_spread(spread)
settings = explainer_settings(K, eps, spread)


def stem(name: str) -> str:
    return file_stem(name, K=K, eps=eps, spread=spread)


formula(words.target_latex(K, eps, spread=spread))
figure(figures.target_bars(K, eps, spread=spread), key="floor_bars", stem=stem("target"),
       title=f"Smoothed target ỹ: {settings}", caption=words.target_bars_caption(K, eps, spread=spread))

floor = entropy_floor(K, eps, spread=spread)
col_now, col_other = st.columns(2)
col_now.metric(f"Entropy floor L_min, {CONVENTIONS[spread].label}", f"{floor:.4f} nats",
               help="The smallest cross-entropy any prediction can reach against this target.")
if eps <= max_eps(K, spread=other):
    col_other.metric(f"Same K and ε, {CONVENTIONS[other].label}", f"{entropy_floor(K, eps, spread=other):.4f} nats")
else:
    col_other.metric(f"Same K and ε, {CONVENTIONS[other].label}", "not defined",
                     help=f"With K = {K}, ε = {eps:g} would make a wrong class more likely than the true one.")
formula(words.floor_sum_latex(K, eps, spread=spread))

col_curve, col_map = st.columns(2)
figure(figures.floor_vs_eps(K, eps, spread=spread), key="floor_curve", stem=stem("floor-vs-eps"),
       title=f"Entropy floor against ε: {settings}", caption=words.floor_curve_caption(K, eps, spread=spread),
       where=col_curve)
ks, eps_grid, floors = heatmap_data(spread)
figure(figures.floor_heatmap(ks, eps_grid, floors, K=K, eps=eps, spread=spread), key="floor_heatmap",
       stem=stem("floor-heatmap"), title=f"Entropy floor over K and ε: {settings}",
       caption=words.heatmap_caption(K, eps, ks, eps_grid, floors, spread=spread), where=col_map)

if show_text():
    st.info(words.worked_example_sentence(), icon=":material/calculate:")
check_understanding("floor", quiz.target_and_floor_questions(K, eps, spread))
share_panel("floor", TITLE)
