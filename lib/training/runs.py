"""The shipped training runs: load their logs and derive what the training page shows.

A run is a model folder ``assets/models/<name>/`` with a ``log.json`` written by ``python -m lib.cifar.train``:

* ``provenance`` — ε (``label_smoothing``), its convention (``spread``), the classes, the data source…;
* ``train_loss`` — ``[[step, loss], …]``, the smoothed loss the optimizer saw at every step;
* ``epochs`` — per epoch: ``floor``, ``test`` (accuracy, unsmoothed ``nll``, ``smoothed_loss``, ``ece``,
  ``reliability`` with 15 bins), the fitted ``temperature`` and ``test_temperature_scaled``;
* ``projections`` — per class triple, Müller et al. (2019)'s projection of the penultimate layer onto
  the plane through the three class templates (:mod:`lib.training.projection`).

Why the raw training losses of two runs cannot be compared: with smoothing ε the loss is a
cross-entropy against ỹ, and ``CE(ỹ, p) = H(ỹ) + KL(ỹ‖p)`` never goes below the entropy floor
``H(ỹ)`` (:func:`lib.smoothing.entropy_floor`; 0 for ε = 0, 0.5003 nats for K = 10, ε = 0.1). The part
training can still remove is ``loss − H(ỹ)``; the models themselves are compared on one yardstick,
the unsmoothed test NLL and the accuracy.

No streamlit here; the page caches :func:`load_runs`.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.paths import LOG_FILE
from lib.smoothing import entropy_floor
from lib.url_values import last_value, quoted

# lib.cifar.evaluate --record writes it: the shipped prediction's figures (lib.cifar.model names it too; repeated
# so this module never imports torch).
EVALUATION_FILE = "evaluation.json"
SHIPPED_SET = ("CIFAR-10 test (JPEG q75 copy), 10,000 images, as the app predicts: each image and its mirror, "
               "logits averaged (lib.cifar.evaluate --record)")
# The training log measures each epoch on one view per image; the shipped prediction also averages the
# mirror (lib.cifar.model), which the model card reports separately — so say which figures these are.
TEST_SET = "CIFAR-10 test (JPEG q75 copy), one view per image as logged during training"
DRY_RUN_SET = "generated stand-in images (a --dry-run log, not CIFAR-10)"
# A ?triple= value is quoted back up to this length: three class names and two dashes ("automobile-…") can
# pass the 24 characters that are enough for every other URL value.
_TRIPLE_LENGTH = 40


class RunLogError(ValueError):
    """A training log is missing a field the page needs, or holds the wrong kind of value."""


@dataclass(frozen=True)
class Run:
    """One training run: its per-step loss, per-epoch test metrics and projections."""

    name: str  # the model folder's name, e.g. "eps0.1"
    eps: float  # ε, in the convention ``spread``
    spread: str
    classes: tuple[str, ...]
    floor: float  # H(ỹ), nats
    steps: np.ndarray  # (S,) optimizer steps
    loss: np.ndarray  # (S,) smoothed training loss at each step, nats
    epochs: tuple[dict, ...]
    projections: tuple[dict, ...]
    data_source: str
    shipped: dict | None = None  # evaluation.json: the shipped prediction's figures, when recorded with bins

    @property
    def label(self) -> str:
        return f"ε = {self.eps:g}"

    @property
    def test_set(self) -> str:
        """What the test metrics were measured on, in words."""
        return DRY_RUN_SET if self.data_source == "generated" else TEST_SET

    @property
    def last(self) -> dict:
        """The final epoch's entry: ``test``, ``temperature``, ``test_temperature_scaled``."""
        return self.epochs[-1]

    @property
    def final_test(self) -> dict:
        """The model's test figures (accuracy, NLL, ECE, T), shaped like :attr:`last`, plus ``where``.

        The shipped prediction's record (``evaluation.json``, mirror-averaged: the figures of docs/model.md and
        the model card) when there is one, so the page meets the numbers quoted everywhere else; the training log's
        last epoch (one view) otherwise. Reliability bins come with it only where the record holds them
        (``lib.cifar.evaluate --record`` writes them); :func:`reliability_figures` says which bins a diagram draws.
        """
        record = self.shipped
        if not record:
            return {**self.last, "where": self.test_set}
        test = {"n": record["n"], "accuracy": record["accuracy"], "nll": record["nll"], "ece": record["ece"],
                "mean_confidence": record["mean_confidence"]}
        scaled = {"n": record["n"], "accuracy": record["accuracy"], "ece": record["ece_temperature_scaled"]}
        if "reliability" in record and "reliability_temperature_scaled" in record:
            bins = record["reliability_temperature_scaled"]
            test["reliability"], scaled["reliability"] = record["reliability"], bins
            scaled["mean_confidence"] = (sum(n * (c or 0.0) for n, c in zip(bins["count"], bins["confidence"],
                                                                             strict=True)) / max(sum(bins["count"]), 1))
        return {"temperature": record["temperature"], "where": SHIPPED_SET, "test": test,
                "test_temperature_scaled": scaled}


def _need(mapping: dict, key: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise RunLogError(f"{where} has no {key!r}: not a log written by python -m lib.cifar.train")
    return mapping[key]


def parse_log(log: dict, name: str) -> Run:
    """A :class:`Run` from the parsed ``log.json`` of the model folder ``name``; RunLogError if malformed."""
    where = f"log of {name!r}"
    prov = _need(log, "provenance", where)
    classes = tuple(_need(prov, "classes", f"{where}, provenance"))
    eps = float(_need(prov, "label_smoothing", f"{where}, provenance"))
    spread = prov.get("spread", "all")
    pairs = np.asarray(_need(log, "train_loss", where), dtype=np.float64)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or len(pairs) == 0:
        raise RunLogError(f"{where}: train_loss must be a non-empty list of [step, loss] pairs")
    epochs = tuple(_need(log, "epochs", where))
    if not epochs:
        raise RunLogError(f"{where}: no epochs were logged")
    for entry in epochs:
        for key in ("epoch", "test", "temperature", "test_temperature_scaled"):
            _need(entry, key, f"{where}, an epoch")
    return Run(name=name, eps=eps, spread=spread, classes=classes,
               floor=entropy_floor(len(classes), eps, spread=spread),
               steps=pairs[:, 0], loss=pairs[:, 1], epochs=epochs,
               projections=tuple(log.get("projections", ())),
               data_source=str(prov.get("data", {}).get("source", "")))


def load_run(folder: Path) -> Run:
    """Read ``folder/log.json``; a missing file or a malformed log raises :class:`RunLogError`."""
    path = Path(folder) / LOG_FILE
    try:
        log = json.loads(path.read_text())
    except FileNotFoundError as err:
        raise RunLogError(f"{path} is missing") from err
    except json.JSONDecodeError as err:
        raise RunLogError(f"{path} is not valid JSON: {err}") from err
    run = parse_log(log, Path(folder).name)
    evaluation = Path(folder) / EVALUATION_FILE
    if evaluation.is_file():
        try:
            return dataclasses.replace(run, shipped=json.loads(evaluation.read_text()))
        except json.JSONDecodeError as err:
            raise RunLogError(f"{evaluation} is not valid JSON: {err}") from err
    return run


def logs_fingerprint(models_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(folder, mtime_ns, size) of every log in ``models_dir``: a cache key that changes when a log lands."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return ()
    stats = [(p.name, (p / LOG_FILE).stat()) for p in sorted(models_dir.iterdir()) if (p / LOG_FILE).is_file()]
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)


def load_runs(models_dir: Path) -> list[Run]:
    """Every model folder in ``models_dir`` that holds a ``log.json``, sorted by ε (ε = 0 first)."""
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return []
    runs = [load_run(p) for p in sorted(models_dir.iterdir()) if (p / LOG_FILE).is_file()]
    return sorted(runs, key=lambda r: (r.eps, r.name))


# --------------------------------------------------------------------------------------------- training curves
def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` values (fewer at the start), same length as ``values``.

    ``out[i] = mean(values[max(0, i − window + 1) : i + 1])``, by a float64 cumulative sum.
    """
    v = np.asarray(values, dtype=np.float64)
    if window < 1:
        raise ValueError(f"window must be at least 1 step; got {window}")
    csum = np.concatenate([[0.0], np.cumsum(v)])
    idx = np.arange(1, len(v) + 1)
    lo = np.maximum(0, idx - window)
    return (csum[idx] - csum[lo]) / (idx - lo)


def loss_curve(run: Run, window: int, *, above_floor: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(steps, per-step loss, its moving average); with ``above_floor`` both minus H(ỹ), i.e. KL(ỹ‖p)."""
    shift = run.floor if above_floor else 0.0
    raw = run.loss - shift
    return run.steps, raw, moving_average(raw, window)


def final_loss(run: Run, window: int) -> float:
    """Mean training loss over the last ``window`` steps, or all of them if fewer (nats)."""
    return float(run.loss[-window:].mean())


def epoch_series(run: Run, metric: str, *, scaled: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) of one test metric (``accuracy``, ``nll``, ``ece``…), optionally after temperature."""
    part = "test_temperature_scaled" if scaled else "test"
    return (np.array([e["epoch"] for e in run.epochs]),
            np.array([e[part][metric] for e in run.epochs], dtype=np.float64))


# --------------------------------------------------------------------------------------------- calibration
def reliability_rows(reliability: dict) -> list[dict]:
    """One row per bin: its interval, image count, accuracy, mean confidence and gap (None if empty)."""
    edges = reliability["edges"]
    rows = []
    for i, (n, acc, conf) in enumerate(zip(reliability["count"], reliability["accuracy"],
                                           reliability["confidence"], strict=True)):
        rows.append({"lo": edges[i], "hi": edges[i + 1], "count": int(n), "accuracy": acc, "confidence": conf,
                     "gap": None if acc is None else conf - acc})
    return rows


def reliability_figures(run: Run, *, scaled: bool) -> tuple[dict, float, str]:
    """The figures one reliability diagram draws: (part with ``reliability`` bins, its T, where measured).

    The shipped prediction's bins where its record holds them, else the training log's last epoch, named
    as such, so a diagram never passes one path's bins off as the other's.
    """
    key = "test_temperature_scaled" if scaled else "test"
    final = run.final_test
    if "reliability" in final[key]:
        return final[key], final["temperature"], final["where"]
    return run.last[key], run.last["temperature"], f"{run.test_set}, last epoch of the training log"


# --------------------------------------------------------------------------------------------- representations
def triple_key(classes: Sequence[str]) -> str:
    """URL form of a class triple: ``("cat", "dog", "deer")`` → ``"cat-dog-deer"``."""
    return "-".join(classes)


def shared_triples(runs: Sequence[Run]) -> list[str]:
    """Keys of the class triples every run has a projection for, in the first run's order."""
    if not runs:
        return []
    keys = [triple_key(p["classes"]) for p in runs[0].projections]
    return [k for k in keys if all(k in {triple_key(p["classes"]) for p in r.projections} for r in runs[1:])]


def parse_triple(raw: str | Sequence[str] | None, available: Sequence[str]) -> tuple[str | None, list[str]]:
    """The class triple a ``?triple=`` value asks for, and a note per repair.

    The classes may come in any order (``dog-cat-deer`` shows ``cat-dog-deer``); a missing value is the
    first available triple, silently; an unknown one is the first available triple, with a note.
    """
    if not available:
        return None, []
    raw = last_value(raw)
    if raw is None:
        return available[0], []
    wanted = sorted(raw.strip().lower().split("-"))
    for key in available:
        if sorted(key.split("-")) == wanted:
            return key, []
    return available[0], [f"triple={quoted(raw, max_length=_TRIPLE_LENGTH)} is not one of the shipped class triples "
                          f"({', '.join(available)}); showing {available[0]}."]


def projection(run: Run, key: str) -> dict:
    """The projection entry of ``run`` for the triple ``key``; KeyError if the run has none."""
    for entry in run.projections:
        if triple_key(entry["classes"]) == key:
            return entry
    raise KeyError(f"{run.name} has no projection for {key}")


def cluster_geometry(entry: dict) -> dict[str, float]:
    """Scale-free shape of the three projected clusters.

    * ``tightness`` — mean distance of a point to its class centroid ÷ mean distance between the three
      centroids (smaller: tighter clusters);
    * ``equidistance`` — shortest ÷ longest distance between centroids (1: an equilateral triangle).
    """
    centroids, spreads = [], []
    for name in entry["classes"]:
        pts = np.column_stack([entry["points"][name]["x"], entry["points"][name]["y"]]).astype(np.float64)
        c = pts.mean(axis=0)
        centroids.append(c)
        spreads.append(np.linalg.norm(pts - c, axis=1).mean())
    c = np.array(centroids)
    d = np.array([np.linalg.norm(c[i] - c[j]) for i, j in ((0, 1), (0, 2), (1, 2))])
    if d.max() == 0:
        return {"tightness": math.inf, "equidistance": math.nan}
    return {"tightness": float(np.mean(spreads) / d.mean()), "equidistance": float(d.min() / d.max())}
