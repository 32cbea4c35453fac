"""Recompute a shipped model's accuracy, NLL and ECE on the CIFAR-10 test split.

    python -m lib.cifar.evaluate --model default                 # the model the app uses
    python -m lib.cifar.evaluate --model eps0 --limit 1000 --json

The full network runs on the images (not on cached features), exactly as the app runs it: the same
preprocessing, through ONNX Runtime (``--backend onnxruntime``, the default and the only path
``--record`` writes) or through the eager PyTorch reference (``--backend torch``, bf16 autocast where
the CPU supports it unless ``--fp32``). ``--limit N`` evaluates a fixed stratified
subset of N images (N/10 per class, seed 0). ECE uses 15 equal-width bins; "after temperature
scaling" divides the logits by the model's temperature.

The temperature is fitted on the training images the run held out (``holdout`` and ``seed`` of the
recorded config pick them again), through the same prediction path as here: full network, mirror
averaging if the model uses it. ``lib.cifar.train --export`` does this; ``--fit-temperature`` redoes it for a
shipped model (needed when its prediction path changes, e.g. after turning on ``mirror_average``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from lib import calibration
from lib.cifar.data import Split, find_source, holdout_split, load_cifar10, stratified_indices
from lib.cifar.model import (
    BACKENDS,
    EVALUATION_FILE,
    META_FILE,
    SHIPPED_BACKEND,
    Classifier,
    load_classifier,
    read_meta,
    resolve_model,
)
from lib.cifar.settings import configure_process


def get_args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Accuracy, NLL and ECE of a shipped model on CIFAR-10 test.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", default="default", help="shipped model name (e.g. eps0.1, eps0), 'default', or a folder")
    p.add_argument("--data", default=None,
                   help="JPEG folder, its .tar.xz, or a torchvision CIFAR10 root (default: $LSLAB_CIFAR10 "
                        "or ../shared/data/cifar10-jpeg.tar.xz)")
    p.add_argument("--limit", type=int, default=None, help="evaluate a fixed stratified subset of N images")
    p.add_argument("--json", action="store_true", help="print one JSON line: accuracy, nll, ece, n, ...")
    p.add_argument("--backend", choices=BACKENDS, default=SHIPPED_BACKEND,
                   help="run the network through ONNX Runtime (the app's) or eager PyTorch (the reference)")
    p.add_argument("--fp32", action="store_true", help="with --backend torch: disable bf16 autocast")
    p.add_argument("--no-mirror", action="store_true",
                   help="predict from the image alone, even if the model averages it with its mirror")
    p.add_argument("--fit-temperature", action="store_true",
                   help="first refit the temperature on the held-out training images and write it to model.json")
    p.add_argument("--record", action="store_true",
                   help="write the result to <model folder>/evaluation.json (what the figure tests and docs cite)")
    return p


def subset(split: Split, limit: int | None) -> Split:
    if limit is None or limit >= len(split):
        return split
    per_class = max(1, limit // len(np.unique(split.labels)))
    idx = stratified_indices(split.labels, per_class, seed=0)
    return Split(split.images[idx], split.labels[idx], split.source)


def fit_holdout_temperature(classifier: Classifier, train: Split) -> dict:
    """T minimising NLL on the training images the run held out, through ``classifier``'s prediction path."""
    config = classifier.meta["config"]
    _, held = holdout_split(train.labels, float(config["holdout"]), int(config["seed"]))
    logits = classifier.logits_uint8(train.images[held])
    return {"temperature": calibration.fit_temperature(logits, train.labels[held]), "n": int(len(held)),
            "mirror_average": classifier.mirror_average,
            "nll_before": calibration.nll(logits, train.labels[held])}


def record_temperature(folder, fit: dict, command: str) -> dict:
    """Write a fitted temperature into the model folder's model.json (the weights and their checksum stay).

    Returns the updated provenance, for a classifier already loaded from ``folder``.
    """
    meta = read_meta(folder)
    meta["temperature"] = fit["temperature"]
    meta["temperature_fit"] = {**fit, "on": "held-out training images, full network, the prediction path",
                               "command": command}
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return meta


def confidence_spread(logits: np.ndarray) -> dict:
    """Quartiles of the top softmax probability over (N, K) ``logits`` and the share above 0.95.

    A smoothed model's confidences spread around the top of its target, 1 − ε + ε/K, rather than stopping
    there; these say how far (lib.classifier.words.ceiling_sentence, docs/model.md).
    """
    confidence = calibration.softmax(logits).max(axis=1)
    q25, q50, q75 = np.percentile(confidence, [25, 50, 75])
    return {"confidence_quartiles": [float(q25), float(q50), float(q75)],
            "share_confidence_above_0.95": float(np.mean(confidence > 0.95))}


def evaluate_classifier(classifier: Classifier, split: Split) -> dict:
    """Metrics of ``classifier`` on ``split``, before and after its fitted temperature."""
    started = time.perf_counter()
    logits = classifier.logits_uint8(split.images)
    seconds = time.perf_counter() - started
    report = calibration.calibration_report(logits, split.labels, classifier.label_smoothing)
    scaled = calibration.calibration_report(logits / classifier.temperature, split.labels,
                                            classifier.label_smoothing)
    return {
        "accuracy": report["accuracy"], "nll": report["nll"], "ece": report["ece"], "n": report["n"],
        "temperature": classifier.temperature,
        "nll_temperature_scaled": scaled["nll"], "ece_temperature_scaled": scaled["ece"],
        "mean_confidence": report["mean_confidence"], "smoothed_loss": report["smoothed_loss"],
        **confidence_spread(logits),
        "reliability": report["reliability"], "reliability_temperature_scaled": scaled["reliability"],
        "images_per_second": round(len(split) / seconds, 1), "mirror_average": classifier.mirror_average,
        "backend": classifier.backend,
    }


def main(args: argparse.Namespace) -> dict:
    # Both write the shipped model's files, so both must measure the path the app and the figures use.
    other_backend = args.backend != SHIPPED_BACKEND
    if args.record and (args.fp32 or args.no_mirror or args.limit or other_backend):
        raise SystemExit("--record writes the shipped prediction path's figures: drop --fp32, --no-mirror, "
                         "--limit, --backend torch")
    if args.fit_temperature and (args.fp32 or args.no_mirror or other_backend):
        raise SystemExit("--fit-temperature writes the shipped model's temperature: drop --fp32, --no-mirror, "
                         "--backend torch")
    if args.fp32 and not other_backend:
        raise SystemExit("--fp32 turns off bf16 autocast of --backend torch; ONNX Runtime always runs fp32")
    configure_process()
    source = args.data or find_source()
    if source is None:
        raise SystemExit("no CIFAR-10 found: pass --data PATH or set $LSLAB_CIFAR10")
    folder = resolve_model(args.model)
    classifier = load_classifier(folder, backend=args.backend, use_bf16=False if args.fp32 else None,
                                 mirror_average=False if args.no_mirror else None)
    command = " ".join(["python", "-m", "lib.cifar.evaluate", *sys.argv[1:]])
    if args.fit_temperature:
        fit = fit_holdout_temperature(classifier, load_cifar10(source, "train"))
        classifier.meta = record_temperature(folder, fit, command)
        print(f"temperature {fit['temperature']:.4f} fitted on {fit['n']} held-out training images "
              f"→ {folder / META_FILE}", file=sys.stderr)
    split = subset(load_cifar10(source, "test"), args.limit)
    result = {"model": folder.name, **evaluate_classifier(classifier, split)}
    if args.record:
        record = {**result, "data": str(source), "split": "test (JPEG q75 copy)" if str(source).endswith(".tar.xz")
                  else "test", "command": command}
        (folder / EVALUATION_FILE).write_text(json.dumps(record, indent=2) + "\n")
    if args.json:
        print(json.dumps(result))
    else:
        print(f"model {folder.name} (ε={classifier.label_smoothing}) on {result['n']} CIFAR-10 test images "
              f"(JPEG q75 copy)", file=sys.stdout)
        print(f"  accuracy {result['accuracy']:.4f}   NLL {result['nll']:.4f}   ECE {result['ece']:.4f}")
        print(f"  after temperature scaling (T={result['temperature']:.3f}): "
              f"NLL {result['nll_temperature_scaled']:.4f}   ECE {result['ece_temperature_scaled']:.4f}")
    return result


if __name__ == "__main__":
    main(get_args_parser().parse_args())
