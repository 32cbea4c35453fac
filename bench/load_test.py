"""How many learners one server holds: N sessions at once, each moving a slider and classifying an image.

    python bench/load_test.py [--sessions 5 10 20 40] [--moves 5] [--think 2] [--budget 280] [--client protocol]
    python bench/load_test.py --client browser --sessions 1 3     # the same in real Chromium tabs

Starts ``streamlit run app.py`` on a free loopback port (the repository's config: XSRF on; the shipped
models, or two random-weight stand-ins when they are missing, said in the output), warms it up with one
session, then for each N in ``--sessions`` runs N learners at once. Each learner is one Streamlit session:

1. opens ``/target_and_floor?K=10&eps=0.1`` (``open``);
2. moves the ε slider ``--moves`` times, one step of 0.01 each, after a random pause of up to ``--think``
   seconds, and times each move until the page has updated and shows the new floor (``slider``);
3. switches to the classifier page, uploads a generated 64×64 PNG and times until the prediction is there
   (``classify``: the upload, the rerun and both models).

Two kinds of client:

* ``protocol`` (default): a small client that speaks Streamlit's own websocket protocol (the protobuf
  ``BackMsg``/``ForwardMsg`` the browser's frontend exchanges with the server, the XSRF cookie and token,
  the upload PUT), so 40 learners cost this machine almost nothing and the CPUs go to the server, as they
  would with a class whose browsers run on their own laptops. A response time runs from sending the
  rerun request to the server's "script finished" message, every element of the new page received.
* ``browser``: real Chromium contexts through Playwright (focus the thumb, press ArrowRight, wait for the
  floor metric; upload through the file input, wait for the prediction), timed to the visible result.
  Here the browsers share the 2 CPUs with the server and dominate them (a tab renders the page's plotly
  figures on every move), so use it for end-to-end checks at small N, not for capacity.

Errors are failed or timed-out actions, a wrong floor after a move, and Streamlit exception elements;
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

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.classifier.image_io import ACCEPTED_FORMATS  # noqa: E402
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


def floor_text(eps: float) -> str:
    return f"{entropy_floor(10, eps):.4f} nats"


class ProtocolSession:
    """One Streamlit session driven over the websocket protocol the browser's frontend speaks.

    ``/_stcore/health`` sets the XSRF cookie; the websocket carries it as a cookie and as its token
    (second subprotocol entry); each rerun request is a ``BackMsg`` with the client state (page, query
    string, widget values) and is answered by ``ForwardMsg``s up to ``script_finished``. Like the browser,
    the session keeps the query string the server writes (``page_info_changed``) and sends it back.
    """

    def __init__(self, url: str) -> None:
        import requests

        self.url, self.http = url, requests.Session()
        self.query, self.pages, self.session_id, self.widgets = "", {}, "", {}

    async def connect(self) -> None:
        import websockets

        await asyncio.to_thread(self.http.get, f"{self.url}/_stcore/health", timeout=30)
        self.xsrf = self.http.cookies.get("_streamlit_xsrf", "")
        self.ws = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit", self.xsrf],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}", "Origin": self.url}, max_size=None,
            open_timeout=60, ping_interval=None)

    async def close(self) -> None:
        await self.ws.close()

    async def _receive_until_finished(self, want: bytes | None) -> bool:
        """Read ForwardMsgs to the end of the run; True if ``want`` was in one. An exception element raises."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        found = want is None
        while True:
            raw = await self.ws.recv()
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            found = found or want in raw
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                widget = getattr(element, element.WhichOneof("type"))
                if element.WhichOneof("type") == "exception":
                    raise RuntimeError(f"exception on the page: {element.exception.message[:80]}")
                if getattr(widget, "id", ""):
                    self.widgets[getattr(widget, "label", "")] = widget.id
            elif kind == "script_finished" and message.script_finished != 2:  # 2: stopped early for a rerun
                return found

    async def rerun(self, page: str, *, query: str | None = None, set_widget=None, want: bytes | None = None) -> bool:
        """Ask for a rerun of ``page`` (with ``set_widget(widget_states)`` filling in a changed value); wait for it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query if query is None else query
        if page in self.pages:
            state.page_script_hash = self.pages[page]
        else:
            state.page_name = page
        if set_widget is not None:
            set_widget(state.widget_states.widgets.add())
        await self.ws.send(message.SerializeToString())
        return await self._receive_until_finished(want)

    async def upload(self, page: str, label: str, name: str, data: bytes, want: bytes) -> bool:
        """What the file uploader does: ask for an upload URL, PUT the file with the XSRF header, rerun with it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        request = BackMsg()
        request.file_urls_request.request_id = "upload"
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self.ws.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.ws.recv())
            if message.WhichOneof("type") == "file_urls_response":
                urls = message.file_urls_response.file_urls[0]
                break
        response = await asyncio.to_thread(
            self.http.put, self.url + urls.upload_url, files={"file": (name, data, "image/png")},
            headers={"X-Xsrftoken": self.xsrf}, timeout=60)
        if response.status_code != 204:
            raise RuntimeError(f"upload refused with HTTP {response.status_code}")

        def attach(widget) -> None:
            widget.id = self.widgets[label]
            info = widget.file_uploader_state_value.uploaded_file_info.add()
            info.name, info.size, info.file_id = name, len(data), urls.file_id
            info.file_urls.CopyFrom(urls)

        return await self.rerun(page, set_widget=attach, want=want)


async def protocol_learner(url: str, number: int, moves: int, think: float, results: Results) -> None:
    session, step = ProtocolSession(url), "connect"
    try:
        await asyncio.sleep(random.uniform(0, think))  # a class does not click in the same millisecond
        await session.connect()
        step = "open"
        start = time.perf_counter()
        if not await session.rerun("target_and_floor", query="K=10&eps=0.1&spread=all", want=floor_text(0.1).encode()):
            raise RuntimeError("the page opened without the worked example's floor")
        results.add("open", time.perf_counter() - start)
        for move in range(1, moves + 1):
            step = f"slider move {move}"
            await asyncio.sleep(random.uniform(0, think))
            eps = round(0.1 + 0.01 * move, 2)

            def move_eps(widget, eps=eps) -> None:
                widget.id = session.widgets["ε, the smoothing strength"]
                widget.double_array_value.data.append(eps)

            start = time.perf_counter()
            if not await session.rerun("target_and_floor", set_widget=move_eps, want=floor_text(eps).encode()):
                raise RuntimeError(f"the floor for ε = {eps} did not appear")
            results.add("slider", time.perf_counter() - start)
        step = "classify"
        await asyncio.sleep(random.uniform(0, think))
        start = time.perf_counter()
        await session.rerun("classify")
        results.add("open", time.perf_counter() - start)
        start = time.perf_counter()
        if not await session.upload("classify", UPLOAD_LABEL, f"learner{number}.png", png(number), b"ms per image"):
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
            results.add("slider", time.perf_counter() - start)
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


async def run_level(url: str, sessions: int, moves: int, think: float, client: str) -> Results:
    results = Results()
    if client == "protocol":
        await asyncio.gather(*(protocol_learner(url, i, moves, think, results) for i in range(sessions)))
        return results
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(browser_learner(browser, url, i, moves, think, results) for i in range(sessions)))
        finally:
            await browser.close()
    return results


def warm_up(url: str, client: str) -> None:
    """One learner first, so the models are loaded and caches filled before anything is measured."""
    results = asyncio.run(run_level(url, 1, 1, 0.0, client))
    if results.errors:
        raise RuntimeError(f"warm-up failed: {results.errors}")


# --------------------------------------------------------------------------------------------- report
def ms_cell(values: list[float], q: float) -> str:
    """A table cell: the ``q``-th percentile of ``values`` (seconds) in whole milliseconds, or a dash."""
    return f"{percentile_ms(values, q):7.0f}" if values else "      –"


def training_running() -> bool:
    return subprocess.run(["pgrep", "-f", "lib.cifar.train"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20, 40],
                        help="concurrent sessions per level (default: 5 10 20 40)")
    parser.add_argument("--moves", type=int, default=5, help="slider moves per session (default: 5)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="longest random pause before each action, seconds (default: 2)")
    parser.add_argument("--url", help="measure a running deployment (e.g. replicas behind nginx) instead of "
                        "starting a server; no server memory or CPU then")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol",
                        help="Streamlit's websocket protocol without a browser (default), or Chromium tabs")
    parser.add_argument("--budget", type=float, default=280.0,
                        help="seconds for the whole run, server start included (default: 280)")
    args = parser.parse_args()
    # This bench drives Streamlit's ε slider (its widget protocol, or the browser's keys on it):
    # the pages' Streamlit-slider path, one rerun per move (ui/explorable.py). The live explorable reruns only
    # when ε settles; bench/bench_explorable.py measures it in the browser.
    os.environ["LSLAB_LIVE_FIGURES"] = "0"
    began = time.monotonic()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    shipped = all((ROOT / "assets" / "models" / name / "model.json").exists() for name in ("eps0", "eps0.1"))
    if not shipped and "LSLAB_MODELS_DIR" not in env:
        env["LSLAB_MODELS_DIR"] = stand_in_models()
    load_before = os.getloadavg()[0]
    clients = ("protocol clients (no browser)" if args.client == "protocol"
               else "Chromium tabs, sharing the CPUs with the server")
    target = args.url or "one `streamlit run app.py` on 127.0.0.1"
    print(f"Load test: {clients} against {target}; {os.cpu_count()} CPUs; "
          f"load average {load_before:.1f} at start; training job "
          f"{'RUNNING (numbers polluted)' if training_running() else 'not running'}; models: "
          f"{'shipped' if shipped else 'random-weight stand-ins'}; {args.moves} slider moves + 1 upload per "
          f"session, pauses up to {args.think:g} s.")

    with (external(args.url) if args.url else streamlit_server(env)) as (url, pid):
        idle = rss_mib(pid) if pid else float("nan")
        warm_up(url, args.client)
        if pid:
            print(f"server RSS: {idle:.0f} MiB idle after start, {rss_mib(pid):.0f} MiB after one warm-up session "
                  "(models loaded)\n")
        else:
            print(f"measuring {url}: server memory and CPU are not visible from here\n")
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
            sampler = PeakRss(pid) if pid else None
            try:
                results = asyncio.run(asyncio.wait_for(run_level(url, sessions, args.moves, args.think, args.client),
                                                     left - 5))
            except TimeoutError:
                results = Results(errors=[f"level {sessions} ran out of the time budget"])
            peak, wall = (sampler.stop() if sampler else float("nan")), time.perf_counter() - start
            after, cpu = rss_mib(pid), cpu_seconds(pid) - cpu_before
            every = [t for values in results.times.values() for t in values]
            print(f"{sessions:>3} {results.actions:>7} {len(results.errors):>6} {ms_cell(every, 50)} "
                  f"{ms_cell(every, 95)} | {ms_cell(results.times['slider'], 50):>10} "
                  f"{ms_cell(results.times['slider'], 95)} | {ms_cell(results.times['classify'], 50):>12} "
                  f"{ms_cell(results.times['classify'], 95)} | {ms_cell(results.times['open'], 50):>8} | "
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
