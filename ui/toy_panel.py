"""The training page's last tab: a softmax classifier on Gaussian blobs that the user trains step by step."""

from __future__ import annotations

import time

import streamlit as st

from lib.export import file_stem
from lib.training import figures as figs
from lib.training import toy, words
from ui.figure import figure
from ui.text import prose
from ui.training_state import URL_SCOPE, widgets_to_url
from ui.url_sync import mark_moved

QUESTIONS_FOR = "training_toy_questions_for"  # the toy (K, ε) the page's questions were last built for


@st.fragment
def toy_panel() -> None:
    """Sliders for K and ε, Start over / Step / Continue, and the loss, gap and confidence of the toy model.

    A fragment: a click here reruns this panel alone, not the page's other tabs and figures; it writes the
    address itself, since the page's own :func:`widgets_to_url` runs only on full reruns. A slider move
    reruns the whole page, whose questions (under the tabs) are about the toy's K and ε.
    """
    prose(f"A linear softmax classifier on K separable Gaussian blobs, trained with full-batch gradient "
          f"descent in NumPy (float64). **Start over** resets it to untrained, **Step** takes one step, "
          f"**Continue** takes {toy.CHUNK}.")
    col_k, col_eps = st.columns(2)
    k = col_k.slider("K, classes", toy.K_MIN, toy.K_MAX, key="training_toy_k", on_change=mark_moved,
                     args=(URL_SCOPE,))
    eps = col_eps.slider("ε, smoothing", toy.EPS_MIN, toy.EPS_MAX, step=toy.EPS_STEP, format="%.2f",
                         key="training_toy_eps", on_change=mark_moved, args=(URL_SCOPE,))
    if st.session_state.get(QUESTIONS_FOR) != (k, eps):
        st.rerun(scope="app")
    buttons = st.columns(3)
    clicked = [name for name, col, label, icon in (
        ("start", buttons[0], "Start over", ":material/restart_alt:"),
        ("step", buttons[1], "Step", ":material/skip_next:"),
        ("continue", buttons[2], f"Continue ({toy.CHUNK} steps)", ":material/fast_forward:"),
    ) if col.button(label, key=f"training_toy_{name}", icon=icon)]
    t0 = time.perf_counter()
    model = toy.advance(st.session_state.get("training_toy_model"), k, eps, clicked[0] if clicked else None)
    took = time.perf_counter() - t0
    st.session_state["training_toy_model"] = model
    toy_caption = words.toy_caption(model, took if took > 0.005 else None)
    for col, (name, fig) in zip(st.columns(3), (("loss", figs.toy_loss(model)), ("gap", figs.toy_gap(model)),
                                                ("confidence", figs.toy_confidence(model))), strict=True):
        figure(fig, where=col, caption=None, key=f"training_toy_{name}_chart",
               stem=file_stem(f"toy-{name}", K=model.config.K, eps=model.config.eps, step=model.step),
               title=f"Your classifier's {name}: K = {model.config.K}, ε = {model.config.eps:g}, "
                     f"\"all\" convention, step {model.step}", export_caption=toy_caption)
    st.caption(toy_caption)
    widgets_to_url()
