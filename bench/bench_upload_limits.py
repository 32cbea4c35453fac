"""What uploads cost the server: a scan-bomb JPEG, 24 × 25 MP PNGs, the largest batch one tab may hold, HEIC/AVIF.

    python bench/bench_upload_limits.py [--models-dir assets/models]

Runs the classify page through Streamlit's script runner (AppTest, as tests/test_page_classify.py does)
with the shipped models, and prints:

1. the wall time of one page run with the 165 kB scan-bomb JPEG (5000×5000, its last scan repeated
   1,600 times: ~30 s of CPU in Pillow's load()) beside one good image, with what the page shows for each
   — as the app runs (the scan check refuses it) and with the scan check switched off in the workers,
   where only the per-file deadline stops it (lib.classifier.decode_pool); target: under 5 s with a message for the
   bomb and a result for the good image;
2. the peak memory growth of one page run with 24 all-black 5000×5000 PNGs (73 kB each): the resident
   memory of this process (the app) and of the app plus its decode workers, sampled every 5 ms, above what
   they held just before the run; target: under 500 MB;
3. the same with the largest batch one tab may hold (lib.classifier.upload_limits.TAB_BYTES, 100 MB): four
   camera-sized JPEGs of about 24 MB each (5000×4000, the per-image limit is 25 MB), whose bytes enter the
   process inside the measured window (read from disk, as an upload's arrive from the network); target: one
   tab's upload grows the server by at most 300 MB;
4. the same with four 4032×3024 HEIC photos stored as 512-pixel grids (an iPhone's) and four AVIF photos of
   that size, in one upload (8 × 12.2 megapixels: within the run's 100-megapixel budget).

The files come from tests/crafted_uploads.py, generated here. No asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import streamlit as st  # noqa: E402
from crafted_uploads import avif_photo, camera_jpeg, heic_photo, photo_png, scan_bomb_jpeg, zero_png  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import lib.classifier.decode_pool  # noqa: E402
from lib.cifar.settings import DECODE_DEADLINE_S  # noqa: E402
from lib.classifier.decode_pool import DecodePool  # noqa: E402
from lib.classifier.upload_limits import TAB_BYTES  # noqa: E402
from lib.paths import models_dir  # noqa: E402

WITHOUT_SCAN_CHECK = [sys.executable, "-c", "import lib.classifier.image_io, lib.classifier.decode_worker as w; "
                      "lib.classifier.image_io.MAX_JPEG_SCANS = 10**9; w.main()"]


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (FileNotFoundError, ProcessLookupError):
        return 0


class PeakMemory:
    """Samples the resident memory of this process and of the pool's workers until stopped."""

    def __init__(self, pool: DecodePool) -> None:
        self.pool, self.peak_app, self.peak_total, self._stop = pool, 0, 0, threading.Event()

    def sample(self) -> tuple[int, int]:
        app = rss_bytes(os.getpid())
        return app, app + sum(rss_bytes(pid) for pid in self.pool.worker_pids())

    def __enter__(self) -> PeakMemory:
        self.before_app, self.before_total = self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            app, total = self.sample()
            self.peak_app, self.peak_total = max(self.peak_app, app), max(self.peak_total, total)
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    at.switch_page("pages/classify.py")
    return at.run()


def upload_run(at: AppTest, files: list[tuple[str, bytes, str]]) -> float:
    at.file_uploader(key="classify_upload").set_value(files)
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def describe(at: AppTest) -> str:
    errors = [e.value for e in at.error]
    charts = len(at.get("plotly_chart"))
    shown = "; ".join(f'"{e[:70]}…"' for e in sorted(set(errors)))
    return f"{len(errors)} message(s) {shown} | {charts} probability chart(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=models_dir())
    args = parser.parse_args()
    os.environ["LSLAB_MODELS_DIR"] = str(args.models_dir)  # lib.paths.models_dir() reads it at call time
    st.cache_resource.clear()
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}; decode deadline {DECODE_DEADLINE_S:g} s\n")

    bomb, good = scan_bomb_jpeg(), photo_png((640, 480))
    files = [("bomb.jpg", bomb, "image/jpeg"), ("good.png", good, "image/png")]
    at = page()
    upload_run(at, [("warm.png", photo_png((64, 48), seed=1), "image/png")])  # models and workers warm
    print(f"1. scan-bomb JPEG ({len(bomb) / 1e3:.0f} kB, 5000×5000, 1,605 scans) beside one good 640×480 PNG:")
    seconds = upload_run(at, files)
    print(f"   as the app runs:           page run {seconds:5.2f} s | {describe(at)}")
    slow_pool = DecodePool(command=WITHOUT_SCAN_CHECK)
    shared, lib.classifier.decode_pool._shared = lib.classifier.decode_pool._shared, slow_pool
    slow_pool.warm_up()
    seconds = upload_run(at, files)
    print(f"   scan check off (deadline): page run {seconds:5.2f} s | {describe(at)}")
    lib.classifier.decode_pool._shared = shared
    slow_pool.close()

    print("\n2. 24 all-black 5000×5000 PNGs in one upload:")
    black = zero_png(5000)
    at = page()
    upload_run(at, [("warm.png", photo_png((64, 48), seed=2), "image/png")])
    with PeakMemory(lib.classifier.decode_pool.shared_pool()) as memory:
        seconds = upload_run(at, [(f"black{i}.png", black, "image/png") for i in range(24)])
    print(f"   {len(black) / 1e3:.0f} kB each; page run {seconds:.2f} s | {describe(at)}")
    report(memory)

    with tempfile.TemporaryDirectory() as folder:
        jpegs = []
        for i in range(4):
            path = Path(folder) / f"DSC_{i}.JPG"
            path.write_bytes(camera_jpeg((5000, 4000), seed=i))
            jpegs.append(path)
        total = sum(path.stat().st_size for path in jpegs)
        print(f"\n3. the largest batch one tab may hold ({TAB_BYTES / 1e6:g} MB): 4 camera JPEGs, 5000×4000, "
              f"{total / 1e6:.1f} MB together:")
        measure_batch(jpegs, "image/jpeg")

        heic, avif = heic_photo((4032, 3024), grid_tile=512), avif_photo((4032, 3024))
        photos = []
        for i in range(4):
            for suffix, data in (("HEIC", heic), ("avif", avif)):
                photos.append(Path(folder) / f"IMG_{i}.{suffix}")
                photos[-1].write_bytes(data)
        print(f"\n4. 4 HEIC ({len(heic) / 1e6:.1f} MB, 4032×3024 in 512-pixel tiles) and 4 AVIF "
              f"({len(avif) / 1e6:.1f} MB, 4032×3024) photos in one upload:")
        measure_batch(photos, None)
    lib.classifier.decode_pool.shared_pool().close()


def measure_batch(paths: list[Path], mime: str | None) -> None:
    """One page run with these files, their bytes read inside the measured window."""
    at = page()
    upload_run(at, [("warm.png", photo_png((64, 48), seed=3), "image/png")])
    with PeakMemory(lib.classifier.decode_pool.shared_pool()) as memory:
        files = [(path.name, path.read_bytes(), mime or f"image/{path.suffix[1:].lower()}") for path in paths]
        seconds = upload_run(at, files)
    print(f"   page run {seconds:.2f} s | {describe(at)}")
    report(memory)


def report(memory: PeakMemory) -> None:
    mib = 2**20
    print(f"   app process:          {memory.before_app / mib:6.0f} MiB before, peak {memory.peak_app / mib:6.0f} MiB, "
          f"growth {(memory.peak_app - memory.before_app) / mib:5.0f} MiB")
    print(f"   app + decode workers: {memory.before_total / mib:6.0f} MiB before, peak "
          f"{memory.peak_total / mib:6.0f} MiB, growth {(memory.peak_total - memory.before_total) / mib:5.0f} MiB")

if __name__ == "__main__":
    main()
