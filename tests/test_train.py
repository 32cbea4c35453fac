"""`python -m lib.cifar.train --dry-run` end to end, and the pieces of the recipe it relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lib.cifar.model import load_classifier
from lib.cifar.train import TrainConfig, get_args_parser, lr_at, shift_features
from lib.smoothing import entropy_floor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dry")
    cmd = [sys.executable, "-m", "lib.cifar.train", "--dry-run", "--label-smoothing", "0.1",
           "--out", str(out / "run"), "--export", str(out / "export")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_dry_run_writes_a_complete_log(dry_run):
    log = json.loads((dry_run / "run" / "log.json").read_text())
    assert len(log["train_loss"]) == 3 and all(np.isfinite(loss) for _, loss in log["train_loss"])
    epoch = log["epochs"][0]
    assert epoch["floor"] == pytest.approx(entropy_floor(10, 0.1, spread="all"))
    for report in (epoch["test"], epoch["test_temperature_scaled"]):
        assert set(report) >= {"accuracy", "nll", "smoothed_loss", "ece", "reliability"}
        assert len(report["reliability"]["count"]) == 15 and sum(report["reliability"]["count"]) == report["n"]
        assert report["smoothed_loss"] >= epoch["floor"]  # CE against ỹ never goes below H(ỹ)
    assert epoch["temperature"] > 0
    assert {tuple(p["classes"]) for p in log["projections"]} >= {("airplane", "automobile", "bird")}
    prov = log["provenance"]
    assert prov["label_smoothing"] == 0.1 and prov["spread"] == "all" and prov["torch"] == torch.__version__


def test_dry_run_export_loads_and_predicts(dry_run):
    from PIL import Image

    classifier = load_classifier(dry_run / "export")
    probs = classifier.predict([Image.new("RGB", (40, 30), (9, 99, 199))])
    assert probs.shape == (1, 10) and probs.sum() == pytest.approx(1.0)


def test_dry_run_export_refits_the_temperature_on_the_prediction_path(dry_run):
    """Trained on both views → predicts from both, and T is refitted for that path on the held-out images."""
    from lib import calibration
    from lib.cifar.data import holdout_split
    from lib.cifar.train import generated_data

    classifier = load_classifier(dry_run / "export")
    meta = classifier.meta
    assert classifier.mirror_average is True and meta["temperature_fit"]["mirror_average"] is True
    train, _ = generated_data(seed=meta["config"]["seed"])
    _, held = holdout_split(train.labels, meta["config"]["holdout"], meta["config"]["seed"])
    assert meta["temperature_fit"]["n"] == len(held) == meta["data"]["n_holdout"]
    logits = classifier.logits_uint8(train.images[held])
    assert classifier.temperature == pytest.approx(calibration.fit_temperature(logits, train.labels[held]),
                                                   rel=1e-3)


def test_dry_run_resumes_from_its_checkpoint(dry_run):
    cmd = [sys.executable, "-m", "lib.cifar.train", "--dry-run", "--out", str(dry_run / "run")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "resuming" in done.stderr


def test_every_flag_shows_its_default_in_help():
    text = get_args_parser().format_help()
    for flag in ("--label-smoothing", "--epochs", "--lr", "--resolution", "--freeze", "--seed", "--data",
                 "--out", "--device", "--dry-run"):
        assert flag in text
    assert f"(default: {TrainConfig().label_smoothing})" in text and "(default: auto)" in text


def test_feature_shift_moves_maps_by_whole_cells():
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.float32).reshape(2, 1, 4, 4)
    out = shift_features(x, 1, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    for i in range(2):  # each output is the input translated by one of the 9 offsets, edges replicated
        padded = torch.nn.functional.pad(x[i:i + 1], (1, 1, 1, 1), mode="replicate")[0, 0]
        windows = [padded[dy:dy + 4, dx:dx + 4] for dy in range(3) for dx in range(3)]
        assert any(torch.equal(out[i, 0], w) for w in windows)
    assert torch.equal(shift_features(x, 0, torch.Generator()), x)


def test_learning_rate_warms_up_then_decays_to_zero():
    cfg = TrainConfig(lr=0.1, warmup_steps=10)
    assert lr_at(0, 100, cfg) == pytest.approx(0.01) and lr_at(9, 100, cfg) == pytest.approx(0.1)
    assert lr_at(100, 100, cfg) == pytest.approx(0.0, abs=1e-12)
    assert all(lr_at(s, 100, cfg) >= lr_at(s + 1, 100, cfg) for s in range(10, 100))
