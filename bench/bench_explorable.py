"""What a learner waits on the explainer pages, in Chromium: the live explorable beside Streamlit's slider path.

    python bench/bench_explorable.py [--presses 12]

Two servers run side by side from the repository root: the app as shipped (the live explorable,
``ui/explorable.py``) and the same app with ``LSLAB_LIVE_FIGURES=0`` (Streamlit's own ε slider, charts and
metrics, one rerun per move: the path before the explorable). On both explainer pages, in both, it measures:

* **key presses**: ``--presses`` ArrowRight presses on ε, one at a time. For each, from the keydown (its
  timestamp in the page) to the first change of the floor number on screen — the big metric on the target
  page, the caption that states the floor on the loss-curves page — and to the last figure finished drawing
  (plotly's ``plotly_afterplot``; the page is watched until nothing changed for a second). Median and max. The
  window is 1300 × 1000 px at the top of the page; the live path draws only the figures on screen (the rest
  when they are scrolled into view), the Streamlit path redraws every figure of the page.
* **drag**: the ε thumb dragged across the track with the mouse for 1 s (a move every 16 ms); how many
  times the first figure was redrawn (plotly's ``plotly_afterplot``) during that second.
* **first figure**: a fresh browser context (empty cache) opens the page; time from navigation start to the
  first figure drawn, and the same for a second visit with the cache warm.

Prints numbers and the load average beside them (the machine is shared: compare the two columns of one
run, not runs with each other). No thresholds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import launch_chromium, running_streamlit, wait_for_idle  # noqa: E402

PAGES = {"target_and_floor": "Target & floor", "loss_curves": "Loss curves"}
START = "?K=10&eps=0.1&spread=all"
FIGURES = ".js-plotly-plot"

# Records, in the page, when ε's keydown happened, when the floor text changed and when a figure finished drawing
# (plotly's own plotly_afterplot event, on every figure, those Streamlit re-creates on a rerun included). Kept
# light on purpose: an observer that walks every mutation record slows the page it measures.
WATCH = """
([floorSelector, floorText]) => {
  const w = window.__bench = {keydown: [], floor: [], figure: [], frames: new Set(), frame: 0};
  document.addEventListener('keydown', () => w.keydown.push(performance.now()), true);
  const tick = () => { w.frame += 1; requestAnimationFrame(tick); };
  tick();
  const attach = () => {
    const plots = document.querySelectorAll('.js-plotly-plot');
    plots.forEach((gd) => {
      // Attached again whenever plotly gave the figure a new event emitter (Streamlit re-plots on a rerun);
      // a figure plotted afresh has already drawn by now, so that counts as a redraw itself.
      if (!gd.on || !gd._ev || gd.__benchEmitter === gd._ev) return;
      if (gd.__benchEmitter) w.figure.push(performance.now());
      gd.__benchEmitter = gd._ev;
      gd.on('plotly_afterplot', () => {
        w.figure.push(performance.now());
        if (gd === document.querySelector('.js-plotly-plot')) w.frames.add(w.frame);
      });
    });
  };
  setInterval(attach, 20);
  attach();
  const floorNow = () => {
    const floor = [...document.querySelectorAll(floorSelector)].find(e => e.textContent.includes(floorText));
    return floor ? floor.textContent : null;
  };
  let last = floorNow();
  new MutationObserver(() => {
    attach();
    const text = floorNow();
    if (text !== last) { last = text; w.floor.push(performance.now()); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


def floor_target(page_name: str, live: bool) -> tuple[str, str]:
    """CSS selector of the element holding the floor number, and a text it contains."""
    if page_name == "target_and_floor":
        return ("[data-testid=lslabMetricValue]" if live else "[data-testid=stMetricValue]"), "nats"
    return (".lslab-caption" if live else "[data-testid=stCaptionContainer]"), "The other K − 1 classes"


def eps_slider(page, live: bool):
    if live:
        return page.get_by_role("slider", name="ε, the smoothing strength")
    return page.get_by_role("group", name="ε, the smoothing strength").get_by_role("slider")


def open_page(browser, url: str, page_name: str):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(f"{url}/{page_name}{START}")
    page.locator(f"{FIGURES} .main-svg").first.wait_for(timeout=120_000)
    page.locator(f"{FIGURES}").nth(2).wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)
    return page


def quiet(page, since_ms: float = 1000, limit_ms: float = 30_000, changed: bool = False) -> None:
    """Wait until no figure and no floor text changed for ``since_ms`` (and, with ``changed``, until the
    floor has changed at all: a slow rerun can take longer than the quiet window)."""
    need = "w.floor.length > 0 && " if changed else ""
    page.wait_for_function(
        f"() => {{ const w = window.__bench; const last = Math.max(w.figure.at(-1) || 0, w.floor.at(-1) || 0);"
        f" return {need}performance.now() - last > {since_ms}; }}", timeout=limit_ms, polling=100)
    wait_for_idle(page, timeout=limit_ms)


def key_presses(page, page_name: str, live: bool, presses: int) -> tuple[list[float], list[float]]:
    selector, text = floor_target(page_name, live)
    page.evaluate(WATCH, [selector, text])
    thumb = eps_slider(page, live)
    thumb.focus()
    to_floor, to_settled = [], []
    for _ in range(presses):
        quiet(page)
        page.evaluate("() => { const w = window.__bench; w.keydown = []; w.floor = []; w.figure = []; }")
        thumb.press("ArrowRight")
        quiet(page, changed=True)
        w = page.evaluate("() => ({k: window.__bench.keydown, f: window.__bench.floor, g: window.__bench.figure})")
        start = w["k"][0]
        floors = [t for t in w["f"] if t >= start]
        figures = [t for t in w["g"] if t >= start]
        to_floor.append(floors[0] - start if floors else float("nan"))
        to_settled.append(figures[-1] - start if figures else float("nan"))
    return to_floor, to_settled


def drag(page, live: bool) -> tuple[int, int]:
    """Drag ε for 1 s of wall time, a mouse move every 16 ms; (first-figure redraws, mouse moves made)."""
    thumb = eps_slider(page, live)
    box = thumb.bounding_box()
    track = (box if live else page.get_by_role("group", name="ε, the smoothing strength").bounding_box())
    y = box["y"] + box["height"] / 2
    x0, x1 = track["x"] + track["width"] * 0.1, track["x"] + track["width"] * 0.9
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.evaluate("() => { window.__bench.frames = new Set(); }")
    start, moves = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < 1.0:
        page.mouse.move(x0 + (x1 - x0) * elapsed, y)
        moves += 1
        page.wait_for_timeout(16)
    frames = page.evaluate("() => window.__bench.frames.size")
    page.mouse.up()
    quiet(page)
    return frames, moves


def first_figure(browser, url: str, page_name: str) -> tuple[float, float]:
    """Navigation start → first figure drawn, with an empty cache and then with it warm (ms)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    out = []
    try:
        page = context.new_page()
        for _ in range(2):
            page.goto(f"{url}/{page_name}{START}")
            page.locator(f"{FIGURES} .main-svg").first.wait_for(timeout=120_000)
            out.append(page.evaluate("() => performance.now()"))
            wait_for_idle(page, timeout=120_000)
            page.goto("about:blank")
    finally:
        context.close()
    return out[0], out[1]


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} {max(values):7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=12, help="ArrowRight presses per page and path (default 12)")
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
        paths = {"live explorable": (live_url, True), "Streamlit slider": (old_url, False)}
        for url, _ in paths.values():  # warm each server's imports and caches once
            for page_name in PAGES:
                open_page(browser, url, page_name).close()
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"({os.cpu_count()} CPUs)")
        print(f"\n{args.presses} ArrowRight presses on ε, ms from keydown (median, max)")
        print(f"{'page':16} {'path':18} {'floor number':>15} {'figures settled':>16}")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                page = open_page(browser, url, page_name)
                to_floor, to_settled = key_presses(page, page_name, live, args.presses)
                print(f"{title:16} {label:18} {summary(to_floor)} {summary(to_settled)}", flush=True)
                page.close()
        print("\n1 s mouse drag on ε: frames in which the first figure was redrawn, mouse moves made")
        for page_name, title in PAGES.items():
            for label, (url, live) in paths.items():
                page = open_page(browser, url, page_name)
                selector, text = floor_target(page_name, live)
                page.evaluate(WATCH, [selector, text])
                frames, moves = drag(page, live)
                print(f"{title:16} {label:18} {frames:5d} {moves:9d}", flush=True)
                page.close()
        print("\nnavigation → first figure, ms (empty cache, warm cache)")
        for page_name, title in PAGES.items():
            for label, (url, _) in paths.items():
                cold, warm = first_figure(browser, url, page_name)
                print(f"{title:16} {label:18} {cold:7.0f} {warm:7.0f}", flush=True)
        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        browser.close()


if __name__ == "__main__":
    main()
