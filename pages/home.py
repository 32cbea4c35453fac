"""Home: the story in one paragraph, the worked example with real numbers, and a door to each page."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.explainer.url_state import to_query_params
from lib.explainer.words import WORKED_EPS, WORKED_K, floor_sum_latex, worked_example_sentence, worked_example_table
from lib.share import TEXT_OFF, TEXT_PARAM
from ui.controls import current_state
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import formula, prose, show_text

run_through_router()

st.title("Label Smoothing Lab")
state = current_state()  # its notes that repair a link, the text= one included, come first, as on every page
prose(
    "Train a classifier with one-hot targets and cross-entropy rewards it for pushing the true class "
    "towards probability 1, its logit ever further above the others. **Label smoothing** "
    "(Szegedy et al. 2016) trains against a softer target ỹ instead, which keeps a share ε of the "
    "probability for the wrong classes. Cross-entropy then splits in two, "
    "**CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)**: the KL part vanishes once the prediction p equals the target, but "
    "the entropy H(ỹ) belongs to the target itself and stays. That entropy is a **floor**: no model, "
    "however good, gets the loss below it, which is why a smoothed training loss levels off above zero, "
    "and the best logits sit a finite distance apart (Müller et al. 2019). Two conventions for "
    "spreading ε are in use, and they give different floors."
)

st.subheader(f"Worked example: K = {WORKED_K} classes, ε = {WORKED_EPS}")
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
st.page_link("pages/classify.py", label="**Classify your images**: our CIFAR-10 models with and without "
             "smoothing, side by side on your photos", icon=":material/image_search:", query_params=model_params)
st.page_link("pages/training.py", label="**What smoothing does to training**: loss curves against their "
             "floors, calibration, representations, and a model you train yourself", icon=":material/monitoring:",
             query_params=model_params)
st.caption(f"Links open with K = {state.K}, ε = {state.eps:g}, convention \"{state.spread}\"; every page "
           "keeps its settings in the address bar, so a link reproduces what you see.")

check_understanding("home", quiz.home_questions(state.K, state.eps, state.spread))
share_panel("home", "Label Smoothing Lab")
