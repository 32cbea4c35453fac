"""Common image corruptions at five severities, after Hendrycks & Dietterich's CIFAR-10-C.

Hendrycks & Dietterich 2019, "Benchmarking Neural Network Robustness to Common Corruptions and
Perturbations" (ICLR), built CIFAR-10-C with ``ImageNet-C/create_c/make_cifar_c.py`` in
github.com/hendrycks/robustness. The five corruptions here follow that file's definitions and
severity constants, on 32×32 uint8 RGB images in [0, 255]; each output is cast back with
``np.uint8(...)`` (truncation, as the published script does):

* ``gaussian_noise``: ``clip(x/255 + N(0, c²), 0, 1)·255``, c = 0.04, 0.06, 0.08, 0.09, 0.10.
* ``gaussian_blur``: skimage's ``gaussian(x/255, sigma=c)`` per channel, c = 0.4, 0.6, 0.7, 0.8, 1.0
  (skimage's defaults: kernel truncated at 4σ, edges extended with the nearest pixel).
* ``jpeg_compression``: re-encoded by Pillow at quality c = 80, 65, 58, 50, 40.
* ``brightness``: in HSV, ``V ← clip(V + c, 0, 1)``, c = 0.05, 0.1, 0.15, 0.2, 0.3. With hue and
  saturation held, every RGB channel is proportional to V, so this scales each pixel by V'/V (a
  black pixel, whose saturation skimage sets to 0, becomes grey V').
* ``contrast``: ``clip((x − m)·c + m, 0, 1)·255`` with m each image's per-channel mean,
  c = 0.75, 0.5, 0.4, 0.3, 0.15.

Gaussian blur belongs to CIFAR-10-C's four extra corruptions; the 15 main ones blur with a disk
(defocus), which needs OpenCV — the Gaussian keeps the dependency list as it is. The noise is drawn
from a seeded generator, so a run is reproducible (the published script uses NumPy's global state).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

SEVERITIES = (1, 2, 3, 4, 5)

GAUSSIAN_NOISE_SIGMA = (0.04, 0.06, 0.08, 0.09, 0.10)
GAUSSIAN_BLUR_SIGMA = (0.4, 0.6, 0.7, 0.8, 1.0)
JPEG_QUALITY = (80, 65, 58, 50, 40)
BRIGHTNESS_SHIFT = (0.05, 0.1, 0.15, 0.2, 0.3)
CONTRAST_FACTOR = (0.75, 0.5, 0.4, 0.3, 0.15)

# skimage.filters.gaussian → scipy.ndimage.gaussian_filter: truncate = 4.0 standard deviations.
_TRUNCATE = 4.0


def _check_batch(images: np.ndarray) -> np.ndarray:
    arr = np.asarray(images)
    if arr.dtype != np.uint8 or arr.ndim != 4 or arr.shape[-1] != 3:
        raise ValueError(f"images must be an (N, H, W, 3) uint8 array; got {arr.dtype} {arr.shape}")
    return arr


def _constant(table: tuple, severity: int):
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of 1–5, as in CIFAR-10-C; got {severity!r}")
    return table[severity - 1]


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    """[0, 1] floats → uint8 the published way: ``np.uint8(clip(x, 0, 1) · 255)`` (truncation)."""
    return (np.clip(unit, 0.0, 1.0) * 255.0).astype(np.uint8)


def gaussian_noise(images: np.ndarray, severity: int, rng: np.random.Generator) -> np.ndarray:
    c = _constant(GAUSSIAN_NOISE_SIGMA, severity)
    x = _check_batch(images) / 255.0
    return _to_uint8(x + rng.normal(size=x.shape, scale=c))


def gaussian_kernel(sigma: float) -> np.ndarray:
    """The normalised 1-D Gaussian of scipy.ndimage: radius ``int(4σ + 0.5)``, weights ∝ exp(−t²/2σ²)."""
    radius = int(_TRUNCATE * sigma + 0.5)
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (t / sigma) ** 2)
    return weights / weights.sum()


def _blur_axis(x: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    radius = len(kernel) // 2
    pad = [(0, 0)] * x.ndim
    pad[axis] = (radius, radius)
    padded = np.pad(x, pad, mode="edge")  # scipy's mode="nearest"
    n = x.shape[axis]
    out = np.zeros_like(x)
    for offset, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(offset, offset + n), axis=axis)
    return out


def gaussian_blur(images: np.ndarray, severity: int, rng: np.random.Generator | None = None) -> np.ndarray:
    kernel = gaussian_kernel(_constant(GAUSSIAN_BLUR_SIGMA, severity))
    x = _check_batch(images) / 255.0
    return _to_uint8(_blur_axis(_blur_axis(x, kernel, 1), kernel, 2))


def jpeg_compression(images: np.ndarray, severity: int, rng: np.random.Generator | None = None) -> np.ndarray:
    quality = _constant(JPEG_QUALITY, severity)
    out = np.empty_like(_check_batch(images))
    for i, image in enumerate(images):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, "JPEG", quality=quality)
        out[i] = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return out


def brightness(images: np.ndarray, severity: int, rng: np.random.Generator | None = None) -> np.ndarray:
    shift = _constant(BRIGHTNESS_SHIFT, severity)
    x = _check_batch(images) / 255.0
    value = x.max(axis=-1, keepdims=True)
    brighter = np.clip(value + shift, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(value > 0, x * (brighter / value), brighter)
    return _to_uint8(scaled)


def contrast(images: np.ndarray, severity: int, rng: np.random.Generator | None = None) -> np.ndarray:
    factor = _constant(CONTRAST_FACTOR, severity)
    x = _check_batch(images) / 255.0
    means = x.mean(axis=(1, 2), keepdims=True)
    return _to_uint8((x - means) * factor + means)


Corruption = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]

CORRUPTIONS: dict[str, Corruption] = {
    "gaussian_noise": gaussian_noise,
    "gaussian_blur": gaussian_blur,
    "jpeg_compression": jpeg_compression,
    "brightness": brightness,
    "contrast": contrast,
}
CORRUPTION_LABELS = {
    "gaussian_noise": "Gaussian noise",
    "gaussian_blur": "Gaussian blur",
    "jpeg_compression": "JPEG compression",
    "brightness": "Brightness",
    "contrast": "Contrast",
}


def corrupt(images: np.ndarray, name: str, severity: int, *, seed: int = 0) -> np.ndarray:
    """``images`` (N, H, W, 3) uint8 under corruption ``name`` at ``severity`` (1–5), reproducibly."""
    if name not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {name!r}; known: {', '.join(CORRUPTIONS)}")
    return CORRUPTIONS[name](images, severity, np.random.default_rng(seed))
