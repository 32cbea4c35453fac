"""Crafted uploads that respect the byte and pixel limits but attack the decoder, generated on demand.

Shared by the tests and ``bench/bench_upload_limits.py``; nothing here is ever written into the repository.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def scan_bomb_jpeg(side: int = 5000, repeats: int = 1600) -> bytes:
    """A progressive ``side``×``side`` JPEG whose last scan is repeated ``repeats`` times (~165 kB as built).

    libjpeg redoes the whole picture for every scan, so the defaults cost about half a minute of CPU in
    ``Image.load()`` on the development machine.
    """
    buffer = io.BytesIO()
    Image.new("L", (side, side), 128).save(buffer, "JPEG", progressive=True, quality=75)
    data = buffer.getvalue()
    last_scan = data.rindex(b"\xff\xda")
    scan = data[last_scan:-2]  # up to the end-of-image marker
    return data[:last_scan] + scan * repeats + b"\xff\xd9"


def zero_png(side: int = 5000) -> bytes:
    """An all-black ``side``×``side`` RGB PNG: 25 MP decoded from about 75 kB at the default size."""
    raw_row = b"\x00" + bytes(3 * side)  # filter byte 0, then the row
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(raw_row) for _ in range(side)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", body) + _chunk(b"IEND", b""))


def many_chunks_png(chunks: int = 660_000) -> bytes:
    """A 16×16 PNG with ``chunks`` empty private ancillary chunks before its data (~8 MB as built)."""
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(buffer, "PNG")
    data = buffer.getvalue()
    ihdr_end = 8 + 25
    return data[:ihdr_end] + _chunk(b"prIv", b"") * chunks + data[ihdr_end:]


def twelve_bit_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A baseline JPEG whose frame header declares 12 bits per sample (what 12-bit encoders write there)."""
    buffer = io.BytesIO()
    Image.new("L", size, 100).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 4] = 12
    return bytes(data)


def photo_png(size: tuple[int, int] = (64, 48), seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def photo_like(size: tuple[int, int] = (640, 480), seed: int = 0) -> Image.Image:
    """A smooth colour gradient with a little noise: compresses like a photo, not like pure noise."""
    width, height = size
    x, y = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    grain = np.random.default_rng(seed).normal(0, 8, (height, width, 3))
    rgb = np.stack([x * 220, y * 200, (1 - x) * 180], axis=-1) + grain
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def heic_photo(size: tuple[int, int] = (640, 480), seed: int = 0, *, grid_tile: int = 0) -> bytes:
    """A HEIC photo encoded by pillow-heif (x265); ``grid_tile`` > 0 stores it as a grid of tiles that size,
    as iPhones store theirs (512-pixel tiles)."""
    import pillow_heif

    buffer = io.BytesIO()
    saved, pillow_heif.options.GRID_TILE_SIZE = pillow_heif.options.GRID_TILE_SIZE, grid_tile
    try:
        pillow_heif.from_pillow(photo_like(size, seed)).save(buffer, format="HEIF", quality=80)
    finally:
        pillow_heif.options.GRID_TILE_SIZE = saved
    return buffer.getvalue()


def avif_photo(size: tuple[int, int] = (640, 480), seed: int = 0) -> bytes:
    """An AVIF photo encoded by Pillow's own AVIF plugin (libavif)."""
    buffer = io.BytesIO()
    photo_like(size, seed).save(buffer, "AVIF", quality=70)
    return buffer.getvalue()


def heic_grid_bomb(side: int = 256, tile: int = 64, declared: tuple[int, int] = (64, 64)) -> bytes:
    """A HEIC grid of (side/tile)² tiles whose grid descriptor says its output is only ``declared``: a decoder
    that trusts the grid decodes 16 tiles (at the defaults) for a picture one tile covers."""
    data = bytearray(heic_photo((side, side), grid_tile=tile))
    idat = data.index(b"idat") + 4  # pillow-heif keeps the 8-byte grid descriptor in the "idat" box
    if data[idat + 1] & 1:  # 32-bit output size fields
        data[idat + 4:idat + 12] = struct.pack(">II", *declared)
    else:
        data[idat + 4:idat + 8] = struct.pack(">HH", *declared)
    return bytes(data)


def camera_jpeg(size: tuple[int, int] = (4000, 2500), seed: int = 0, quality: int = 95) -> bytes:
    """A JPEG of pure noise at high quality: ~1.2 bytes a pixel, so the default is an 11–12 MB file, the size of
    a camera's 6000×4000 photo (noise compresses worse than a photo, so fewer pixels give the same bytes)."""
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), np.uint8)).save(
        buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def padded_jpeg(total: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG followed by zero bytes up to ``total`` bytes: as large a file as wanted, cheap to make and to
    decode (decoders stop at the end-of-image marker)."""
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue().ljust(total, b"\x00")
