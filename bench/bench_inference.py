"""Inference speed of a shipped model on this CPU, beside the naive fp32 eager baseline.

    python bench/bench_inference.py [--model default] [--runs 50]

Optimised = what the app runs (lib.cifar.model.Classifier): inference_mode, channels_last, bf16 autocast
where the CPU has native bf16. Baseline = the same weights in fp32, contiguous NCHW, plain no_grad,
computing the same prediction (with the mirror view too when the model averages it). Both are measured
in this run, on the same inputs; the ratio is baseline time / optimised time.
"""

from __future__ import annotations

import argparse
import copy
import statistics

import numpy as np
import torch
from timing import time_calls

from lib.cifar.model import bf16_supported, load_classifier, mean_of_views, resolve_model, with_mirrors
from lib.cifar.preprocess import uint8_to_tensor
from lib.timing import percentile_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--runs", type=int, default=50, help="timed calls per measurement")
    args = parser.parse_args()

    classifier = load_classifier(resolve_model(args.model))
    naive = copy.deepcopy(classifier.network).to(memory_format=torch.contiguous_format).float()
    rng = np.random.default_rng(0)
    one = rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
    batch = rng.integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)

    def baseline(images: np.ndarray) -> None:
        with torch.no_grad():
            if not classifier.mirror_average:
                naive(uint8_to_tensor(images))
                return
            mean_of_views(naive(uint8_to_tensor(with_mirrors(images))))

    rows = []
    for label, images, runs in (("batch 1", one, args.runs), ("batch 64", batch, max(5, args.runs // 10))):
        fast = time_calls(lambda im=images: classifier.logits_uint8(im), runs)
        slow = time_calls(lambda im=images: baseline(im), runs)
        rows.append((label, len(images), fast, slow))

    print(f"model {classifier.meta.get('label_smoothing')=} resolution {classifier.network.resolution}, "
          f"mirror average: {classifier.mirror_average}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, bf16 native: {bf16_supported()}")
    for label, n, fast, slow in rows:
        ratio = statistics.median(slow) / statistics.median(fast)
        if n == 1:
            print(f"{label}: optimised p50 {percentile_ms(fast, 50):.1f} ms  p95 {percentile_ms(fast, 95):.1f} ms"
                  f" | fp32 eager p50 {percentile_ms(slow, 50):.1f} ms  p95 {percentile_ms(slow, 95):.1f} ms"
                  f" | speed-up {ratio:.2f}x")
        else:
            print(f"{label}: optimised {n / statistics.median(fast):.0f} img/s | fp32 eager "
                  f"{n / statistics.median(slow):.0f} img/s | speed-up {ratio:.2f}x")


if __name__ == "__main__":
    main()
