"""Page: what label smoothing does to training — our CIFAR-10 runs, and a classifier you train yourself."""

from __future__ import annotations

import time

import streamlit as st

from lib import figures_training as figs
from lib import quiz, runs, toy
from lib.export import file_stem
from ui.figure import figure
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import prose
from ui.url_sync import is_deep_link, mark_moved

run_through_router()

TITLE = "What smoothing does to training"
URL_KEYS = {"triple": "training_triple", "toy_k": "training_toy_k", "toy_eps": "training_toy_eps"}
WRITTEN = "training_url_written"
# Widget defaults live in session state (the URL may overwrite them), so no widget passes its own value.
DEFAULTS = {"training_window": 50, "training_toy_k": toy.ToyConfig.K, "training_toy_eps": toy.ToyConfig.eps}


@st.cache_resource(show_spinner="Reading the training logs…", max_entries=4)
def load_runs(models_dir: str, fingerprint: tuple) -> list[runs.Run]:
    """Cached per folder and per version of its logs (``fingerprint`` changes when a log lands)."""
    return runs.load_runs(models_dir)


def url_to_widgets(triples: list[str]) -> None:
    """A deep link (a URL this session did not write) sets the widgets; repairs are shown as notes."""
    url = {name: st.query_params[name] for name in URL_KEYS if name in st.query_params}
    if not is_deep_link("training", url, st.session_state.get(WRITTEN)):
        return
    triple, notes = runs.parse_triple(url.get("triple"), triples)
    k, eps, more = toy.parse_controls(url.get("toy_k"), url.get("toy_eps"),
                                      (st.session_state.training_toy_k, st.session_state.training_toy_eps))
    st.session_state.update(training_toy_k=k, training_toy_eps=eps, **({"training_triple": triple} if triple else {}))
    for note in notes + more:
        st.warning(note, icon=":material/tune:")


def widgets_to_url() -> None:
    values = {name: st.session_state.get(key) for name, key in URL_KEYS.items()}
    wanted = {name: f"{v:g}" if isinstance(v, float) else str(v) for name, v in values.items() if v is not None}
    if {name: st.query_params.get(name) for name in wanted} != wanted:
        st.query_params.update(wanted)
    st.session_state[WRITTEN] = wanted


st.title(TITLE)
prose("With smoothing ε the training loss is a cross-entropy against ỹ, and **CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)** "
      "cannot go below the entropy floor H(ỹ). Below: our two CIFAR-10 models (ε = 0 and ε = 0.1, same "
      f"recipe otherwise), measured on {runs.TEST_SET}, and a small classifier you train here.")
models_dir = runs.shipped_models_dir()
all_runs = load_runs(str(models_dir), runs.logs_fingerprint(models_dir))
triples = runs.shared_triples(all_runs)
run_names = ", ".join(run.label for run in all_runs)
for widget_key, value in DEFAULTS.items():
    st.session_state.setdefault(widget_key, value)
url_to_widgets(triples)
if not all_runs:
    st.info(f"No training logs in {models_dir} yet (they come from `python -m lib.train … --export`): only the "
            "train-it-yourself tab has something to show.", icon=":material/hourglass_empty:")
elif all_runs[0].data_source == "generated":
    st.warning(f"These logs come from a --dry-run: {runs.DRY_RUN_SET}. Their numbers mean nothing.")

curves, calibration, representations, yourself = st.tabs(
    ["Training curves", "Calibration", "Representations", "Train it yourself"])
with curves:
    if all_runs:
        left, right = st.columns([2, 3])
        window = left.slider("Moving average (steps)", 1, 200, key="training_window")
        above = right.radio("Show", ["training loss", "loss minus its floor"], key="training_view",
                            horizontal=True) == "loss minus its floor"
        view = "above-floor" if above else "loss"
        figure(figs.training_loss(all_runs, window, above_floor=above), key="training_loss_chart",
               stem=file_stem("training-loss", window=window, view=view),
               title=f"CIFAR-10 training loss ({run_names}), moving average over {window} steps"
                     + (", minus its floor" if above else ""),
               caption=runs.curves_caption(all_runs, window, above_floor=above))
        prose(runs.why_not_compare(all_runs, window))
        figure(figs.test_metrics(all_runs), key="training_metrics_chart", stem=file_stem("test-metrics"),
               title=f"Test metrics per epoch ({run_names}), {runs.TEST_SET}",
               caption=runs.test_metrics_caption(all_runs))
with calibration:
    if all_runs:
        scaled = st.toggle("After temperature scaling", key="training_scaled",
                           help="One scalar T divides the logits, fitted on held-out training images (Guo et al. "
                                "2017); it never changes the predicted class.")
        for col, run in zip(st.columns(len(all_runs)), all_runs, strict=True):
            part = run.last["test_temperature_scaled" if scaled else "test"]
            figure(figs.reliability_diagram(part["reliability"], title=run.label), where=col,
                   key=f"training_reliability_{run.name}",
                   stem=file_stem("reliability", run.name, "temperature-scaled" if scaled else "raw"),
                   title=f"Reliability diagram, {run.label} ({'after' if scaled else 'before'} temperature scaling)",
                   caption=runs.reliability_caption(run, scaled=scaled))
        prose(runs.calibration_summary(all_runs))
        st.table(runs.calibration_table(all_runs))
        st.caption("Literature: Guo et al. 2017, *On Calibration of Modern Neural Networks*; Müller, Kornblith & "
                   "Hinton 2019, *When Does Label Smoothing Help?* Different data and networks: set beside ours "
                   "for scale, not as a like-for-like comparison.")
with representations:
    if triples:
        key = st.selectbox("Classes", triples, key="training_triple", on_change=mark_moved,
                           args=("training",), format_func=lambda t: t.replace("-", ", "))
        shared_caption = runs.projection_caption(all_runs, key)
        for col, run in zip(st.columns(len(all_runs)), all_runs, strict=True):
            figure(figs.projection(runs.projection(run, key), title=run.label), where=col, caption=None,
                   key=f"training_projection_{run.name}", stem=file_stem("projection", run.name, key),
                   title=f"Penultimate-layer projection, classes {key.replace('-', ', ')}, {run.label}",
                   export_caption=shared_caption)
        st.caption(shared_caption)
        prose("What to see (Müller et al. 2019): with smoothing each class gathers in a tighter cluster, and "
              "the three clusters sit at more equal distances, because smoothing asks every wrong class for "
              "the same logit gap.")
with yourself:
    prose(f"A linear softmax classifier on K separable Gaussian blobs, trained with full-batch gradient "
          f"descent in NumPy (float64). **Start over** resets it to untrained, **Step** takes one step, "
          f"**Continue** takes {toy.CHUNK}.")
    col_k, col_eps = st.columns(2)
    k = col_k.slider("K, classes", toy.K_MIN, toy.K_MAX, key="training_toy_k", on_change=mark_moved,
                     args=("training",))
    eps = col_eps.slider("ε, smoothing", toy.EPS_MIN, toy.EPS_MAX, step=toy.EPS_STEP, format="%.2f",
                         key="training_toy_eps", on_change=mark_moved, args=("training",))
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
    toy_caption = toy.caption(model, took if took > 0.005 else None)
    for col, (name, fig) in zip(st.columns(3), (("loss", figs.toy_loss(model)), ("gap", figs.toy_gap(model)),
                                                ("confidence", figs.toy_confidence(model))), strict=True):
        figure(fig, where=col, caption=None, key=f"training_toy_{name}_chart",
               stem=file_stem(f"toy-{name}", K=model.config.K, eps=model.config.eps, step=model.step),
               title=f"Your classifier's {name}: K = {model.config.K}, ε = {model.config.eps:g}, "
                     f"\"all\" convention, step {model.step}", export_caption=toy_caption)
    st.caption(toy_caption)
    check_understanding("training", quiz.toy_questions(k, eps))
widgets_to_url()
share_panel("training", TITLE)
