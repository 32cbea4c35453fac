"""What more than one test module builds or asks: training logs like lib.cifar.train writes, a figure's colours."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from lib.calibration import calibration_report
from lib.paths import LOG_FILE
from lib.smoothing import entropy_floor


def trace_colours(fig: go.Figure) -> set[str]:
    """Every line and marker colour given as one string, lower-cased (palette entries are upper-case hex)."""
    found = set()
    for trace in fig.data:
        for part in ("line", "marker"):
            colour = getattr(getattr(trace, part, None), "color", None)
            if isinstance(colour, str):
                found.add(colour.lower())
    return found


CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
TRIPLES = (("airplane", "automobile", "bird"), ("cat", "dog", "deer"))


def build_log(eps: float, *, steps: int = 120, epochs: int = 2, seed: int = 0, source: str = "cifar10.tar.xz") -> dict:
    """A training log in lib.cifar.train's schema, from synthetic logits: small, fast, deterministic."""
    rng = np.random.default_rng(seed)
    floor = entropy_floor(len(CLASSES), eps)
    loss = floor + 2.0 * np.exp(-np.arange(1, steps + 1) / 30) + rng.normal(0, 0.02, steps)
    labels = rng.integers(0, 10, 200)
    entries = []
    for e in range(1, epochs + 1):
        logits = rng.normal(0, 1, (200, 10)) + 2.0 * e * np.eye(10)[labels]
        entries.append({"epoch": e, "step": e * steps // epochs, "floor": floor,
                        "test": calibration_report(logits, labels, eps), "temperature": 1.5,
                        "test_temperature_scaled": calibration_report(logits / 1.5, labels, eps)})
    projections = []
    for triple in TRIPLES:
        spread = 0.05 if eps > 0 else 0.2  # smoothing: tighter clusters, as Müller et al. report
        corners = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, math.sqrt(3)]])
        points = {name: {"x": (c[0] + rng.normal(0, spread, 30)).tolist(),
                         "y": (c[1] + rng.normal(0, spread, 30)).tolist()}
                  for name, c in zip(triple, corners, strict=True)}
        projections.append({"classes": list(triple), "templates": corners.tolist(), "points": points})
    provenance = {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all", "floor_nats": floor,
                  "data": {"source": source}}
    return {"provenance": provenance, "train_loss": [[i + 1, float(v)] for i, v in enumerate(loss)],
            "epochs": entries, "projections": projections}


def write_run(folder: Path, log: dict) -> Path:
    """``log`` as ``folder``'s training log, the way a model folder holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOG_FILE).write_text(json.dumps(log))
    return folder


def code_blocks(at) -> list[str]:
    """The code a page shows in its code blocks (ui/code_block.py), in page order."""
    import json

    return [json.loads(e.proto.json)["code"] for e in at.get("bidi_component")
            if e.proto.component_name == "lslab_code"]
