"""Classify your own images with the models trained with and without label smoothing, side by side."""

from __future__ import annotations

import math
import secrets

import streamlit as st
import torch
from PIL import Image

from lib import classify, figures_classify, model, quiz, samples
from lib.data import CLASSES, Split, load_cifar10
from lib.export import file_stem
from lib.image_io import MAX_BYTES, RejectedImage
from lib.model import DEFAULT_MODEL, Classifier, ModelFileError, available_models, load_classifier
from ui.figure import figure
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.text import prose

run_through_router()

GRID_COLUMNS = 4


@st.cache_resource(show_spinner="Loading the models…")
def shared_models() -> dict[str, Classifier]:
    """Every shipped model, loaded once per process and shared read-only by all sessions."""
    torch.set_num_threads(classify.inference_threads(classify.usable_cores()))  # once per process
    # fp32: at one image per call bf16 autocast measured slower on this CPU (bench/bench_classify.py).
    models = {name: load_classifier(folder, use_bf16=False)
              for name, folder in available_models(model.MODELS_DIR).items()}
    classify.warm_up(models)
    return models


@st.cache_resource(show_spinner="Reading the CIFAR-10 test images (only the first time takes a while)…")
def cifar_test(source: str) -> Split:
    return load_cifar10(source, "test")


def model_choice(models: dict[str, Classifier]) -> str:
    """The radio for the grid's model, kept in the URL (``?model=eps0.1``); an unknown value gets a note."""
    names = list(models)
    raw = st.query_params.get("model")
    if raw is not None and raw != st.session_state.get("classify_model_written"):
        st.session_state["classify_model"], note = classify.pick_model(raw, names, DEFAULT_MODEL)
        if note:
            st.warning(note, icon=":material/tune:")
    elif st.session_state.get("classify_model") not in names:
        st.session_state["classify_model"] = classify.pick_model(None, names, DEFAULT_MODEL)[0]
    choice = st.radio("Model shown in the grid", names, key="classify_model", horizontal=True,
                      format_func=lambda n: classify.model_label(n, models[n].label_smoothing))
    if st.query_params.get("model") != choice:
        st.query_params["model"] = choice
    st.session_state["classify_model_written"] = choice
    return choice


def _draw_new_samples() -> None:
    st.session_state["classify_gallery_seed"] = secrets.randbelow(2**31)


def gallery() -> list[classify.Sample]:
    """A random dozen CIFAR-10 test images with a checkbox each; the ticked ones are returned."""
    source = samples.find_test_source()
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


def show_grid(results: list[classify.Outcome], grid_model: str) -> None:
    for start in range(0, len(results), GRID_COLUMNS):
        for column, result in zip(st.columns(GRID_COLUMNS), results[start:start + GRID_COLUMNS], strict=False):
            with column:
                st.text(result.name)  # st.text never interprets a file name as Markdown or HTML
                if isinstance(result, RejectedImage):
                    st.error(result.reason, icon=":material/block:")
                else:
                    st.image(classify.enlarge_nearest(result.model_view, 128))
                    st.caption(classify.grid_caption(result, grid_model))


def show_details(number: int, result: classify.ImageResult, expanded: bool) -> None:
    with st.expander(f"Image {number} in detail", expanded=expanded):
        st.text(result.name)
        st.caption(classify.describe_decoded(result))
        as_given, seen = st.columns(2)
        as_given.image(classify.display_copy(result.original), caption="As given")
        seen.image(classify.enlarge_nearest(result.model_view), caption="What the model sees: 32×32, enlarged")
        for column, prediction in zip(st.columns(len(result.predictions)), result.predictions, strict=True):
            figure(figures_classify.probability_bars(prediction), where=column,
                   key=f"classify_bars_{number}_{prediction.model}",
                   stem=file_stem("probabilities", prediction.model, result.name),
                   title=f"Predicted probabilities of the ε = {prediction.label_smoothing:g} model "
                         f"({prediction.model}) for {result.name}",
                   caption=classify.prediction_headline(prediction))
        prose("  \n".join(classify.what_to_notice(result)))


st.title("Classify your images")
prose(
    "Two copies of the same CIFAR-10 classifier, one trained on one-hot targets (ε = 0) and one with label "
    "smoothing (ε = 0.1), look at your pictures. Both see only a 32×32 thumbnail and must pick one of ten "
    "classes. The dashed line marks the top of the target each was trained on: 1 − ε + ε/K.")
try:
    models = shared_models()
except ModelFileError as err:
    st.error(f"The models could not be loaded: {err}")
    st.stop()
if not models:
    st.error("No trained models were found. Train them with `python -m lib.train --export assets/models/eps0.1`.")
    st.stop()
main_model = model_choice(models)
compare = len(models) > 1 and st.toggle("Compare all models side by side", value=True, key="classify_compare")
active = models if compare else {main_model: models[main_model]}

files = st.file_uploader("Images: PNG, JPEG, GIF, WebP or BMP, several at once", type=["image/*"],
                         accept_multiple_files=True, max_upload_size=math.ceil(MAX_BYTES / 2**20),
                         key="classify_upload")
camera_col, gallery_col = st.columns(2)
use_camera = camera_col.toggle("Use the camera", key="classify_camera_on",
                               help="Off until you switch it on, so the browser asks for the camera only then.")
use_gallery = gallery_col.toggle("Pick CIFAR-10 test images", key="classify_gallery_on")
photo = st.camera_input("Take a picture", key="classify_camera") if use_camera else None
items: list[classify.Upload | classify.Sample] = [classify.Upload(f.name, f.getvalue()) for f in files or []]
if photo is not None:
    items.append(classify.Upload("camera photo", photo.getvalue()))
if use_gallery:
    items += gallery()
check_understanding("classify", quiz.classifier_questions(
    len(CLASSES), max(classifier.label_smoothing for classifier in models.values())))
share_panel("classify", "Classify your images")
if not items:
    st.info("Upload images, take a photo or tick some samples to see what the models say.")
    st.stop()

if note := classify.over_limit_note(len(items)):
    st.warning(note)
progress = st.progress(0.0, text="Classifying…")
results = classify.classify_many(
    items, active, on_progress=lambda done, total: progress.progress(done / total, f"Classified {done} of {total}"))
progress.empty()
st.caption(classify.timing_summary(results) or "No image could be classified.")
show_grid(results, main_model)
st.caption("Probabilities are each model's raw softmax outputs (no temperature scaling).")
classified = [(n, r) for n, r in enumerate(results, start=1) if isinstance(r, classify.ImageResult)]
for number, result in classified:
    show_details(number, result, expanded=len(classified) <= 2)
