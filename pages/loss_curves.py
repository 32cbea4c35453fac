"""Page 2: cross-entropy against the prediction and against the logit gap, and a check with PyTorch."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.cifar.torch_check import FloorCheck, check_floor_with_pytorch
from ui.controls import smoothing_controls
from ui.explorable import explorable
from ui.gradient_panel import gradient_section
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import prose, show_text

run_through_router()

TITLE = "Loss curves"


@st.cache_data(show_spinner=False, max_entries=512)
def pytorch_check(K: int, eps: float, spread: str) -> FloorCheck:
    """PyTorch's loss at the optimal logits; cached because torch calls cost more than the page budget."""
    return check_floor_with_pytorch(K, eps, spread=spread)  # type: ignore[arg-type]


st.title(TITLE)
prose(
    "Why the loss stops at the floor, three ways: as a function of the probability the model gives the "
    "true class, split into **CE = H(ỹ) + KL(ỹ‖p)**, and as a function of the logit gap the network "
    "actually learns."
)
K, eps, spread = smoothing_controls("curves")
explorable("curves", K, eps, spread, [
    {"kind": "row", "blocks": [
        {"kind": "figure", "part": "ce", "caption": "ce_caption", "stem": "ce_stem", "key": "curves_ce",
         "title": "Cross-entropy against p",
         "label": "Line chart of the cross-entropy against the predicted probability p"},
        {"kind": "figure", "part": "split", "caption": "split_caption", "stem": "split_stem", "key": "curves_split",
         "title": "CE = H(ỹ) + KL(ỹ‖p)",
         "label": "Stacked areas: the entropy floor H and the KL divergence over p"}]},
    {"kind": "figure", "part": "gap", "caption": "gap_caption", "stem": "gap_stem", "key": "curves_gap",
     "title": "Cross-entropy against the logit gap",
     "label": "Line chart of the cross-entropy against the logit gap"},
    {"kind": "math", "part": "gap_formula"},
])

with st.container(border=True):
    st.subheader("Check with PyTorch")
    if eps == 0.0:
        st.info("With ε = 0 the best logit gap is infinite, so there is no finite optimum to hand to "
                "PyTorch: the loss only approaches 0. Move ε above 0.", icon=":material/all_inclusive:")
    else:
        check = pytorch_check(K, eps, spread)
        prose(f"`F.cross_entropy` at the optimal logits (gap {check.logit_gap:.4f}) with "
              f"`label_smoothing={check.label_smoothing:.6g}`"
              + (" = ε·K/(K−1), the \"others\" convention in PyTorch's terms" if spread == "others"
                 else " = ε") + ":")
        col_torch, col_ours, col_diff = st.columns(3)
        col_torch.metric("PyTorch loss", f"{check.pytorch_loss:.6f} nats")
        col_ours.metric("Entropy floor H(ỹ)", f"{check.floor:.6f} nats")
        col_diff.metric("Difference", f"{check.abs_difference:.1e} nats",
                        help="Float64 rounding only: PyTorch reaches exactly the floor.")
        if show_text():
            st.code(check.code(), language="python")
        st.caption(f"Computed on this server with torch {check.torch_version}, float64, CPU.")

gradient_section(K, eps, spread)
check_understanding("curves", quiz.loss_curves_questions(K, eps, spread))
share_panel("curves", TITLE)
