"""The loss-curves page's gradient section: ∂L/∂z at a logit gap the learner sets, and PyTorch's autograd."""

from __future__ import annotations

import math

import streamlit as st

from lib.cifar.torch_check import GradientCheck, check_gradient_with_pytorch
from lib.explainer import figures, words
from lib.explainer.words import explainer_settings
from lib.export import file_stem
from lib.smoothing import Spread, optimal_logit_gap
from ui.figure import figure
from ui.text import prose, show_text

GAP_KEY = "curves_grad_gap"
GRADIENT_FIGURE_KEYS = ("curves_gradient_bars", "curves_gradient_curve")
GAP_MAX = 20.0


@st.cache_data(show_spinner=False, max_entries=512)
def _autograd(K: int, eps: float, gap: float, spread: Spread) -> GradientCheck:
    return check_gradient_with_pytorch(K, eps, gap, spread=spread)


def gradient_section(K: int, eps: float, spread: Spread) -> None:
    """Bars of ∂L/∂zᵢ = pᵢ − ỹᵢ at the chosen gap, the push on the true logit against the gap, and autograd."""
    st.subheader("The gradient: why the logits stay finite")
    prose("Training moves each logit against its gradient **∂L/∂zᵢ = pᵢ − ỹᵢ**. Set the gap between the true "
          "logit and the others and see which way the next step goes.")
    if GAP_KEY not in st.session_state:
        # Start just past the optimum, where smoothing already pushes back and one-hot still pulls.
        star = optimal_logit_gap(K, eps, spread=spread)
        st.session_state[GAP_KEY] = min(GAP_MAX, round(star + 1.5, 1)) if math.isfinite(star) else 6.0
    gap = st.slider("Logit gap z_true − z_other", -5.0, GAP_MAX, step=0.1, key=GAP_KEY,
                    help="Every wrong class shares one logit; the true class sits this far above it.")
    settings = explainer_settings(K, eps, spread)
    caption = words.gradient_caption(K, eps, gap, spread=spread)
    stem = file_stem("gradient", K=K, eps=eps, spread=spread, gap=gap)
    left, right = st.columns(2)
    figure(figures.gradient_bars(K, eps, gap, spread=spread), key=GRADIENT_FIGURE_KEYS[0], where=left,
           stem=stem, title=f"Gradient of the loss at logit gap {gap:g}: {settings}", caption=None,
           export_caption=caption)
    figure(figures.gradient_vs_gap(K, eps, gap, spread=spread), key=GRADIENT_FIGURE_KEYS[1], where=right,
           stem=file_stem("push-vs-gap", K=K, eps=eps, spread=spread), caption=None,
           title=f"Push on the true logit against the logit gap: {settings}",
           export_caption=caption)
    st.caption(caption)
    check = _autograd(K, eps, gap, spread)
    st.caption(f"torch.autograd, float64: ∂L/∂z_true = {check.pytorch_gradient[0]:.12g}, each other "
               f"{check.pytorch_gradient[1]:.12g}; p − ỹ from lib: {check.ours[0]:.12g}, {check.ours[1]:.12g} "
               f"(largest difference {check.max_abs_difference:.1e}).")
    if show_text():
        with st.expander("The same gradient in PyTorch"):
            st.code(check.code(), language="python")
