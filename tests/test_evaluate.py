"""`python -m lib.cifar.evaluate`: its JSON line, the prediction path it measures, and what --record refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lib.cifar import evaluate
from lib.cifar.data import find_source, load_cifar10
from lib.cifar.model import EVALUATION_FILE, load_classifier, read_meta, resolve_model
from lib.paths import models_dir

MODELS_DIR = models_dir()  # $LSLAB_MODELS_DIR or assets/models
ROOT = Path(__file__).resolve().parent.parent


def run_evaluate(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cifar.evaluate", *flags], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize(("writer", "flag"), [("--record", "--fp32"), ("--record", "--no-mirror"),
                                              ("--record", "--limit=10"), ("--record", "--backend=torch"),
                                              ("--fit-temperature", "--fp32"), ("--fit-temperature", "--no-mirror"),
                                              ("--fit-temperature", "--backend=torch")])
def test_writing_the_shipped_files_refuses_anything_but_the_shipped_prediction_path(writer, flag):
    done = run_evaluate("--model", "default", "--data", "/nonexistent", writer, flag)
    assert done.returncode != 0 and f"{writer} writes the shipped" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_recorded_figures_come_from_the_path_the_model_predicts_with():
    for name in ("eps0.1", "eps0"):
        recorded = json.loads((MODELS_DIR / name / EVALUATION_FILE).read_text())
        meta = read_meta(MODELS_DIR / name)
        assert recorded["mirror_average"] is meta["mirror_average"] is True
        assert recorded["temperature"] == meta["temperature"] == meta["temperature_fit"]["temperature"]
        assert recorded["n"] == 10000 and "--record" in recorded["command"]
        assert recorded["backend"] == "onnxruntime"  # the app's backend (lib.cifar.model.SHIPPED_BACKEND)


def test_fp32_is_a_flag_of_the_torch_backend_only():
    done = run_evaluate("--model", "default", "--data", "/nonexistent", "--fp32")
    assert done.returncode != 0 and "ONNX Runtime always runs fp32" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("flags", [(), ("--backend", "torch", "--fp32")])
def test_json_line_matches_the_classifier_on_a_stratified_subset(flags):
    source = find_source()
    if source is None:
        pytest.skip("CIFAR-10 not found: set $LSLAB_CIFAR10 or provide ../shared/data/cifar10-jpeg.tar.xz")
    done = run_evaluate("--model", "default", "--limit", "50", "--json", *flags)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"accuracy", "nll", "ece", "n"} <= set(result) and result["n"] == 50 and result["mirror_average"]
    assert result["backend"] == (flags[1] if flags else "onnxruntime")
    split = evaluate.subset(load_cifar10(source, "test"), 50)
    classifier = load_classifier(resolve_model("default"), backend=result["backend"], use_bf16=False)
    accuracy = float(np.mean(classifier.predict_uint8(split.images).argmax(1) == split.labels))
    assert result["accuracy"] == pytest.approx(accuracy)


def test_confidence_spread_gives_the_quartiles_of_the_top_probability_and_the_share_above_95():
    tops = np.array([0.5, 0.8, 0.9, 0.96, 0.99])
    logits = np.log(np.stack([[t, 1 - t] for t in tops]))
    spread = evaluate.confidence_spread(logits)
    np.testing.assert_allclose(spread["confidence_quartiles"], [0.8, 0.9, 0.96])
    assert spread["share_confidence_above_0.95"] == 0.4
