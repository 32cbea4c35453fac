"""Step 1 of the story: the smoothed target for the current K and ε, and the entropy floor it imposes."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.explainer import words
from lib.explainer.url_state import SmoothingState
from ui.controls import smoothing_controls
from ui.explorable import explorable
from ui.framework_calls import framework_calls
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.story import next_page_link
from ui.text import prose, show_text

run_through_router()

TITLE = "Smoothed target & entropy floor"


st.title(TITLE)
prose("Drag ε and watch the true class's bar give probability to all the others: the entropy of those bars is "
      "the **floor**, the lowest loss any model can reach.")
K, eps, spread = smoothing_controls("floor")
# Above the figures: they answer the questions.
check_understanding("floor", quiz.target_and_floor_quiz(K, eps, spread))
explorable("floor", K, eps, spread, [
    {"kind": "math", "part": "target_formula"},
    {"kind": "figure", "part": "bars", "caption": "bars_caption", "stem": "bars_stem", "key": "floor_bars",
     "title": "Smoothed target ỹ", "label": "Bar chart of the smoothed target ỹ"},
    {"kind": "metrics", "metrics": [
        {"label": "floor_label", "value": "floor_value",
         "help": "The smallest cross-entropy any prediction can reach against this target."},
        {"label": "other_label", "value": "other_value", "note": "other_note"}]},
    {"kind": "math", "part": "sum_formula"},
    {"kind": "row", "blocks": [
        {"kind": "figure", "part": "curve", "caption": "curve_caption", "stem": "curve_stem", "key": "floor_curve",
         "title": "Entropy floor against ε", "label": "Line chart of the entropy floor against ε"},
        {"kind": "figure", "part": "heatmap", "caption": "heatmap_caption", "stem": "heatmap_stem",
         "key": "floor_heatmap", "title": "Entropy floor over K and ε",
         "label": "Heat map of the entropy floor over K and ε"}]},
])
prose("Why a floor: the best a prediction can do is to match ỹ exactly, and the cross-entropy it then scores is "
      "ỹ's own entropy, L_min = −Σᵢ ỹᵢ ln ỹᵢ. Spread ỹ out (a larger ε; more classes, for ε > 0) and it rises.")

if show_text():
    st.info(words.pytorch_conversion_sentence(K, eps, spread), icon=":material/calculate:")
framework_calls(K, eps, spread)
share_panel("floor", TITLE)
next_page_link("pages/target_and_floor.py", SmoothingState(K, eps, spread))
