"""The training page's study sections: calibration under shift, and what smoothing erases.

Both read the recorded numbers of ``python -m lib.cifar.model_study --record`` (``assets/study/``); the
example image under shift is a CIFAR-10 test image of this machine, corrupted here and never stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import streamlit as st

from lib import paths
from lib.cifar.data import find_source
from lib.classifier import samples
from lib.export import file_stem
from lib.paths import UNDER_SHIFT_FILE, WRONG_CLASSES_FILE
from lib.training import corruptions
from lib.training import figures as training_figures
from lib.training import words as training_words
from ui.cifar_images import cifar_test
from ui.figure import figure
from ui.text import prose

LABELS = {"eps0": "ε = 0", "eps0.1": "ε = 0.1"}
EXAMPLE_INDEX = 0  # the first test image: the same picture at every corruption and severity
HOW_TO_RECORD = "No study recorded yet: run `python -m lib.cifar.model_study --record` (it writes assets/study/)."


@st.cache_data(show_spinner=False, max_entries=8)
def _read(path: str, modified: float) -> dict:
    """A recorded study file, parsed once per version of the file."""
    return json.loads(Path(path).read_text())


def _study(name: str) -> dict | None:
    path = paths.STUDY_DIR / name
    return _read(str(path), path.stat().st_mtime) if path.exists() else None


def _example(corruption: str, severity: int) -> np.ndarray | None:
    source = find_source()
    if source is None:
        return None
    image = cifar_test(str(source)).images[EXAMPLE_INDEX:EXAMPLE_INDEX + 1]
    return image[0] if severity == 0 else corruptions.corrupt(image, corruption, severity)[0]


def under_shift_section() -> None:
    """A corruption and a severity to choose; both models side by side; an example; what it means."""
    study = _study(UNDER_SHIFT_FILE)
    if study is None:
        st.info(HOW_TO_RECORD, icon=":material/hourglass_empty:")
        return
    prose("The test images under common corruptions (Hendrycks & Dietterich 2019, CIFAR-10-C's definitions), "
          "made on the fly: how do accuracy, calibration and the usefulness of confidence hold up?")
    names = list(study["corruptions"])
    left, right = st.columns([3, 2])
    corruption = left.selectbox("Corruption", names, key="training_shift_corruption",
                                format_func=lambda n: study["corruptions"][n])
    severity = right.select_slider("Severity (0 = clean)", options=[0, 1, 2, 3, 4, 5],
                                   key="training_shift_severity")
    image_col, table_col = st.columns([1, 3])
    example = _example(corruption, severity)
    if example is None:
        image_col.caption(samples.HOW_TO_GET_SAMPLES)
    else:
        what = ("clean" if severity == 0 else f"{study['corruptions'][corruption].lower()}, severity {severity}")
        image_col.image(example, width=160, caption=f"Test image #{EXAMPLE_INDEX}, {what} (shown 5× enlarged)",
                        alt=f"CIFAR-10 test image #{EXAMPLE_INDEX} under {what}")
    table_col.table(training_words.shift_table(study, corruption, severity, LABELS))
    table_col.caption(training_words.shift_summary(study, corruption, severity, LABELS))
    ece_col, auroc_col = st.columns(2)
    for col, metric in ((ece_col, "ece"), (auroc_col, "auroc")):
        figure(training_figures.shift_curves(study, corruption, metric, labels=LABELS), where=col,
               key=f"training_shift_{metric}", stem=file_stem("under-shift", corruption, metric),
               title=f"{training_figures.METRIC_TITLES[metric]} under {study['corruptions'][corruption].lower()}",
               caption=training_words.shift_curve_caption(study, metric))
    prose(training_words.literature_comparison(study, LABELS))


def wrong_classes_section() -> None:
    """The two models' mean wrong-class probabilities side by side, and how much structure survives."""
    study = _study(WRONG_CLASSES_FILE)
    if study is None:
        st.info(HOW_TO_RECORD, icon=":material/hourglass_empty:")
        return
    prose("Which wrong classes does a model think an image resembles? Müller et al. 2019 found that label "
          "smoothing erases this, and that it makes a worse teacher for distillation.")
    caption = training_words.wrong_class_caption(study, LABELS)
    for col, name in zip(st.columns(2), study["models"], strict=True):
        figure(training_figures.wrong_class_matrix(study, name, label=LABELS[name]), where=col, caption=None,
               key=f"training_wrong_{name}", stem=file_stem("wrong-classes", name),
               title=f"Mean probability of each wrong class given the true class, {LABELS[name]}",
               export_caption=caption)
    st.caption(caption)
    prose(training_words.erasure_verdict(study))
