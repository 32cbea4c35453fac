"""The one timing loop the bench scripts share (run as scripts, so bench/ is on sys.path)."""

from __future__ import annotations

import time
from collections.abc import Callable


def time_calls(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Seconds per call of ``fn`` over ``runs`` timed calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out
