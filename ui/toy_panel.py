"""The training page's last tab: the race. ε = 0 and the learner's ε, trained side by side from the same start.

:func:`lib.training.toy.race` computes every frame; this panel only shows one. Play declares the figures'
fragment with a timer (``st.fragment(run_every=FRAME_SECONDS)``), each of whose reruns shows the next frame;
Pause, Step and Start over change the frame or stop the timer (:func:`lib.training.toy.control`).
"""

from __future__ import annotations

import streamlit as st

from lib.export import file_stem
from lib.training import figures as figs
from lib.training import toy, words
from ui.figure import figure
from ui.text import prose
from ui.training_state import URL_SCOPE
from ui.url_sync import mark_moved

FRAME = "training_toy_frame"  # the frame shown
PLAYING = "training_toy_playing"  # whether the animation's timer runs
RACE_OF = "training_toy_race_of"  # the (K, ε) the frame belongs to: a new one opens a new race


@st.cache_data(show_spinner="Training both runs…", max_entries=64)
def cached_race(K: int, eps: float) -> toy.Race:
    """Each (K, ε) is trained once per server (under a second; K = 20, ε = 0.01 is the slowest)."""
    return toy.race(K, eps)


def _act(action: str, last: int) -> None:
    """A button's callback: runs before the rerun it causes, so that rerun already shows the new frame."""
    st.session_state[FRAME], st.session_state[PLAYING] = toy.control(
        st.session_state[FRAME], st.session_state[PLAYING], action, last)


def toy_panel() -> None:
    """Sliders for K and ε, then the race: Play / Pause, Step, Start over, and its loss, gap and confidence."""
    prose("Two copies of one linear softmax classifier on K separable Gaussian blobs, trained from the same "
          "untrained start with the same full-batch gradient-descent steps (NumPy, float64): one with one-hot "
          "targets (ε = 0), one with your ε. **Press Play** and watch the logit gap: the smoothed run stops at "
          "gap*, the one-hot run never stops.")
    col_k, col_eps = st.columns(2)
    k = col_k.slider("K, classes", toy.K_MIN, toy.K_MAX, key="training_toy_k", on_change=mark_moved,
                     args=(URL_SCOPE,))
    eps = col_eps.slider("ε, smoothing", toy.EPS_MIN, toy.EPS_MAX, step=toy.EPS_STEP, format="%.2f",
                         key="training_toy_eps", on_change=mark_moved, args=(URL_SCOPE,))
    race = cached_race(k, eps)
    if st.session_state.get(RACE_OF) != (k, eps):  # a new race opens on its first meaningful frame, paused
        st.session_state.update({RACE_OF: (k, eps), FRAME: toy.OPENING_FRAME, PLAYING: False})
    playing, frame = st.session_state[PLAYING], st.session_state[FRAME]
    # The controls sit outside the fragment, so a click reruns the whole app. Inside it, a click could be lost
    # to a tick arriving at the same moment (seen in Chromium: Pause clicked, the race played on), and only a
    # full run declares the fragment again with the timer set or unset (the documented way to start and stop
    # a fragment's auto-reruns).
    play, step, again = st.columns(3)
    if playing:
        play.button("Pause", key="training_toy_play", icon=":material/pause:", type="primary",
                    on_click=_act, args=("pause", race.frames), width="stretch")
    else:
        play.button("Play", key="training_toy_play", icon=":material/play_arrow:", type="primary",
                    on_click=_act, args=("play", race.frames), width="stretch",
                    help="From the start again" if frame >= race.frames else None)
    step.button("Step", key="training_toy_step", icon=":material/skip_next:", on_click=_act,
                args=("step", race.frames), disabled=frame >= race.frames, width="stretch",
                help=f"One frame on, paused: about {race.pace:.3g} gradient-descent steps")
    again.button("Start over", key="training_toy_start", icon=":material/restart_alt:", on_click=_act,
                 args=("start", race.frames), width="stretch")
    st.fragment(run_every=toy.FRAME_SECONDS if playing else None)(_race_view)(race, playing)


def _race_view(race: toy.Race, timer_on: bool) -> None:
    """One frame of the race; ``timer_on``: whether this fragment was declared with a timer."""
    if timer_on and st.session_state[PLAYING]:  # a tick, or the run that Play caused: one frame on
        _act("tick", race.frames)
        if not st.session_state[PLAYING]:  # the race's last frame: a full run stops the timer, disables Step
            st.rerun(scope="app")
    frame = st.session_state[FRAME]
    description = words.race_description(race, frame)
    step_now = int(race.one_hot["step"][frame])
    for col, (name, fig) in zip(st.columns(3), (("loss", figs.race_loss(race, frame)),
                                                ("gap", figs.race_gap(race, frame)),
                                                ("confidence", figs.race_confidence(race, frame))), strict=True):
        figure(fig, where=col, caption=None, key=f"training_toy_{name}_chart",
               stem=file_stem(f"race-{name}", K=race.K, eps=race.eps, step=step_now),
               title=f"The race, {name}: ε = 0 and ε = {race.eps:g}, K = {race.K}, \"all\" convention, "
                     f"step {step_now}", export_caption=description)
    st.caption(words.race_caption(race, frame))
    with st.expander("Every number at this step"):
        st.caption(description)
