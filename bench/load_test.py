"""How many learners one server holds: N sessions at once, each moving ε and K and classifying an image.

    python bench/load_test.py [--sessions 5 10 20 40] [--moves 5] [--k-moves 2] [--think 2] [--path live streamlit]
                              [--sweep 5] [--budget 600] [--client protocol]
    python bench/load_test.py --client browser --sessions 1 3     # the Streamlit-slider path in real Chromium tabs

For each path in ``--path`` — ``live``, the explainer's default (the explorable component, ui/explorable.py), and
``streamlit``, the Streamlit-slider path (``LSLAB_LIVE_FIGURES=0``) kept as the comparison row — starts
``streamlit run app.py`` on a free loopback port (the repository's config: XSRF on; the shipped models, or two
random-weight stand-ins when they are missing, said in the output), warms it up with one session, then for each
N in ``--sessions`` runs N learners at once. Each learner is one Streamlit session:

1. opens ``/target_and_floor?K=10&eps=0.1`` (``open``);
2. moves ε ``--moves`` times (0.11, 0.12, …), after a random pause of up to ``--think`` seconds each, and times
   each move until the page has rerun and the server has written the new ε into the URL (``ε``). On the live
   path a move is what the browser sends when the explorable's slider settles: the component's state
   ``{"eps": 0.11}``; on the Streamlit path it is the ε slider's value, and the new floor metric must be there too;
3. moves K ``--k-moves`` times to random stops of the K select_slider (``K``: the rerun that builds or looks up
   the new K's tables);
4. switches to the classifier page, uploads a generated 64×64 PNG and times until the prediction is there
   (``classify``: the upload, the rerun and both models).

Then, unless ``--sweep 0``, the K sweep of issue 23: ``--sweep`` learners (5) move ε on the target page, six moves
each alone, then on while one more learner sweeps K on the loss-curves page through 40 stops, each move sent as
soon as the last one finished. Printed: the others' ε p95 alone and during the sweep (target: at most
max(3 × alone, 150 ms)), and the server's memory growth during the sweep (target: at most 300 MiB).

Two kinds of client:

* ``protocol`` (default): :mod:`tests/protocol_client.py`, a small client that speaks Streamlit's own websocket
  protocol (the protobuf ``BackMsg``/``ForwardMsg`` the browser's frontend exchanges with the server, the XSRF
  cookie and token, the upload PUT), so 40 learners cost this machine almost nothing and the CPUs go to the
  server, as they would with a class whose browsers run on their own laptops. A response time runs from
  sending the rerun request to the server's "script finished" message, every element of the new page received.
* ``browser``: real Chromium contexts through Playwright (focus the thumb, press ArrowRight, wait for the
  floor metric; upload through the file input, wait for the prediction), timed to the visible result, on the
  Streamlit-slider path only (no K moves). Here the browsers share the 2 CPUs with the server and dominate them,
  so use it for end-to-end checks at small N, not for capacity.

Errors are failed or timed-out actions, a page that did not follow a move, and Streamlit exception elements;
they must be 0. Server memory is the RSS of the server process (/proc/PID/status) before each level,
after it and its peak; server CPU is the process's user+system time during the level. The whole run is
bounded by ``--budget`` seconds: a level that would start with less than a minute left is skipped.
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
from urllib.parse import parse_qs

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))

from protocol_client import EPS_LABEL, ProtocolSession  # noqa: E402

from lib.classifier.image_io import ACCEPTED_FORMATS  # noqa: E402
from lib.digits import nats  # noqa: E402
from lib.explainer.url_state import K_STOPS  # noqa: E402
from lib.smoothing import entropy_floor  # noqa: E402
from lib.timing import percentile_ms  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ACTION_TIMEOUT_MS = 90_000


# --------------------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int | None) -> float:
    """Resident memory of process ``pid`` in MiB, from /proc/PID/status (VmRSS); NaN without a pid."""
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of process ``pid`` so far (all its threads), from /proc/PID/stat; NaN without a pid."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stand_in_models() -> str:
    """Two random-weight models in the shipped format, for a machine without the trained ones."""
    import torch

    from lib.cifar.data import CLASSES
    from lib.cifar.model import export_model
    from lib.cifar.network import CifarEfficientNet

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


@contextmanager
def external(url: str):
    """A deployment someone else runs: its URL, and no process to watch."""
    yield url.rstrip("/"), None


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
    times: dict[str, list[float]] = field(default_factory=lambda: {"open": [], "eps": [], "K": [], "classify": []})
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


def floor_text(eps: float) -> str:
    """The floor as the page writes it (lib.digits: 0.618 nats, not 0.6180)."""
    return nats(entropy_floor(10, eps))


OPEN_QUERY = "K=10&eps=0.1&spread=all"
PAGE_PREFIX = {"target_and_floor": "floor", "loss_curves": "curves"}  # the explainer pages' widget-key prefixes


def eps_of_move(move: int) -> float:
    """The ε of a learner's ``move``-th move: 0.11, 0.12, …, 0.20, 0.11, … (each differs from the one before)."""
    return round(0.1 + 0.01 * ((move - 1) % 10 + 1), 2)


def shown(session: ProtocolSession) -> dict[str, str]:
    """The explainer's parameters in the address the server last wrote for ``session``."""
    return {name: values[-1] for name, values in parse_qs(session.query).items()}


async def move_eps(session: ProtocolSession, path: str, page: str, eps: float) -> None:
    """One ε move as the browser sends it: on the live path the explorable's settled state (its component
    state ``{"eps": …}``), on the Streamlit path the ε slider's value. Checked: no exception, the URL the server
    writes names the new ε, and on the Streamlit path the floor metric for it is in the answer."""
    prefix = PAGE_PREFIX[page]
    if path == "live":
        run = await session.rerun(page, set_widget=session.settled_eps(prefix, eps))
    else:
        run = await session.rerun(page, set_widget=session.slider(EPS_LABEL, eps),
                                  want=floor_text(eps).encode() if page == "target_and_floor" else None)
    if run.exceptions:
        raise RuntimeError(f"exception on the page: {run.exceptions[0][:80]}")
    if not run.found or float(shown(session).get("eps", "nan")) != eps:
        raise RuntimeError(f"the page did not follow ε = {eps}")


async def move_k(session: ProtocolSession, page: str, K: int) -> None:
    """One K move: the K select_slider to the stop ``K`` (the same widget on both paths)."""
    run = await session.rerun(page, set_widget=session.select_slider(f"{PAGE_PREFIX[page]}_k", str(K)))
    if run.exceptions:
        raise RuntimeError(f"exception on the page: {run.exceptions[0][:80]}")
    if shown(session).get("K") != str(K):
        raise RuntimeError(f"the page did not follow K = {K}")


async def open_explainer(session: ProtocolSession, page: str = "target_and_floor", query: str = OPEN_QUERY) -> None:
    await session.connect()
    run = await session.rerun(page, query=query)
    if run.exceptions:
        raise RuntimeError(f"exception on the page: {run.exceptions[0][:80]}")
    if f"{PAGE_PREFIX[page]}_k" not in session.widgets:
        raise RuntimeError("the page opened without its K slider")


async def protocol_learner(url: str, number: int, moves: int, k_moves: int, think: float, path: str,
                           results: Results) -> None:
    session, step = ProtocolSession(url), "connect"
    stops = random.Random(number).sample([k for k in K_STOPS if k != 10], k_moves)
    try:
        await asyncio.sleep(random.uniform(0, think))  # a class does not click in the same millisecond
        step = "open"
        start = time.perf_counter()
        await open_explainer(session)
        results.add("open", time.perf_counter() - start)
        for move in range(1, moves + 1):
            step = f"ε move {move}"
            await asyncio.sleep(random.uniform(0, think))
            start = time.perf_counter()
            await move_eps(session, path, "target_and_floor", eps_of_move(move))
            results.add("eps", time.perf_counter() - start)
        for move, K in enumerate(stops, 1):
            step = f"K move {move}"
            await asyncio.sleep(random.uniform(0, think))
            start = time.perf_counter()
            await move_k(session, "target_and_floor", K)
            results.add("K", time.perf_counter() - start)
        step = "classify"
        await asyncio.sleep(random.uniform(0, think))
        start = time.perf_counter()
        await session.rerun("classify")
        results.add("open", time.perf_counter() - start)
        start = time.perf_counter()
        run = await session.upload("classify", UPLOAD_LABEL, f"learner{number}.png", png(number), b"ms per image")
        if run.exceptions or not run.found:
            raise RuntimeError("no prediction after the upload")
        results.add("classify", time.perf_counter() - start)
    except Exception as error:  # every failure is counted and named, never hidden
        results.errors.append(f"session {number}, {step}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        if hasattr(session, "ws"):
            await session.close()


UPLOAD_LABEL = f"Images: {ACCEPTED_FORMATS}, several at once"  # pages/classify.py
METRIC_IS = """(expected) => {
  const el = document.querySelector('[data-testid="stMetricValue"]');
  return el !== null && el.textContent.trim() === expected;
}"""


async def browser_learner(browser, url: str, number: int, moves: int, think: float, results: Results) -> None:
    """The same learner in a real Chromium context: keyboard on the slider, the file input for the upload."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    step = "open"
    try:
        await asyncio.sleep(random.uniform(0, think))
        start = time.perf_counter()
        await page.goto(f"{url}/target_and_floor?K=10&eps=0.1&spread=all")
        await page.wait_for_function(METRIC_IS, arg=floor_text(0.1), polling="raf")
        results.add("open", time.perf_counter() - start)
        thumb = page.get_by_role("group", name="ε, the smoothing strength").get_by_role("slider")
        await thumb.focus()
        for move in range(1, moves + 1):
            step = f"slider move {move}"
            await asyncio.sleep(random.uniform(0, think))
            start = time.perf_counter()
            await thumb.press("ArrowRight")
            await page.wait_for_function(METRIC_IS, arg=floor_text(round(0.1 + 0.01 * move, 2)), polling="raf")
            results.add("eps", time.perf_counter() - start)
        step = "classify"
        await asyncio.sleep(random.uniform(0, think))
        start = time.perf_counter()
        await page.get_by_test_id("stSidebarNav").get_by_text("Classify your images").click()
        await page.get_by_text("Upload images, take a photo").wait_for()
        results.add("open", time.perf_counter() - start)
        start = time.perf_counter()
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": f"learner{number}.png", "mimeType": "image/png", "buffer": png(number)}])
        await page.get_by_text(re.compile("ms per image")).first.wait_for()
        results.add("classify", time.perf_counter() - start)
        if await page.get_by_test_id("stException").count():
            results.errors.append(f"session {number}: an exception box on the classifier page")
    except Exception as error:
        results.errors.append(f"session {number}, {step}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


async def run_level(url: str, sessions: int, moves: int, k_moves: int, think: float, client: str, path: str
                    ) -> Results:
    results = Results()
    if client == "protocol":
        await asyncio.gather(*(protocol_learner(url, i, moves, k_moves, think, path, results)
                               for i in range(sessions)))
        return results
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(browser_learner(browser, url, i, moves, think, results) for i in range(sessions)))
        finally:
            await browser.close()
    return results


def warm_up(url: str, client: str, path: str) -> None:
    """One learner first, so the models are loaded and caches filled before anything is measured."""
    results = asyncio.run(run_level(url, 1, 1, 1, 0.0, client, path))
    if results.errors:
        raise RuntimeError(f"warm-up failed: {results.errors}")


# --------------------------------------------------------------------------------------------- K sweep
SWEEP_PAGE = "loss_curves"  # the page with the larger per-K tables
SWEEP_STOPS = [*K_STOPS[1:], *K_STOPS[-2:-7:-1]]  # from K = 2 up every stop to 1000, then 5 back down: 40 moves


@dataclass
class Sweep:
    alone: list[float] = field(default_factory=list)  # the others' ε moves before the sweep
    during: list[float] = field(default_factory=list)  # and while it runs
    k_moves: list[float] = field(default_factory=list)  # the sweeper's
    errors: list[str] = field(default_factory=list)


async def sweep_scenario(url: str, path: str, others: int, alone_moves: int, think: float, pid: int | None
                         ) -> tuple[Sweep, float, float, float]:
    """``others`` learners move ε on the target page (``alone_moves`` each, pauses up to ``think``); then one
    learner sweeps K through :data:`SWEEP_STOPS` on the loss-curves page, each move sent as soon as the last one
    finished, while the others keep moving ε until the sweep ends. Returns the times and the server's RSS before
    the sweep, after it and its peak (MiB)."""
    sweep, sweeping, swept = Sweep(), asyncio.Event(), asyncio.Event()
    sessions = [ProtocolSession(url) for _ in range(others)]
    sweeper = ProtocolSession(url)
    await asyncio.gather(*(open_explainer(session) for session in sessions),
                         open_explainer(sweeper, SWEEP_PAGE, f"K={K_STOPS[0]}&eps=0.1&spread=all"))

    async def other(number: int, session: ProtocolSession) -> None:
        move = 0
        try:
            while not swept.is_set() and (sweeping.is_set() or move < alone_moves):
                move += 1
                await asyncio.sleep(random.uniform(0, think))
                during = sweeping.is_set()
                start = time.perf_counter()
                await move_eps(session, path, "target_and_floor", eps_of_move(move))
                elapsed = time.perf_counter() - start
                if during and not swept.is_set():
                    sweep.during.append(elapsed)
                elif not during:
                    sweep.alone.append(elapsed)
                if not sweeping.is_set() and move >= alone_moves:
                    await sweeping.wait()  # alone: done; now wait for the sweep, then move again
        except Exception as error:
            sweep.errors.append(f"other {number}, ε move {move}: {type(error).__name__}: {error}")

    async def sweep_k() -> tuple[float, float, float]:
        while len(sweep.alone) < others * alone_moves and not sweep.errors:
            await asyncio.sleep(0.05)
        before, sampler = rss_mib(pid), PeakRss(pid) if pid else None
        sweeping.set()
        try:
            for K in SWEEP_STOPS:
                start = time.perf_counter()
                await move_k(sweeper, SWEEP_PAGE, K)
                sweep.k_moves.append(time.perf_counter() - start)
        except Exception as error:
            sweep.errors.append(f"sweeper, K = {K}: {type(error).__name__}: {error}")
        finally:
            swept.set()
        peak = sampler.stop() if sampler else float("nan")
        return before, rss_mib(pid), peak

    *_, memory = await asyncio.gather(*(other(i, s) for i, s in enumerate(sessions)), sweep_k())
    await asyncio.gather(*(s.close() for s in [*sessions, sweeper]))
    return (sweep, *memory)


# --------------------------------------------------------------------------------------------- report
def ms_cell(values: list[float], q: float) -> str:
    """A table cell: the ``q``-th percentile of ``values`` (seconds) in whole milliseconds, or a dash."""
    return f"{percentile_ms(values, q):7.0f}" if values else "      –"


def training_running() -> bool:
    return subprocess.run(["pgrep", "-f", "lib.cifar.train"], capture_output=True).returncode == 0


HEADER = (f"{'path':>9} {'N':>3} {'actions':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} | {'ε p50':>7} {'p95':>7} | "
          f"{'K p50':>7} {'p95':>7} | {'classify p50':>12} {'p95':>7} | {'open p50':>8} | "
          f"{'RSS before→after (peak) MiB':>28} | {'server CPU':>10} {'per action':>10} {'wall':>6}")


def run_levels(args: argparse.Namespace, path: str, url: str, pid: int | None, began: float) -> list[str]:
    """The levels of ``--sessions`` on one server; prints a row per level and returns the errors."""
    errors: list[str] = []
    for sessions in args.sessions:
        left = args.budget - (time.monotonic() - began)
        if left < 60:
            print(f"{path:>9} {sessions:>3} skipped: {left:.0f} s of the {args.budget:.0f} s budget left")
            continue
        before, cpu_before, start = rss_mib(pid), cpu_seconds(pid), time.perf_counter()
        sampler = PeakRss(pid) if pid else None
        try:
            results = asyncio.run(asyncio.wait_for(
                run_level(url, sessions, args.moves, args.k_moves, args.think, args.client, path), left - 5))
        except TimeoutError:
            results = Results(errors=[f"level {sessions} ran out of the time budget"])
        peak, wall = (sampler.stop() if sampler else float("nan")), time.perf_counter() - start
        after, cpu = rss_mib(pid), cpu_seconds(pid) - cpu_before
        every = [t for values in results.times.values() for t in values]
        times = results.times
        print(f"{path:>9} {sessions:>3} {results.actions:>7} {len(results.errors):>6} {ms_cell(every, 50)} "
              f"{ms_cell(every, 95)} | {ms_cell(times['eps'], 50)} {ms_cell(times['eps'], 95)} | "
              f"{ms_cell(times['K'], 50)} {ms_cell(times['K'], 95)} | {ms_cell(times['classify'], 50):>12} "
              f"{ms_cell(times['classify'], 95)} | {ms_cell(times['open'], 50):>8} | "
              f"{f'{before:.0f} → {after:.0f} ({peak:.0f})':>28} | {cpu:8.1f} s "
              f"{1e3 * cpu / max(results.actions, 1):7.0f} ms {wall:5.0f} s", flush=True)
        errors += [f"{path}, N = {sessions}: {error}" for error in results.errors]
    return errors


def report_sweep(path: str, sweep: Sweep, before: float, after: float, peak: float, others: int) -> list[str]:
    alone, during = percentile_ms(sweep.alone, 95), percentile_ms(sweep.during, 95)
    bound = max(3 * alone, 150.0)
    print(f"{path:>9} | others' ε p95 alone {alone:5.0f} ms ({len(sweep.alone)} moves), during the sweep "
          f"{during:5.0f} ms ({len(sweep.during)} moves); target ≤ {bound:.0f} ms "
          f"({'met' if during <= bound else 'NOT met'}) | sweeper's K p50 {percentile_ms(sweep.k_moves, 50):4.0f} "
          f"p95 {percentile_ms(sweep.k_moves, 95):4.0f} ms over {len(sweep.k_moves)} moves | server RSS "
          f"{before:.0f} → {after:.0f} MiB (peak {peak:.0f}), growth {peak - before:+.0f} MiB; target ≤ 300 "
          f"({'met' if peak - before <= 300 else 'NOT met'}) | {others} others, {len(sweep.errors)} errors",
          flush=True)
    return [f"{path}, sweep: {error}" for error in sweep.errors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20, 40],
                        help="concurrent sessions per level (default: 5 10 20 40)")
    parser.add_argument("--moves", type=int, default=5, help="ε moves per session (default: 5)")
    parser.add_argument("--k-moves", type=int, default=2, help="K moves per session, to random stops (default: 2)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="longest random pause before each action, seconds (default: 2)")
    parser.add_argument("--path", choices=("live", "streamlit"), nargs="+", default=["live", "streamlit"],
                        help="the explainer's live path (the component; the default) and/or the Streamlit-slider "
                        "path (LSLAB_LIVE_FIGURES=0), each on a server of its own (default: both)")
    parser.add_argument("--sweep", type=int, default=5, metavar="OTHERS",
                        help="after the levels, one learner sweeps K through 40 stops while OTHERS learners move ε "
                        "(default: 5; 0: no sweep)")
    parser.add_argument("--url", help="measure a running deployment (e.g. replicas behind nginx) instead of "
                        "starting a server; no server memory or CPU then (and one --path: the deployment's)")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol",
                        help="Streamlit's websocket protocol without a browser (default), or Chromium tabs "
                        "(the Streamlit-slider path only)")
    parser.add_argument("--budget", type=float, default=600.0,
                        help="seconds for the whole run, server starts included (default: 600)")
    args = parser.parse_args()
    paths = ["streamlit"] if args.client == "browser" else args.path
    if args.url:
        paths = paths[:1]
    began = time.monotonic()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    shipped = all((ROOT / "assets" / "models" / name / "model.json").exists() for name in ("eps0", "eps0.1"))
    if not shipped and "LSLAB_MODELS_DIR" not in env:
        env["LSLAB_MODELS_DIR"] = stand_in_models()
    load_before = os.getloadavg()[0]
    clients = ("protocol clients (no browser)" if args.client == "protocol"
               else "Chromium tabs, sharing the CPUs with the server")
    target = args.url or "one `streamlit run app.py` per path on 127.0.0.1"
    print(f"Load test: {clients} against {target}; {os.cpu_count()} CPUs; "
          f"load average {load_before:.1f} at start; training job "
          f"{'RUNNING (numbers polluted)' if training_running() else 'not running'}; models: "
          f"{'shipped' if shipped else 'random-weight stand-ins'}; per session {args.moves} ε moves, "
          f"{args.k_moves} K moves and 1 upload, pauses up to {args.think:g} s; paths: {', '.join(paths)}.")

    all_errors: list[str] = []
    sweeps: list[tuple] = []
    for path in paths:
        path_env = {**env, "LSLAB_LIVE_FIGURES": "1" if path == "live" else "0"}
        with (external(args.url) if args.url else streamlit_server(path_env)) as (url, pid):
            idle = rss_mib(pid) if pid else float("nan")
            warm_up(url, args.client, path)
            if pid:
                print(f"\n{path} path: server RSS {idle:.0f} MiB idle after start, {rss_mib(pid):.0f} MiB after one "
                      "warm-up session (models loaded)")
            else:
                print(f"\n{path} path: measuring {url}: server memory and CPU are not visible from here")
            print(HEADER)
            all_errors += run_levels(args, path, url, pid, began)
            if args.sweep and args.client == "protocol":
                left = args.budget - (time.monotonic() - began)
                if left < 60:
                    print(f"{path:>9} sweep skipped: {left:.0f} s of the budget left")
                    continue
                try:
                    sweeps.append((path, *asyncio.run(asyncio.wait_for(
                        sweep_scenario(url, path, args.sweep, 6, min(args.think, 0.5), pid), left - 5))))
                except TimeoutError:
                    all_errors.append(f"{path}, sweep: ran out of the time budget")
    if sweeps:
        print(f"\nK sweep: one learner moves K on the {SWEEP_PAGE} page through {len(SWEEP_STOPS)} stops "
              f"(from K = {K_STOPS[0]}: {SWEEP_STOPS[0]}, …, {K_STOPS[-1]}, then back to {SWEEP_STOPS[-1]}), "
              "each move sent as soon as the "
              "last finished, while the others move ε on the target page (pauses up to 0.5 s); growth: peak "
              "RSS during the sweep minus RSS at its start.")
        for path, sweep, before, after, peak in sweeps:
            all_errors += report_sweep(path, sweep, before, after, peak, args.sweep)
    for error in all_errors:
        print("error:", error)
    print(f"\nwhole run {time.monotonic() - began:.0f} s; load average {os.getloadavg()[0]:.1f} at the end "
          "(1-minute). 'p50/p95 ms': all actions of a level; 'ε': a settled ε move (live: the explorable's "
          "component state; streamlit: the slider), 'K': a move of the K slider to another stop; 'server CPU': "
          "the server process's user+system time during the level, 'per action' that divided by the actions.")
    sys.exit(1 if all_errors else 0)


if __name__ == "__main__":
    main()
