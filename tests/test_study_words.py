"""The study's words and figures say what the (here hand-made) study numbers say."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from lib.classifier import words as classifier_words
from lib.classifier.classify import ModelPrediction
from lib.training import figures as training_figures
from lib.training import words as training_words
from lib.training import wrong_classes

LABELS = {"eps0": "ε = 0", "eps0.1": "ε = 0.1"}
CLASSES = ["airplane", "automobile", "bird", "cat"]


def metrics(ece: float, scaled_ece: float, auroc: float, accuracy: float = 0.9) -> dict:
    part = {"accuracy": accuracy, "nll": 0.3, "ece": ece, "mean_confidence": 0.8, "auroc": auroc}
    return {"raw": part, "temperature_scaled": {**part, "ece": scaled_ece}}


def shift_study(smoothed_scaled_ece: float = 0.2) -> dict:
    corruptions = {"gaussian_noise": "Gaussian noise", "contrast": "Contrast"}

    def model(ece, scaled, auroc):
        out = {"clean": metrics(ece, scaled, auroc, accuracy=0.93)}
        for name in corruptions:
            out[name] = {str(s): metrics(ece + 0.01 * s, scaled + 0.01 * s, auroc - 0.01 * s) for s in range(1, 6)}
        return out

    return {"n": 1000, "corruptions": corruptions, "temperatures": {"eps0": 1.5, "eps0.1": 0.7},
            "models": {"eps0": model(0.2, 0.1, 0.9), "eps0.1": model(0.07, smoothed_scaled_ece, 0.85)}}


def wrong_study() -> dict:
    m0 = np.array([[0.9, 0.07, 0.02, 0.01], [0.05, 0.9, 0.03, 0.02],
                   [0.02, 0.03, 0.9, 0.05], [0.01, 0.01, 0.08, 0.9]])
    m1 = np.array([[0.85, 0.05, 0.05, 0.05], [0.05, 0.85, 0.05, 0.05],
                   [0.04, 0.05, 0.85, 0.06], [0.05, 0.04, 0.06, 0.85]])

    return {"classes": CLASSES, "n": 400,
            "models": {name: {"mean_probability": m.tolist(),
                              "normalised_entropy": wrong_classes.wrong_class_entropy(
                                  wrong_classes.wrong_class_distribution(m)).tolist(),
                              "mean_normalised_entropy": float(wrong_classes.wrong_class_entropy(
                                  wrong_classes.wrong_class_distribution(m)).mean())}
                       for name, m in (("eps0", m0), ("eps0.1", m1))},
            "rank_correlation": {"mean": 0.5, "per_class": [0.5] * 4}}


def test_shift_summary_names_the_lower_ece_before_and_after_temperature():
    text = training_words.shift_summary(shift_study(), "gaussian_noise", 3, LABELS)
    assert "raw ECE 10% for ε = 0.1 against 23% for ε = 0 (lower: ε = 0.1)" in text
    assert "after each model's own temperature 23% against 13% (lower: ε = 0)" in text
    assert "AUROC 0.82 (ε = 0.1) and 0.87 (ε = 0)" in text


def test_literature_comparison_counts_every_setting_and_follows_the_numbers():
    flipped = training_words.literature_comparison(shift_study(0.2), LABELS)
    assert ("lower raw ECE in 10 of 10, but after each model's temperature it has the lower ECE in none of them"
            in flipped)
    assert "Ovadia et al. 2019** found" in flipped and "agrees — the smoothed model's T < 1" in flipped
    assert "Ours agrees in 10 of 10 settings" in flipped
    kept = training_words.literature_comparison(shift_study(0.05), LABELS)
    assert "lower ECE in only 10 of 10" in kept and "carried over better" in kept


def test_shift_table_has_both_models_and_no_after_t_accuracy():
    rows = training_words.shift_table(shift_study(), "contrast", 0, LABELS)
    assert rows[0] == {"": "accuracy", "ε = 0, raw": "93%", "ε = 0.1, raw": "93%"}
    assert rows[1]["ε = 0.1, after T = 0.7"] == "20%"


def test_wrong_class_words_follow_the_matrices():
    study = wrong_study()
    assert training_words.look_alikes(study, "eps0", "cat") == [("bird", 0.08), ("airplane", 0.01)]
    caption = training_words.wrong_class_caption(study, LABELS)
    assert "ρ = 0.5" in caption and "ε = 0: bird 8%" in caption
    verdict = training_words.erasure_verdict(study)
    assert verdict.startswith("In 4 of 4 classes the smoothed model spreads") and "agree with Müller" in verdict


def test_upload_runners_up_leave_out_the_top_class():
    prediction = ModelPrediction("eps0", 0.0, tuple(CLASSES), np.array([0.1, 0.7, 0.15, 0.05]))
    assert classifier_words.runners_up(prediction, 2) == "bird 15%, airplane 10%"


@pytest.mark.parametrize("metric", list(training_figures.METRIC_TITLES))
def test_study_figures_are_valid_plotly_with_the_recorded_values(metric):
    fig = training_figures.shift_curves(shift_study(), "gaussian_noise", metric, labels=LABELS)
    go.Figure(fig.to_dict())  # plotly's own validation
    raw = next(t for t in fig.data if t.name == "ε = 0.1")
    assert raw.y[0] == shift_study()["models"]["eps0.1"]["clean"]["raw"][metric]
    matrix = training_figures.wrong_class_matrix(wrong_study(), "eps0", label="ε = 0")
    go.Figure(matrix.to_dict())
    z = np.asarray(matrix.data[0].z, dtype=float)
    assert np.isnan(z[0, 0]) and z[3, 2] == pytest.approx(np.log10(0.08))


def test_shift_curve_caption_names_the_metric_and_the_image_count():
    caption = training_words.shift_curve_caption(shift_study(), "auroc")
    assert caption.startswith("AUROC of confidence, right vs wrong against severity") and "1,000 test images" in caption
