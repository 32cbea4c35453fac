"""lib.cifar.model_study: the shipped study JSON is complete and says how it was made, and the command's numbers
are the classifier's own on the same images (CIFAR-10 copy needed for that part)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lib import calibration, paths
from lib.cifar import model_study
from lib.cifar.data import find_source, load_cifar10
from lib.cifar.evaluate import subset
from lib.cifar.model import load_classifier, resolve_model
from lib.training import corruptions, wrong_classes
from lib.training import words as training_words

METRICS = {"accuracy", "nll", "ece", "mean_confidence", "auroc"}


def recorded(name: str) -> dict:
    return json.loads((paths.STUDY_DIR / name).read_text())


def test_the_shipped_study_covers_both_models_every_corruption_and_severity_and_says_how_it_was_made():
    shift, wrong = recorded(paths.UNDER_SHIFT_FILE), recorded(paths.WRONG_CLASSES_FILE)
    for study in (shift, wrong):
        assert study["command"].startswith("python -m lib.cifar.model_study") and study["seconds"] > 0
    assert set(shift["models"]) == set(wrong["models"]) == set(model_study.MODELS)
    assert list(shift["corruptions"]) == list(corruptions.CORRUPTIONS)
    for results in shift["models"].values():
        for corruption in corruptions.CORRUPTIONS:
            assert set(results[corruption]) == {"1", "2", "3", "4", "5"}
            for cell in (results["clean"], *results[corruption].values()):
                assert set(cell) == {"raw", "temperature_scaled"}
                assert all(set(part) == METRICS and 0 <= part["ece"] <= 1 and 0 <= part["auroc"] <= 1
                           for part in cell.values())
                assert cell["raw"]["accuracy"] == cell["temperature_scaled"]["accuracy"]  # T never moves the argmax
    assert wrong["n"] == 10_000 and len(wrong["classes"]) == 10
    for model in wrong["models"].values():
        np.testing.assert_allclose(np.asarray(model["mean_probability"]).sum(axis=1), 1.0, atol=1e-9)
    assert training_words.literature_comparison(shift, {"eps0": "ε = 0", "eps0.1": "ε = 0.1"})


@pytest.mark.data
def test_the_command_reports_the_classifiers_own_numbers_on_the_same_images():
    source = find_source()
    if source is None:
        pytest.skip("CIFAR-10 not found: set $LSLAB_CIFAR10 or provide ../shared/data/cifar10-jpeg.tar.xz")
    args = model_study.get_args_parser().parse_args(["--limit", "40", "--shift-limit", "20"])
    result = model_study.main(args)
    split = subset(load_cifar10(source, "test"), 40)
    shifted = subset(split, 20)
    probs = {}
    for name in model_study.MODELS:
        classifier = load_classifier(resolve_model(name))
        logits = classifier.logits_uint8(split.images)
        probs[name] = calibration.softmax(logits)
        noisy = classifier.logits_uint8(corruptions.corrupt(shifted.images, "gaussian_noise", 3, seed=0))
        expected = model_study.shift_metrics(noisy, shifted.labels, classifier.temperature)
        got = result["under_shift"]["models"][name]["gaussian_noise"]["3"]
        for part in ("raw", "temperature_scaled"):
            assert got[part] == pytest.approx(expected[part])
    summary = wrong_classes.summary(probs, split.labels, list(result["wrong_classes"]["classes"]))
    for name in model_study.MODELS:
        for key in ("mean_probability", "normalised_entropy"):
            np.testing.assert_allclose(result["wrong_classes"]["models"][name][key], summary["models"][name][key])
    assert result["wrong_classes"]["n"] == 40 and result["under_shift"]["n"] == 20


def test_the_model_docs_quote_the_recorded_study():
    readme = " ".join((paths.ASSETS.parent / "docs" / "model.md").read_text().split())  # line breaks as spaces
    wrong, shift = recorded(paths.WRONG_CLASSES_FILE), recorded(paths.UNDER_SHIFT_FILE)
    entropy = {m: wrong["models"][m]["mean_normalised_entropy"] for m in model_study.MODELS}
    assert f"**{entropy['eps0']:.3f} for ε = 0 against {entropy['eps0.1']:.3f} for ε = 0.1**" in readme
    assert f"ρ = {wrong['rank_correlation']['mean']:.2f}" in readme
    noise = {m: shift["models"][m]["gaussian_noise"]["3"] for m in model_study.MODELS}
    assert (f"raw ECE {100 * noise['eps0.1']['raw']['ece']:.1f} % (ε = 0.1) against "
            f"{100 * noise['eps0']['raw']['ece']:.1f} % (ε = 0)") in readme
    assert (f"{100 * noise['eps0.1']['temperature_scaled']['ece']:.1f} % against "
            f"{100 * noise['eps0']['temperature_scaled']['ece']:.1f} %") in readme
    counts = training_words.shift_counts(shift)
    assert (f"lower raw ECE in {counts['raw_ece_smoothed_lower']}, the lower ECE after temperature in "
            f"{counts['scaled_ece_smoothed_lower']}") in readme
