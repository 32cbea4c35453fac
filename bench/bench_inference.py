"""Inference speed of a shipped model on this CPU: ONNX Runtime beside today's eager path and fp32 eager.

    python bench/bench_inference.py [--model default] [--runs 50]

Rows, all on the same weights and inputs, measured in this run (the same prediction: with the mirror
view too when the model averages it):

* ONNX Runtime — what the app runs (lib.cifar.model.Classifier, backend "onnxruntime": CPU execution provider,
  fp32, all graph optimisations, one intra-op thread, lib.cifar.settings);
* eager, optimised — the previous app path: eager PyTorch, inference_mode, channels_last, bf16 autocast
  where the CPU has native bf16 (lib.cifar.model.Classifier, backend "torch");
* fp32 eager (baseline) — the same weights in fp32, contiguous NCHW, plain no_grad.

torch runs with the threads lib.cifar.settings gives it. Ratios are baseline time / row time (higher is faster).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics

import numpy as np
import torch
from timing import time_calls

from lib.cifar.model import bf16_supported, load_classifier, mean_of_views, resolve_model, with_mirrors
from lib.cifar.preprocess import uint8_to_tensor
from lib.cifar.settings import INFERENCE_THREADS, configure_process
from lib.timing import percentile_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--runs", type=int, default=50, help="timed calls per measurement at batch 1")
    args = parser.parse_args()

    configure_process()
    folder = resolve_model(args.model)
    served = load_classifier(folder)
    eager = load_classifier(folder, backend="torch")
    naive = copy.deepcopy(eager.network).to(memory_format=torch.contiguous_format).float()
    rng = np.random.default_rng(0)
    one = rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
    batch = rng.integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)

    def baseline(images: np.ndarray) -> None:
        with torch.no_grad():
            if not served.mirror_average:
                naive(uint8_to_tensor(images))
                return
            mean_of_views(naive(uint8_to_tensor(with_mirrors(images))))

    paths = {"ONNX Runtime (app)": lambda im: served.logits_uint8(im),
             "eager, optimised (previous app path)": lambda im: eager.logits_uint8(im),
             "fp32 eager (baseline)": baseline}
    print(f"model {folder.name} (resolution {served.network.resolution}, mirror average: {served.mirror_average}); "
          f"torch {torch.__version__} with {torch.get_num_threads()} threads, bf16 native: {bf16_supported()} "
          f"(eager, optimised uses bf16: {eager.use_bf16}); ONNX Runtime {INFERENCE_THREADS} intra-op thread; "
          f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    for label, images, runs in (("batch 1", one, args.runs), ("batch 64", batch, max(5, args.runs // 10))):
        # Interleaved rounds, so a burst of load from other jobs falls on every path alike.
        timings: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(5):
            for name, fn in paths.items():
                timings[name] += time_calls(lambda fn=fn, im=images: fn(im), max(1, runs // 5), warmup=1)
        base = statistics.median(timings["fp32 eager (baseline)"])
        print(f"\n{label} ({len(images)} image{'s' if len(images) > 1 else ''}"
              f"{', each with its mirror' if served.mirror_average else ''}):")
        print(f"  {'path':38s} {'p50 ms':>8s} {'p95 ms':>8s} {'img/s':>7s} {'× fp32 eager':>13s}")
        for name, seconds in timings.items():
            p50 = statistics.median(seconds)
            print(f"  {name:38s} {p50 * 1e3:8.1f} {percentile_ms(seconds, 95):8.1f} "
                  f"{len(images) / p50:7.0f} {base / p50:12.2f}×")


if __name__ == "__main__":
    main()
