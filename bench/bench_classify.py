"""Server-side time to classify one uploaded image on the classify page, beside baselines from the same run.

    python bench/bench_classify.py [--models-dir assets/models] [--runs 40] [--size 640x480]

Each timed call is what the page does per image (lib.classifier.classify.classify_upload): decode the JPEG bytes
safely (lib.classifier.image_io), bring the picture to 32×32 (lib.cifar.preprocess), and run every model. Rows:

* decode only — lib.classifier.image_io.decode_upload alone (the floor no model choice can go below);
* app path, both models — as the page runs it: fp32, channels_last, inference_mode, the two models
  at the same time on two threads;
* one after the other, both models — the same, the models run in turn;
* bf16 autocast, both models — lib.cifar.model's default where the CPU has native bf16 (the page turns it
  off because at one image per call it measured slower here);
* app path, one model — the page with "Compare" switched off;
* one view, both models — the app path without mirror averaging (what averaging the mirror costs).

Prints p50 and p95 in milliseconds per image and the ratio of each p50 to the app path's; no asserts.
The picture is generated (smooth gradients plus noise, saved as JPEG quality 90): nothing is downloaded.
"""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from timing import time_calls

from lib.cifar.model import available_models, bf16_supported, load_classifier
from lib.classifier.classify import classify_upload, inference_threads, usable_cores
from lib.classifier.image_io import decode_upload
from lib.paths import models_dir
from lib.timing import percentile_ms


def photo_jpeg(width: int, height: int, seed: int = 0) -> bytes:
    """A photo-like JPEG: gradients and blobs plus sensor-like noise (compresses like a real photo)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = [127 + 100 * np.sin(x / (width / (2 + c)) + c) * np.cos(y / (height / (3 + c))) for c in range(3)]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 8, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=models_dir(),
                        help="folder of model folders (default: %(default)s; $LSLAB_MODELS_DIR overrides it)")
    parser.add_argument("--runs", type=int, default=40, help="timed calls per row (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads; 0 = as the page sets them (default: %(default)s)")
    parser.add_argument("--size", default="640x480", help="width x height of the generated JPEG (default: %(default)s)")
    args = parser.parse_args()

    folders = available_models(args.models_dir)
    if not folders:
        raise SystemExit(f"no models in {args.models_dir}; train them (python -m lib.cifar.train) or pass --models-dir")
    torch.set_num_threads(args.threads or inference_threads(usable_cores()))
    width, height = (int(v) for v in args.size.lower().split("x"))
    data = photo_jpeg(width, height)
    app = {name: load_classifier(folder, use_bf16=False) for name, folder in folders.items()}
    bf16 = {name: load_classifier(folder, use_bf16=True) for name, folder in folders.items()}
    one_view = {name: load_classifier(folder, use_bf16=False, mirror_average=False)
                for name, folder in folders.items()}
    one = dict(list(app.items())[-1:])
    resolution = next(iter(app.values())).meta["config"]["resolution"]
    print(f"models: {', '.join(folders)} from {args.models_dir} (network input {resolution} px); "
          f"bf16 native: {bf16_supported()}; torch threads: {torch.get_num_threads()}; "
          f"cores: {usable_cores()}; load average: {os.getloadavg()[0]:.1f}")
    print(f"image: generated {width}x{height} JPEG, {len(data) / 1e3:.0f} kB; {args.runs} timed calls per row\n")

    rows = {
        "decode only (baseline)": lambda: decode_upload("photo.jpg", data),
        "app path, both models": lambda: classify_upload("photo.jpg", data, app),
        "one after the other, both models": lambda: classify_upload("photo.jpg", data, app, parallel=False),
        "bf16 autocast, both models": lambda: classify_upload("photo.jpg", data, bf16),
        f"app path, one model ({next(iter(one))})": lambda: classify_upload("photo.jpg", data, one),
        "one view, both models": lambda: classify_upload("photo.jpg", data, one_view),
    }
    timings = {label: time_calls(fn, args.runs) for label, fn in rows.items()}
    reference = percentile_ms(timings["app path, both models"], 50)
    print(f"{'per image':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'p50 / app':>10s}")
    for label, seconds in timings.items():
        p50 = percentile_ms(seconds, 50)
        print(f"{label:36s} {p50:8.1f} {percentile_ms(seconds, 95):8.1f} {p50 / reference:10.2f}")


if __name__ == "__main__":
    main()
