"""Step 4, the last of the story: classify your own images with the models trained with and without label smoothing,
side by side."""

from __future__ import annotations

import streamlit as st

from lib import quiz
from lib.cifar.data import CLASSES
from lib.cifar.model import ModelFileError
from lib.classifier import classify, upload_limits, words
from lib.classifier.image_io import ACCEPTED_FORMATS, RejectedImage
from ui.classify_inputs import gallery, model_choice, shared_models
from ui.classify_results import show_details, show_grid
from ui.quiz import check_understanding
from ui.routing import run_through_router
from ui.share import share_panel
from ui.story import carried_state, next_page_link
from ui.text import prose
from ui.upload_quota import install as bound_uploads_per_tab
from ui.upload_watch import refused_in_browser

run_through_router()
bound_uploads_per_tab()

TITLE = "Classify your images"
PAGE = "pages/classify.py"

st.title(TITLE)
prose("Drop in a photo, or tick a few CIFAR-10 test images, and compare how sure the two models are: one trained on "
      "one-hot targets, one with label smoothing.")
try:
    models = shared_models()
except ModelFileError as err:
    st.error(f"The models could not be loaded: {err}")
    next_page_link(PAGE, carried_state())
    st.stop()
if not models:
    st.error("No trained models were found. Train them with `python -m lib.cifar.train --export assets/models/eps0.1`.")
    next_page_link(PAGE, carried_state())
    st.stop()
main_model = model_choice(models)
compare = len(models) > 1 and st.toggle("Compare all models side by side", value=True, key="classify_compare")
active = models if compare else {main_model: models[main_model]}
prose("Both models are the same CIFAR-10 network, see only a 32×32 thumbnail and pick one of ten classes; only ε "
      "differs.")
# Above the uploads: the results answer the questions.
check_understanding("classify", quiz.classify_quiz(
    len(CLASSES), max(classifier.label_smoothing for classifier in models.values())))

# No type filter: the browser would refuse other files (and HEIC, where it knows no MIME type for it) with a mark
# only in the uploader's list; here each reaches lib.classifier.image_io, whose result names what it is.
files = st.file_uploader(f"Images: {ACCEPTED_FORMATS}, several at once", accept_multiple_files=True,
                         max_upload_size=upload_limits.TRANSFER_MB, key="classify_upload",
                         help=upload_limits.LIMITS_SENTENCE)
st.caption(upload_limits.LIMITS_SENTENCE)
camera_col, gallery_col = st.columns(2)
use_camera = camera_col.toggle("Use the camera", key="classify_camera_on",
                               help="Off until you switch it on, so the browser asks for the camera only then.")
use_gallery = gallery_col.toggle("Pick CIFAR-10 test images", key="classify_gallery_on")
photo = st.camera_input("Take a picture", key="classify_camera") if use_camera else None
uploaded = [(f.name, f) for f in files or []] + ([("camera photo", photo)] if photo is not None else [])
plan = upload_limits.plan_uploads([upload_limits.UploadEntry(name, f.size, f.type) for name, f in uploaded])
items: list[classify.Upload | classify.Sample | RejectedImage] = [
    classify.Upload(name, f.getvalue()) if reason is None else RejectedImage(name, reason)
    for (name, f), reason in zip(uploaded, plan.reasons, strict=True)]
# Files over the transfer limit never reach the server: the browser names them (ui/upload_watch.py).
items += [RejectedImage(name, reason) for name, reason in refused_in_browser("classify_upload")]
if use_gallery:
    items += gallery()
if not items:
    st.info(words.EMPTY_STATE)
else:
    # The results come right under the inputs; questions and sharing follow them.
    if note := plan.note():
        st.warning(note, icon=":material/block:")
    if note := words.over_limit_note(sum(not isinstance(item, RejectedImage) for item in items)):
        st.warning(note)
    progress = st.progress(0.0, text="Classifying…")
    results = classify.classify_many(
        items, active,
        on_progress=lambda done, total: progress.progress(done / total, f"Classified {done} of {total}"))
    progress.empty()
    st.caption(words.timing_summary(results) or "No image could be classified.")
    show_grid(results, main_model)
    st.caption(words.probabilities_note(active))
    names = [r.name for r in results]
    classified = [(i, r) for i, r in enumerate(results) if isinstance(r, classify.ImageResult)]
    for index, result in classified:
        show_details(index + 1, result, title=words.details_title(names, index), first_model=main_model,
                     expanded=len(classified) <= 2)
share_panel("classify", TITLE, uploads=True)
next_page_link(PAGE, carried_state())
