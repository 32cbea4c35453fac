"""Server-side time to classify one uploaded image on the classify page, beside baselines from the same run.

    python bench/bench_classify.py [--models-dir assets/models] [--runs 40] [--size 640x480]

Each timed call is what the page does per image (lib.classifier.classify.classify_upload): decode the JPEG
bytes safely in a worker process (lib.classifier.decode_pool running lib.classifier.image_io: the 32×32 view
and a thumbnail come back), and run every model. Rows:

* decode here — lib.classifier.image_io.decode_upload in this process (the floor no model choice can go below);
* decode in a worker — the same through the warm worker pool: the difference is the worker's cost
  (sending the bytes, receiving the view and the thumbnail);
* inference only, both models — the two models on the 32×32 view (ONNX Runtime): their shared stem once,
  then the two heads at the same time;
* inference only, each its own stem — the same without sharing the stem: each model runs whole, the two
  at the same time (the app path until the stem was shared);
* app path, both models — as the page runs it: decode in a worker, ONNX Runtime, the two models at the
  same time on two threads;
* one after the other, both models — the same, the models run in turn;
* previous app path, both models — decode here, eager PyTorch fp32 channels_last (the page until now);
* app path, one model — the page with "Compare" switched off;
* one view, both models — the app path without mirror averaging (what averaging the mirror costs).

Prints p50 and p95 in milliseconds per image and the ratio of each p50 to the app path's; no asserts.
Rows are measured in interleaved rounds, so a burst of load from other jobs falls on every row alike.
The picture is generated (smooth gradients plus noise, saved as JPEG quality 90): nothing is downloaded.
"""

from __future__ import annotations

import argparse
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from timing import time_calls

from lib.cifar.model import available_models, bf16_supported, load_classifier
from lib.cifar.settings import DECODE_WORKERS, configure_process, usable_cores
from lib.classifier.classify import classify_decoded, classify_upload, predict_view
from lib.classifier.decode_pool import shared_pool
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
    parser.add_argument("--size", default="640x480", help="width x height of the generated JPEG (default: %(default)s)")
    args = parser.parse_args()

    folders = available_models(args.models_dir)
    if not folders:
        raise SystemExit(f"no models in {args.models_dir}; train them (python -m lib.cifar.train) or pass --models-dir")
    configure_process()
    width, height = (int(v) for v in args.size.lower().split("x"))
    data = photo_jpeg(width, height)
    app = {name: load_classifier(folder) for name, folder in folders.items()}
    previous = {name: load_classifier(folder, backend="torch", use_bf16=False) for name, folder in folders.items()}
    one_view = {name: load_classifier(folder, mirror_average=False) for name, folder in folders.items()}
    one = dict(list(app.items())[-1:])
    pool = shared_pool()
    pool.warm_up()
    view = decode_upload("photo.jpg", data).view
    pixels = np.array(view, dtype=np.uint8)[None]
    own_stems = ThreadPoolExecutor(max_workers=len(app))
    resolution = next(iter(app.values())).meta["config"]["resolution"]
    print(f"models: {', '.join(folders)} from {args.models_dir} (network input {resolution} px); "
          f"bf16 native: {bf16_supported()}; torch threads: {torch.get_num_threads()}; decode workers: "
          f"{DECODE_WORKERS}; cores: {usable_cores()}; load average: {os.getloadavg()[0]:.1f}")
    print(f"image: generated {width}x{height} JPEG, {len(data) / 1e3:.0f} kB; {args.runs} timed calls per row\n")

    rows = {
        "decode here (baseline)": lambda: decode_upload("photo.jpg", data),
        "decode in a worker": lambda: pool.decode("photo.jpg", data),
        "inference only, both models": lambda: predict_view(view, app),
        "inference only, each its own stem": lambda: list(own_stems.map(lambda c: c.predict_uint8(pixels),
                                                                        app.values())),
        "app path, both models": lambda: classify_upload("photo.jpg", data, app),
        "one after the other, both models": lambda: classify_upload("photo.jpg", data, app, parallel=False),
        "previous app path, both models": lambda: classify_decoded(decode_upload("photo.jpg", data), previous),
        f"app path, one model ({next(iter(one))})": lambda: classify_upload("photo.jpg", data, one),
        "one view, both models": lambda: classify_upload("photo.jpg", data, one_view),
    }
    timings: dict[str, list[float]] = {label: [] for label in rows}
    for _ in range(4):
        for label, fn in rows.items():
            timings[label] += time_calls(fn, max(1, args.runs // 4), warmup=1)
    reference = percentile_ms(timings["app path, both models"], 50)
    print(f"{'per image':36s} {'p50 ms':>8s} {'p95 ms':>8s} {'p50 / app':>10s}")
    for label, seconds in timings.items():
        p50 = percentile_ms(seconds, 50)
        print(f"{label:36s} {p50:8.1f} {percentile_ms(seconds, 95):8.1f} {p50 / reference:10.2f}")
    pool.close()


if __name__ == "__main__":
    main()
