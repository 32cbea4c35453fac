"""CIFAR-10 test images for the classify page's gallery, found on this machine, never shipped.

The gallery uses the CIFAR-10 copy that training and evaluation use, found by one rule
(:func:`lib.cifar.data.find_source`: ``$LSLAB_CIFAR10``, the shared archive, a torchvision download).

Nothing is downloaded here and no CIFAR image is written inside the project: :func:`lib.cifar.data.load_cifar10`
caches decoded arrays in the user's cache folder. If nothing is found, :data:`HOW_TO_GET_SAMPLES`
says how to get them.
"""

from __future__ import annotations

import numpy as np

from lib.cifar.data import CLASSES, DATA_ENV

GALLERY_SIZE = 12

HOW_TO_GET_SAMPLES = (
    "No CIFAR-10 test images were found on this machine, so there is no sample gallery. To get one, "
    "download them once with torchvision: `python -c \"import torchvision; "
    "torchvision.datasets.CIFAR10('data', train=False, download=True)\"` (about 170 MB, into ./data), "
    f"or point the environment variable `{DATA_ENV}` at a CIFAR-10 folder or archive, then reload the page."
)


def gallery_indices(count: int, size: int = GALLERY_SIZE, *, seed: int) -> np.ndarray:
    """``size`` distinct indices out of ``count`` test images, drawn at random (same seed → same draw)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(count, size=min(size, count), replace=False)).astype(np.int64)


def sample_name(index: int, label: int) -> str:
    """``"CIFAR-10 test #1234 (cat)"``: how a gallery image is named on the page."""
    return f"CIFAR-10 test #{int(index)} ({CLASSES[int(label)]})"
