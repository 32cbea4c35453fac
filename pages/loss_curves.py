"""Step 2 of the story: why the loss never reaches zero — cross-entropy against the prediction and against the logit
gap, a check with PyTorch, and the gradient that stops pushing at the best gap."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.cifar.torch_check import FloorCheck, check_floor_with_pytorch
from lib.explainer.url_state import SmoothingState
from ui.code_block import code_block
from ui.controls import smoothing_controls
from ui.explorable import explorable
from ui.gradient_panel import gradient_section
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.story import next_page_link
from ui.text import prose, show_text

run_through_router()

TITLE = "Loss curves"


@st.cache_data(show_spinner=False, max_entries=512)
def pytorch_check(K: int, eps: float, spread: str) -> FloorCheck:
    """PyTorch's loss at the optimal logits; cached because torch calls cost more than the page budget."""
    return check_floor_with_pytorch(K, eps, spread=spread)  # type: ignore[arg-type]


st.title(TITLE)
prose("Drag ε from 0 upwards and watch the bottom of each curve lift off zero: the loss now has a lowest point, "
      "at a finite logit gap, and never reaches zero.")
K, eps, spread = smoothing_controls("curves")
# Above the figures, the gap* mark and the PyTorch check: they answer the questions.
check_understanding("curves", quiz.loss_curves_quiz(K, eps, spread))
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
prose("The same loss three ways: against the probability p the model gives the true class, split into "
      "**CE = H(ỹ) + KL(ỹ‖p)** (only the KL part can go), and against the logit gap the network actually learns.")

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
            code_block(check.code(), what="the PyTorch code", key="curves_pytorch_code")
        st.caption(f"Computed on this server with torch {check.torch_version}, float64, CPU.")

gradient_section(K, eps, spread)
share_panel("curves", TITLE)
next_page_link("pages/loss_curves.py", SmoothingState(K, eps, spread))
