"""lib.classifier.image_io: every odd or hostile upload gets a clear message or is handled, and nothing escapes.

Every input is generated here (Pillow, numpy or hand-written bytes); nothing is committed as a fixture.
Warnings are errors in this module: a decode that emits one would be turned into a rejection, so the
good-image tests also prove the happy paths are warning-free.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from crafted_uploads import (
    avif_photo,
    camera_jpeg,
    heic_grid_bomb,
    heic_photo,
    many_chunks_png,
    scan_bomb_jpeg,
    twelve_bit_jpeg,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from lib.cifar.preprocess import to_model_domain
from lib.classifier.image_io import (
    AVIF_MESSAGE,
    BOMB_MESSAGE,
    BUDGET_MESSAGE,
    CHUNKS_MESSAGE,
    EMPTY_MESSAGE,
    GRID_MESSAGE,
    HEIC_MESSAGE,
    HTML_MESSAGE,
    MAX_BYTES,
    MAX_PIXELS,
    MAX_PNG_CHUNKS,
    MIN_VIEW_SOURCE,
    SCANS_MESSAGE,
    SVG_MESSAGE,
    THUMBNAIL_SIDE,
    TWELVE_BIT_MESSAGE,
    UNKNOWN_MESSAGE,
    VIDEO_MESSAGE,
    DecodedImage,
    RejectedImage,
    decode_many,
    decode_upload,
    draft_request,
    heif_grids,
)

pytestmark = pytest.mark.filterwarnings("error")

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------------
# Generators


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def handmade_png(width: int, height: int, *, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    """A PNG written byte by byte, so its header can claim anything (16-bit RGB, 20000×20000, ...)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def bomb_png(width: int, height: int) -> bytes:
    """A 100-byte PNG whose header claims width×height gray pixels; its IDAT holds only one row."""
    return handmade_png(width, height, bit_depth=8, colour_type=0, idat=zlib.compress(b"\x00" * 64))


def noise(size: tuple[int, int], seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # ExifTags.Base.Orientation
    return exif


def split_colours(size: tuple[int, int], left: str, right: str) -> Image.Image:
    """Left half one colour, right half another: a rotation moves them to top/bottom."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def decoded(name: str, data: bytes, **limits) -> DecodedImage:
    result = decode_upload(name, data, **limits)
    assert isinstance(result, DecodedImage), result
    return result


def rejected(name: str, data: bytes, **limits) -> RejectedImage:
    result = decode_upload(name, data, **limits)
    assert isinstance(result, RejectedImage), result
    return result


def rgb_at(result: DecodedImage, xy: tuple[int, int]) -> tuple[int, int, int]:
    return result.thumbnail.getpixel(xy)


GOOD_UPLOADS = {
    "photo.jpg": encode(noise((64, 48)), "JPEG", quality=90),
    "screenshot.png": encode(noise((40, 40), seed=1), "PNG"),
    "drawing.gif": encode(noise((30, 20), seed=2).quantize(16), "GIF"),
    "web.webp": encode(noise((50, 50), seed=3), "WEBP", lossless=True),
    "paint.bmp": encode(noise((33, 17), seed=4), "BMP"),
    "gray.png": encode(Image.new("L", (40, 40), 100), "PNG"),
    "rgba.png": encode(Image.new("RGBA", (40, 40), (255, 0, 0, 0)), "PNG"),
    "cmyk.jpg": encode(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG"),
    "rotated.jpg": encode(split_colours((40, 20), "red", "blue"), "JPEG", exif=with_orientation(6)),
    "sixteen.png": encode(Image.fromarray(np.full((40, 40), 32768, np.uint16)), "PNG"),
    "iphone.heic": heic_photo((64, 48)),
    "camera.avif": avif_photo((50, 40)),
}


# ---------------------------------------------------------------------------------------------------
# Byte-level rejections


def test_empty_file_is_rejected_with_a_message():
    assert rejected("empty.png", b"").reason == EMPTY_MESSAGE


def test_random_bytes_are_rejected_as_not_an_image():
    data = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    assert rejected("notes.jpg", data).reason == UNKNOWN_MESSAGE


def test_file_over_the_byte_limit_is_rejected_before_any_parser_sees_it(monkeypatch):
    data = GOOD_UPLOADS["screenshot.png"]

    def must_not_open(*args, **kwargs):
        raise AssertionError("Image.open called for an oversized upload")

    monkeypatch.setattr(Image, "open", must_not_open)
    reason = rejected("big.png", data, max_bytes=len(data) - 1).reason
    assert "MB per image" in reason and "Downscale or compress" in reason


def test_default_byte_limit_rounds_the_size_up_in_its_message():
    reason = rejected("huge.png", b"\x89PNG\r\n\x1a\n" + bytes(MAX_BYTES)).reason
    assert reason.startswith("The file is 25.1 MB; the limit is 25 MB per image.")


def test_a_camera_photo_of_ten_megabytes_is_read():
    # A 6000×4000 camera JPEG is 8–15 MB; the limit used to be 8 MB.
    data = camera_jpeg()
    assert 8_000_000 < len(data) <= MAX_BYTES
    assert decoded("DSC_0001.JPG", data).upright_size == (4000, 2500)


def test_file_exactly_at_the_byte_limit_is_parsed():
    data = GOOD_UPLOADS["screenshot.png"]
    decoded("at-limit.png", data, max_bytes=len(data))


# ---------------------------------------------------------------------------------------------------
# Damaged files


@pytest.mark.parametrize(
    ("fmt", "name", "params"),
    [
        ("JPEG", "JPEG", {}),
        ("PNG", "PNG", {}),
        ("GIF", "GIF", {}),
        ("WEBP", "WebP", {"lossless": True}),
        ("BMP", "BMP", {}),
    ],
)
@pytest.mark.parametrize("keep", [0.5, 0.9, 30, 14])
def test_truncated_files_are_rejected_as_damaged_and_name_their_format(fmt, name, params, keep):
    data = encode(noise((64, 64)), fmt, **params)
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    reason = rejected(f"cut.{fmt.lower()}", data[:cut]).reason
    assert reason.startswith(f"The {name} file is damaged or incomplete"), reason


@pytest.mark.parametrize(("name", "data"), [("HEIC", GOOD_UPLOADS["iphone.heic"]),
                                           ("AVIF", GOOD_UPLOADS["camera.avif"])])
@pytest.mark.parametrize("keep", [0.5, 0.9, 200, 40])
def test_truncated_heic_and_avif_are_rejected_as_damaged_and_name_their_format(name, data, keep):
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    reason = rejected(f"cut.{name.lower()}", data[:cut]).reason
    assert reason.startswith(f"The {name} file is damaged or incomplete"), reason


@pytest.mark.parametrize(("name", "data"), [("HEIC", GOOD_UPLOADS["iphone.heic"]),
                                           ("AVIF", GOOD_UPLOADS["camera.avif"])])
def test_heic_and_avif_of_garbage_behind_their_file_type_box_are_rejected_as_damaged(name, data):
    garbage = data[:32] + np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    reason = rejected(f"garbage.{name.lower()}", garbage).reason
    assert reason.startswith(f"The {name} file is damaged or incomplete"), reason


@pytest.mark.parametrize(("name", "data"), [("HEIC", GOOD_UPLOADS["iphone.heic"]),
                                           ("AVIF", GOOD_UPLOADS["camera.avif"])])
@pytest.mark.parametrize("seed", range(4))
def test_heic_and_avif_with_garbage_coded_data_give_a_picture_or_a_damaged_message(name, data, seed):
    # Boxes intact, coded picture replaced: an AV1 or HEVC decoder may still draw noise from it, which is fine;
    # what matters is that it is a picture of the declared size or the damaged-file message, never an error.
    body = data.index(b"mdat") + 4
    garbage = data[:body] + np.random.default_rng(seed).integers(0, 256, len(data) - body, np.uint8).tobytes()
    result = decode_upload(f"garbage.{name.lower()}", garbage)
    if isinstance(result, RejectedImage):
        assert result.reason.startswith(f"The {name} file is damaged or incomplete"), result.reason
    else:
        assert result.format == name and result.view.size == (32, 32)


def test_corrupted_png_checksum_is_rejected_as_damaged():
    data = bytearray(GOOD_UPLOADS["screenshot.png"])
    data[40] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    assert "PNG file is damaged" in rejected("bitrot.png", bytes(data)).reason


# ---------------------------------------------------------------------------------------------------
# Decompression bombs and pixel limits


def test_bomb_header_beyond_pillows_hard_limit_is_rejected_without_a_traceback():
    data = bomb_png(20_000, 20_000)  # 400 MP > 2 × Image.MAX_IMAGE_PIXELS: Pillow raises in open()
    assert len(data) < 200
    assert rejected("bomb.png", data).reason == BOMB_MESSAGE.format(limit=MAX_PIXELS / 1e6)


def test_bomb_header_in_pillows_warning_band_is_rejected_even_when_warnings_are_errors():
    # 100 MP: Pillow only warns (89–179 MP); this module turns warnings into errors, as `python -W
    # error` or a strict pytest configuration would, and the warning must still become a message.
    assert rejected("bomb.png", bomb_png(10_000, 10_000)).reason.startswith("The image header declares")


def test_bomb_header_in_pillows_warning_band_is_rejected_by_our_cap_under_default_filters():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        reason = rejected("bomb.png", bomb_png(10_000, 10_000)).reason
    assert reason.startswith("The image is 10000×10000 pixels (100.0 megapixels); the limit is 25")
    assert [w.category for w in caught] == [Image.DecompressionBombWarning]


def test_header_over_our_pixel_cap_is_rejected_before_decoding(monkeypatch):
    # 36 MP: below anything Pillow checks, above MAX_PIXELS. The IDAT holds one row, so decoding
    # would fail with "damaged"; getting the pixel message proves the check ran from the header.
    loads = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or original_load(self))
    reason = rejected("big.png", bomb_png(6000, 6000)).reason
    assert reason == (
        "The image is 6000×6000 pixels (36.0 megapixels); the limit is 25 megapixels. "
        "Downscale it and upload it again."
    )
    assert loads == []


def test_compressed_bomb_written_by_pillow_is_rejected_from_its_header(monkeypatch):
    data = encode(Image.new("L", (5200, 5200), 0), "PNG", optimize=True)  # 27 MP in a few KB
    assert len(data) < 100_000
    loads = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or original_load(self))
    assert "5200×5200 pixels" in rejected("zip-bomb.png", data).reason
    assert loads == []


def test_pixel_cap_is_a_parameter():
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    decoded("ok.png", data, max_pixels=10_000)
    assert "100×100 pixels" in rejected("too-big.png", data, max_pixels=9_999).reason


def test_gif_frame_larger_than_its_screen_is_checked_against_the_pixel_cap():
    # GIF's logical screen says 10×10, but the first frame's descriptor reaches 6000×6000; Pillow grows
    # the image while opening, and the grown size must be what the cap sees.
    header = b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0, 0, 0)
    frame = b"," + struct.pack("<HHHHB", 0, 0, 6000, 6000, 0) + b"\x02\x02\x4c\x01\x00"
    reason = rejected("grown.gif", header + frame + b";").reason
    assert "6000×6000 pixels" in reason


# ---------------------------------------------------------------------------------------------------
# Odd but valid images


def test_one_pixel_image_decodes_to_a_32x32_model_input():
    result = decoded("dot.png", encode(Image.new("RGB", (1, 1), (10, 200, 30)), "PNG"))
    model_input = result.view
    assert model_input.size == (32, 32) and model_input.mode == "RGB"
    assert np.all(np.asarray(model_input) == (10, 200, 30))
    assert any(note.startswith("small image (1×1)") for note in result.notes)


def test_10000x10_image_decodes_and_only_its_centre_square_is_classified():
    strip = Image.new("RGB", (10_000, 10), "red")
    strip.paste("lime", (4995, 0, 5005, 10))  # the centred 10×10 square
    result = decoded("strip.png", encode(strip, "PNG"))
    assert result.upright_size == (10_000, 10)
    model_input = np.asarray(result.view)
    assert model_input.shape == (32, 32, 3)
    assert np.all(model_input == (0, 255, 0))
    assert result.notes == (
        "very wide image (10000×10): only the centred 10×10 square is classified, enlarged to 32×32",
    )


def test_16bit_gray_png_is_rescaled_not_clamped():
    values = np.array([[0, 32768, 65535, 257 * 100]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    assert data[24] == 16  # Pillow really wrote a 16-bit PNG
    result = decoded("scan.png", data)
    assert result.original_mode == "I;16"
    assert [rgb_at(result, (x, 0)) for x in range(4)] == [(0,) * 3, (128,) * 3, (255,) * 3, (100,) * 3]
    assert "16-bit image rescaled to 8 bits per channel" in result.notes


def test_16bit_rgb_png_is_rescaled_not_clamped():
    row = b"\x00" + struct.pack(">HHH", 32768, 16384, 65535)  # filter byte, then one 16-bit RGB pixel
    data = handmade_png(1, 1, bit_depth=16, colour_type=2, idat=zlib.compress(row))
    result = decoded("deep.png", data)
    assert rgb_at(result, (0, 0)) == (128, 64, 255)
    assert "16-bit image rescaled to 8 bits per channel" in result.notes


def test_16bit_gray_png_transparent_value_becomes_white():
    values = np.full((2, 2), 1000, np.uint16)
    values[0, 0] = 7
    result = decoded("trns16.png", encode(Image.fromarray(values), "PNG", transparency=7))
    assert rgb_at(result, (0, 0)) == (255, 255, 255)
    assert rgb_at(result, (1, 1)) == (4, 4, 4)  # 1000 / 65535 · 255 ≈ 3.9
    assert "transparent areas composited onto white" in result.notes


def test_cmyk_jpeg_decodes_to_rgb():
    result = decoded("print.jpg", GOOD_UPLOADS["cmyk.jpg"])
    assert result.original_mode == "CMYK" and result.thumbnail.mode == "RGB"
    red, green, blue = rgb_at(result, (20, 20))
    assert red > 240 and green < 15 and blue < 15
    assert "CMYK (print) colours converted to RGB" in result.notes


def test_palette_png_transparent_pixels_become_white():
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])  # index 0 red (transparent), index 1 blue
    image.putpixel((3, 3), 1)
    result = decoded("logo.png", encode(image, "PNG", transparency=0))
    assert rgb_at(result, (0, 0)) == (255, 255, 255)
    assert rgb_at(result, (3, 3)) == (0, 0, 255)
    assert "transparent areas composited onto white" in result.notes


def test_opaque_rgba_png_gets_no_transparency_note():
    result = decoded("screenshot.png", encode(Image.new("RGBA", (40, 40), (1, 2, 3, 255)), "PNG"))
    assert rgb_at(result, (0, 0)) == (1, 2, 3)
    assert not any("transparent" in note for note in result.notes)


def test_grayscale_l_png_decodes_to_gray_rgb():
    result = decoded("gray.png", GOOD_UPLOADS["gray.png"])
    assert result.original_mode == "L"
    assert rgb_at(result, (0, 0)) == (100, 100, 100)
    assert any(note.startswith("grayscale image") for note in result.notes)


def test_grayscale_la_png_transparent_pixels_become_white():
    image = Image.new("LA", (4, 4), (50, 255))
    image.putpixel((0, 0), (50, 0))
    result = decoded("gray-alpha.png", encode(image, "PNG"))
    assert result.original_mode == "LA"
    assert rgb_at(result, (0, 0)) == (255, 255, 255)
    assert rgb_at(result, (1, 1)) == (50, 50, 50)
    assert "transparent areas composited onto white" in result.notes


@pytest.mark.parametrize(
    ("fmt", "name", "params"), [("GIF", "GIF", {}), ("PNG", "PNG", {}), ("WEBP", "WebP", {"lossless": True})]
)
def test_animated_image_uses_its_first_frame_and_says_so(fmt, name, params):
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **params)
    result = decoded(f"anim.{fmt.lower()}", data)
    assert rgb_at(result, (20, 20)) == (255, 0, 0)
    assert f"animated {name}: classified the first of 3 frames" in result.notes


def test_single_frame_gif_has_no_animation_note():
    result = decoded("still.gif", GOOD_UPLOADS["drawing.gif"])
    assert not any(note.startswith("animated") for note in result.notes)


@pytest.mark.parametrize(("orientation", "top", "bottom"), [(6, "red", "blue"), (8, "blue", "red")])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_exif_orientation_turns_the_photo_upright(orientation, top, bottom, fmt):
    # Stored landscape, left half red: orientation 6 means "rotate 90° clockwise to view", bringing
    # the left edge to the top; 8 rotates counter-clockwise, bringing it to the bottom.
    stored = split_colours((40, 20), "red", "blue")
    params = {"quality": 95} if fmt == "JPEG" else {}
    result = decoded(f"phone.{fmt.lower()}", encode(stored, fmt, exif=with_orientation(orientation), **params))
    assert result.original_size == (40, 20) and result.upright_size == (20, 40)
    expected = {"red": (255, 0, 0), "blue": (0, 0, 255)}
    assert np.allclose(rgb_at(result, (10, 5)), expected[top], atol=12)
    assert np.allclose(rgb_at(result, (10, 34)), expected[bottom], atol=12)
    assert f"turned upright using its EXIF orientation tag ({orientation})" in result.notes


def red_with_corrupt_exif(fmt: str) -> bytes:
    corrupt_exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00\x12\x01\x03\x00"  # IFD claims 5 entries
    params = {"lossless": True} if fmt == "WEBP" else {}
    return encode(Image.new("RGB", (40, 40), "red"), fmt, exif=corrupt_exif, **params)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_with_corrupt_exif_is_still_classified_under_default_warning_filters(fmt):
    data = red_with_corrupt_exif(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's "Corrupt EXIF data" UserWarning, as in production
        result = decoded(f"odd.{fmt.lower()}", data)
    assert np.allclose(rgb_at(result, (20, 20)), (255, 0, 0), atol=3)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_corrupt_exif_skips_rotation_but_keeps_the_pixels_even_when_warnings_are_errors(fmt):
    # (A JPEG reads its EXIF while opening, so there a warnings-as-errors filter makes it "damaged".)
    data = red_with_corrupt_exif(fmt)
    result = decoded(f"odd.{fmt.lower()}", data)
    assert rgb_at(result, (20, 20)) == (255, 0, 0)
    assert "EXIF metadata unreadable: the photo was not turned upright" in result.notes


@pytest.mark.parametrize("name", sorted(GOOD_UPLOADS))
def test_decoded_image_gives_the_model_the_same_input_as_preprocessing_the_file_directly(name):
    # The one preprocessing definition: decoding must not apply EXIF or compositing a second time.
    result = decoded(name, GOOD_UPLOADS[name])
    with Image.open(io.BytesIO(GOOD_UPLOADS[name])) as direct:
        expected = np.asarray(to_model_domain(direct))
    assert np.array_equal(np.asarray(result.view), expected)


@pytest.mark.parametrize("name", sorted(GOOD_UPLOADS))
def test_decoded_image_is_fully_loaded_rgb_without_metadata(name):
    result = decoded(name, GOOD_UPLOADS[name])
    assert type(result.thumbnail) is Image.Image  # not a lazy ImageFile that could fail to decode later
    assert result.thumbnail.mode == "RGB" and result.thumbnail.info == {}
    assert result.format in {"PNG", "JPEG", "HEIC", "AVIF", "GIF", "WebP", "BMP"}


# ---------------------------------------------------------------------------------------------------
# Formats recognised by content and refused


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b'\xef\xbb\xbf  \n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg></svg>',
        b"<!-- Generator: Adobe Illustrator -->\n<SVG></SVG>",
    ],
)
def test_svg_is_rejected_with_an_export_hint_whatever_its_name(data):
    assert rejected("cat.png", data).reason == SVG_MESSAGE


HEIC_HEADERS = [
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
    b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf" + bytes(64),
    b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix",
]
AVIF_HEADERS = [
    b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64),
    b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + bytes(64),  # AVIF behind mif1
]


@pytest.mark.parametrize(("name", "fmt"), [("IMG_0001.HEIC", "HEIC"), ("IMG_0001.JPG", "HEIC"),
                                          ("web.avif", "AVIF"), ("web.png", "AVIF")])
def test_heic_and_avif_photos_are_read_whatever_their_name(name, fmt):
    data = GOOD_UPLOADS["iphone.heic" if fmt == "HEIC" else "camera.avif"]
    result = decoded(name, data)
    assert result.format == fmt and result.view.size == (32, 32)
    expected = GOOD_UPLOADS["iphone.heic" if fmt == "HEIC" else "camera.avif"]
    with Image.open(io.BytesIO(expected)) as direct:
        assert result.upright_size == direct.size


@pytest.mark.parametrize("data", HEIC_HEADERS)
def test_a_heic_header_with_no_picture_is_named_a_damaged_heic(data):
    assert rejected("IMG_0001.JPG", data).reason.startswith("The HEIC file is damaged or incomplete")


@pytest.mark.parametrize("data", AVIF_HEADERS)
def test_an_avif_header_with_no_picture_is_named_a_damaged_avif(data):
    assert rejected("web.png", data).reason.startswith("The AVIF file is damaged or incomplete")


@pytest.mark.parametrize("data", HEIC_HEADERS)
def test_without_pillow_heif_heic_is_refused_with_a_phone_setting_hint(data, monkeypatch):
    monkeypatch.setattr("lib.classifier.image_io.HEIF_READABLE", False)
    assert rejected("IMG_0001.JPG", data).reason == HEIC_MESSAGE


@pytest.mark.parametrize("data", AVIF_HEADERS)
def test_without_an_avif_decoder_avif_is_refused_with_an_export_hint(data, monkeypatch):
    monkeypatch.setattr("lib.classifier.image_io.AVIF_READABLE", False)
    assert rejected("web.png", data).reason == AVIF_MESSAGE


def test_video_container_is_rejected_as_a_video():
    assert rejected("live.jpg", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2").reason == VIDEO_MESSAGE
    assert rejected("live.jpg", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ").reason == VIDEO_MESSAGE


def test_saved_web_page_is_rejected_with_a_save_image_hint():
    assert rejected("cat.jpg", b"\n<!DOCTYPE html><html><img src=cat.jpg></html>").reason == HTML_MESSAGE


def _refused_samples() -> dict[str, bytes]:
    small = Image.new("RGB", (8, 8), "red")
    return {
        "PostScript/EPS": encode(small, "EPS"),
        "PDF": encode(small, "PDF"),
        "TIFF (or camera RAW)": encode(small, "TIFF"),
        "Windows icon (ICO/CUR)": encode(small, "ICO"),
        "JPEG 2000": encode(small, "JPEG2000"),
        "Photoshop (PSD)": b"8BPS\x00\x01" + bytes(20),
        "FITS": b"SIMPLE  =                    T" + bytes(50),
        "QOI": encode(small, "QOI"),
        "DirectDraw Surface (DDS)": encode(small, "DDS"),
    }


@pytest.mark.parametrize(("kind", "data"), sorted(_refused_samples().items()))
def test_refused_formats_are_named_in_their_message(kind, data):
    reason = rejected("upload.png", data).reason
    assert reason.startswith(f"{kind} files are not accepted here; export the picture as PNG or JPEG")


@pytest.mark.parametrize("fmt", ["TGA", "PPM", "PCX", "SGI", "TIFF"])
def test_formats_pillow_could_decode_are_refused_by_the_allowlist(fmt, monkeypatch):
    data = encode(Image.new("RGB", (8, 8), "red"), fmt)
    with Image.open(io.BytesIO(data)) as image:  # Pillow alone would happily decode these
        image.load()
    monkeypatch.setattr("lib.classifier.image_io._sniff_refused", lambda data: None)  # the allowlist alone
    assert rejected(f"upload.{fmt.lower()}", data).reason == UNKNOWN_MESSAGE


# ---------------------------------------------------------------------------------------------------
# Batches, names and process-wide state


def test_mixed_batch_still_decodes_the_good_files_in_order():
    batch = [
        ("good.jpg", GOOD_UPLOADS["photo.jpg"]),
        ("empty.png", b""),
        ("vector.svg", b"<svg/>"),
        ("bomb.png", bomb_png(20_000, 20_000)),
        ("cut.png", GOOD_UPLOADS["screenshot.png"][:100]),
        ("good.webp", GOOD_UPLOADS["web.webp"]),
    ]
    results = decode_many(batch)
    assert [r.name for r in results] == [name for name, _ in batch]
    assert [type(r) for r in results] == [DecodedImage, *[RejectedImage] * 4, DecodedImage]


def test_names_are_returned_verbatim_and_never_put_into_messages():
    name = '<img src=x onerror="alert(1)">\n‮gnp.exe'
    assert decoded(name, GOOD_UPLOADS["photo.jpg"]).name == name
    result = rejected(name, b"not an image")
    assert result.name == name and "alert" not in result.reason


def test_decoding_leaves_pillows_process_wide_settings_alone():
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    hostile = [("bomb.png", bomb_png(20_000, 20_000)), ("cut.jpg", GOOD_UPLOADS["photo.jpg"][:200])]
    decode_many([*GOOD_UPLOADS.items(), *hostile])
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters)) == before


def test_image_io_never_imports_streamlit():
    code = "import sys, lib.classifier.image_io; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


# ---------------------------------------------------------------------------------------------------
# Robustness: no input makes decode_upload raise

_SEEDS = [
    GOOD_UPLOADS["photo.jpg"],
    GOOD_UPLOADS["screenshot.png"],
    GOOD_UPLOADS["drawing.gif"],
    GOOD_UPLOADS["web.webp"],
    GOOD_UPLOADS["paint.bmp"],
    GOOD_UPLOADS["rotated.jpg"],
    GOOD_UPLOADS["sixteen.png"],
    GOOD_UPLOADS["iphone.heic"],
    GOOD_UPLOADS["camera.avif"],
]
_MAGICS = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"BM",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"<svg",
    b"\x00\x00\x00\x18ftyp",
]


@st.composite
def mutated_images(draw) -> bytes:
    """A valid small image with a few bytes overwritten and maybe cut short: reaches the decoders."""
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))])


def _assert_clean_result(result: DecodedImage | RejectedImage) -> None:
    assert isinstance(result, DecodedImage | RejectedImage)
    if isinstance(result, DecodedImage):
        assert result.thumbnail.mode == "RGB"
        assert result.view.size == (32, 32) and result.view.mode == "RGB"
    else:
        assert result.reason


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_make_decode_upload_raise(data):
    _assert_clean_result(decode_upload("random", data))


@settings(max_examples=200, deadline=None)
@given(data=st.builds(bytes.__add__, st.sampled_from(_MAGICS), st.binary(max_size=2048)))
def test_random_bytes_behind_a_format_signature_never_make_decode_upload_raise(data):
    _assert_clean_result(decode_upload("signed", data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_images())
def test_mutated_images_never_make_decode_upload_raise(data):
    _assert_clean_result(decode_upload("mutated", data))


@pytest.mark.parametrize("wrap", [bytearray, memoryview])
def test_bytearray_and_memoryview_uploads_decode_like_bytes(wrap):
    data = GOOD_UPLOADS["screenshot.png"]
    assert np.array_equal(np.asarray(decoded("a.png", wrap(data)).thumbnail),
                          np.asarray(decoded("b.png", data).thumbnail))
    assert rejected("svg", wrap(b"<svg/>")).reason == SVG_MESSAGE


# ---------------------------------------------------------------------------------------------------
# Bounded cost: structure checked before decoding, never the full picture kept


def test_a_jpeg_with_repeated_scans_is_refused_before_the_decoder_sees_it(monkeypatch):
    bomb = scan_bomb_jpeg(side=256, repeats=200)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a scan bomb"))
    reason = rejected("bomb.jpg", bomb).reason
    assert reason == SCANS_MESSAGE.format(scans="205")


def test_ordinary_progressive_jpegs_pass_the_scan_check():
    photo = noise((300, 200))
    for data in (encode(photo, "JPEG", progressive=True), encode(photo.convert("L"), "JPEG", progressive=True)):
        assert data.count(b"\xff\xda") <= 12
        decoded("photo.jpg", data)


def test_a_png_of_more_chunks_than_any_encoder_writes_is_refused():
    assert rejected("chunks.png", many_chunks_png(MAX_PNG_CHUNKS + 1)).reason == CHUNKS_MESSAGE.format(
        limit=MAX_PNG_CHUNKS)
    decoded("fine.png", many_chunks_png(100))


def test_a_heic_grid_of_far_more_tiles_than_its_size_needs_is_refused_before_the_decoder_sees_it(monkeypatch):
    bomb = heic_grid_bomb()  # 16 tiles of 64×64 for a 64×64 picture
    assert [(g.tiles, g.tiles_needed) for g in heif_grids(bomb)] == [(16, 1)]
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a grid bomb"))
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("parsed a grid bomb"))
    assert rejected("IMG_0002.HEIC", bomb).reason == GRID_MESSAGE.format(kind="HEIC", tiles=16, width=64,
                                                                         height=64, needed=1)


def test_a_heic_grid_as_phones_write_it_passes_the_grid_check_and_decodes():
    data = heic_photo((700, 500), grid_tile=256)  # 3×2 tiles cover 700×500, as an iPhone's 512-pixel tiles do
    assert [(g.rows, g.columns, g.tiles_needed, g.output_size) for g in heif_grids(data)] == [(2, 3, 6, (700, 500))]
    result = decoded("IMG_0003.HEIC", data)
    assert result.upright_size == (700, 500) and result.decoded_pixels == 700 * 500


def test_a_12_bit_jpeg_is_named_as_such_with_how_to_convert_it():
    reason = rejected("scan.jpg", twelve_bit_jpeg()).reason
    assert reason == TWELVE_BIT_MESSAGE and "12-bit JPEG" in reason and "8-bit JPEG or to PNG" in reason


@pytest.mark.parametrize(("fmt", "size", "decoded_size"), [("JPEG", (4000, 3000), (1000, 750)),
                                                            ("PNG", (4000, 3000), (4000, 3000))])
def test_a_large_image_keeps_only_its_view_and_a_thumbnail(fmt, size, decoded_size):
    # JPEG decodes at 1/4 scale (draft: still covers the 768×576 thumbnail); PNG decodes whole, box-reduced at once.
    result = decoded(f"big.{fmt.lower()}", encode(Image.new("RGB", size, (20, 120, 220)), fmt))
    assert result.view.size == (32, 32) and result.thumbnail.size == (THUMBNAIL_SIDE, THUMBNAIL_SIDE * 3 // 4)
    assert result.upright_size == size and result.decoded_pixels == decoded_size[0] * decoded_size[1]
    assert np.abs(np.asarray(result.view, dtype=int) - (20, 120, 220)).max() <= 2


@pytest.mark.parametrize(("size", "smallest"), [
    ((4000, 3000), (768, 576)),     # a phone photo: the thumbnail's size
    ((3000, 4000), (576, 768)),     # portrait
    ((8000, 500), (2048, 128)),     # a panorama: the short side stays MIN_VIEW_SOURCE, the long one follows
    ((640, 480), (640, 480)),       # no larger than the thumbnail: decoded whole
    ((2000, 100), (2000, 100)),     # short side already under MIN_VIEW_SOURCE: decoded whole
])
def test_a_jpeg_is_decoded_no_smaller_than_its_thumbnail_and_a_view_source_of_128_px(size, smallest):
    assert MIN_VIEW_SOURCE == 128 and draft_request(*size) == smallest
    data = encode(Image.new("RGB", size, (20, 120, 220)), "JPEG")
    result = decoded("scaled.jpg", data)
    width, height = size
    scale = next(s for s in (8, 4, 2, 1) if width // smallest[0] >= s and height // smallest[1] >= s)
    assert result.decoded_pixels == -(-width // scale) * -(-height // scale)  # Pillow's draft, rounded up
    assert -(-min(width, height) // scale) >= min(min(width, height), MIN_VIEW_SOURCE)  # the view's source


def test_an_image_beyond_the_pixel_budget_is_refused_before_decoding():
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    assert rejected("late.png", data, pixel_budget=9_999).reason == BUDGET_MESSAGE
    assert decoded("fits.png", data, pixel_budget=10_000).decoded_pixels == 10_000
