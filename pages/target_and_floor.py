"""Page 1: the smoothed target for the current K and ε, and the entropy floor it imposes."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.explainer import words
from ui.controls import smoothing_controls
from ui.explorable import explorable
from ui.framework_calls import framework_calls
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import prose, show_text

run_through_router()

TITLE = "Smoothed target & entropy floor"


st.title(TITLE)
prose(
    "Label smoothing replaces the one-hot target by ỹ. The best any prediction can do is to match ỹ "
    "exactly, and the cross-entropy it then scores is the entropy of ỹ, the **floor** "
    "L_min = −Σᵢ ỹᵢ ln ỹᵢ. Move K and ε and watch both."
)
K, eps, spread = smoothing_controls("floor")
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

if show_text():
    st.info(words.pytorch_conversion_sentence(K, eps, spread), icon=":material/calculate:")
framework_calls(K, eps, spread)
check_understanding("floor", quiz.target_and_floor_questions(K, eps, spread))
share_panel("floor", TITLE)
