"""Home: show, then tell. A live figure to move first, then the idea in a paragraph, the two conventions as an
aside with the worked example, and a door to each page."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.explainer.url_state import SmoothingState, to_query_params
from lib.explainer.words import WORKED_EPS, WORKED_K, floor_sum_latex, worked_example_sentence, worked_example_table
from lib.share import TEXT_OFF, TEXT_PARAM
from ui.controls import eps_controls
from ui.explorable import explorable
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.story import next_page_link
from ui.text import formula, prose, show_text

run_through_router()

st.title("Label Smoothing Lab")
# Its notes that repair a link, the text= one included, come first, as on every page.
K, eps, spread = eps_controls("home")
st.markdown("**Drag ε.** The smoothed target's bars and the loss curve move with it, and the loss can never go "
            "below the dotted floor line.")
explorable("home", K, eps, spread, [
    {"kind": "row", "blocks": [
        {"kind": "figure", "part": "ce", "caption": "ce_caption", "stem": "ce_stem", "key": "home_ce", "height": 250,
         "title": "Cross-entropy against p", "label": "Line chart of the cross-entropy against the predicted "
                                                      "probability p, with the entropy floor"},
        {"kind": "figure", "part": "bars", "caption": "bars_caption", "stem": "bars_stem", "key": "home_bars",
         "height": 250,
         "title": "Smoothed target ỹ", "label": "Bar chart of the smoothed target ỹ"}]},
], compact=True)
state = SmoothingState(K, eps, spread)
prose(
    "Cross-entropy against a one-hot target rewards a classifier for pushing the true class towards "
    "probability 1, for ever. **Label smoothing** (Szegedy et al. 2016) trains against a softer target ỹ that "
    "keeps a share ε for the wrong classes. The loss then splits as **CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)**: training "
    "can remove the KL part, but the entropy H(ỹ) belongs to the target and stays. That is the floor you just "
    "moved, and why a smoothed loss levels off above zero while the best logits sit a finite distance apart "
    "(Müller et al. 2019)."
)

st.subheader("Aside: two conventions, two floors")
prose("Libraries spread ε in two ways: over all K classes (PyTorch, Keras, optax) or over the K − 1 wrong ones "
      "(fairseq, sockeye). Same K and ε, different targets, different floors:")
st.markdown(f"**Worked example: K = {WORKED_K} classes, ε = {WORKED_EPS}**")
prose(worked_example_sentence())
st.markdown(worked_example_table())  # the numbers themselves stay with text=off
prose('In PyTorch\'s "all" convention the floor is the sum')
formula(floor_sum_latex(WORKED_K, WORKED_EPS, spread="all"))
prose('and in the "others" convention')
formula(floor_sum_latex(WORKED_K, WORKED_EPS, spread="others"))

st.subheader("Explore")
link_params = to_query_params(state) | ({} if show_text() else {TEXT_PARAM: TEXT_OFF})
st.page_link("pages/target_and_floor.py", label="**Smoothed target & entropy floor**: move K and ε, "
             "watch the target and its floor", icon=":material/bar_chart:", query_params=link_params)
st.page_link("pages/loss_curves.py", label="**Loss curves**: where the minimum sits, CE = H + KL, the "
             "finite best logit gap, checked against PyTorch", icon=":material/show_chart:",
             query_params=link_params)
model_params = {} if show_text() else {TEXT_PARAM: TEXT_OFF}
st.page_link("pages/training.py", label="**What smoothing does to training**: loss curves against their "
             "floors, calibration, representations, and a model you train yourself", icon=":material/monitoring:",
             query_params=model_params)
st.page_link("pages/classify.py", label="**Classify your images**: our CIFAR-10 models with and without "
             "smoothing, side by side on your photos", icon=":material/image_search:", query_params=model_params)
st.caption(f"Links open with K = {state.K}, ε = {state.eps:g}, convention \"{state.spread}\"; every page "
           "keeps its settings in the address bar, so a link reproduces what you see.")

check_understanding("home", quiz.home_quiz(state.K, state.eps, state.spread))
share_panel("home", "Label Smoothing Lab")
next_page_link("pages/home.py", state)
