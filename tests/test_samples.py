"""lib.classifier.samples: where the gallery finds CIFAR-10 test images, and how it draws them.

The CIFAR-10 folders here are generated in the test (random pixels in torchvision's pickle layout);
no CIFAR image is read or committed.
"""

from __future__ import annotations

import pickle

import numpy as np

from lib.cifar.data import DATA_ENV, find_source, load_cifar10
from lib.classifier import samples


def fake_torchvision_root(root, n: int = 20):
    """``root/cifar-10-batches-py/test_batch`` with ``n`` random images, as torchvision writes it."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    batch = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "labels": list(rng.integers(0, 10, n))}
    (folder / "test_batch").write_bytes(pickle.dumps(batch))
    return root


def test_the_environment_variable_wins_over_everything_else(tmp_path):
    root = fake_torchvision_root(tmp_path / "mine")
    archive = tmp_path / "shared.tar.xz"
    archive.write_bytes(b"")
    assert find_source({DATA_ENV: str(root)}, archive=archive) == root


def test_a_missing_environment_path_is_skipped(tmp_path):
    archive = tmp_path / "shared.tar.xz"
    archive.write_bytes(b"")
    assert find_source({DATA_ENV: str(tmp_path / "nowhere")}, archive=archive) == archive


def test_a_torchvision_download_folder_is_found_when_nothing_else_is(tmp_path):
    empty, root = tmp_path / "empty", fake_torchvision_root(tmp_path / "tv")
    empty.mkdir()
    found = find_source({}, archive=tmp_path / "absent.tar.xz", torchvision_roots=[empty, root])
    assert found == root
    assert len(load_cifar10(found, "test")) == 20


def test_nothing_found_gives_none_and_the_page_has_instructions(tmp_path):
    assert find_source({}, archive=tmp_path / "absent.tar.xz", torchvision_roots=[tmp_path]) is None
    assert DATA_ENV in samples.HOW_TO_GET_SAMPLES and "download=True" in samples.HOW_TO_GET_SAMPLES


def test_gallery_draws_distinct_indices_reproducibly():
    first = samples.gallery_indices(10_000, seed=3)
    assert len(first) == samples.GALLERY_SIZE == len(set(first.tolist()))
    assert np.array_equal(first, samples.gallery_indices(10_000, seed=3))
    assert not np.array_equal(first, samples.gallery_indices(10_000, seed=4))
    assert first.min() >= 0 and first.max() < 10_000


def test_gallery_of_a_small_set_takes_all_of_it():
    assert samples.gallery_indices(5, seed=0).tolist() == [0, 1, 2, 3, 4]
    assert samples.gallery_indices(0, seed=0).size == 0


def test_sample_name_says_which_test_image_and_its_class():
    assert samples.sample_name(1234, 3) == "CIFAR-10 test #1234 (cat)"
