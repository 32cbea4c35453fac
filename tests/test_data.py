"""CIFAR-10 loading from each of the three forms, on tiny datasets the tests generate."""

from __future__ import annotations

import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lib.cifar import data
from lib.cifar.data import CLASSES, holdout_split, load_cifar10, stratified_indices


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Extraction and decoded arrays go to a per-test cache, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def tiny_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    # Flat colours survive JPEG well enough to compare pixel values loosely.
    colours = rng.integers(0, 256, (n, 1, 1, 3))
    return np.broadcast_to(colours, (n, 32, 32, 3)).astype(np.uint8).copy(), labels.astype(np.int64)


def write_jpeg_layout(root: Path, per_split: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    for split, (images, labels) in per_split.items():
        for i, (img, label) in enumerate(zip(images, labels, strict=True)):
            folder = root / split / CLASSES[label]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(folder / f"{i:04d}.jpg", quality=95)


def write_torchvision_root(root: Path, train, test) -> None:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    chunks = np.array_split(np.arange(len(train[1])), 5)
    for i, idx in enumerate(chunks, start=1):
        batch = {"data": train[0][idx].transpose(0, 3, 1, 2).reshape(len(idx), -1), "labels": train[1][idx].tolist()}
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(batch))
    batch = {"data": test[0].transpose(0, 3, 1, 2).reshape(len(test[1]), -1), "labels": test[1].tolist()}
    (folder / "test_batch").write_bytes(pickle.dumps(batch))


def test_jpeg_folder_layout_loads_in_class_order(tmp_path):
    train, test = tiny_images(30, 0), tiny_images(20, 1)
    write_jpeg_layout(tmp_path / "cifar", {"train": train, "test": test})
    split = load_cifar10(tmp_path / "cifar", "test")
    assert split.images.shape == (20, 32, 32, 3) and split.images.dtype == np.uint8
    assert np.bincount(split.labels).tolist() == [2] * 10
    # Files are read class by class, so the labels come out sorted.
    assert np.all(np.diff(split.labels) >= 0)
    expected = test[0][np.argsort(test[1], kind="stable")]
    assert np.abs(split.images.astype(int) - expected.astype(int)).max() <= 8  # JPEG q95


def test_tar_xz_archive_is_extracted_once_into_the_cache(tmp_path):
    write_jpeg_layout(tmp_path / "src" / "cifar10", {"train": tiny_images(10, 0), "test": tiny_images(10, 1)})
    archive = tmp_path / "cifar10.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(tmp_path / "src" / "cifar10", arcname="cifar10")
    first = load_cifar10(archive, "train")
    extracted = list((data.cache_dir() / "extracted").iterdir())
    assert len(extracted) == 1 and (extracted[0] / ".complete").exists()
    second = load_cifar10(archive, "train")
    assert np.array_equal(first.images, second.images)
    assert len(list((data.cache_dir() / "extracted").iterdir())) == 1


def test_torchvision_root_loads_exact_pixels(tmp_path):
    train, test = tiny_images(50, 2), tiny_images(10, 3)
    write_torchvision_root(tmp_path / "tv", train, test)
    loaded = load_cifar10(tmp_path / "tv", "train")
    assert np.array_equal(loaded.images, train[0]) and np.array_equal(loaded.labels, train[1])
    assert np.array_equal(load_cifar10(tmp_path / "tv" / "cifar-10-batches-py", "test").images, test[0])


def test_missing_or_wrong_sources_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nowhere", "test")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="not a tar archive"):
        load_cifar10(tmp_path / "notes.txt", "test")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="train/ and test/"):
        load_cifar10(tmp_path / "empty", "test")
    with pytest.raises(ValueError, match="split"):
        load_cifar10(tmp_path, "validation")


def test_stratified_subset_is_fixed_and_balanced():
    labels = np.repeat(np.arange(10), 100)
    a, b = stratified_indices(labels, 7, seed=0), stratified_indices(labels, 7, seed=0)
    assert np.array_equal(a, b) and np.bincount(labels[a]).tolist() == [7] * 10


def test_holdout_is_disjoint_and_covers_everything():
    labels = np.repeat(np.arange(10), 40)
    fit, held = holdout_split(labels, 0.1)
    assert len(np.intersect1d(fit, held)) == 0 and len(fit) + len(held) == 400
    assert np.bincount(labels[held]).tolist() == [4] * 10
