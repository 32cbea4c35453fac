"""CIFAR-10 as uint8 arrays, from any of the three forms a user may have.

Sources understood by :func:`load_cifar10`:

* a torchvision root (``torchvision.datasets.CIFAR10(root, download=True)`` wrote
  ``root/cifar-10-batches-py``);
* the JPEG folder layout ``<root>/{train,test}/<class>/*.jpg`` (ImageFolder style);
* that layout packed as ``.tar.xz`` (our copy: ``../shared/data/cifar10-jpeg.tar.xz``), which is
  extracted once into a cache folder outside the repository.

Decoded splits are cached as ``.npy`` beside the extracted files (outside the repo), so the second
load takes a fraction of a second instead of decoding 60,000 JPEGs again. Nothing here is ever
written inside the project tree.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# The standard CIFAR-10 index order (alphabetical, as torchvision and the JPEG copy use).
CLASSES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
SPLITS = ("train", "test")
DEFAULT_ARCHIVE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cifar10-jpeg.tar.xz"
DATA_ENV = "LSLAB_CIFAR10"
# Where torchvision.datasets.CIFAR10(root, download=True) is usually pointed.
TORCHVISION_ROOTS: tuple[Path, ...] = (Path("data"), Path.home() / "data", Path.home() / ".cache" / "torchvision")


@dataclass(frozen=True)
class Split:
    """One split: ``images`` (N, 32, 32, 3) uint8 RGB, ``labels`` (N,) int64 in CIFAR-10 order."""

    images: np.ndarray
    labels: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.labels)


def cache_dir() -> Path:
    """Where extracted archives and decoded arrays live: ``$XDG_CACHE_HOME/label-smoothing-lab``."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "label-smoothing-lab"


def _torchvision_test_batch(root: Path) -> bool:
    return (root / "cifar-10-batches-py" / "test_batch").is_file()


def find_source(environ: Mapping[str, str] | None = None, archive: Path = DEFAULT_ARCHIVE,
                torchvision_roots: Sequence[Path] = TORCHVISION_ROOTS) -> Path | None:
    """The CIFAR-10 copy on this machine, for training, evaluation and the gallery alike, or None. In order:

    1. ``$LSLAB_CIFAR10`` — a torchvision root, a JPEG folder or its ``.tar.xz`` — whenever it is set and
       exists, whatever its layout, so a wrong setting fails loudly in :func:`load_cifar10` instead of
       being skipped silently (a path that does not exist is skipped);
    2. the project's shared archive ``../shared/data/cifar10-jpeg.tar.xz``;
    3. a torchvision download folder: ``torchvision.datasets.CIFAR10(root, download=True)`` writes
       ``root/cifar-10-batches-py``; the usual roots ``./data``, ``~/data`` and ``~/.cache/torchvision``.
    """
    env = (os.environ if environ is None else environ).get(DATA_ENV)
    if env and Path(env).expanduser().exists():
        return Path(env).expanduser()
    if archive.is_file():
        return archive
    return next((root for root in torchvision_roots if _torchvision_test_batch(root)), None)


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _extract_archive(archive: Path) -> Path:
    """Extract a ``.tar.xz`` once into the cache; return the folder holding ``train/`` and ``test/``."""
    key = f"{archive.stat().st_size}-{int(archive.stat().st_mtime)}-{archive.name}"
    target = cache_dir() / "extracted" / hashlib.sha1(key.encode()).hexdigest()[:16]
    done = target / ".complete"
    if not done.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(target, filter="data")  # "data" refuses absolute paths and links out
        done.write_text(str(archive))
    return _find_layout_root(target)


def _find_layout_root(folder: Path) -> Path:
    """The folder with ``train/`` and ``test/`` class folders: ``folder`` itself or one level down."""
    for candidate in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if (candidate / "test").is_dir() and (candidate / "train").is_dir():
            return candidate
    raise FileNotFoundError(f"{folder} holds no train/ and test/ folders of CIFAR-10 class folders")


def _is_torchvision_root(path: Path) -> bool:
    return (path / "cifar-10-batches-py").is_dir() or path.name == "cifar-10-batches-py"


def _load_torchvision(root: Path, split: str) -> Split:
    """Read torchvision's ``cifar-10-batches-py`` pickles (the format ``CIFAR10(download=True)`` writes).

    Parsed here rather than through ``torchvision.datasets.CIFAR10`` so that a root the user built
    (or a test generated) need not match the upstream MD5 sums; the layout is the documented one:
    each batch holds ``data`` (N, 3072) uint8 in CHW order and ``labels``.
    """
    folder = root if root.name == "cifar-10-batches-py" else root / "cifar-10-batches-py"
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    images, labels = [], []
    for name in names:
        with open(folder / name, "rb") as fh:
            # The official batches are Python-2 pickles of plain arrays and lists (as torchvision reads them).
            batch = pickle.load(fh, encoding="latin1")
        images.append(np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch.get("labels", batch.get("fine_labels")), dtype=np.int64))
    return Split(np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels), f"torchvision:{folder}")


def _decode_folder(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for index, name in enumerate(CLASSES):
        folder = root / split / name
        if not folder.is_dir():
            raise FileNotFoundError(f"missing class folder {folder}")
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
                continue
            with Image.open(file) as im:
                rgb = im.convert("RGB")
            if rgb.size != (32, 32):
                raise ValueError(f"{file} is {rgb.size[0]}x{rgb.size[1]}, CIFAR-10 images are 32x32")
            images.append(np.asarray(rgb, dtype=np.uint8))
            labels.append(index)
    if not images:
        raise FileNotFoundError(f"no images under {root / split}")
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def _load_folder(root: Path, split: str) -> Split:
    """Decode the JPEG layout, caching the arrays in the user cache keyed by the folder's path."""
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    cached = cache_dir() / "arrays" / f"{key}-{split}.npz"
    marker = root / split
    if cached.exists() and cached.stat().st_mtime >= marker.stat().st_mtime:
        with np.load(cached) as npz:
            return Split(npz["images"], npz["labels"], f"jpeg:{root}")
    images, labels = _decode_folder(root, split)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp.npz")
    np.savez(tmp, images=images, labels=labels)
    tmp.replace(cached)
    return Split(images, labels, f"jpeg:{root}")


def resolve_layout(source: str | Path) -> tuple[str, Path]:
    """Classify a source path as ``("torchvision", root)`` or ``("jpeg", root)``; extract archives."""
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"CIFAR-10 source {path} does not exist")
    if path.is_file():
        if not tarfile.is_tarfile(path):
            raise ValueError(f"{path} is a file but not a tar archive of the CIFAR-10 JPEG layout")
        return "jpeg", _extract_archive(path)
    if _is_torchvision_root(path):
        return "torchvision", path
    return "jpeg", _find_layout_root(path)


def load_cifar10(source: str | Path, split: str) -> Split:
    """Load one CIFAR-10 split as uint8 arrays from a torchvision root, a JPEG folder or its archive."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    kind, root = resolve_layout(source)
    return _load_torchvision(root, split) if kind == "torchvision" else _load_folder(root, split)


def stratified_indices(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """A fixed, sorted subset with ``per_class`` examples of every class (same seed → same subset)."""
    rng = np.random.default_rng(seed)
    picks = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has {len(members)} examples, fewer than {per_class}")
        picks.append(rng.choice(members, size=per_class, replace=False))
    return np.sort(np.concatenate(picks))


def holdout_split(labels: np.ndarray, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (train, held-out) index arrays; the held-out part fits the temperature."""
    per_class = int(round(fraction * len(labels) / len(np.unique(labels))))
    held = stratified_indices(labels, per_class, seed)
    mask = np.ones(len(labels), dtype=bool)
    mask[held] = False
    return np.flatnonzero(mask), held
