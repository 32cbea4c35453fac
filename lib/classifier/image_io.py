"""Safe decoding of user uploads for the "classify your own images" page.

Every upload becomes either a :class:`DecodedImage` — the 32×32 picture the model sees and a
display-size thumbnail, both upright 8-bit RGB, plus notes saying what was done to it — or a
:class:`RejectedImage` with a message a user understands. :func:`decode_upload` never raises for any
bytes, so one bad file neither stops the other files of an upload nor the server. The app runs it in
worker processes with a deadline (``lib.classifier.decode_pool``), which bounds what no check here can: the
time and memory of a decoder on crafted data, and a decoder crash.

Hardening, following the threat model in Pillow's security handbook (``Image.open`` is the boundary):

1. **Bytes first.** The byte count is checked before anything is parsed (:data:`MAX_BYTES`).
2. **Content, not names.** Formats are recognised by their leading bytes, never by the file name, so
   ``cat.png`` holding an SVG, a HEIC photo or a PDF gets the message for what it really is.
3. **An allowlist of parsers.** ``Image.open(..., formats=ALLOWED_FORMATS)`` never runs any other
   plugin, however the bytes look. The list is what phones, screenshots and "Save image as" produce:
   PNG, JPEG (including MPO, the multi-picture JPEG some phones and cameras write), HEIC/HEIF (the iPhone's
   default, read by ``pillow-heif``'s libheif), AVIF (Pillow's own libavif plugin), GIF, WebP, BMP.
   Left out on purpose: EPS (runs Ghostscript), PSD, PDF and FITS, whose parsers carried this year's
   CVEs (PSD tile-extent overflow CVE-2026-42311, PDF trailer loop CVE-2026-42310, FITS gzip bomb
   CVE-2026-40192, the EPS BeginBinary loop fixed in 12.3.0); TIFF, because libtiff with its dozen
   codecs and multi-page files is a large attack surface for an upload nobody's phone makes (PNG
   covers lossless and 16-bit); and JPEG 2000, JPEG XL, which need big native decoders for a small
   share of uploads — each of those gets a message saying how to export instead.
4. **Pixels before decoding.** ``im.size`` is known once the header is parsed, before ``load()``; we
   cap it at :data:`MAX_PIXELS` ourselves. Pillow's own guard only *warns* up to 179 M pixels
   (≈ 0.5 GB of RGB), and its knobs ``Image.MAX_IMAGE_PIXELS`` and
   ``ImageFile.LOAD_TRUNCATED_IMAGES`` are process-wide, shared by every session, so we never
   touch them. Headers claiming more than ``MAX_IMAGE_PIXELS`` (≈ 89 M) trip Pillow's check inside
   ``Image.open``: its ``DecompressionBombError`` — and its warning, when a warnings filter turns it
   into an exception — become a rejection here; under default filters the warning is only logged. We
   do not silence it with ``warnings.catch_warnings()``: on Python 3.11 that swaps the process-global
   filter list and is not thread-safe, and Streamlit runs each session in its own thread.
5. **Structure before decoding.** A progressive JPEG may repeat its scans: each one makes libjpeg
   redo the whole picture, so a 165 kB file of 1,600 scans costs half a minute of CPU inside
   ``load()``. Photos have at most a few dozen scans, so more than :data:`MAX_JPEG_SCANS` is refused
   by counting markers; a PNG of more than :data:`MAX_PNG_CHUNKS` chunks (Pillow walks each one in
   Python) likewise. 12-bit JPEGs, which Pillow cannot decode, are named as such. A HEIF or AVIF picture
   may be a grid of separately coded tiles: libheif and libavif decode every tile the grid lists, so a
   grid listing far more tiles than its output size needs (thousands of tiles for a thumbnail) is
   refused from its boxes (:func:`heif_grid_reason`).
6. **Never the full picture kept.** A JPEG is decoded at the smallest DCT scale (``draft``) that
   still covers the thumbnail (:func:`draft_request`); other formats are box-reduced (``Image.reduce``)
   right after decoding. Only the 32×32 view and a thumbnail of at most :data:`THUMBNAIL_SIDE` pixels leave this module.
7. **Everything computed inside the guard.** The first frame is decoded, turned upright, converted to
   RGB (``lib.cifar.preprocess.upright_rgb``: 16-bit rescaled, transparency composited on white) and
   brought to the model's 32×32 view (``lib.cifar.preprocess.model_view``) before we return; EXIF and the
   conversion are applied once.

Messages are built from our own text, never from the file name or an exception's text; names are
returned unchanged as plain data for the page to show through escaping APIs.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError, features

from lib.cifar.preprocess import CIFAR_SIZE, model_view, upright_rgb

logger = logging.getLogger(__name__)

try:  # HEIC/HEIF: the iPhone's default format, read through libheif (pyproject.toml: pillow-heif)
    import pillow_heif
except ImportError:  # without it HEIC photos keep their "export as JPEG" message
    HEIF_READABLE = False
else:
    # One decoder thread (the worker shares a small CPU), and never the thumbnails, depth maps or auxiliary
    # pictures a phone stores beside the photo: only the primary picture is decoded.
    pillow_heif.register_heif_opener(decode_threads=1, thumbnails=False, depth_images=False, aux_images=False)
    HEIF_READABLE = True

AVIF_READABLE = bool(features.check("avif"))
"""Pillow 11.3+ reads AVIF itself when its wheel was built with libavif (the PyPI wheels are)."""

MAX_BYTES = 25_000_000
"""Largest accepted upload, in bytes (25 MB: camera and phone JPEGs are 3–15 MB, a 50-megapixel one ~25 MB)."""

MAX_PIXELS = 25_000_000
"""Largest accepted image, in pixels (25 MP: 100 MB as RGBA once decoded), checked from the header."""

RUN_PIXEL_BUDGET = 100_000_000
"""Pixels one page run may decode, all uploads together (after JPEG draft scaling, so a 12-megapixel
phone JPEG counts 0.75 M): four 25-megapixel PNGs, or all 24 files of a run of phone photos."""

MAX_JPEG_SCANS = 100
"""Most scans (SOS markers) a JPEG may have: libjpeg writes 10 per progressive colour picture, an MPO a
few pictures of those, so 100 leaves room; each scan costs a full pass over the picture."""

MAX_PNG_CHUNKS = 20_000
"""Most chunks a PNG may have: encoders write 8–64 kB data chunks, so a 25 MB file has about 3,000."""

MAX_GRID_TILES = 4096
"""Most tiles a HEIF/AVIF grid may list, whatever its size (an iPhone's 48-megapixel photo has 192)."""

THUMBNAIL_SIDE = 768
"""Longest side of the thumbnail kept for display (the page shows it at most this wide)."""

MIN_VIEW_SOURCE = 4 * CIFAR_SIZE
"""Shortest side a JPEG is DCT-scaled down to at most (:func:`draft_request`): the 32×32 view's source stays
four times its size, however wide the picture."""

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP") + (("HEIF",) if HEIF_READABLE else ()) + (
    ("AVIF",) if AVIF_READABLE else ())
"""The only Pillow plugins that ever see upload bytes (see the module docstring for why)."""

_ACCEPTED = "PNG, JPEG, " + "HEIC, " * HEIF_READABLE + "AVIF, " * AVIF_READABLE + "GIF, WebP or BMP"
ACCEPTED_FORMATS = _ACCEPTED
"""The formats read here, in words for the page's labels (``"PNG, JPEG, HEIC, AVIF, GIF, WebP or BMP"``)."""
_FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WebP", "BMP": "BMP",
                 "HEIF": "HEIC", "AVIF": "AVIF"}
_ANIMATED_FORMATS = {"GIF", "PNG", "WEBP"}  # MPO's extra frames are previews or depth maps, not animation
_GRAYSCALE_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}

# Leading bytes of allowed formats, to tell "damaged PNG" from "not an image".
_ALLOWED_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)
# Leading bytes of formats we refuse, so the message can name what the user actually uploaded.
_REFUSED_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"%!PS", "PostScript/EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"II*\x00", "TIFF (or camera RAW)"),
    (b"MM\x00*", "TIFF (or camera RAW)"),
    (b"II+\x00", "BigTIFF"),
    (b"MM\x00+", "BigTIFF"),
    (b"SIMPLE  =", "FITS"),
    (b"icns", "Apple icon (ICNS)"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xffO\xffQ", "JPEG 2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"qoif", "QOI"),
    (b"DDS ", "DirectDraw Surface (DDS)"),
    (b"gimp xcf", "GIMP (XCF)"),
)
# ISO base media files ("....ftypBRND"): HEIF/HEIC stills, AVIF, or MP4/QuickTime video.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}

EMPTY_MESSAGE = "The file is empty (0 bytes)."
SVG_MESSAGE = "SVG is a vector format, which this page cannot read; export it as PNG and upload that."
HEIC_MESSAGE = (
    "HEIC/HEIF photos (the iPhone default) cannot be read here; set your phone to 'Most Compatible' "
    "(Settings → Camera → Formats) or export the photo as JPEG."
)
AVIF_MESSAGE = "AVIF images are not accepted here; save or export the picture as JPEG or PNG."
VIDEO_MESSAGE = (
    f"This looks like a video (MP4/QuickTime), not a still image; upload a photo ({_ACCEPTED})."
)
HTML_MESSAGE = (
    "This is a web page (HTML), not an image; save the picture itself (right-click it → "
    "'Save image as…') and upload that."
)
UNKNOWN_MESSAGE = f"This file is not an image this page can read; accepted formats are {_ACCEPTED}."
BOMB_MESSAGE = (
    "The image header declares an enormous size (a possible decompression bomb); the limit is "
    "{limit:g} megapixels."
)
MEMORY_MESSAGE = "The image is too large to decode on this server; downscale it and upload it again."
TWELVE_BIT_MESSAGE = (
    "This is a 12-bit JPEG (from a medical, scientific or raw-processing camera), which cannot be read here; "
    "convert it to an ordinary 8-bit JPEG or to PNG (e.g. `convert in.jpg -depth 8 out.png` with ImageMagick) "
    "and upload that."
)
SCANS_MESSAGE = (
    "This JPEG is built from {scans} scans where photos have at most a few dozen; a file built like this can "
    "take minutes to decode, so it is not read. Open and re-save it as an ordinary JPEG."
)
GRID_MESSAGE = (
    "This {kind} picture is a grid of {tiles:,} tiles where its {width}×{height} size needs {needed:,}; a file "
    "built like this makes the decoder do far more work than the picture needs, so it is not read. Open and "
    "re-save it, or export it as JPEG."
)
CHUNKS_MESSAGE = (
    "This PNG is split into more than {limit:,} chunks where ordinary files have a few thousand at most; a "
    "file built like this is slow to read, so it is not read. Open and re-save it as an ordinary PNG."
)
BUDGET_MESSAGE = (
    f"Not read: the images before this one used up what one run may decode ({RUN_PIXEL_BUDGET / 1e6:g} "
    "megapixels together); upload this one on its own or with fewer large pictures."
)


@dataclass(frozen=True)
class DecodedImage:
    """An upload that decoded: what the model sees and what the page shows, both upright 8-bit RGB."""

    name: str  # as uploaded, unescaped: display it only through escaping APIs
    view: Image.Image  # the 32×32 picture the model sees (lib.cifar.preprocess.model_view)
    thumbnail: Image.Image  # the upright picture, at most THUMBNAIL_SIDE on its longer side
    format: str  # "PNG", "JPEG", "HEIC", "AVIF", "GIF", "WebP" or "BMP"
    original_size: tuple[int, int]  # (width, height) as stored, before the EXIF rotation
    original_mode: str  # Pillow's mode of the stored frame, e.g. "P", "I;16", "CMYK"
    upright_size: tuple[int, int]  # (width, height) at full size, after the EXIF rotation
    notes: tuple[str, ...] = ()  # what was done to it, in words for the user
    decoded_pixels: int = 0  # pixels the decoder produced (after JPEG draft scaling): the cost counted


@dataclass(frozen=True)
class RejectedImage:
    """An upload that did not decode; ``reason`` says why and what to do, in the user's words."""

    name: str
    reason: str


def decode_upload(
    name: str, data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
    pixel_budget: float = math.inf,
) -> DecodedImage | RejectedImage:
    """One uploaded file → a decoded first frame, or a rejection with a clear reason. Never raises.

    ``pixel_budget`` is what is left of the run's decoding budget: an image that would decode to more
    pixels (after JPEG draft scaling) is refused with :data:`BUDGET_MESSAGE` before it is decoded.
    """
    reason = byte_count_reason(data, max_bytes)
    if reason is None:
        data = bytes(data)  # a bytearray or memoryview from the caller (no copy when already bytes)
        reason = _sniff_refused(data) or _structure_reason(data)
    if reason is not None:
        return RejectedImage(name, reason)
    try:
        opened = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return RejectedImage(name, BOMB_MESSAGE.format(limit=max_pixels / 1e6))
    except UnidentifiedImageError:
        allowed = _sniff_allowed(data)
        return RejectedImage(name, _damaged_message(allowed) if allowed else UNKNOWN_MESSAGE)
    except MemoryError:
        return RejectedImage(name, MEMORY_MESSAGE)
    except Exception:  # a header parser choking on malformed bytes: see _decode_opened
        logger.info("header of upload failed to parse", exc_info=True)
        return RejectedImage(name, _damaged_message(_sniff_allowed(data)))
    with opened:
        return _decode_opened(name, opened, data, max_pixels, pixel_budget)


def decode_many(
    files: Iterable[tuple[str, bytes]], *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> list[DecodedImage | RejectedImage]:
    """Each ``(name, bytes)`` decoded independently, in order: bad files never stop good ones."""
    return [decode_upload(name, data, max_bytes=max_bytes, max_pixels=max_pixels) for name, data in files]


def _decode_opened(
    name: str, opened: ImageFile.ImageFile, data: bytes, max_pixels: int, pixel_budget: float
) -> DecodedImage | RejectedImage:
    """Size check from the header, then decode the first frame small and make its view and thumbnail."""
    format_name = _FORMAT_NAMES.get(opened.format or "", opened.format or "image")
    width, height = opened.size
    original_mode = opened.mode
    if width * height > max_pixels:
        return RejectedImage(name, _too_many_pixels_message(width, height, max_pixels))
    try:
        # Count frames before load(): GIF counts by seeking, which would discard decoded pixels.
        frames = getattr(opened, "n_frames", 1) if opened.format in _ANIMATED_FORMATS else 1
        opened.seek(0)
        if opened.format in {"JPEG", "MPO"}:
            # DCT scaling by 1/2, 1/4 or 1/8 while decoding, keeping what the thumbnail and the view need.
            opened.draft(None, draft_request(width, height))
        decoded_pixels = opened.size[0] * opened.size[1]
        if decoded_pixels > pixel_budget:
            return RejectedImage(name, BUDGET_MESSAGE)
        opened.load()
        orientation = _exif_orientation(opened)
        notes = _notes_before_conversion(opened, format_name, frames, orientation, data)
        # Unreadable EXIF is skipped, not fatal, so the pixels still get classified.
        rgb = _reduced_upright_rgb(opened, 1 if orientation is None else orientation)
        view = model_view(rgb)
        rgb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        rgb.info = view.info = {}  # metadata stays behind (only pixels cross to the app process)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return RejectedImage(name, BOMB_MESSAGE.format(limit=max_pixels / 1e6))
    except MemoryError:
        return RejectedImage(name, MEMORY_MESSAGE)
    except Exception:
        # Truncated data is an OSError, a bad chunk a SyntaxError or ValueError, but malformed input
        # can surface as struct.error, EOFError, IndexError, KeyError, ZeroDivisionError, ... from
        # any plugin: Pillow's own fuzz harness (Tests/oss-fuzz/fuzz_pillow.py) accepts any Exception
        # as a non-crash for that reason. BaseException (KeyboardInterrupt, SystemExit) still escapes.
        logger.info("upload failed to decode", exc_info=True)
        return RejectedImage(name, _damaged_message(format_name))
    upright_size = (height, width) if orientation in {5, 6, 7, 8} else (width, height)
    return DecodedImage(
        name=name,
        view=view,
        thumbnail=rgb,
        format=format_name,
        original_size=(width, height),
        original_mode=original_mode,
        upright_size=upright_size,
        notes=(*notes, *_shape_notes(upright_size)),
        decoded_pixels=decoded_pixels,
    )


def draft_request(width: int, height: int) -> tuple[int, int]:
    """The smallest (width, height) a JPEG of this size may be decoded at (``Image.draft`` picks the largest
    DCT scale, 1/2 to 1/8, that keeps both sides at least this): the thumbnail's own size — the longer side
    :data:`THUMBNAIL_SIDE` — with the shorter side kept at :data:`MIN_VIEW_SOURCE` or more, so the 32×32
    view is still resampled from a picture four times its size. A 12-megapixel 4:3 photo decodes at 1/4
    (1000×750) instead of whole."""
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    short = min(width, height)
    floor = min(short, MIN_VIEW_SOURCE) / short  # never ask for more than the picture has
    scale = max(scale, floor)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


_REDUCIBLE_MODES = {"L", "RGB"}  # Image.reduce averages these directly; others are converted to RGB first


def _reduced_upright_rgb(image: Image.Image, orientation: int) -> Image.Image:
    """The loaded frame box-reduced by the largest integer factor keeping both sides ≥ THUMBNAIL_SIDE,
    upright and 8-bit RGB. Reducing comes first where the mode allows, so conversions run on the small copy."""
    factor = max(1, min(image.size) // THUMBNAIL_SIDE)
    if factor > 1 and image.mode in _REDUCIBLE_MODES:
        return upright_rgb(image.reduce(factor), orientation)
    rgb = upright_rgb(image, orientation)
    return rgb.reduce(factor) if factor > 1 else rgb.copy()  # a copy: never a view of the file's buffer


def _exif_orientation(image: Image.Image) -> int | None:
    """The EXIF orientation tag (1 when absent), or None when the EXIF block cannot be read.

    Pillow reports corrupt EXIF with a UserWarning; where warnings are errors that is an exception,
    and a photo with damaged metadata but intact pixels should still be classified.
    """
    try:
        return image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        logger.info("unreadable EXIF in upload", exc_info=True)
        return None


def _notes_before_conversion(
    image: Image.Image, format_name: str, frames: int, orientation: int | None, data: bytes
) -> list[str]:
    """What the conversion to upright 8-bit RGB is about to do, in words for the user."""
    notes = []
    if frames > 1:
        notes.append(f"animated {format_name}: classified the first of {frames} frames")
    if orientation is None:
        notes.append("EXIF metadata unreadable: the photo was not turned upright")
    elif orientation in range(2, 9):
        notes.append(f"turned upright using its EXIF orientation tag ({orientation})")
    if image.mode.startswith("I;16") or (format_name == "PNG" and data[24:25] == b"\x10"):
        notes.append("16-bit image rescaled to 8 bits per channel")  # PNG IHDR byte 24: bit depth
    if image.mode == "CMYK":
        notes.append("CMYK (print) colours converted to RGB")
    if image.mode in _GRAYSCALE_MODES:
        notes.append("grayscale image: classified as gray RGB (the model learned colour photos)")
    if _has_transparent_pixels(image):
        notes.append("transparent areas composited onto white")
    return notes


def _shape_notes(size: tuple[int, int]) -> list[str]:
    """What centre-cropping and resizing to 32×32 will do to this picture, when it matters."""
    width, height = size
    side = min(width, height)
    enlarged = f", enlarged to {CIFAR_SIZE}×{CIFAR_SIZE}" if side < CIFAR_SIZE else ""
    if max(width, height) > 2 * side:
        shape = "wide" if width > height else "tall"
        return [f"very {shape} image ({width}×{height}): only the centred {side}×{side} square is classified{enlarged}"]
    if enlarged:
        return [f"small image ({width}×{height}){enlarged}, so the model sees little detail"]
    return []


def _has_transparent_pixels(image: Image.Image) -> bool:
    """Whether any pixel is less than opaque (so compositing onto white changes the picture)."""
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        return cast(float, image.getchannel("A").getextrema()[0]) < 255  # one band: (min, max)
    transparent = image.info.get("transparency")
    if transparent is None:
        return False
    if image.mode in {"P", "L", "RGB", "1"}:
        return cast(float, image.convert("RGBA").getchannel("A").getextrema()[0]) < 255
    if isinstance(transparent, int) and image.mode.startswith("I"):  # 16-bit gray with a tRNS value
        return bool((np.asarray(image) == transparent).any())
    return False


def _structure_reason(data: bytes) -> str | None:
    """A message when the file's structure alone makes decoding it unreasonable, before any decoder runs."""
    if data.startswith(b"\xff\xd8\xff"):
        if _jpeg_precision(data) in {12, 16}:
            return TWELVE_BIT_MESSAGE
        # Inside entropy-coded data every 0xFF byte is followed by 0x00 or a restart marker, so each
        # FF DA pair is a real start-of-scan (an EXIF thumbnail's own scan included).
        scans = data.count(b"\xff\xda")
        if scans > MAX_JPEG_SCANS:
            return SCANS_MESSAGE.format(scans=f"{scans:,}")
    elif data.startswith(b"\x89PNG\r\n\x1a\n") and _png_chunk_count(data, MAX_PNG_CHUNKS + 1) > MAX_PNG_CHUNKS:
        return CHUNKS_MESSAGE.format(limit=MAX_PNG_CHUNKS)
    elif data[4:8] == b"ftyp":
        return heif_grid_reason(data)
    return None


# --------------------------------------------------------------------------------------------- HEIF grids
# HEIF (ISO/IEC 23008-12) and AVIF store a picture as items described by boxes inside the top-level "meta"
# box: "iinf" names each item's type, "iloc" says where its bytes lie, "iref"/"dimg" lists a grid's tiles,
# "iprp" gives each item its properties ("ispe": width and height). A "grid" item's own bytes say how many
# rows and columns of tiles it has and its output size. Only these boxes are read here, each walk bounded by
# the file's length; anything malformed returns None and is left to the decoder (in its worker, with its
# deadline).

def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        size, kind, header = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8], 8
        if size == 1 and pos + 16 <= end:
            size, header = int.from_bytes(data[pos + 8:pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos + header, pos + size
        pos += size


def _uint(data: bytes, pos: int, size: int) -> tuple[int, int]:
    """A big-endian unsigned integer of ``size`` bytes at ``pos`` (0 bytes read as 0), and the next position."""
    if pos + size > len(data):
        raise ValueError("box ends early")
    return int.from_bytes(data[pos:pos + size], "big"), pos + size


@dataclass(frozen=True)
class HeifGrid:
    """A grid item as its boxes declare it: its tiles, their size and the output size."""

    rows: int
    columns: int
    tiles_listed: int  # "dimg" references from the grid to its tiles
    tile_size: tuple[int, int]  # the first tile's "ispe"
    output_size: tuple[int, int]

    @property
    def tiles(self) -> int:
        return max(self.rows * self.columns, self.tiles_listed)

    @property
    def tiles_needed(self) -> int:
        """Tiles of this size that cover the output: what a well-made grid has."""
        (tile_w, tile_h), (width, height) = self.tile_size, self.output_size
        return max(1, -(-width // max(tile_w, 1))) * max(1, -(-height // max(tile_h, 1)))


def heif_grids(data: bytes) -> list[HeifGrid]:
    """Every grid item of a HEIF/AVIF file, read from its boxes; raises ValueError on malformed boxes."""
    meta = next(((s, e) for kind, s, e in _boxes(data, 0, len(data)) if kind == b"meta"), None)
    if meta is None:
        return []
    children = {kind: (s, e) for kind, s, e in _boxes(data, meta[0] + 4, meta[1])}  # meta is a FullBox
    types = _item_types(data, *children.get(b"iinf", (0, 0)))
    grid_ids = [item for item, kind in types.items() if kind == b"grid"]
    if not grid_ids:
        return []
    locations = _item_locations(data, *children[b"iloc"])
    tiles = _tile_references(data, *children.get(b"iref", (0, 0)))
    sizes = _item_sizes(data, *children.get(b"iprp", (0, 0)))
    idat = children.get(b"idat", (0, 0))
    grids = []
    for item in grid_ids:
        method, extents = locations.get(item, (0, []))
        base = idat[0] if method == 1 else 0
        body = b"".join(data[base + offset:base + offset + length] for offset, length in extents)
        _, pos = _uint(body, 0, 1)  # version
        flags, pos = _uint(body, pos, 1)
        rows, pos = _uint(body, pos, 1)
        columns, pos = _uint(body, pos, 1)
        field = 4 if flags & 1 else 2
        width, pos = _uint(body, pos, field)
        height, pos = _uint(body, pos, field)
        listed = tiles.get(item, [])
        if listed and listed[0] in sizes:
            grids.append(HeifGrid(rows + 1, columns + 1, len(listed), sizes[listed[0]], (width, height)))
    return grids


def _item_types(data: bytes, start: int, end: int) -> dict[int, bytes]:
    """item ID → item type, from "iinf"'s "infe" entries (versions 2 and 3 carry the type)."""
    types = {}
    if end - start >= 4:
        header = 6 if data[start] == 0 else 8  # FullBox header, then a 16- or 32-bit entry count
        for kind, s, _ in _boxes(data, start + header, end):
            if kind == b"infe" and data[s] in (2, 3):
                id_size = 2 if data[s] == 2 else 4
                item, pos = _uint(data, s + 4, id_size)
                types[item] = data[pos + 2:pos + 6]  # after item_protection_index
    return types


def _item_locations(data: bytes, start: int, end: int) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """item ID → (construction method: 0 file offsets, 1 offsets into "idat"; [(offset, length)]), from "iloc"."""
    version = data[start]
    sizes, pos = _uint(data, start + 4, 2)
    offset_size, length_size, base_size = sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15
    index_size = sizes & 15 if version in (1, 2) else 0
    count, pos = _uint(data, pos, 2 if version < 2 else 4)
    locations = {}
    for _ in range(count):
        item, pos = _uint(data, pos, 2 if version < 2 else 4)
        method = 0
        if version in (1, 2):
            method, pos = _uint(data, pos, 2)
            method &= 15
        pos += 2  # data_reference_index
        base, pos = _uint(data, pos, base_size)
        extent_count, pos = _uint(data, pos, 2)
        extents = []
        for _ in range(extent_count):
            pos += index_size
            offset, pos = _uint(data, pos, offset_size)
            length, pos = _uint(data, pos, length_size)
            extents.append((base + offset, length))
        locations[item] = (method, extents)
    return locations


def _tile_references(data: bytes, start: int, end: int) -> dict[int, list[int]]:
    """grid item ID → its tiles' item IDs, from "iref"'s "dimg" references."""
    references: dict[int, list[int]] = {}
    if end - start >= 4:
        id_size = 2 if data[start] == 0 else 4
        for kind, s, _ in _boxes(data, start + 4, end):
            if kind == b"dimg":
                source, pos = _uint(data, s, id_size)
                count, pos = _uint(data, pos, 2)
                targets = []
                for _ in range(count):
                    target, pos = _uint(data, pos, id_size)
                    targets.append(target)
                references[source] = targets
    return references


def _item_sizes(data: bytes, start: int, end: int) -> dict[int, tuple[int, int]]:
    """item ID → its "ispe" (width, height), from "iprp": the properties in "ipco", given to items by "ipma"."""
    children = {kind: (s, e) for kind, s, e in _boxes(data, start, end)}
    if b"ipco" not in children or b"ipma" not in children:
        return {}
    properties = list(_boxes(data, *children[b"ipco"]))
    start, _ = children[b"ipma"]
    version, flags = data[start], data[start + 3]
    count, pos = _uint(data, start + 4, 4)
    sizes = {}
    for _ in range(count):
        item, pos = _uint(data, pos, 2 if version < 1 else 4)
        associations, pos = _uint(data, pos, 1)
        for _ in range(associations):
            value, pos = _uint(data, pos, 2 if flags & 1 else 1)
            index = value & (0x7FFF if flags & 1 else 0x7F)  # 1-based; the top bit says "essential"
            if 1 <= index <= len(properties) and properties[index - 1][0] == b"ispe":
                width, _ = _uint(data, properties[index - 1][1] + 4, 4)
                height, _ = _uint(data, properties[index - 1][1] + 8, 4)
                sizes[item] = (width, height)
    return sizes


def heif_grid_reason(data: bytes) -> str | None:
    """:data:`GRID_MESSAGE` when a HEIF/AVIF grid lists more tiles than its output size needs (or more than
    :data:`MAX_GRID_TILES`), else None; malformed boxes are the decoder's to report."""
    try:
        grids = heif_grids(data)
    except (ValueError, KeyError, IndexError):
        return None
    kind = "AVIF" if (_iso_brands(data) or set()) & _AVIF_BRANDS else "HEIC"
    for grid in grids:
        if grid.tiles > grid.tiles_needed or grid.tiles > MAX_GRID_TILES:
            width, height = grid.output_size
            return GRID_MESSAGE.format(kind=kind, tiles=grid.tiles, width=width, height=height,
                                       needed=grid.tiles_needed)
    return None


_JPEG_FRAME_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_precision(data: bytes) -> int | None:
    """Bits per sample from the first start-of-frame segment, walking the header segments; None if not found."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _JPEG_FRAME_MARKERS:
            return data[pos + 4] if pos + 4 < len(data) else None
        if marker == 0xDA:  # a scan before any frame header: malformed, leave it to the decoder
            return None
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return None


def _png_chunk_count(data: bytes, stop_at: int) -> int:
    """Chunks of a PNG, counted by their length fields up to ``stop_at`` (so the walk itself stays cheap)."""
    pos, count = 8, 0
    while pos + 8 <= len(data) and count < stop_at:
        count += 1
        pos += 12 + int.from_bytes(data[pos:pos + 4], "big")
    return count


def byte_count_reason(data: bytes, max_bytes: int) -> str | None:
    """A message when the byte count alone rules the file out, before any parser sees it."""
    if not data:
        return EMPTY_MESSAGE
    if len(data) > max_bytes:
        return too_big_message(len(data), max_bytes)
    return None


def too_big_message(size: int, max_bytes: int = MAX_BYTES) -> str:
    """The message for a file of ``size`` bytes over ``max_bytes``."""
    size_mb = math.ceil(size / 1e5) / 10  # rounded up, so 25_000_001 bytes never reads "25.0 MB"
    return (
        f"The file is {size_mb:.1f} MB; the limit is {max_bytes / 1e6:g} MB per image. "
        "Downscale or compress it and upload it again."
    )


def _sniff_refused(data: bytes) -> str | None:
    """A specific message for content we recognise and refuse (SVG, HEIC, PDF, ...), else None."""
    brands = _iso_brands(data)
    if brands is not None:
        if brands & _AVIF_BRANDS:
            return None if AVIF_READABLE else AVIF_MESSAGE
        if brands & _HEIF_BRANDS:
            return None if HEIF_READABLE else HEIC_MESSAGE
        return VIDEO_MESSAGE
    kind = next((kind for signature, kind in _REFUSED_SIGNATURES if data.startswith(signature)), None)
    # ICO/CUR: reserved 0, type 1 or 2, then a non-zero image count (an uncompressed TGA starts 00 00 02 00 00 00)
    if kind is None and data[:4] in {b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"} and data[4:6] != b"\x00\x00":
        kind = "Windows icon (ICO/CUR)"
    if kind is not None:
        return f"{kind} files are not accepted here; export the picture as PNG or JPEG (accepted: {_ACCEPTED})."
    text = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in text):
        return SVG_MESSAGE
    if text.startswith((b"<!doctype html", b"<html", b"<head")):
        return HTML_MESSAGE
    return None


def _iso_brands(data: bytes) -> set[bytes] | None:
    """The major and compatible brands of an ISO base media file (HEIF, AVIF, MP4), else None."""
    if data[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(data[0:4], "big"), len(data), 4096)
    compatible = {data[i : i + 4] for i in range(16, box_end - 3, 4)}
    return {data[8:12]} | compatible


def _sniff_allowed(data: bytes) -> str | None:
    """The allowed format these bytes start like, if any (to say "damaged PNG", not "not an image")."""
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    brands = _iso_brands(data) or set()
    if brands & _AVIF_BRANDS:
        return "AVIF"
    if brands & _HEIF_BRANDS:
        return "HEIC"
    return next((kind for signature, kind in _ALLOWED_SIGNATURES if data.startswith(signature)), None)


def _damaged_message(format_name: str | None) -> str:
    what = f"{format_name} file" if format_name else "file"
    return (
        f"The {what} is damaged or incomplete (perhaps cut off during upload or download) and could "
        "not be decoded; open and re-save it, or download it again."
    )


def _too_many_pixels_message(width: int, height: int, max_pixels: int) -> str:
    return (
        f"The image is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); the limit is "
        f"{max_pixels / 1e6:g} megapixels. Downscale it and upload it again."
    )
