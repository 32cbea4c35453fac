"""Page 2: cross-entropy against the prediction and against the logit gap, and a check with PyTorch."""

from __future__ import annotations

import streamlit as st

from lib import figures
from lib.explain import gap_latex
from lib.smoothing import entropy_floor, target_values
from lib.torch_check import FloorCheck, check_floor_with_pytorch
from ui.controls import smoothing_controls
from ui.routing import run_through_router

run_through_router()

PLOT_CONFIG = {"displaylogo": False}


@st.cache_data(show_spinner=False, max_entries=512)
def pytorch_check(K: int, eps: float, spread: str) -> FloorCheck:
    """PyTorch's loss at the optimal logits; cached because torch calls cost more than the page budget."""
    return check_floor_with_pytorch(K, eps, spread=spread)  # type: ignore[arg-type]


st.title("Loss curves")
st.markdown(
    "Why the loss stops at the floor, three ways: as a function of the probability the model gives the "
    "true class, split into **CE = H(ỹ) + KL(ỹ‖p)**, and as a function of the logit gap the network "
    "actually learns."
)
K, eps, spread = smoothing_controls("curves")
on, _ = target_values(K, eps, spread=spread)
floor = entropy_floor(K, eps, spread=spread)

col_ce, col_split = st.columns(2)
with col_ce:
    st.subheader("Cross-entropy against p")
    st.plotly_chart(figures.ce_vs_prob(K, eps, spread=spread), config=PLOT_CONFIG, key="curves_ce")
    st.caption(f"The other K − 1 classes share 1 − p evenly. The minimum sits at p = ỹ_true = {on:.4g}, "
               f"not at p = 1, and its value is the floor, {floor:.4f} nats.")
with col_split:
    st.subheader("CE = H(ỹ) + KL(ỹ‖p)")
    st.plotly_chart(figures.ce_decomposition(K, eps, spread=spread), config=PLOT_CONFIG, key="curves_split")
    st.caption("Training can only shrink the KL part; the entropy band is the target's own.")

st.subheader("Loss against the logit gap")
st.plotly_chart(figures.ce_vs_gap(K, eps, spread=spread), config=PLOT_CONFIG, key="curves_gap")
st.latex(gap_latex(K, eps, spread=spread))
st.caption("With one-hot targets the loss falls for ever as the gap grows, so logits keep growing; "
           "with smoothing the best gap is finite (Müller et al. 2019).")

with st.container(border=True):
    st.subheader("Check with PyTorch")
    if eps == 0.0:
        st.info("With ε = 0 the best logit gap is infinite, so there is no finite optimum to hand to "
                "PyTorch: the loss only approaches 0. Move ε above 0.", icon=":material/all_inclusive:")
    else:
        check = pytorch_check(K, eps, spread)
        st.markdown(f"`F.cross_entropy` at the optimal logits (gap {check.logit_gap:.4f}) with "
                    f"`label_smoothing={check.label_smoothing:.6g}`"
                    + (" = ε·K/(K−1), the \"others\" convention in PyTorch's terms" if spread == "others"
                       else " = ε") + ":")
        col_torch, col_ours, col_diff = st.columns(3)
        col_torch.metric("PyTorch loss", f"{check.pytorch_loss:.6f} nats")
        col_ours.metric("Entropy floor H(ỹ)", f"{check.floor:.6f} nats")
        col_diff.metric("Difference", f"{check.abs_difference:.1e} nats",
                        help="Float64 rounding only: PyTorch reaches exactly the floor.")
        st.code(check.code(), language="python")
        st.caption(f"Computed on this server with torch {check.torch_version}, float64, CPU.")
