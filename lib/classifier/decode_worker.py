"""A decode worker process: ``python -m lib.classifier.decode_worker`` reads uploads on stdin and answers on stdout.

Started and supervised by ``lib.classifier.decode_pool``, which kills it when one file takes longer than its
deadline and replaces it when it dies. It imports only Pillow, NumPy and ``lib.classifier.image_io`` (no torch,
no streamlit), so a fresh one is ready in a fraction of a second, and caps its own address space
(:data:`ADDRESS_SPACE_BYTES`) so a decoder that tries to allocate more meets a ``MemoryError``, which
``lib.classifier.image_io`` turns into a message, instead of taking memory from the app.

The protocol carries plain bytes and one JSON header per message (no pickle), little-endian:

* worker → pool, once at start: ``READY``;
* request: ``<Q pixel budget (0 = none)> <Q byte count> <bytes of the file>``;
* reply: ``<I header length> <JSON header>`` then, for a decoded image, the 32×32 view and the
  thumbnail as raw 8-bit RGB rows (``view_size`` and ``thumbnail_size`` in the header say their shapes).
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from collections.abc import Callable
from typing import BinaryIO

from PIL import Image

from lib.classifier.image_io import DecodedImage, RejectedImage, decode_upload

READY = b"READY\n"
REQUEST = struct.Struct("<QQ")
REPLY_HEADER = struct.Struct("<I")
ADDRESS_SPACE_BYTES = 2 * 1024**3
"""Virtual memory one worker may map: a 25-megapixel 16-bit PNG with its conversions needs about 0.6 GB."""


def encode_reply(result: DecodedImage | RejectedImage) -> bytes:
    """A decode result → the bytes of one reply (the name stays with the pool, which knows it)."""
    header: dict[str, object]
    if isinstance(result, RejectedImage):
        header = {"reason": result.reason}
        body = b""
    else:
        header = {"format": result.format, "original_size": result.original_size,
                  "original_mode": result.original_mode, "upright_size": result.upright_size,
                  "notes": result.notes, "decoded_pixels": result.decoded_pixels,
                  "view_size": result.view.size, "thumbnail_size": result.thumbnail.size}
        body = result.view.tobytes() + result.thumbnail.tobytes()
    raw = json.dumps(header).encode()
    return REPLY_HEADER.pack(len(raw)) + raw + body


def decode_reply(name: str, header: dict, body: bytes) -> DecodedImage | RejectedImage:
    """The inverse of :func:`encode_reply`, given the upload's name."""
    if "reason" in header:
        return RejectedImage(name, str(header["reason"]))
    view_size, thumbnail_size = tuple(header["view_size"]), tuple(header["thumbnail_size"])
    split = view_size[0] * view_size[1] * 3
    return DecodedImage(
        name=name,
        view=Image.frombytes("RGB", view_size, body[:split]),
        thumbnail=Image.frombytes("RGB", thumbnail_size, body[split:]),
        format=header["format"], original_size=tuple(header["original_size"]),
        original_mode=header["original_mode"], upright_size=tuple(header["upright_size"]),
        notes=tuple(header["notes"]), decoded_pixels=int(header["decoded_pixels"]),
    )


def body_length(header: dict) -> int:
    """Bytes of raw pixels that follow a reply's header."""
    if "reason" in header:
        return 0
    return sum(width * height * 3 for width, height in (header["view_size"], header["thumbnail_size"]))


def _read_exactly(stream: BinaryIO, count: int) -> bytes | None:
    chunks, left = [], count
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    except (ImportError, ValueError, OSError):  # not on this OS: the deadline still bounds the time
        pass


def _one_decoder_thread() -> None:
    """AVIF decodes on one thread, as HEIC does (``lib.classifier.image_io`` registers pillow-heif so): the
    workers already use every core between them, and a decoder's own threads would take cores from the models."""
    try:
        from PIL import AvifImagePlugin

        AvifImagePlugin.DEFAULT_MAX_THREADS = 1
    except ImportError:  # a Pillow without AVIF: nothing to set
        pass


def _trimmer() -> Callable[[], None]:
    """glibc's ``malloc_trim(0)``, which hands the freed heap of a decode back to the system, or a no-op where
    there is no glibc. A HEIC or AVIF decode leaves tens of MB of freed arenas in the worker that glibc would
    otherwise keep: with two workers, that held the server ~40 MB over its 300 MB bound for one tab's upload."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return lambda: libc.malloc_trim(0)
    except (OSError, AttributeError):
        return lambda: None


def _warm_decoders() -> None:
    """Decode a tiny JPEG and PNG once, so the first upload does not pay for loading the plugins."""
    import io

    for fmt in ("JPEG", "PNG"):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, fmt)
        decode_upload("", buffer.getvalue())


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer requests until the pool closes the pipe."""
    _warm_decoders()
    trim = _trimmer()
    replies.write(READY)
    replies.flush()
    while (head := _read_exactly(requests, REQUEST.size)) is not None:
        budget, length = REQUEST.unpack(head)
        data = _read_exactly(requests, length)
        if data is None:
            return
        result = decode_upload("", data, pixel_budget=budget or math.inf)
        replies.write(encode_reply(result))
        replies.flush()
        del data, result
        trim()  # after the reply: the page does not wait for it


def main() -> None:
    # The protocol owns the real stdout; anything a library prints goes to stderr (the app's log).
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _limit_memory()
    _one_decoder_thread()
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
