"""How many learners one server holds: N real browser sessions at once, each moving a slider and classifying an image.

    python bench/load_test.py [--sessions 5 10 20] [--moves 5] [--think 1.0] [--budget 280]

Starts ``streamlit run app.py`` on a free loopback port (the repository's config: XSRF on, the shipped
models, or two random-weight stand-ins when they are missing, said in the output), then for each N in
``--sessions`` opens N Chromium browser contexts at once in this process — each context is one
Streamlit session, one learner — and each of them:

1. opens ``/target_and_floor?K=10&eps=0.1`` and waits for the floor metric (``open``);
2. moves the ε slider ``--moves`` times with the keyboard (focus the thumb, ArrowRight), a random pause
   of up to ``--think`` seconds before each, and times each key press until the floor metric shows the
   new value (``slider``);
3. switches to the classifier in the page list, uploads a generated 64×64 PNG through the file input
   and times until the prediction's timing caption appears (``classify``).

Response times run from the action to the visible result in the browser, so they include the
websocket, the rerun, the render — and the browsers themselves, which share the CPUs with the server
here (pessimistic for a real class, whose browsers run on their own machines). Errors are failed or
timed-out actions and Streamlit exception boxes; they must be 0. Server memory is the RSS of the
server process (/proc/PID/status) before the first session, after each level, and its peak. The whole
run is bounded by ``--budget`` seconds: a level that would start with less than a minute left is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.smoothing import entropy_floor  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
METRIC_IS = """(expected) => {
  const el = document.querySelector('[data-testid="stMetricValue"]');
  return el !== null && el.textContent.trim() === expected;
}"""
ACTION_TIMEOUT_MS = 90_000


# --------------------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB, from /proc/PID/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (all its threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stand_in_models() -> str:
    """Two random-weight models in the shipped format, for a machine without the trained ones."""
    import torch

    from lib.data import CLASSES
    from lib.model import export_model
    from lib.network import CifarEfficientNet

    folder = Path(tempfile.mkdtemp(prefix="lslab-models-"))
    for eps in (0.0, 0.1):
        torch.manual_seed(0)
        network = CifarEfficientNet(resolution=32, pretrained=False).eval()
        export_model(network, {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all",
                               "config": {"resolution": 32}}, {}, folder / f"eps{eps:g}")
    return str(folder)


@contextmanager
def streamlit_server(env: dict[str, str]):
    """``streamlit run app.py`` on a free loopback port; yields (base URL, server pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(tempfile.gettempdir()) / f"lslab-load-{port}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log.name}") from None
                time.sleep(0.25)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class PeakRss:
    """Samples a process's RSS every 0.2 s in a thread; ``peak`` is the largest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, rss_mib(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.peak = max(self.peak, rss_mib(self.pid))
            except OSError:
                return

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


# --------------------------------------------------------------------------------------------- sessions
@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {"open": [], "slider": [], "classify": []})
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.times[kind].append(seconds)

    @property
    def actions(self) -> int:
        return sum(len(v) for v in self.times.values())


def png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


async def learner(browser, url: str, number: int, moves: int, think: float, results: Results) -> None:
    """One session: open the explainer, move ε ``moves`` times, open the classifier, upload one image."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    step = "open"
    try:
        await asyncio.sleep(random.uniform(0, 1.0))  # a class does not click in the same millisecond
        start = time.perf_counter()
        await page.goto(f"{url}/target_and_floor?K=10&eps=0.1&spread=all", timeout=ACTION_TIMEOUT_MS)
        await page.wait_for_function(METRIC_IS, arg=f"{entropy_floor(10, 0.1):.4f} nats", polling="raf",
                                     timeout=ACTION_TIMEOUT_MS)
        results.add("open", time.perf_counter() - start)
        thumb = page.get_by_role("group", name="ε, the smoothing strength").get_by_role("slider")
        await thumb.focus()
        for move in range(1, moves + 1):
            step = f"slider move {move}"
            await asyncio.sleep(random.uniform(0, think))
            expected = f"{entropy_floor(10, round(0.1 + 0.01 * move, 2)):.4f} nats"
            start = time.perf_counter()
            await thumb.press("ArrowRight")
            await page.wait_for_function(METRIC_IS, arg=expected, polling="raf", timeout=ACTION_TIMEOUT_MS)
            results.add("slider", time.perf_counter() - start)
        step = "classify"
        await asyncio.sleep(random.uniform(0, think))
        await page.get_by_test_id("stSidebarNav").get_by_text("Classify your images").click()
        await page.get_by_text("Upload images, take a photo").wait_for(timeout=ACTION_TIMEOUT_MS)
        start = time.perf_counter()
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": f"learner{number}.png", "mimeType": "image/png", "buffer": png(number)}])
        await page.get_by_text(re.compile("ms per image")).first.wait_for(timeout=ACTION_TIMEOUT_MS)
        results.add("classify", time.perf_counter() - start)
        if await page.get_by_test_id("stException").count():
            results.errors.append(f"session {number}: an exception box on the classifier page")
    except Exception as error:  # every failure is counted and named, never hidden
        results.errors.append(f"session {number}, {step}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


async def run_level(url: str, sessions: int, moves: int, think: float) -> Results:
    from playwright.async_api import async_playwright

    results = Results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(learner(browser, url, i, moves, think, results) for i in range(sessions)))
        finally:
            await browser.close()
    return results


def warm_up(url: str) -> None:
    """One learner first, so the models are loaded and caches filled before anything is measured."""
    results = asyncio.run(run_level(url, 1, 1, 0.0))
    if results.errors:
        raise RuntimeError(f"warm-up failed: {results.errors}")


# --------------------------------------------------------------------------------------------- report
def percentile_ms(values: list[float], q: float) -> str:
    return f"{np.percentile(np.asarray(values) * 1e3, q):7.0f}" if values else "      –"


def training_running() -> bool:
    return subprocess.run(["pgrep", "-f", "lib.train"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20],
                        help="concurrent sessions per level (default: 5 10 20)")
    parser.add_argument("--moves", type=int, default=5, help="slider moves per session (default: 5)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="longest random pause before each action, seconds (default: 1.0)")
    parser.add_argument("--budget", type=float, default=280.0,
                        help="seconds for the whole run, server start included (default: 280)")
    args = parser.parse_args()
    began = time.monotonic()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    shipped = all((ROOT / "assets" / "models" / name / "model.json").exists() for name in ("eps0", "eps0.1"))
    if not shipped and "LSLAB_MODELS_DIR" not in env:
        env["LSLAB_MODELS_DIR"] = stand_in_models()
    load_before = os.getloadavg()[0]
    print(f"Load test: Chromium sessions against one `streamlit run app.py` on 127.0.0.1; {os.cpu_count()} CPUs "
          f"shared by server and browsers; load average {load_before:.1f} at start; training job "
          f"{'RUNNING (numbers polluted)' if training_running() else 'not running'}; models: "
          f"{'shipped' if shipped else 'random-weight stand-ins'}; {args.moves} slider moves + 1 upload per "
          f"session, pauses up to {args.think:g} s.")

    with streamlit_server(env) as (url, pid):
        idle = rss_mib(pid)
        warm_up(url)
        warm = rss_mib(pid)
        print(f"server RSS: {idle:.0f} MiB idle after start, {warm:.0f} MiB after one warm-up session "
              "(models loaded)\n")
        print(f"{'N':>3} {'actions':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} | {'slider p50':>10} {'p95':>7} | "
              f"{'classify p50':>12} {'p95':>7} | {'open p50':>8} | {'RSS before→after (peak) MiB':>28} | "
              f"{'server CPU':>10} {'per action':>10} {'wall':>6}")
        all_errors: list[str] = []
        for sessions in args.sessions:
            left = args.budget - (time.monotonic() - began)
            if left < 60:
                print(f"{sessions:>3} skipped: {left:.0f} s of the {args.budget:.0f} s budget left")
                continue
            before, cpu_before, start = rss_mib(pid), cpu_seconds(pid), time.perf_counter()
            sampler = PeakRss(pid)
            try:
                results = asyncio.run(asyncio.wait_for(run_level(url, sessions, args.moves, args.think), left - 5))
            except TimeoutError:
                results = Results(errors=[f"level {sessions} ran out of the time budget"])
            peak, wall = sampler.stop(), time.perf_counter() - start
            after, cpu = rss_mib(pid), cpu_seconds(pid) - cpu_before
            every = [t for values in results.times.values() for t in values]
            print(f"{sessions:>3} {results.actions:>7} {len(results.errors):>6} {percentile_ms(every, 50)} "
                  f"{percentile_ms(every, 95)} | {percentile_ms(results.times['slider'], 50):>10} "
                  f"{percentile_ms(results.times['slider'], 95)} | {percentile_ms(results.times['classify'], 50):>12} "
                  f"{percentile_ms(results.times['classify'], 95)} | {percentile_ms(results.times['open'], 50):>8} | "
                  f"{f'{before:.0f} → {after:.0f} ({peak:.0f})':>28} | {cpu:8.1f} s "
                  f"{1e3 * cpu / max(results.actions, 1):7.0f} ms {wall:5.0f} s")
            all_errors += results.errors
    for error in all_errors:
        print("error:", error)
    print(f"\nwhole run {time.monotonic() - began:.0f} s; load average {os.getloadavg()[0]:.1f} at the end "
          "(1-minute). 'p50/p95 ms': all actions of a level; 'server CPU': the server process's user+system time "
          "during the level, 'per action' that divided by the actions (page opens, slider moves, uploads).")
    sys.exit(1 if all_errors else 0)


if __name__ == "__main__":
    main()
