"""Measure the two shipped models beyond accuracy: what smoothing erases, and calibration under shift.

    python -m lib.cifar.model_study --record                        # the whole CIFAR-10 test split, both studies
    python -m lib.cifar.model_study --shift-limit 2000 --record     # corruptions on a stratified 2,000 of it
    python -m lib.cifar.model_study --limit 200 --json              # a stratified subset, print only

Both models run through their shipped prediction path, ONNX Runtime in fp32 as the app runs them (mirror averaging
included). Two results, written to ``assets/study/`` with ``--record``:

* ``wrong_classes.json`` — on the clean test split, per model the mean predicted probability of each
  class given the true class and its wrong-class structure (:mod:`lib.training.wrong_classes`);
* ``under_shift.json`` — per model, for the clean split and for each corruption of
  :mod:`lib.training.corruptions` at severities 1–5 (made in memory, never written): accuracy, NLL, ECE
  (15 bins), mean confidence and the AUROC of confidence for right-vs-wrong answers, raw and after
  the model's own temperature (fitted on clean held-out training images, ``model.json``).

No image and nothing derived per image is stored: only these aggregate numbers.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import sys
import time

import numpy as np

from lib import calibration, paths
from lib.cifar.data import Split, find_source, load_cifar10
from lib.cifar.evaluate import subset
from lib.cifar.model import Classifier, load_classifier, resolve_model
from lib.cifar.settings import usable_cores
from lib.paths import UNDER_SHIFT_FILE, WRONG_CLASSES_FILE
from lib.training import corruptions, wrong_classes

MODELS = ("eps0", "eps0.1")


def get_args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Wrong-class structure and calibration under shift of both shipped models.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", default=None, help="CIFAR-10 source (default: $LSLAB_CIFAR10 or the shared archive)")
    p.add_argument("--limit", type=int, default=None, help="a fixed stratified subset of N test images")
    p.add_argument("--shift-limit", type=int, default=None,
                   help="run the corruptions on a fixed stratified subset of N of those images "
                        "(26× the work of one pass)")
    p.add_argument("--record", action="store_true", help=f"write the results to {paths.STUDY_DIR}")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise corruption")
    p.add_argument("--jobs", type=int, default=min(len(MODELS), usable_cores()),
                   help="models studied at once, one process each (each inference keeps the app's one thread)")
    return p


def shift_metrics(logits: np.ndarray, labels: np.ndarray, temperature: float) -> dict:
    """Accuracy, NLL, ECE, mean confidence and confidence AUROC, raw and after ``temperature``."""
    out = {}
    for name, z in (("raw", logits), ("temperature_scaled", logits / temperature)):
        probs = calibration.softmax(z)
        confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
        out[name] = {
            "accuracy": float(correct.mean()), "nll": calibration.nll(z, labels),
            "ece": calibration.reliability_bins(confidence, correct).ece,
            "mean_confidence": float(confidence.mean()),
            "auroc": calibration.confidence_auroc(confidence, correct),
        }
    return out


def study_model(classifier: Classifier, clean: Split, shift: Split, seed: int) -> tuple[np.ndarray, dict]:
    """Probabilities on ``clean``, and the under-shift metrics on ``shift`` (clean, then every corruption)."""
    clean_logits = classifier.logits_uint8(clean.images)
    images, labels = shift.images, shift.labels
    same = len(shift) == len(clean)
    results = {"clean": shift_metrics(clean_logits if same else classifier.logits_uint8(images), labels,
                                      classifier.temperature)}
    for name in corruptions.CORRUPTIONS:
        results[name] = {}
        for severity in corruptions.SEVERITIES:
            shifted = corruptions.corrupt(images, name, severity, seed=seed)
            results[name][str(severity)] = shift_metrics(classifier.logits_uint8(shifted), labels,
                                                         classifier.temperature)
            print(f"  {name} {severity}: accuracy {results[name][str(severity)]['raw']['accuracy']:.4f}",
                  file=sys.stderr)
    return calibration.softmax(clean_logits), results


def study_shipped_model(name: str, clean: Split, shift: Split, seed: int) -> tuple[list[str], float, np.ndarray, dict]:
    """One shipped model through the shipped path (ONNX Runtime, fp32): its classes, temperature and study."""
    classifier = load_classifier(resolve_model(name))
    print(f"{name}: {len(clean)} clean images; {len(shift)} under {len(corruptions.CORRUPTIONS)} "
          "corruptions × 5 severities", file=sys.stderr)
    probs, results = study_model(classifier, clean, shift, seed)
    return classifier.classes, classifier.temperature, probs, results


def study_models(clean: Split, shift: Split, seed: int, jobs: int) -> dict[str, tuple]:
    """:func:`study_shipped_model` for every model of :data:`MODELS`, ``jobs`` of them at once in worker processes.

    The models are independent and each inference runs on one thread, so on a machine with two cores the
    two models take the time of one.
    """
    if jobs <= 1:
        return {name: study_shipped_model(name, clean, shift, seed) for name in MODELS}
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {name: pool.submit(study_shipped_model, name, clean, shift, seed) for name in MODELS}
        return {name: future.result() for name, future in futures.items()}


def main(args: argparse.Namespace) -> dict:
    source = args.data or find_source()
    if source is None:
        raise SystemExit("no CIFAR-10 found: pass --data PATH or set $LSLAB_CIFAR10")
    started = time.perf_counter()
    split = subset(load_cifar10(source, "test"), args.limit)
    shift_split = subset(split, args.shift_limit)
    command = " ".join(["python", "-m", "lib.cifar.model_study", *sys.argv[1:]])
    studied = study_models(split, shift_split, args.seed, args.jobs)
    classes = studied[MODELS[0]][0]
    temperatures = {name: studied[name][1] for name in MODELS}
    probs = {name: studied[name][2] for name in MODELS}
    shift = {name: studied[name][3] for name in MODELS}
    seconds = round(time.perf_counter() - started, 1)
    provenance = {"split": "CIFAR-10 test (JPEG q75 copy)", "command": command, "seconds": seconds, "seed": args.seed}
    wrong = {**wrong_classes.summary(probs, split.labels, classes), **provenance}
    under_shift = {"models": shift, "temperatures": temperatures, "n": len(shift_split),
                   "corruptions": {k: corruptions.CORRUPTION_LABELS[k] for k in corruptions.CORRUPTIONS},
                   "definitions": "Hendrycks & Dietterich 2019, make_cifar_c.py (lib/corruptions.py)", **provenance}
    if args.record:
        folder = paths.STUDY_DIR
        folder.mkdir(parents=True, exist_ok=True)
        (folder / WRONG_CLASSES_FILE).write_text(json.dumps(wrong, indent=1) + "\n")
        (folder / UNDER_SHIFT_FILE).write_text(json.dumps(under_shift, indent=1) + "\n")
        print(f"wrote {folder / WRONG_CLASSES_FILE} and {folder / UNDER_SHIFT_FILE} ({seconds} s)",
              file=sys.stderr)
    result = {"wrong_classes": wrong, "under_shift": under_shift}
    if args.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(get_args_parser().parse_args())
