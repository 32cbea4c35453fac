"""Process-wide settings of the serving path, in one place, applied once at start-up.

``app.py`` calls :func:`configure_process` before any page runs; the benches and ``lib.cifar.evaluate`` call it
too, so they measure what the app serves. Everything here is shared by every session of the process:

* **Inference** runs through ONNX Runtime with one intra-op thread and no spinning
  (:func:`ort_session_options`): on a small CPU several sessions' inferences run side by side, one core
  each, and a spinning idle thread would steal the core another inference needs. Each model lets at most
  :data:`CONCURRENT_INFERENCES_PER_MODEL` inferences run at once (``lib.cifar.model.Classifier``), and
  :data:`MODEL_POOL_THREADS` — that bound times the models a page compares — is the size of the thread
  pool that runs the models of one image together (``lib.classifier.classify``): a larger pool would only queue on
  the models' gates.
* **Decoding** of uploads runs in :data:`DECODE_WORKERS` worker processes (``lib.classifier.decode_pool``), each
  file within :data:`DECODE_DEADLINE_S` seconds.
* **torch**, the reference and training backend (no longer on the serving path), gets
  :func:`torch_threads` threads.
"""

from __future__ import annotations

import functools
import os

INFERENCE_THREADS = 1
"""Intra-op threads of one ONNX Runtime inference (one image and its mirror, or an evaluation batch)."""

CONCURRENT_INFERENCES_PER_MODEL = 2
"""At most this many inferences of one model run at once; further requests wait (``Classifier``)."""

MODELS_COMPARED = 2
"""The classify page compares at most the two shipped models (ε = 0 and ε = 0.1) on one image."""

MODEL_POOL_THREADS = MODELS_COMPARED * CONCURRENT_INFERENCES_PER_MODEL
"""Threads that run the models of an image at the same time: as many as the models' gates admit."""

DECODE_WORKERS = 2
"""Worker processes that decode uploads (one per core of the 2-core server); further files queue."""

DECODE_DEADLINE_S = 3.0
"""Seconds one file may take to decode in its worker before the worker is killed and replaced."""


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one, else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def torch_threads(cores: int) -> int:
    """torch threads for the reference backend: half the cores, at least 1, at most 4.

    Each model lets two inferences run at once and the page runs two models, so half the cores per
    inference keeps concurrent sessions from oversubscribing the CPU; one 32×32 image gains little from
    more than 4 threads.
    """
    return max(1, min(4, int(cores) // 2))


@functools.cache
def configure_process() -> None:
    """Apply the process-wide settings once (later calls do nothing): torch's thread count."""
    import torch

    torch.set_num_threads(torch_threads(usable_cores()))


def ort_session_options():  # -> onnxruntime.SessionOptions (imported lazily: the explainer pages never need it)
    """The one definition of how every ONNX Runtime session of the app runs: CPU, fp32, optimised graph."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = INFERENCE_THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options
