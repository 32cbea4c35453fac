"""The one preprocessing definition shared by training, evaluation and the app.

The model learned CIFAR-10: 32×32 RGB photos. Whatever a user uploads is brought to that domain the
same way every time:

1. apply the EXIF orientation (phones store rotated pixels plus a tag);
2. convert any mode to 8-bit RGB — 16-bit and float images are *rescaled*, not clamped; transparency
   is composited onto a fixed white background;
3. centre-crop to a square (CIFAR images are square; squashing would distort shapes);
4. downscale with antialiasing (Lanczos) to 32×32 — the picture the model actually sees.

The network then receives ``(pixel / 127.5) − 1`` in [−1, 1] (what EfficientNet-Lite was trained on)
and upsamples 32 → its input resolution inside its own ``forward`` (see ``lib.cifar.model``), so a training
batch of CIFAR arrays and an uploaded photo travel through exactly the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import ExifTags, Image

# torch is imported where tensors are made: the decode workers (lib.classifier.decode_worker) never need it.
if TYPE_CHECKING:
    import torch

CIFAR_SIZE = 32
BACKGROUND_RGB = (255, 255, 255)
_HIGH_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
# EXIF orientation → the transpose that makes the picture upright (the table ImageOps.exif_transpose uses).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _rescale_high_depth(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer and float images → 8-bit "L" (or "LA"), keeping their full tonal range.

    Integer values within 0…65535 are read on the 16-bit scale, v ↦ round(255·v / 65535), so a
    16-bit mid-gray stays mid-gray; anything else (float, or integers outside that range) is
    stretched over the range of its finite values and 0. NaN becomes the low end, ±inf the ends.
    A single-value ``transparency`` (a 16-bit PNG's tRNS chunk) becomes an alpha band.
    """
    # float32 is exact here (16-bit inputs never land within 2e-3 of a rounding tie) and halves the
    # memory of float64: a 25-megapixel upload costs 100 MB instead of several 200 MB temporaries.
    values = np.array(image, dtype=np.float32)
    finite = values[np.isfinite(values)] if image.mode == "F" else values
    low, high = float(finite.min(initial=0)), float(finite.max(initial=0))
    if image.mode != "F" and low >= 0 and high <= 65535:
        low, high = 0.0, 65535.0  # integer images from 16-bit files use the 16-bit scale
    if image.mode == "F":
        np.nan_to_num(values, copy=False, nan=low, posinf=high, neginf=low)
    span = high - low if high > low else 1.0
    values -= low
    values *= 255.0 / span
    values += 0.5
    np.clip(values, 0, 255, out=values)
    gray = Image.fromarray(values.astype(np.uint8), mode="L")
    transparent = image.info.get("transparency")
    if isinstance(transparent, int) and image.mode != "F":
        opaque = np.asarray(image) != transparent
        alpha = Image.fromarray(opaque.astype(np.uint8) * np.uint8(255), mode="L")
        return Image.merge("LA", (gray, alpha))
    return gray


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode → 8-bit RGB: high bit depths rescaled, transparency composited on white."""
    if image.mode in _HIGH_DEPTH_MODES:
        image = _rescale_high_depth(image)
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        if image.mode == "La":
            image = image.convert("LA")  # Pillow converts premultiplied La only to LA
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*BACKGROUND_RGB, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB") if image.mode != "RGB" else image


def center_square(image: Image.Image) -> Image.Image:
    """The largest centred square of the image."""
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.crop((left, top, left + side, top + side))


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag of ``image`` (1, upright, when absent or out of range)."""
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    return orientation if orientation in _UPRIGHT else 1


def upright_rgb(image: Image.Image, orientation: int) -> Image.Image:
    """Steps 1–2: turned upright by its EXIF ``orientation`` (1–8) and converted to 8-bit RGB (:func:`to_rgb`)."""
    method = _UPRIGHT.get(orientation)
    return to_rgb(image if method is None else image.transpose(method))


def model_view(rgb: Image.Image) -> Image.Image:
    """Steps 3–4: an upright RGB picture → its centred square, antialiased down (or up) to 32×32."""
    image = center_square(rgb)
    if image.size != (CIFAR_SIZE, CIFAR_SIZE):
        # reducing_gap first shrinks by an integer factor with a box filter, keeping huge photos fast
        # while the final Lanczos pass still antialiases.
        image = image.resize((CIFAR_SIZE, CIFAR_SIZE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return image


def to_model_domain(image: Image.Image) -> Image.Image:
    """A user image → the 32×32 RGB picture the model sees (EXIF-rotated, RGB, square, antialiased)."""
    return model_view(upright_rgb(image, exif_orientation(image)))


def images_to_uint8(images: Sequence[Image.Image]) -> np.ndarray:
    """A batch of PIL images → (N, 32, 32, 3) uint8 arrays in the model's domain."""
    return np.stack([np.asarray(to_model_domain(im), dtype=np.uint8) for im in images])


def uint8_to_tensor(batch: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(N, 32, 32, 3) uint8 → (N, 3, 32, 32) float32 in [−1, 1], the network's input convention."""
    import torch

    tensor = torch.as_tensor(batch)
    if tensor.dtype != torch.uint8 or tensor.ndim != 4 or tensor.shape[-1] != 3:
        raise ValueError(f"expected (N, H, W, 3) uint8, got {tuple(tensor.shape)} {tensor.dtype}")
    return pixels_to_input(tensor)


def pixels_to_input(pixels: torch.Tensor) -> torch.Tensor:
    """The input convention itself, on a (N, H, W, 3) uint8 tensor: channels first, ``x / 127.5 − 1``.

    Also traced into the ONNX graph of ``lib.cifar.model.StemPart``, so it is plain tensor operations.
    """
    return pixels.permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def view_of(images: np.ndarray, view: int) -> np.ndarray:
    """View 0 of (N, 32, 32, 3) uint8 images is as stored, view 1 their horizontal mirror (CIFAR's one flip).

    Training caches both views (lib.cifar.train) and a model trained on both predicts from both (lib.cifar.model).
    """
    if view == 0:
        return images
    if view == 1:
        return np.ascontiguousarray(images[:, :, ::-1, :])
    raise ValueError(f"unknown view {view}")
