"""Server-side rerun time of each explainer page after a slider move, beside an empty page's rerun.

    python bench/bench_pages.py [--moves 60]

Each page is opened in Streamlit's AppTest (the script runner the server uses, without a browser or
a websocket), then its sliders are moved to fresh values — so the cached PyTorch check misses as it
would for a learner exploring — and every rerun is timed from the runner's SCRIPT_STARTED event to
its SCRIPT_STOPPED event: the whole script (router, page, figures, protobuf messages). The last
column is AppTest's full round trip, which adds its own polling and tree parsing. The baseline is a
router page holding one slider and nothing else, moved and timed the same way in the same run: the
ratio says how much a page costs above Streamlit's own floor. "CPU median" is the script thread's
CPU time: what a rerun costs when the machine is not shared. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from pathlib import Path

import numpy as np
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

ROOT = Path(__file__).resolve().parents[1]
BASELINE_APP = """
import streamlit as st

def empty_page():
    st.slider("x", 0, 1000, key="empty_x")

st.navigation([st.Page(empty_page, title="empty")]).run()
"""
PAGES = {
    # label: (page file or None for the baseline, slider keys to move)
    "empty page (baseline)": (None, ("empty_x",)),
    "home (no sliders; plain rerun)": ("pages/home.py", ()),
    "target & floor": ("pages/target_and_floor.py", ("floor_eps", "floor_k")),
    "loss curves": ("pages/loss_curves.py", ("curves_eps", "curves_k")),
}


_script_times: list[tuple[float, float]] = []  # (wall, CPU) seconds of each script run
_started: list[tuple[float, float]] = []


def _on_event(_sender: object, event: ScriptRunnerEvent, **_kwargs: object) -> None:
    # Sent from the script thread itself, so thread_time() is the CPU this rerun used.
    if event == ScriptRunnerEvent.SCRIPT_STARTED:
        _started.append((time.perf_counter(), time.thread_time()))
    elif event == ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS and _started:
        wall, cpu = _started.pop()
        _script_times.append((time.perf_counter() - wall, time.thread_time() - cpu))


def _timed_runner_init(self: LocalScriptRunner, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)
    self.on_event.connect(_on_event, weak=False)


# AppTest builds a fresh runner per rerun; listening on each one's events times just the script.
_original_init = LocalScriptRunner.__init__
LocalScriptRunner.__init__ = _timed_runner_init  # type: ignore[method-assign]


def slider_values(key: str):
    """Endless fresh positions: ε over its whole grid, K over a spread of class counts."""
    if key.endswith("_eps"):
        return itertools.cycle([round(0.01 * i, 2) for i in range(1, 90)])
    return itertools.cycle([int(k) for k in np.unique(np.geomspace(2, 1000, 97).round())] + [10])


def open_page(page: str | None) -> AppTest:
    if page is None:
        return AppTest.from_string(BASELINE_APP, default_timeout=60).run()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    return at.switch_page(page).run()


def time_reruns(page: str | None, keys: tuple[str, ...], moves: int,
                warmup: int = 5) -> tuple[list[tuple[float, float]], list[float]]:
    """((wall, CPU) script times, AppTest round-trip times) in seconds for ``moves`` slider moves."""
    at = open_page(page)
    values = {key: slider_values(key) for key in keys}
    script, round_trip = [], []
    for i in range(warmup + moves):
        if keys:
            key = keys[i % len(keys)]
            at.slider(key=key).set_value(next(values[key]))
        _script_times.clear()
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception or len(_script_times) != 1:
            raise RuntimeError(f"{page} did not rerun cleanly: {[e.value for e in at.exception]}")
        if i >= warmup:
            script.append(_script_times[0])
            round_trip.append(elapsed)
    return script, round_trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=60, help="timed slider moves per page")
    args = parser.parse_args()
    # This bench moves Streamlit's ε slider:
    # the pages' Streamlit-slider path, one rerun per move (ui/explorable.py). The live explorable reruns only
    # when ε settles; bench/bench_explorable.py measures it in the browser.
    os.environ["LSLAB_LIVE_FIGURES"] = "0"

    results = {label: time_reruns(page, keys, args.moves) for label, (page, keys) in PAGES.items()}
    base = statistics.median(wall for wall, _ in results["empty page (baseline)"][0])
    print(f"Server-side rerun after a slider move, {args.moves} moves per page, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}:")
    print(f"{'page':31s} {'median':>9s} {'p95':>9s} {'× baseline':>10s} {'CPU median':>11s} {'AppTest trip':>13s}")
    for label, (script, round_trip) in results.items():
        ms = np.asarray(script) * 1e3
        wall, cpu = float(np.median(ms[:, 0])), float(np.median(ms[:, 1]))
        print(f"{label:31s} {wall:6.1f} ms {float(np.percentile(ms[:, 0], 95)):6.1f} ms {wall / (base * 1e3):9.1f}×"
              f" {cpu:8.1f} ms {float(np.median(round_trip)) * 1e3:10.1f} ms")


if __name__ == "__main__":
    main()
