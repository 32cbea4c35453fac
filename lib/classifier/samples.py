"""CIFAR-10 test images for the classify page's gallery, found on this machine, never shipped.

The gallery uses the first of these that exists:

1. ``$LSLAB_CIFAR10`` — a torchvision root, a JPEG folder or its ``.tar.xz`` (see :mod:`lib.cifar.data`);
2. the project's shared archive ``../shared/data/cifar10-jpeg.tar.xz``;
3. a torchvision download folder: ``torchvision.datasets.CIFAR10(root, download=True)`` writes
   ``root/cifar-10-batches-py``; the usual roots ``./data``, ``~/data`` and ``~/.cache/torchvision``
   are looked at.

Nothing is downloaded here and no CIFAR image is written inside the project: :func:`lib.cifar.data.load_cifar10`
caches decoded arrays in the user's cache folder. If nothing is found, :data:`HOW_TO_GET_SAMPLES`
says how to get them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from lib.cifar.data import CLASSES, DATA_ENV, DEFAULT_ARCHIVE

TORCHVISION_ROOTS: tuple[Path, ...] = (
    Path("data"),
    Path.home() / "data",
    Path.home() / ".cache" / "torchvision",
)
GALLERY_SIZE = 12

HOW_TO_GET_SAMPLES = (
    "No CIFAR-10 test images were found on this machine, so there is no sample gallery. To get one, "
    "download them once with torchvision: `python -c \"import torchvision; "
    "torchvision.datasets.CIFAR10('data', train=False, download=True)\"` (about 170 MB, into ./data), "
    f"or point the environment variable `{DATA_ENV}` at a CIFAR-10 folder or archive, then reload the page."
)


def _torchvision_test_batch(root: Path) -> bool:
    return (root / "cifar-10-batches-py" / "test_batch").is_file()


def find_test_source(environ: Mapping[str, str] | None = None,
                     archive: Path = DEFAULT_ARCHIVE,
                     torchvision_roots: Sequence[Path] = TORCHVISION_ROOTS) -> Path | None:
    """The first CIFAR-10 source on this machine (order in the module docstring), or None.

    ``$LSLAB_CIFAR10`` is returned whenever it is set and exists, whatever its layout, so a wrong
    setting fails loudly in :func:`lib.cifar.data.load_cifar10` instead of being skipped silently.
    """
    env = (os.environ if environ is None else environ).get(DATA_ENV)
    if env and Path(env).expanduser().exists():
        return Path(env).expanduser()
    if archive.is_file():
        return archive
    return next((root for root in torchvision_roots if _torchvision_test_batch(root)), None)


def gallery_indices(count: int, size: int = GALLERY_SIZE, *, seed: int) -> np.ndarray:
    """``size`` distinct indices out of ``count`` test images, drawn at random (same seed → same draw)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(count, size=min(size, count), replace=False)).astype(np.int64)


def sample_name(index: int, label: int) -> str:
    """``"CIFAR-10 test #1234 (cat)"``: how a gallery image is named on the page."""
    return f"CIFAR-10 test #{int(index)} ({CLASSES[int(label)]})"
