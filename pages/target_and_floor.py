"""Page 1: the smoothed target for the current K and ε, and the entropy floor it imposes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib import figures
from lib.explain import floor_sum_latex, target_latex, worked_example_sentence
from lib.smoothing import entropy_floor, floor_grid, max_eps
from ui.controls import SPREAD_LABELS, smoothing_controls
from ui.routing import run_through_router

run_through_router()

PLOT_CONFIG = {"displaylogo": False}


@st.cache_data(show_spinner=False)
def heatmap_data(spread: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The K × ε grid of floors for the heat map: the same for every slider position, so computed once."""
    ks, eps_grid = figures.heatmap_axes()
    return ks, eps_grid, floor_grid(ks, eps_grid, spread=spread)


st.title("Smoothed target & entropy floor")
st.markdown(
    "Label smoothing replaces the one-hot target by ỹ. The best any prediction can do is to match ỹ "
    "exactly, and the cross-entropy it then scores is the entropy of ỹ, the **floor** "
    "L_min = −Σᵢ ỹᵢ ln ỹᵢ. Move K and ε and watch both."
)
K, eps, spread = smoothing_controls("floor")
other = "others" if spread == "all" else "all"

st.latex(target_latex(K, eps, spread=spread))
st.plotly_chart(figures.target_bars(K, eps, spread=spread), config=PLOT_CONFIG, key="floor_bars")

floor = entropy_floor(K, eps, spread=spread)
col_now, col_other = st.columns(2)
col_now.metric(f"Entropy floor L_min, {SPREAD_LABELS[spread]}", f"{floor:.4f} nats",
               help="The smallest cross-entropy any prediction can reach against this target.")
if eps <= max_eps(K, spread=other):
    col_other.metric(f"Same K and ε, {SPREAD_LABELS[other]}", f"{entropy_floor(K, eps, spread=other):.4f} nats")
else:
    col_other.metric(f"Same K and ε, {SPREAD_LABELS[other]}", "not defined",
                     help=f"With K = {K}, ε = {eps:g} would make a wrong class more likely than the true one.")
st.latex(floor_sum_latex(K, eps, spread=spread))

col_curve, col_map = st.columns(2)
with col_curve:
    st.plotly_chart(figures.floor_vs_eps(K, eps, spread=spread), config=PLOT_CONFIG, key="floor_curve")
    st.caption("The floor grows with ε and reaches ln K where the target becomes uniform.")
with col_map:
    ks, eps_grid, floors = heatmap_data(spread)
    st.plotly_chart(figures.floor_heatmap(ks, eps_grid, floors, K=K, eps=eps, spread=spread),
                    config=PLOT_CONFIG, key="floor_heatmap")
    st.caption("More classes spread the same ε thinner, over more terms: the floor rises with K too.")

st.info(worked_example_sentence(), icon=":material/calculate:")
