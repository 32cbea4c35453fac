"""lib.cifar.preprocess: every Pillow mode and shape reaches the model's 32×32 RGB domain the same way.

Warnings are errors here: a conversion that warns (NaN casts, palette transparency) is a bug.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from lib.cifar.preprocess import (
    BACKGROUND_RGB,
    CIFAR_SIZE,
    center_square,
    images_to_uint8,
    to_model_domain,
    to_rgb,
    uint8_to_tensor,
)

pytestmark = pytest.mark.filterwarnings("error")

WHITE = BACKGROUND_RGB


def pixel(image: Image.Image, xy: tuple[int, int] = (0, 0)) -> tuple[int, ...]:
    return tuple(np.asarray(image)[xy[1], xy[0]].tolist())


# Image.MODES is every mode Pillow can create; the brief's list is spelled out so none can go missing.
ALL_MODES = sorted(
    set(Image.MODES) | {"1", "L", "P", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "HSV", "I", "I;16", "F", "LA", "PA"}
)


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("size", [(7, 5), (1, 1), (64, 48)])
def test_every_pillow_mode_becomes_a_32x32_rgb_model_input(mode, size):
    image = Image.new(mode, size)
    out = to_model_domain(image)
    assert out.mode == "RGB" and out.size == (CIFAR_SIZE, CIFAR_SIZE)


@pytest.mark.parametrize(
    ("mode", "colour", "rgb"),
    [
        ("1", 1, (255, 255, 255)),
        ("L", 100, (100, 100, 100)),
        ("RGB", (10, 20, 30), (10, 20, 30)),
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
        ("YCbCr", (76, 85, 255), (254, 0, 0)),
        ("HSV", (0, 255, 255), (255, 0, 0)),
        ("RGBX", (10, 20, 30, 0), (10, 20, 30)),
    ],
)
def test_opaque_modes_keep_their_colour(mode, colour, rgb):
    out = to_rgb(Image.new(mode, (2, 2), colour))
    assert np.allclose(pixel(out), rgb, atol=1)


def test_sixteen_bit_values_map_to_the_nearest_8bit_level():
    values = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    out = np.asarray(to_rgb(Image.fromarray(values)))[..., 0].astype(np.int64).ravel()
    exact = (np.arange(65536) * 255 * 2 + 65535) // (2 * 65535)  # round(255·v / 65535), integers only
    assert np.array_equal(out, exact)


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I;16L", "I"])
def test_16bit_mid_gray_stays_mid_gray_instead_of_clamping_to_white(mode):
    assert pixel(to_rgb(Image.new(mode, (2, 2), 32768))) == (128, 128, 128)


def test_integer_images_beyond_16_bits_are_stretched_over_their_range():
    values = np.array([[0, 1 << 20], [-(1 << 20), 1 << 19]], dtype=np.int32)
    out = np.asarray(to_rgb(Image.fromarray(values)))[..., 0]
    assert out.tolist() == [[128, 255], [0, 191]]


def test_float_images_with_nan_and_inf_convert_without_warnings():
    values = np.array([[0.0, np.nan], [1.0, np.inf], [-np.inf, 0.5]], dtype=np.float32)
    out = np.asarray(to_rgb(Image.fromarray(values)))[..., 0]
    assert out.tolist() == [[0, 0], [255, 255], [0, 128]]


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (1, 1), (255, 0, 0, 0)),
        Image.new("LA", (1, 1), (40, 0)),
        Image.new("La", (1, 1), (0, 0)),
        Image.new("RGBa", (1, 1), (0, 0, 0, 0)),
        Image.new("PA", (1, 1), (0, 0)),
    ],
    ids=lambda image: image.mode,
)
def test_fully_transparent_pixels_become_the_white_background(image):
    assert pixel(to_rgb(image)) == WHITE


def test_half_transparent_red_blends_halfway_to_white():
    out = to_rgb(Image.new("RGBA", (1, 1), (255, 0, 0, 128)))
    assert np.allclose(pixel(out), (255, 127, 127), atol=1)


@pytest.mark.parametrize(
    ("mode", "transparent", "opaque", "opaque_rgb"),
    [
        ("L", 7, 200, (200, 200, 200)),
        ("1", 1, 0, (0, 0, 0)),
        ("RGB", (1, 2, 3), (200, 0, 0), (200, 0, 0)),
        ("I;16", 7, 32768, (128, 128, 128)),
    ],
)
def test_single_colour_transparency_key_becomes_white(mode, transparent, opaque, opaque_rgb):
    image = Image.new(mode, (2, 1), opaque)
    image.putpixel((0, 0), transparent)
    image.info["transparency"] = transparent
    out = to_rgb(image)
    assert pixel(out, (0, 0)) == WHITE
    assert pixel(out, (1, 0)) == opaque_rgb


def test_palette_transparency_in_bytes_composites_without_warning():
    image = Image.new("P", (2, 1), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((1, 0), 1)
    image.info["transparency"] = b"\x00\xff"  # index 0 fully transparent, index 1 opaque
    out = to_rgb(image)
    assert pixel(out, (0, 0)) == WHITE and pixel(out, (1, 0)) == (0, 0, 255)


def test_rgb_images_pass_through_to_rgb_untouched():
    image = Image.new("RGB", (3, 3), (1, 2, 3))
    assert to_rgb(image) is image


def test_cifar_sized_rgb_arrays_reach_the_model_unchanged():
    # Training feeds 32×32 CIFAR arrays through the same function: it must be the identity for them.
    array = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(to_model_domain(Image.fromarray(array))), array)


@pytest.mark.parametrize("size", [(10_000, 10), (10, 10_000), (1, 5_000), (5_000, 1), (3, 2), (33, 32)])
def test_extreme_aspect_ratios_become_32x32_from_the_centre_square(size):
    width, height = size
    image = Image.new("RGB", size, "red")
    side = min(size)
    left, top = (width - side) // 2, (height - side) // 2
    image.paste("lime", (left, top, left + side, top + side))
    out = np.asarray(to_model_domain(image))
    assert out.shape == (32, 32, 3)
    assert np.all(out == (0, 255, 0))


@settings(max_examples=200, deadline=None)
@given(width=st.integers(1, 300), height=st.integers(1, 300))
def test_center_square_is_the_largest_centred_square(width, height):
    image = Image.new("L", (width, height))
    crop = center_square(image)
    side = min(width, height)
    assert crop.size == (side, side)
    left, top = (width - side) // 2, (height - side) // 2
    assert abs((width - side - left) - left) <= 1 and abs((height - side - top) - top) <= 1


@settings(max_examples=100, deadline=None)
@given(
    mode=st.sampled_from(["1", "L", "P", "RGB", "RGBA", "CMYK", "LA", "I;16", "F"]),
    width=st.integers(1, 120),
    height=st.integers(1, 120),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_images_of_any_shape_reach_32x32_rgb(mode, width, height, seed):
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), "RGBA").convert(mode)
    out = to_model_domain(image)
    assert out.mode == "RGB" and out.size == (CIFAR_SIZE, CIFAR_SIZE)


def test_images_to_uint8_stacks_a_batch_of_mixed_images():
    batch = images_to_uint8([Image.new("L", (50, 20), 9), Image.new("RGBA", (5, 5)), Image.new("RGB", (32, 32))])
    assert batch.shape == (3, 32, 32, 3) and batch.dtype == np.uint8
    assert np.all(batch[0] == 9) and np.all(batch[1] == 255) and np.all(batch[2] == 0)


def test_uint8_to_tensor_maps_0_and_255_to_minus_one_and_one_channels_first():
    batch = np.zeros((2, 32, 32, 3), dtype=np.uint8)
    batch[0, ..., 0] = 255  # red channel of the first image
    tensor = uint8_to_tensor(batch)
    assert tensor.shape == (2, 3, 32, 32) and tensor.dtype == torch.float32
    assert tensor.min().item() == -1.0 and tensor.max().item() == 1.0
    assert torch.all(tensor[0, 0] == 1.0) and torch.all(tensor[0, 1:] == -1.0) and torch.all(tensor[1] == -1.0)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.integers(0, 255), min_size=3, max_size=3))
def test_uint8_to_tensor_is_pixel_over_127_5_minus_one(values):
    batch = np.broadcast_to(np.array(values, dtype=np.uint8), (1, 32, 32, 3)).copy()
    tensor = uint8_to_tensor(batch)
    expected = torch.tensor(values, dtype=torch.float64) / 127.5 - 1
    assert torch.allclose(tensor[0, :, 0, 0].double(), expected, atol=1e-6)
    assert tensor.min() >= -1 and tensor.max() <= 1


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((1, 32, 32, 3), dtype=np.float32),
        np.zeros((32, 32, 3), dtype=np.uint8),
        np.zeros((1, 32, 32, 4), dtype=np.uint8),
        np.zeros((1, 3, 32, 32), dtype=np.uint8),
    ],
)
def test_uint8_to_tensor_rejects_anything_but_nhwc_uint8(bad):
    with pytest.raises(ValueError, match="expected"):
        uint8_to_tensor(bad)


def test_view_1_is_the_horizontal_mirror_and_other_views_are_refused():
    from lib.cifar.preprocess import view_of

    images = np.arange(2 * 32 * 32 * 3, dtype=np.uint8).reshape(2, 32, 32, 3)
    assert view_of(images, 0) is images
    mirrored = view_of(images, 1)
    assert np.array_equal(mirrored[:, :, 0], images[:, :, 31]) and mirrored.flags.c_contiguous
    assert np.array_equal(view_of(mirrored, 1), images)
    with pytest.raises(ValueError, match="unknown view 2"):
        view_of(images, 2)
