"""The classifier page's inputs: the shared models, the model radio kept in the URL, the CIFAR-10 gallery."""

from __future__ import annotations

import secrets

import streamlit as st
from PIL import Image

from lib.cifar.data import CLASSES, find_source
from lib.cifar.model import DEFAULT_MODEL, Classifier, available_models, load_classifier
from lib.classifier import classify, samples, words
from ui.cifar_images import cifar_test
from ui.text import text_flag_note


@st.cache_resource(show_spinner="Loading the models…")
def shared_models() -> dict[str, Classifier]:
    """Every shipped model, loaded once per process and shared read-only by all sessions.

    They run through ONNX Runtime (lib.cifar.model's shipped backend), with the process's settings
    (lib.cifar.settings).
    """
    models = {name: load_classifier(folder) for name, folder in available_models().items()}
    classify.warm_up(models)
    return models


def model_choice(models: dict[str, Classifier]) -> str:
    """The radio for the model listed first in the grid (the only one run with the comparison off), kept in the
    URL (``?model=eps0.1``); an unknown value gets a note."""
    names = list(models)
    raw = st.query_params.get("model")
    if raw is not None and raw != st.session_state.get("classify_model_written"):
        st.session_state["classify_model"], note = classify.pick_model(raw, names, DEFAULT_MODEL)
        if note:
            st.warning(note, icon=":material/tune:")
    elif st.session_state.get("classify_model") not in names:
        st.session_state["classify_model"] = classify.pick_model(None, names, DEFAULT_MODEL)[0]
    text_flag_note()  # with the model's note: every note that repairs a link sits at the top
    choice = st.radio("Model listed first", names, key="classify_model", horizontal=True,
                      format_func=lambda n: words.model_label(models[n].label_smoothing))
    if st.query_params.get("model") != choice:
        st.query_params["model"] = choice
    st.session_state["classify_model_written"] = choice
    return choice


def _draw_new_samples() -> None:
    st.session_state["classify_gallery_seed"] = secrets.randbelow(2**31)


def gallery() -> list[classify.Sample]:
    """A random dozen CIFAR-10 test images with a checkbox each; the ticked ones are returned."""
    source = find_source()
    if source is None:
        st.info(samples.HOW_TO_GET_SAMPLES, icon=":material/info:")
        return []
    try:
        split = cifar_test(str(source))
    except (OSError, ValueError):
        st.warning("The CIFAR-10 test images on this server could not be read, so there is no gallery.")
        return []
    seed = st.session_state.setdefault("classify_gallery_seed", secrets.randbelow(2**31))
    st.button("Draw other samples", key="classify_gallery_draw", on_click=_draw_new_samples)
    chosen, columns = [], st.columns(samples.GALLERY_SIZE // 2)
    for j, index in enumerate(samples.gallery_indices(len(split), seed=seed)):
        label = int(split.labels[index])
        with columns[j % len(columns)]:
            st.image(classify.enlarge_nearest(Image.fromarray(split.images[index]), 96))
            if st.checkbox(CLASSES[label], key=f"classify_sample_{index}"):
                chosen.append(classify.Sample(samples.sample_name(index, label), split.images[index], CLASSES[label]))
    return chosen


