"""Verified loading and fast prediction, on a small model exported inside the test."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from lib.cifar.data import CLASSES
from lib.cifar.model import (
    META_FILE,
    WEIGHTS_FILE,
    ModelFileError,
    available_models,
    export_model,
    load_classifier,
    resolve_model,
)
from lib.cifar.network import CifarEfficientNet


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    network = CifarEfficientNet(resolution=64, pretrained=True)
    provenance = {"classes": list(CLASSES), "label_smoothing": 0.1, "spread": "all", "temperature": 1.5,
                  "config": {"resolution": 64}}
    return export_model(network.eval(), provenance, {"epochs": []}, tmp_path_factory.mktemp("m") / "tiny")


def random_images(n: int, seed: int = 0) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    sizes = [(32, 32), (640, 480), (7, 300), (1, 1)]
    return [Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for w, h in
            (sizes[i % len(sizes)] for i in range(n))]


def test_export_writes_fp16_weights_with_their_checksum(exported):
    from safetensors.torch import load_file

    meta = json.loads((exported / META_FILE).read_text())
    assert len(meta["weights_sha256"]) == 64 and meta["weights_dtype"] == "float16"
    tensors = load_file(str(exported / WEIGHTS_FILE))
    assert {t.dtype for t in tensors.values() if t.is_floating_point()} == {torch.float16}


def test_predict_returns_probabilities_for_any_image_size(exported):
    classifier = load_classifier(exported)
    probs = classifier.predict(random_images(6))
    assert probs.shape == (6, 10) and probs.dtype == np.float64
    assert np.allclose(probs.sum(axis=1), 1.0) and np.all(probs >= 0)
    assert classifier.predict([]).shape == (0, 10)
    assert classifier.classes == list(CLASSES) and classifier.temperature == 1.5


def test_prediction_never_mutates_the_shared_network(exported):
    classifier = load_classifier(exported)
    before = {k: v.clone() for k, v in classifier.network.state_dict().items()}
    classifier.predict(random_images(3))
    after = classifier.network.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not classifier.network.training
    assert not any(p.requires_grad for p in classifier.network.parameters())


def test_corrupt_weights_are_refused_before_loading(exported, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / META_FILE).write_bytes((exported / META_FILE).read_bytes())
    data = bytearray((exported / WEIGHTS_FILE).read_bytes())
    data[-100] ^= 0xFF
    (copy / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="corrupt or was replaced"):
        load_classifier(copy)


def test_missing_files_give_clear_errors(exported, tmp_path):
    with pytest.raises(ModelFileError, match="model.json is missing"):
        load_classifier(tmp_path)
    (tmp_path / META_FILE).write_bytes((exported / META_FILE).read_bytes())
    with pytest.raises(ModelFileError, match="model.safetensors is missing"):
        load_classifier(tmp_path)
    with pytest.raises(ModelFileError, match="no shipped model named 'nope'"):
        resolve_model("nope", models_dir=tmp_path)


def test_the_models_folder_is_read_when_asked_not_when_imported(exported, monkeypatch):
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(exported.parent))
    assert available_models() == {"tiny": exported}
    assert resolve_model("tiny") == exported
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(exported.parent / "elsewhere"))
    assert available_models() == {}


def test_truncated_weights_with_a_matching_checksum_still_fail_clearly(exported, tmp_path):
    import hashlib

    (tmp_path / WEIGHTS_FILE).write_bytes(b"\x00" * 16)
    meta = json.loads((exported / META_FILE).read_text())
    meta["weights_sha256"] = hashlib.sha256(b"\x00" * 16).hexdigest()
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="not a readable safetensors"):
        load_classifier(tmp_path)


def test_mirror_average_predicts_the_mean_of_both_views_and_is_mirror_symmetric(exported):
    """Averaging is exact (fp32): the mean logit of the two views, chunked by ``batch_size`` network inputs."""
    rng = np.random.default_rng(3)
    batch = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    mirrored = np.ascontiguousarray(batch[:, :, ::-1])
    single = load_classifier(exported, use_bf16=False, mirror_average=False)
    both = load_classifier(exported, use_bf16=False, mirror_average=True)
    expected = (single.logits_uint8(batch) + single.logits_uint8(mirrored)) / 2
    assert np.allclose(both.logits_uint8(batch, batch_size=4), expected, atol=1e-5)  # chunks of 2 + mirrors
    assert np.allclose(both.logits_uint8(mirrored), both.logits_uint8(batch), atol=1e-5)
    assert not np.allclose(single.logits_uint8(mirrored), single.logits_uint8(batch), atol=1e-3)


def test_mirror_average_follows_model_json(exported, tmp_path):
    import shutil

    assert load_classifier(exported).mirror_average is False  # says nothing → off
    copy = shutil.copytree(exported, tmp_path / "copy")
    meta = json.loads((copy / META_FILE).read_text())
    (copy / META_FILE).write_text(json.dumps({**meta, "mirror_average": True}))
    assert load_classifier(copy).mirror_average is True
    assert load_classifier(copy, mirror_average=False).mirror_average is False
