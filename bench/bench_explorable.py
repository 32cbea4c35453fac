"""What a learner waits on the explainer pages, in Chromium: the live SVG figures beside Streamlit's slider path.

    python bench/bench_explorable.py [--presses 12] [--k-moves 8] [--before a3f01d3]

Two servers run side by side from the repository root: the app as shipped (the live explorable, SVG figures
drawn by ``ui/svgfig.js``) and the same app with ``LSLAB_LIVE_FIGURES=0`` (Streamlit's own ε slider, plotly
charts and metrics, one rerun per move). On both explainer pages, in both, it measures:

* **drag**: 60 mouse moves sent back to back across the ε track; the animation frames in which a figure
  changed, per second of actual drag time. Beside it, in the same run, a *bare page*: a range input that redraws
  one 300-point SVG path on every input event. Its rate is what the DevTools protocol delivers here (a real mouse
  sends a move per frame); the app's rate is given as a share of it.
* **key → floor number, key → figures settled**: ``--presses`` ArrowRight presses on ε, one at a time, from the
  keydown to the first change of the floor number on screen and to the last change of any figure (the page is
  watched until nothing changed for a second). Median and max.
* **K → figures settled**: ``--k-moves`` ArrowRight presses on the K slider (one stop each), from the keydown to
  the last change of any figure; with the server's CPU time per move (``/proc``: user + system) and the bytes
  the browser received per move (HTTP + websocket frames, from the DevTools protocol).
* **empty cache**: a fresh browser context opens the page: navigation → first figure drawn, and the bytes
  received until then (HTTP bodies as sent, websocket frames).

``--before REF`` adds a third path: the app at the git commit ``REF`` (checked out into a temporary worktree and
served from there), live figures on, so a change is measured beside the code before it in the same run.

Prints numbers and the load average beside them (the machine is shared: compare the paths within one run, not
runs with each other). No thresholds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import _healthy, free_port, launch_chromium, running_streamlit, wait_for_idle  # noqa: E402

PAGES = {"target_and_floor": "Target & floor", "loss_curves": "Loss curves"}
START = "?K=10&eps=0.1&spread=all"
# The first figure drawn: an SVG figure laid out, or a plotly chart (the Streamlit path, and the live path before
# the SVG figures, which drew with plotly.js inside the same component).
LIVE_FIGURE = ".lslab-svg[data-plot], .lslab-figure .main-svg"
PLOTLY_FIGURE = ".js-plotly-plot .main-svg"

# Records, in the page, when a key went down, when the floor text changed, and in which animation frames a figure
# changed (any mutation inside an SVG figure or a plotly chart). Kept light: one observer, no record walking
# beyond finding the figure an element belongs to.
WATCH = """
([floorSelector, floorText]) => {
  const w = window.__bench = {keydown: [], floor: [], figure: [], frames: new Set(), frame: 0};
  document.addEventListener('keydown', () => w.keydown.push(performance.now()), true);
  const tick = () => { w.frame += 1; requestAnimationFrame(tick); };
  tick();
  const floorNow = () => {
    const floor = [...document.querySelectorAll(floorSelector)].find(e => e.textContent.includes(floorText));
    return floor ? floor.textContent : null;
  };
  let last = floorNow();
  const inFigure = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return el && el.closest && (el.closest('.lslab-svg') || el.closest('.js-plotly-plot')
                                || el.closest('.lslab-figure'));
  };
  new MutationObserver((records) => {
    const text = floorNow();
    if (text !== last) { last = text; w.floor.push(performance.now()); }
    for (const r of records) {
      if (inFigure(r.target)) { w.figure.push(performance.now()); w.frames.add(w.frame); break; }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""

# The bare page: what one SVG path redrawn on every input event costs here, to set the drag rate against.
BARE = """<!doctype html><html><body style="margin:40px;font-family:sans-serif">
<input id="s" type="range" min="0" max="99" value="10" style="width:900px" aria-label="eps">
<svg width="900" height="300"><path id="p" fill="none" stroke="blue" stroke-width="2"/></svg>
<script>
const s = document.getElementById('s'), p = document.getElementById('p');
const draw = () => { const a = +s.value / 99; let d = '';
  for (let i = 0; i < 300; i++)
    d += (i ? 'L' : 'M') + (i * 3) + ',' + (150 - 140 * Math.sin(i / 30 + a * 6)).toFixed(1);
  p.setAttribute('d', d); };
s.addEventListener('input', draw); draw();
</script></body></html>"""


def floor_target(page_name: str, live: bool) -> tuple[str, str]:
    """CSS selector of the element holding the floor number, and a text it contains."""
    if page_name == "target_and_floor":
        return ("[data-testid=lslabMetricValue]" if live else "[data-testid=stMetricValue]"), "nats"
    return (".lslab-caption" if live else "[data-testid=stCaptionContainer]"), "the floor"


def eps_slider(page, live: bool):
    if live:
        return page.get_by_role("slider", name="ε, the smoothing strength")
    return page.get_by_role("group", name="ε, the smoothing strength").get_by_role("slider")


def k_slider(page):
    return page.get_by_test_id("stSlider").filter(has_text="K, the number of classes").get_by_role("slider")


def open_page(browser, url: str, page_name: str, live: bool, context=None):
    page = (context or browser).new_page(viewport={"width": 1300, "height": 1000})
    page.goto(f"{url}/{page_name}{START}")
    page.locator(LIVE_FIGURE if live else PLOTLY_FIGURE).first.wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    page.wait_for_timeout(1000)
    return page


def quiet(page, since_ms: float = 1000, limit_ms: float = 30_000, changed: bool = False) -> None:
    """Wait until no figure and no floor text changed for ``since_ms`` (with ``changed``, until a figure has
    changed at all: a slow rerun can take longer than the quiet window)."""
    need = "w.figure.length > 0 && " if changed else ""
    page.wait_for_function(
        f"() => {{ const w = window.__bench; const last = Math.max(w.figure.at(-1) || 0, w.floor.at(-1) || 0);"
        f" return {need}performance.now() - last > {since_ms}; }}", timeout=limit_ms, polling=100)
    wait_for_idle(page, timeout=limit_ms)


def reset(page) -> None:
    page.evaluate("() => { const w = window.__bench; w.keydown = []; w.floor = []; w.figure = []; }")


def key_presses(page, page_name: str, live: bool, presses: int) -> tuple[list[float], list[float]]:
    selector, text = floor_target(page_name, live)
    page.evaluate(WATCH, [selector, text])
    thumb = eps_slider(page, live)
    thumb.focus()
    to_floor, to_settled = [], []
    for _ in range(presses):
        quiet(page)
        reset(page)
        thumb.press("ArrowRight")
        quiet(page, changed=True)
        w = page.evaluate("() => ({k: window.__bench.keydown, f: window.__bench.floor, g: window.__bench.figure})")
        start = w["k"][0]
        floors = [t for t in w["f"] if t >= start]
        figures = [t for t in w["g"] if t >= start]
        to_floor.append(floors[0] - start if floors else float("nan"))
        to_settled.append(figures[-1] - start if figures else float("nan"))
    return to_floor, to_settled


def drag_moves(page, thumb, track) -> tuple[int, float]:
    """60 mouse moves back to back across the track; (frames in which a figure changed, seconds of drag)."""
    box = thumb.bounding_box()
    y = box["y"] + box["height"] / 2
    x0, x1 = track["x"] + track["width"] * 0.05, track["x"] + track["width"] * 0.95
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.evaluate("() => { window.__bench.frames = new Set(); }")
    start = time.perf_counter()
    for i in range(60):
        page.mouse.move(x0 + (x1 - x0) * i / 59, y)
    seconds = time.perf_counter() - start
    frames = page.evaluate("() => window.__bench.frames.size")
    page.mouse.up()
    return frames, seconds


def drag(page, live: bool) -> float:
    thumb = eps_slider(page, live)
    track = thumb.bounding_box() if live else page.get_by_role("group", name="ε, the smoothing strength").bounding_box()
    frames, seconds = drag_moves(page, thumb, track)
    quiet(page)
    return frames / seconds


def bare_rate(browser) -> float:
    page = browser.new_page(viewport={"width": 1300, "height": 600})
    try:
        page.set_content(BARE)
        page.evaluate("""() => { const w = window.__bench = {frames: new Set(), frame: 0};
          const tick = () => { w.frame += 1; requestAnimationFrame(tick); }; tick();
          new MutationObserver(() => w.frames.add(w.frame)).observe(document.getElementById('p'),
                                                                     {attributes: true}); }""")
        thumb = page.get_by_role("slider", name="eps")
        frames, seconds = drag_moves(page, thumb, thumb.bounding_box())
        return frames / seconds
    finally:
        page.close()


def server_pid(url: str) -> int | None:
    """The streamlit process serving ``url`` (found by its --server.port argument in /proc)."""
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--server.port" in args and args[args.index(b"--server.port") + 1] == port.encode():
                return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bytes:
    """Bytes the page received: HTTP bodies as sent (encodedDataLength) and websocket frames' payloads."""

    def __init__(self, page) -> None:
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.loadingFinished", lambda e: self._add(e.get("encodedDataLength", 0)))
        session.on("Network.webSocketFrameReceived", lambda e: self._add(_frame_bytes(e["response"])))
        self.session = session

    def _add(self, n: float) -> None:
        self.total += int(n)


def _frame_bytes(response: dict) -> int:
    data = response.get("payloadData", "")
    return len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode("utf-8"))


def k_moves(page, url: str, moves: int) -> tuple[list[float], float, float]:
    """ArrowRight on K ``moves`` times: (ms from keydown to figures settled, server CPU ms per move, bytes per
    move)."""
    counter = Bytes(page)
    selector, text = floor_target("target_and_floor", True)
    page.evaluate(WATCH, [selector, text])
    thumb = k_slider(page)
    pid = server_pid(url)
    times, cpu, received = [], 0.0, 0
    for _ in range(moves):
        quiet(page)
        reset(page)
        before_cpu, before_bytes = cpu_seconds(pid), counter.total
        thumb.focus()
        thumb.press("ArrowRight")
        quiet(page, changed=True)
        cpu += cpu_seconds(pid) - before_cpu
        received += counter.total - before_bytes
        w = page.evaluate("() => ({k: window.__bench.keydown, g: window.__bench.figure})")
        start = w["k"][0]
        times.append(max(t for t in w["g"] if t >= start) - start)
    return times, cpu * 1000 / moves, received / moves


def first_figure(browser, url: str, page_name: str, live: bool) -> tuple[float, int]:
    """An empty-cache visit: navigation start → first figure drawn (ms), and the bytes received by then."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        counter = Bytes(page)
        page.goto(f"{url}/{page_name}{START}")
        page.locator(LIVE_FIGURE if live else PLOTLY_FIGURE).first.wait_for(timeout=120_000)
        at = page.evaluate("() => performance.now()")
        wait_for_idle(page, timeout=120_000)
        page.wait_for_timeout(500)
        return at, counter.total
    finally:
        context.close()


@contextmanager
def app_at(ref: str) -> Iterator[str]:
    """``streamlit run app.py`` from a worktree of the commit ``ref``, on a free port; yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="lslab-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=ROOT, check=True,
                   capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.address", "127.0.0.1", "--server.headless", "true",
                                "--server.fileWatcherType", "none"], cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app at {ref} did not start")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} {max(values):7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=12, help="ArrowRight presses on ε per page and path (12)")
    parser.add_argument("--k-moves", type=int, default=8, help="ArrowRight presses on K per page and path (8)")
    parser.add_argument("--drags", type=int, default=3, help="drags per page and path (3)")
    parser.add_argument("--before", metavar="REF", help="also measure the app at this git commit (live path)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        live_url = stack.enter_context(running_streamlit())
        os.environ["LSLAB_LIVE_FIGURES"] = "0"
        try:
            old_url = stack.enter_context(running_streamlit())
        finally:
            del os.environ["LSLAB_LIVE_FIGURES"]
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        paths = {"live SVG": (live_url, True), "Streamlit slider": (old_url, False)}
        if args.before:
            paths[f"before ({args.before[:7]})"] = (stack.enter_context(app_at(args.before)), True)
        for url, live in paths.values():  # warm each server's imports and caches once
            for page_name in PAGES:
                open_page(browser, url, page_name, live).close()
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")

        print(f"\nDrag: 60 mouse moves back to back on ε ({args.drags} drags); frames/s in which a figure changed")
        bare = statistics.median(bare_rate(browser) for _ in range(args.drags))
        print(f"{'bare page (one 300-point path per input event)':52} {bare:6.1f} frames/s   1.00")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                page = open_page(browser, url, page_name, live)
                selector, text = floor_target(page_name, live)
                page.evaluate(WATCH, [selector, text])
                rate = statistics.median(drag(page, live) for _ in range(args.drags))
                print(f"{title:16} {label:35} {rate:6.1f} frames/s  {rate / bare:5.2f}", flush=True)
                page.close()

        print(f"\n{args.presses} ArrowRight presses on ε, ms from keydown (median, max)")
        print(f"{'page':16} {'path':18} {'floor number':>15} {'figures settled':>16}")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                page = open_page(browser, url, page_name, live)
                to_floor, to_settled = key_presses(page, page_name, live, args.presses)
                print(f"{title:16} {label:18} {summary(to_floor)} {summary(to_settled)}", flush=True)
                page.close()

        print(f"\n{args.k_moves} ArrowRight presses on K (one stop each): figures settled (ms, median, max), "
              "server CPU per move (ms), bytes received per move")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                page = open_page(browser, url, page_name, live)
                times, cpu, received = k_moves(page, url, args.k_moves)
                print(f"{title:16} {label:18} {summary(times)} {cpu:8.0f} ms {received / 1000:9.0f} kB", flush=True)
                page.close()

        print("\nEmpty cache: navigation → first figure (ms), bytes received by then")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                runs = [first_figure(browser, url, page_name, live) for _ in range(3)]
                at = statistics.median(r[0] for r in runs)
                received = statistics.median(r[1] for r in runs)
                print(f"{title:16} {label:18} {at:7.0f} ms {received / 1e6:7.2f} MB", flush=True)
        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        browser.close()


if __name__ == "__main__":
    main()
