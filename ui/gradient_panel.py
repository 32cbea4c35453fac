"""The loss-curves page's gradient section: ∂L/∂z at a logit gap the learner sets, and PyTorch's autograd."""

from __future__ import annotations

import streamlit as st

from lib.cifar.torch_check import GradientCheck, check_gradient_with_pytorch
from lib.explainer.gradient import GAP_MAX, GAP_MIN, GAP_STEP, starting_gap
from lib.explainer.words import explainer_settings
from lib.smoothing import Spread
from ui.code_block import code_block
from ui.explorable import explorable
from ui.text import prose, show_text

GAP_KEY = "curves_grad_gap"
GRADIENT_FIGURE_KEYS = ("curves_gradient_bars", "curves_gradient_curve")


@st.cache_data(show_spinner=False, max_entries=512)
def _autograd(K: int, eps: float, gap: float, spread: Spread) -> GradientCheck:
    return check_gradient_with_pytorch(K, eps, gap, spread=spread)


def gradient_section(K: int, eps: float, spread: Spread) -> None:
    """Bars of ∂L/∂zᵢ = pᵢ − ỹᵢ at the chosen gap, ∂L/∂z_true against the gap, and autograd: one quantity, the
    gradient with its own sign, in both figures and the caption (lib.explainer.gradient)."""
    st.subheader("The gradient: why the logits stay finite")
    prose("Training moves each logit against its gradient **∂L/∂zᵢ = pᵢ − ỹᵢ**: a negative gradient pushes the "
          "logit up, a positive one pushes it down. Set the gap between the true logit and the others and see "
          "which way the next step goes.")
    if GAP_KEY not in st.session_state:
        st.session_state[GAP_KEY] = starting_gap(K, eps, spread=spread)
    gap = st.slider("Logit gap z_true − z_other", GAP_MIN, GAP_MAX, step=GAP_STEP, key=GAP_KEY,
                    help="Every wrong class shares one logit; the true class sits this far above it.")
    # The figures and their caption follow the page's ε slider as it moves (a follower of the page's explorable);
    # moving the gap goes through Python, which sends the table for the new gap.
    settings = explainer_settings(K, eps, spread)
    explorable("gradient", K, eps, spread, [
        {"kind": "row", "blocks": [
            {"kind": "figure", "part": "gradient_bars", "stem": "gradient_bars_stem", "key": GRADIENT_FIGURE_KEYS[0],
             "export_caption": "gradient_caption",
             "title": f"Gradient of the loss on each logit, ∂L/∂zᵢ, at logit gap {gap:g}",
             "label": "Bar chart of the gradient ∂L/∂zᵢ of the loss with respect to each logit"},
            {"kind": "figure", "part": "push", "stem": "push_stem", "key": GRADIENT_FIGURE_KEYS[1],
             "export_caption": "gradient_caption",
             "title": "Gradient of the loss on the true logit, ∂L/∂z_true, against the logit gap",
             "label": "Line chart of the gradient ∂L/∂z_true against the logit gap"}]},
        {"kind": "caption", "part": "gradient_caption"},
    ], settings=(gap,), follows="curves")
    check = _autograd(K, eps, gap, spread)
    # PyTorch runs on the server for the settled state, so this line names the state it checked.
    st.caption(f"Checked at {settings}, gap {gap:g} — torch.autograd, float64: ∂L/∂z_true = "
               f"{check.pytorch_gradient[0]:.12g}, each other {check.pytorch_gradient[1]:.12g}; p − ỹ from lib: "
               f"{check.ours[0]:.12g}, {check.ours[1]:.12g} (largest difference {check.max_abs_difference:.1e}).")
    if show_text():
        with st.expander("The same gradient in PyTorch"):
            code_block(check.code(), what="the PyTorch code", key="curves_gradient_code")
