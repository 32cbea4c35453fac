"""Step 3 of the story: what label smoothing does to training — our CIFAR-10 runs, and a classifier you train
yourself."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.export import file_stem
from lib.paths import models_dir as shipped_models_dir
from lib.training import figures as figs
from lib.training import runs, tabs, words
from ui.figure import figure
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.story import carried_state, next_page_link
from ui.study_panels import under_shift_section, wrong_classes_section
from ui.text import prose
from ui.toy_panel import toy_panel
from ui.training_state import TAB_KEY, URL_SCOPE, url_to_widgets, widgets_to_url
from ui.url_sync import mark_moved

run_through_router()

TITLE = "What smoothing does to training"


@st.cache_resource(show_spinner="Reading the training logs…", max_entries=4)
def load_runs(models_dir: str, fingerprint: tuple) -> list[runs.Run]:
    """Cached per folder and per version of its logs (``fingerprint`` changes when a log lands)."""
    return runs.load_runs(models_dir)


st.title(TITLE)
prose("Press Play in the last tab, “Train it yourself”, and watch the one-hot run's logit gap keep growing while the "
      "smoothed run's stops; the other tabs show what that does to real CIFAR-10 models.")
models_dir = shipped_models_dir()
all_runs = load_runs(str(models_dir), runs.logs_fingerprint(models_dir))
triples = runs.shared_triples(all_runs)
run_names = ", ".join(run.label for run in all_runs)
if not all_runs:  # nothing recorded: open the one tab that has something to show
    st.session_state.setdefault(TAB_KEY, tabs.TABS["toy"])
url_to_widgets(triples)
# The toy's (K, ε) as the widgets hold them now: the questions under the tabs ask about them (the toy's sliders
# sit outside its fragment, so moving one reruns the page and these questions with it).
toy_settings = (st.session_state.training_toy_k, st.session_state.training_toy_eps)
if not all_runs:
    st.info(f"No training logs in {models_dir} yet (they come from `python -m lib.cifar.train … --export`): only the "
            "train-it-yourself tab has something to show.", icon=":material/hourglass_empty:")
elif all_runs[0].data_source == "generated":
    st.warning(f"These logs come from a --dry-run: {runs.DRY_RUN_SET}. Their numbers mean nothing.")
prose("With smoothing the loss is CE(ỹ, p) = H(ỹ) + KL(ỹ‖p), which cannot go below the floor H(ỹ). Our two CIFAR-10 "
      f"models share one recipe but ε (0 and 0.1), measured on {runs.TEST_SET}.")
# Above the tabs, whichever is open: the race in the last one answers the questions.
check_understanding("training", quiz.training_quiz(*toy_settings))

# Only the open tab is built (its content runs on the rerun that opening it causes): six tabs of figures
# would otherwise cost every rerun, a toy step's included.
curves, calibration, shift, erased, representations, yourself = st.tabs(
    tabs.LABELS, key=TAB_KEY, on_change=mark_moved, args=(URL_SCOPE,))
with curves:
    if curves.open and all_runs:
        left, right = st.columns([2, 3])
        window = left.slider("Moving average (steps)", 1, 200, key="training_window")
        above = right.radio("Show", ["training loss", "loss minus its floor"], key="training_view",
                            horizontal=True) == "loss minus its floor"
        view = "above-floor" if above else "loss"
        figure(figs.training_loss(all_runs, window, above_floor=above), key="training_loss_chart",
               stem=file_stem("training-loss", window=window, view=view),
               title=f"CIFAR-10 training loss ({run_names}), moving average over {window} steps"
                     + (", minus its floor" if above else ""),
               caption=words.curves_caption(all_runs, window, above_floor=above))
        prose(words.why_not_compare(all_runs, window))
        figure(figs.test_metrics(all_runs), key="training_metrics_chart", stem=file_stem("test-metrics"),
               title=f"Test metrics per epoch ({run_names}), {runs.TEST_SET}",
               caption=words.test_metrics_caption(all_runs))
with calibration:
    if calibration.open and all_runs:
        scaled = st.toggle("After temperature scaling", key="training_scaled",
                           help="One scalar T divides the logits, fitted on held-out training images (Guo et al. "
                                "2017); it never changes the predicted class.")
        for col, run in zip(st.columns(len(all_runs)), all_runs, strict=True):
            part, _, _ = runs.reliability_figures(run, scaled=scaled)
            figure(figs.reliability_diagram(part["reliability"], title=run.label, eps=run.eps), where=col,
                   key=f"training_reliability_{run.name}",
                   stem=file_stem("reliability", run.name, "temperature-scaled" if scaled else "raw"),
                   title=f"Reliability diagram, {run.label} ({'after' if scaled else 'before'} temperature scaling)",
                   caption=words.reliability_caption(run, scaled=scaled))
        prose(words.calibration_summary(all_runs))
        st.table(words.calibration_table(all_runs))
        st.caption("Literature: Guo et al. 2017, *On Calibration of Modern Neural Networks*; Müller, Kornblith & "
                   "Hinton 2019, *When Does Label Smoothing Help?* Different data and networks: set beside ours "
                   "for scale, not as a like-for-like comparison.")
with shift:
    if shift.open:
        under_shift_section()
with erased:
    if erased.open:
        wrong_classes_section()
with representations:
    if representations.open and triples:
        key = st.selectbox("Classes", triples, key="training_triple", on_change=mark_moved,
                           args=(URL_SCOPE,), format_func=lambda t: t.replace("-", ", "))
        shared_caption = words.projection_caption(all_runs, key)
        for col, run in zip(st.columns(len(all_runs)), all_runs, strict=True):
            figure(figs.projection(runs.projection(run, key), title=run.label, eps=run.eps), where=col, caption=None,
                   key=f"training_projection_{run.name}", stem=file_stem("projection", run.name, key),
                   title=f"Penultimate-layer projection, classes {key.replace('-', ', ')}, {run.label}",
                   export_caption=shared_caption)
        st.caption(shared_caption)
        prose("What to see (Müller et al. 2019): with smoothing each class gathers in a tighter cluster, and "
              "the three clusters sit at more equal distances, because smoothing asks every wrong class for "
              "the same logit gap.")
with yourself:
    if yourself.open:
        toy_panel()
widgets_to_url()
share_panel("training", TITLE)
next_page_link("pages/training.py", carried_state())
