"""lib.classifier.decode_pool: uploads decode in worker processes; a slow or crashing decoder costs one file,
not the server.

The crafted files are generated here (tests/crafted_uploads.py), never committed. Workers that misbehave
on purpose are the real worker with one thing changed on its command line: the JPEG scan check switched
off (so the decoder meets the scan bomb) or a segmentation fault on GIF files.
"""

from __future__ import annotations

import io
import os
import sys

import numpy as np
import pytest
from crafted_uploads import avif_photo, heic_grid_bomb, heic_photo, photo_png, scan_bomb_jpeg
from PIL import Image

from lib.classifier import decode_pool
from lib.classifier.decode_pool import CRASH_MESSAGE, TIMEOUT_MESSAGE, DecodePool
from lib.classifier.image_io import BUDGET_MESSAGE, GRID_MESSAGE, MAX_BYTES, DecodedImage, RejectedImage, decode_upload

WITHOUT_SCAN_CHECK = [sys.executable, "-c", "import lib.classifier.image_io, lib.classifier.decode_worker as w; "
                      "lib.classifier.image_io.MAX_JPEG_SCANS = 10**9; w.main()"]
SEGFAULT_ON_GIF = [sys.executable, "-c", "import ctypes, lib.classifier.decode_worker as w; real = w.decode_upload; "
                   "w.decode_upload = lambda name, data, **kw: ctypes.string_at(0) if data.startswith(b'GIF') "
                   "else real(name, data, **kw); w.main()"]


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (20, 20), 3).save(buffer, "GIF")
    return buffer.getvalue()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child that was reaped is gone; a zombie would still answer kill(0)
        with open(f"/proc/{pid}/status") as status:
            return "zombie" not in status.read()
    except FileNotFoundError:
        return False


@pytest.fixture
def make_pool():
    pools = []

    def make(**kwargs) -> DecodePool:
        pools.append(DecodePool(**kwargs))
        return pools[-1]

    yield make
    for pool in pools:
        pool.close()


def test_a_worker_decodes_exactly_what_decoding_here_gives(make_pool):
    pool = make_pool(workers=1)
    data = photo_png((900, 500))
    there, here = pool.decode("p.png", data), decode_upload("p.png", data)
    assert isinstance(there, DecodedImage) and there.name == "p.png"
    assert np.array_equal(np.asarray(there.view), np.asarray(here.view))
    assert np.array_equal(np.asarray(there.thumbnail), np.asarray(here.thumbnail))
    assert (there.format, there.original_size, there.upright_size, there.notes, there.decoded_pixels) == \
        (here.format, here.original_size, here.upright_size, here.notes, here.decoded_pixels)
    assert pool.decode("x.png", b"not an image").reason == decode_upload("x.png", b"not an image").reason


@pytest.mark.parametrize(("fmt", "data"), [("HEIC", heic_photo((900, 500))), ("AVIF", avif_photo((900, 500)))])
def test_a_worker_decodes_heic_and_avif_as_decoding_here_does_within_the_pixel_budget(make_pool, fmt, data):
    pool = make_pool(workers=1)
    there, here = pool.decode(f"p.{fmt}", data), decode_upload(f"p.{fmt}", data)
    assert isinstance(there, DecodedImage) and there.format == fmt and there.decoded_pixels == 900 * 500
    assert np.array_equal(np.asarray(there.view), np.asarray(here.view))
    assert np.array_equal(np.asarray(there.thumbnail), np.asarray(here.thumbnail))
    assert pool.decode(f"late.{fmt}", data, pixel_budget=900 * 500 - 1).reason == BUDGET_MESSAGE
    cut = pool.decode(f"cut.{fmt}", data[: len(data) // 2])
    assert cut.reason.startswith(f"The {fmt} file is damaged or incomplete") and pool.replaced == 0


def test_a_heic_grid_bomb_is_refused_in_the_worker_from_its_boxes(make_pool):
    pool = make_pool(workers=1)
    assert pool.decode("bomb.heic", heic_grid_bomb()).reason == GRID_MESSAGE.format(
        kind="HEIC", tiles=16, width=64, height=64, needed=1)


def test_a_scan_bomb_past_the_deadline_gets_a_message_and_its_worker_is_replaced(make_pool):
    pool = make_pool(workers=1, deadline_s=1.0, command=WITHOUT_SCAN_CHECK)
    pool.warm_up()
    (before,) = pool.worker_pids()
    result = pool.decode("bomb.jpg", scan_bomb_jpeg())
    assert result == RejectedImage("bomb.jpg", TIMEOUT_MESSAGE.format(deadline=1.0))
    assert "took too long to read" in result.reason
    assert pool.replaced == 1 and not alive(before) and pool.worker_pids() != [before]
    assert isinstance(pool.decode("next.png", photo_png()), DecodedImage)  # the next file goes on


def test_a_decoder_crash_costs_one_file_and_the_worker_is_replaced(make_pool):
    pool = make_pool(workers=1, command=SEGFAULT_ON_GIF)
    pool.warm_up()
    (before,) = pool.worker_pids()
    assert pool.decode("boom.gif", gif()) == RejectedImage("boom.gif", CRASH_MESSAGE)
    assert pool.replaced == 1 and not alive(before)
    assert isinstance(pool.decode("after.png", photo_png()), DecodedImage)


def test_the_scan_check_refuses_the_bomb_without_waiting_for_the_deadline(make_pool):
    pool = make_pool(workers=1)
    result = pool.decode("bomb.jpg", scan_bomb_jpeg())
    assert "built from 1,605 scans" in result.reason and pool.replaced == 0


def test_an_image_beyond_the_rest_of_the_runs_budget_is_refused_before_decoding(make_pool):
    pool = make_pool(workers=1)
    data = photo_png((100, 100))
    assert pool.decode("a.png", data, pixel_budget=10_000).decoded_pixels == 10_000
    refused = pool.decode("b.png", data, pixel_budget=9_999)
    assert refused.reason == BUDGET_MESSAGE and "100 megapixels together" in refused.reason


def test_oversized_bytes_never_travel_to_a_worker(make_pool, monkeypatch):
    pool = make_pool(workers=1)
    monkeypatch.setattr(decode_pool._Worker, "decode", lambda *a, **k: pytest.fail("sent to a worker"))
    assert "MB per image" in pool.decode("big.png", b"\x89PNG" + bytes(MAX_BYTES)).reason


def test_workers_import_the_lib_of_this_checkout():
    # _REPO once named lib/ itself, so a worker started from a second checkout imported the installed one's lib.
    assert (decode_pool._REPO / "lib" / "classifier" / "decode_pool.py").samefile(decode_pool.__file__)


def test_workers_never_import_torch_or_streamlit():
    code = "import sys, lib.classifier.decode_worker; sys.exit(bool({'torch', 'streamlit'} & set(sys.modules)))"
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], cwd=decode_pool._REPO, check=False).returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe buffer sizes are a Linux setting (F_SETPIPE_SZ)")
def test_the_pipes_to_a_worker_hold_a_whole_thumbnail(make_pool):
    """A 768-px thumbnail (1.8 MB of RGB) crosses in two writes, not thirty 64 kB ones (bench/bench_classify.py)."""
    import fcntl

    pool = make_pool(workers=1)
    worker = pool._idle.get()
    try:
        sizes = [fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) for fd in (worker._requests.fileno(), worker._replies)]
    finally:
        pool._idle.put(worker)
    with open("/proc/sys/fs/pipe-max-size") as limit:
        expected = min(decode_pool.PIPE_BYTES, int(limit.read()))
    assert all(size >= expected for size in sizes)  # root may go past the limit; others get it
    assert isinstance(pool.decode("photo.png", photo_png()), DecodedImage)
