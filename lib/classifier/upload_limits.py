"""How many bytes the classifier's uploads may hold on the server, and what becomes of the files past the bounds.

Streamlit keeps each uploaded file's bytes in the server's memory until the user removes the file or closes
the tab, and the browser checks only each file's own size. So three bounds, each with its reason:

* :data:`FILE_BYTES` (``lib.classifier.image_io.MAX_BYTES``, 25 MB): the most one image may have to be
  decoded. Camera and phone photos are 3–15 MB.
* :data:`TRANSFER_MB`: the most one file may send (the uploader's ``max_upload_size`` and
  ``server.maxUploadSize``, both in Streamlit's MB of 2**20 bytes). A file above :data:`FILE_BYTES` and up to
  this reaches the server only to be named in the results with its size, its bytes not kept; a file beyond
  it is refused by Streamlit in the browser, which lists it with "File must be 50.0MB or smaller", and the
  server never learns of it (:data:`LIMITS_SENTENCE`, beside the uploader, says so beforehand).
* :data:`TAB_BYTES` (100 MB): the most one browser tab's uploads hold at once. Where Streamlit stores uploads
  (``ui/upload_quota.py``) a file that would take its tab past it, or a file over :data:`FILE_BYTES`, is
  stored without its bytes, marked by :func:`left_out_type`; the page (:func:`plan_uploads`) names each such
  file in the results with its reason, and in one note the files left out for the tab's bound.

Nothing here imports streamlit: the store and the page apply these decisions, and only display them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lib.classifier.image_io import MAX_BYTES, too_big_message

FILE_BYTES = MAX_BYTES
"""The most bytes one image may have to be read (25 MB)."""

TRANSFER_MB = 50
"""The most one file may send, in Streamlit's MB (2**20 bytes): ``server.maxUploadSize`` in
``.streamlit/config.toml`` and the uploader's ``max_upload_size``. Kept small because the server reads a file's
bytes whole before it can refuse them."""

TAB_BYTES = 100_000_000
"""The most bytes the uploads of one browser tab hold on the server at once: four 25 MB photos, or twenty of
5 MB. The largest batch allowed; ``bench/bench_upload_limits.py`` measures the server with it."""

LeftOut = Literal["file", "tab"]
"""Why the store kept a file without its bytes: over :data:`FILE_BYTES`, or over its tab's :data:`TAB_BYTES`."""

LEFT_OUT_MIME = "application/x-lslab-left-out"
"""The MIME type a file stored without its bytes carries (:func:`left_out_type`), with its reason and size."""

LIMITS_SENTENCE = (
    f"Up to {FILE_BYTES / 1e6:g} MB per image and {TAB_BYTES / 1e6:g} MB for all the images of one upload "
    f"together. Files over {TRANSFER_MB} MB are refused by your browser before they are sent; the results name "
    "them."
)
"""What the page says beside the uploader."""

TAB_MESSAGE = (
    "Left out: this file ({size}) would take this upload past {limit:g} MB, the most one upload may hold on the "
    "server together. Remove some files (× beside each one), then add this one again."
)


def megabytes(size: int) -> str:
    """``"9.6 MB"``: bytes in decimal MB, rounded up to 0.1, so a file just over a limit never reads as the limit."""
    return f"{math.ceil(size / 1e5) / 10:.1f} MB"


# --------------------------------------------------------------------------------------------- the store
def storage_verdict(held: int, size: int, *, file_bytes: int = FILE_BYTES,
                    tab_bytes: int = TAB_BYTES) -> LeftOut | None:
    """Whether the store keeps a ``size``-byte file for a tab already holding ``held`` bytes: None keeps it,
    ``"file"`` or ``"tab"`` says which bound it would pass (its bytes are then dropped)."""
    if size > file_bytes:
        return "file"
    if held + size > tab_bytes:
        return "tab"
    return None


def left_out_type(reason: LeftOut, size: int) -> str:
    """The MIME type the store gives a file it keeps without its bytes: ``"…; reason=tab; bytes=26000000"``."""
    return f"{LEFT_OUT_MIME}; reason={reason}; bytes={int(size)}"


_LEFT_OUT = re.compile(rf"{re.escape(LEFT_OUT_MIME)}; reason=(file|tab); bytes=(\d+)")


def parse_left_out(mime: str | None) -> tuple[LeftOut, int] | None:
    """The (reason, size) that :func:`left_out_type` wrote, or None for a file stored whole."""
    match = _LEFT_OUT.fullmatch(mime or "")
    if match is None:
        return None
    reason: LeftOut = "file" if match[1] == "file" else "tab"
    return reason, int(match[2])


# --------------------------------------------------------------------------------------------- the page
@dataclass(frozen=True)
class UploadEntry:
    """One file as the page receives it: its name, the bytes it holds, and the MIME type the store gave it."""

    name: str
    size: int
    mime: str | None = None


@dataclass(frozen=True)
class UploadPlan:
    """Per file, in upload order: None to classify it, or the reason it is not (shown in its result)."""

    reasons: tuple[str | None, ...]
    left_out: tuple[str, ...]  # names left out for the tab's bound, in upload order

    def note(self) -> str | None:
        """One plain warning naming the files left out for the tab's bound (Markdown-escaped), or None."""
        if not self.left_out:
            return None
        names = ", ".join(markdown_literal(name) for name in self.left_out)
        files = "1 file was" if len(self.left_out) == 1 else f"{len(self.left_out)} files were"
        return (f"This upload is over the {TAB_BYTES / 1e6:g} MB its images may hold together, so {files} left out: "
                f"{names}. Remove some files (× beside each one), then add these again.")


def plan_uploads(entries: Sequence[UploadEntry], *, file_bytes: int = FILE_BYTES,
                 tab_bytes: int = TAB_BYTES) -> UploadPlan:
    """Which files of one upload to classify: in order, each file over ``file_bytes`` is refused with its size,
    and each that the store left out or that would take the ones kept past ``tab_bytes`` is left out."""
    reasons: list[str | None] = []
    left_out: list[str] = []
    kept = 0
    for entry in entries:
        stored = parse_left_out(entry.mime)
        size = stored[1] if stored else entry.size
        if (stored and stored[0] == "file") or size > file_bytes:
            reasons.append(too_big_message(size, file_bytes))
        elif (stored and stored[0] == "tab") or kept + size > tab_bytes:
            reasons.append(TAB_MESSAGE.format(size=megabytes(size), limit=tab_bytes / 1e6))
            left_out.append(entry.name)
        else:
            reasons.append(None)
            kept += size
    return UploadPlan(tuple(reasons), tuple(left_out))


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_literal(text: str) -> str:
    """``text`` as Markdown that shows it verbatim on one line: every ASCII punctuation mark backslash-escaped
    (CommonMark allows that for all of them), line breaks and tabs as spaces."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", re.sub(r"\s", " ", text))


REFUSED_IN_BROWSER = ("Not sent: the file is {size}, and your browser refuses files over {limit} MB before sending "
                      "them, so it never reached the app. Make it smaller (export a JPEG of the photo), then add it.")
_REPORTED_NAME = 200  # characters of a reported file name that are kept
_REPORTED_FILES = 24  # files a report may name, like one run's uploads


def refused_in_browser(report: object, *, limit_mb: int = TRANSFER_MB) -> list[tuple[str, str]]:
    """``(name, reason)`` for each file the browser refused to send, from what the page's watcher reported.

    Files over :data:`TRANSFER_MB` never reach the server, so only the browser knows their names; its report is
    ``[{"name": str, "size": int}, …]`` (``ui/upload_watch.py``). It comes from the network, so it is read like a URL
    value: anything that is not such a list, an entry that is not a file over the limit, a name longer than 200
    characters (cut), more than 24 files (the rest dropped) — never an exception, and nothing long kept.
    """
    if not isinstance(report, list):
        return []
    limit = limit_mb * 2**20
    out: list[tuple[str, str]] = []
    for entry in report[:_REPORTED_FILES]:
        if not isinstance(entry, dict):
            continue
        name, size = entry.get("name"), entry.get("size")
        if not isinstance(name, str) or not name.strip() or isinstance(size, bool) or not isinstance(size, int):
            continue
        if not limit < size < 2**53:
            continue
        out.append((name[:_REPORTED_NAME], REFUSED_IN_BROWSER.format(size=megabytes(size), limit=limit_mb)))
    return out
