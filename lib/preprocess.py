"""The one preprocessing definition shared by training, evaluation and the app.

The model learned CIFAR-10: 32×32 RGB photos. Whatever a user uploads is brought to that domain the
same way every time:

1. apply the EXIF orientation (phones store rotated pixels plus a tag);
2. convert any mode to 8-bit RGB — 16-bit and float images are *rescaled*, not clamped; transparency
   is composited onto a fixed white background;
3. centre-crop to a square (CIFAR images are square; squashing would distort shapes);
4. downscale with antialiasing (Lanczos) to 32×32 — the picture the model actually sees.

The network then receives ``(pixel / 127.5) − 1`` in [−1, 1] (what EfficientNet-Lite was trained on)
and upsamples 32 → its input resolution inside its own ``forward`` (see ``lib.model``), so a training
batch of CIFAR arrays and an uploaded photo travel through exactly the same code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image, ImageOps

CIFAR_SIZE = 32
BACKGROUND_RGB = (255, 255, 255)
_HIGH_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


def _rescale_high_depth(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer and float images → 8-bit "L", keeping their full tonal range."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode == "F" or values.max(initial=0) > 65535 or values.min(initial=0) < 0:
        low, high = float(values.min(initial=0)), float(values.max(initial=0))
    else:
        low, high = 0.0, 65535.0  # integer images from 16-bit files use the 16-bit scale
    span = high - low if high > low else 1.0
    scaled = np.clip((values - low) / span * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(scaled, mode="L")


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode → 8-bit RGB: high bit depths rescaled, transparency composited on white."""
    if image.mode in _HIGH_DEPTH_MODES:
        image = _rescale_high_depth(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        image.mode == "P" and "transparency" in image.info
    ) or (image.mode in {"L", "RGB"} and "transparency" in image.info)
    if has_alpha:
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


def to_model_domain(image: Image.Image) -> Image.Image:
    """A user image → the 32×32 RGB picture the model sees (EXIF-rotated, RGB, square, antialiased)."""
    image = ImageOps.exif_transpose(image)
    image = center_square(to_rgb(image))
    if image.size != (CIFAR_SIZE, CIFAR_SIZE):
        # reducing_gap first shrinks by an integer factor with a box filter, keeping huge photos fast
        # while the final Lanczos pass still antialiases.
        image = image.resize((CIFAR_SIZE, CIFAR_SIZE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return image


def images_to_uint8(images: Sequence[Image.Image]) -> np.ndarray:
    """A batch of PIL images → (N, 32, 32, 3) uint8 arrays in the model's domain."""
    return np.stack([np.asarray(to_model_domain(im), dtype=np.uint8) for im in images])


def uint8_to_tensor(batch: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(N, 32, 32, 3) uint8 → (N, 3, 32, 32) float32 in [−1, 1], the network's input convention."""
    tensor = torch.as_tensor(batch)
    if tensor.dtype != torch.uint8 or tensor.ndim != 4 or tensor.shape[-1] != 3:
        raise ValueError(f"expected (N, H, W, 3) uint8, got {tuple(tensor.shape)} {tensor.dtype}")
    return tensor.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)
