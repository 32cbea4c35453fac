"""The corruptions against their published definitions (Hendrycks & Dietterich 2019) on tiny hand-made images."""

from __future__ import annotations

import colorsys
import io

import numpy as np
import pytest
from PIL import Image

from lib.training import corruptions


def tiny(seed: int = 0, shape=(2, 5, 6, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def test_contrast_scales_distances_to_each_images_channel_mean():
    image = np.array([[[[0, 100, 200], [255, 50, 100]]]], dtype=np.uint8)  # one 1×2 image
    out = corruptions.contrast(image, 2)  # c = 0.5
    x = image / 255.0
    mean = x.mean(axis=(1, 2), keepdims=True)
    expected = ((x - mean) * 0.5 + mean) * 255.0
    np.testing.assert_array_equal(out, expected.astype(np.uint8))
    # by hand, red channel: mean 127.5; 0 → 63.75 → 63, 255 → 191.25 → 191 (truncation, as published)
    assert out[0, 0, 0, 0] == 63 and out[0, 0, 1, 0] == 191


def test_brightness_matches_the_hsv_definition_pixel_by_pixel():
    images = tiny(1)
    for severity, shift in zip(corruptions.SEVERITIES, corruptions.BRIGHTNESS_SHIFT, strict=True):
        out = corruptions.brightness(images, severity)
        for pixel_in, pixel_out in zip(images.reshape(-1, 3), out.reshape(-1, 3), strict=True):
            h, s, v = colorsys.rgb_to_hsv(*(pixel_in / 255.0))
            expected = np.array(colorsys.hsv_to_rgb(h, s, min(1.0, v + shift)))
            assert np.all(np.abs(pixel_out - np.clip(expected, 0, 1) * 255.0) <= 1.0)


def test_brightness_turns_black_grey_and_keeps_white():
    image = np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype=np.uint8)
    out = corruptions.brightness(image, 5)  # V + 0.3
    assert out[0, 0, 0].tolist() == [76, 76, 76]  # 0.3 · 255 = 76.5 → 76
    assert out[0, 0, 1].tolist() == [255, 255, 255]


def test_gaussian_kernel_is_scipys_truncated_normalised_gaussian():
    kernel = corruptions.gaussian_kernel(0.4)  # radius int(1.6 + 0.5) = 2
    t = np.arange(-2, 3)
    expected = np.exp(-t ** 2 / (2 * 0.16))
    np.testing.assert_allclose(kernel, expected / expected.sum())
    assert len(corruptions.gaussian_kernel(1.0)) == 9  # radius 4


def test_gaussian_blur_of_a_point_is_the_outer_product_of_kernels():
    image = np.zeros((1, 11, 11, 3), dtype=np.uint8)
    image[0, 5, 5] = 255
    out = corruptions.gaussian_blur(image, 5)  # σ = 1
    k = corruptions.gaussian_kernel(1.0)
    expected = (np.outer(k, k) * 255.0).astype(np.uint8)
    np.testing.assert_array_equal(out[0, 1:10, 1:10, 0], expected)
    assert out[0, 0, 0, 0] == 0


def test_gaussian_blur_keeps_a_flat_image_flat_at_the_edges():
    flat = np.full((1, 4, 4, 3), 200, dtype=np.uint8)
    # edge extension ("nearest") keeps a constant image constant, up to float rounding and truncation
    assert np.all(np.abs(corruptions.gaussian_blur(flat, 3).astype(int) - 200) <= 1)


def test_gaussian_noise_has_the_published_scale_and_is_reproducible():
    grey = np.full((4, 32, 32, 3), 128, dtype=np.uint8)
    a = corruptions.corrupt(grey, "gaussian_noise", 3, seed=7)
    b = corruptions.corrupt(grey, "gaussian_noise", 3, seed=7)
    np.testing.assert_array_equal(a, b)
    std = (a.astype(float) / 255.0).std()
    assert 0.075 < std < 0.085  # c = 0.08 at severity 3 (no clipping at mid-grey)


def test_jpeg_compression_is_pillows_encoder_at_the_published_quality():
    images = tiny(2, (1, 16, 16, 3))
    out = corruptions.jpeg_compression(images, 5)
    buffer = io.BytesIO()
    Image.fromarray(images[0]).save(buffer, "JPEG", quality=40)
    np.testing.assert_array_equal(out[0], np.asarray(Image.open(buffer).convert("RGB")))


@pytest.mark.parametrize("name", list(corruptions.CORRUPTIONS))
def test_every_corruption_keeps_shape_and_dtype_and_grows_with_severity(name):
    images = tiny(3, (3, 32, 32, 3))
    distances = []
    for severity in corruptions.SEVERITIES:
        out = corruptions.corrupt(images, name, severity)
        assert out.shape == images.shape and out.dtype == np.uint8
        distances.append(np.abs(out.astype(float) - images).mean())
    assert distances[-1] > distances[0]


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(ValueError, match="severity"):
        corruptions.corrupt(tiny(), "contrast", 6)
    with pytest.raises(ValueError, match="unknown corruption"):
        corruptions.corrupt(tiny(), "fog", 1)
    with pytest.raises(ValueError, match="uint8"):
        corruptions.contrast(tiny().astype(float), 1)
