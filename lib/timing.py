"""Durations as the app and the benches report them: the one percentile, in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100, linear interpolation) of durations given in seconds, in milliseconds."""
    if len(seconds) == 0:
        return math.nan
    return float(np.percentile(np.asarray(seconds, dtype=np.float64), q) * 1000.0)
