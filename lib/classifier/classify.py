"""Classify the user's own images with the shipped models: the pure logic behind the classify page.

One image travels ``bytes → lib.classifier.image_io.decode_upload → lib.cifar.preprocess.to_model_domain
(32×32) → Classifier.predict_uint8`` for every model compared, and comes back as an :class:`ImageResult`
holding what the page shows: the picture as given, the 32×32 picture the model sees, and per model
the ten probabilities, the top class, its confidence set against the smoothed-target ceiling
``1 − ε + ε/K`` (:func:`confidence_ceiling`), the entropy of the prediction in nats
(:func:`entropy_nats`), and the seconds it all took. A file that does not decode comes back as
``lib.classifier.image_io.RejectedImage`` and never stops the others.

No streamlit here: the page caches the models and draws; everything it prints is computed here and put in
words by :mod:`lib.classifier.words`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from lib.cifar.model import Classifier
from lib.cifar.preprocess import CIFAR_SIZE, to_model_domain
from lib.classifier.image_io import DecodedImage, RejectedImage, decode_upload
from lib.smoothing import target_values
from lib.url_values import quoted

MAX_IMAGES_PER_RUN = 24
"""At most this many images are classified per page run: the work one request can cause stays bounded."""

DISPLAY_SIZE = 256
"""The 32×32 model view is shown at this size, enlarged by nearest neighbour so every pixel stays a square."""


# --------------------------------------------------------------------------------------------- numbers
def entropy_nats(probs: np.ndarray) -> np.ndarray | float:
    """Shannon entropy ``H(p) = −Σᵢ pᵢ ln pᵢ`` in nats, with ``0 · ln 0 = 0``, in float64.

    ``probs`` is one distribution (K,) → a float, or a batch (N, K) → an (N,) array. ``H`` is 0 for a
    one-hot prediction and ``ln K`` (2.303 nats for K = 10) for a uniform one.
    """
    p = np.asarray(probs, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0.0, p * np.log(np.where(p > 0.0, p, 1.0)), 0.0)
    h = np.maximum(-terms.sum(axis=-1), 0.0)  # tiny negatives are rounding, not information
    return float(h) if p.ndim == 1 else h


def confidence_ceiling(num_classes: int, eps: float) -> float:
    """The top probability of the smoothed training target, ``1 − ε + ε/K`` (PyTorch's "all" convention).

    Cross-entropy against that target is smallest when the prediction equals it (Szegedy et al. 2016;
    Müller et al. 2019), so a model trained with ε has no reason to go past it; ε = 0 gives 1.
    """
    return target_values(num_classes, eps, spread="all")[0]


# --------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ModelPrediction:
    """One model's answer for one image: ``probs`` (K,) float64 summing to 1, in ``classes`` order."""

    model: str
    label_smoothing: float
    classes: tuple[str, ...]
    probs: np.ndarray

    @property
    def top(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def top_class(self) -> str:
        return self.classes[self.top]

    @property
    def confidence(self) -> float:
        return float(self.probs[self.top])

    @property
    def entropy(self) -> float:
        return float(entropy_nats(self.probs))

    @property
    def ceiling(self) -> float:
        return confidence_ceiling(len(self.classes), self.label_smoothing)


@dataclass(frozen=True)
class ImageResult:
    """Everything the page shows for one image that decoded."""

    name: str  # as uploaded, unescaped: display only through escaping APIs (st.text)
    original: Image.Image  # upright 8-bit RGB, as decoded
    model_view: Image.Image  # the 32×32 RGB picture every model saw
    predictions: tuple[ModelPrediction, ...]  # one per model, in the order the models were given
    seconds: float  # decode + preprocessing + every model, wall clock
    notes: tuple[str, ...] = ()  # what decoding did to the picture (lib.classifier.image_io), in words
    true_label: str | None = None  # known for CIFAR-10 samples, None for uploads

    def prediction(self, model: str) -> ModelPrediction:
        return next(p for p in self.predictions if p.model == model)


Outcome = ImageResult | RejectedImage


# Runs the models of one image at the same time, one per core: torch releases the GIL inside each
# forward pass. Four workers = two models × Classifier.max_concurrent; further requests queue here.
_MODEL_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lslab-classify")


def predict_view(view: Image.Image, classifiers: Mapping[str, Classifier], *,
                 parallel: bool = True) -> tuple[ModelPrediction, ...]:
    """The 32×32 model view → one :class:`ModelPrediction` per classifier (same pixels for all).

    With ``parallel`` the models run at the same time on a small shared thread pool; the predictions
    are the same either way, only the wall time differs (bench/bench_classify.py measures both).
    """
    batch = np.array(view, dtype=np.uint8)[None]  # a writable copy: torch.as_tensor warns on read-only arrays
    if batch.shape != (1, CIFAR_SIZE, CIFAR_SIZE, 3):
        raise ValueError(f"expected a {CIFAR_SIZE}×{CIFAR_SIZE} RGB view, got {batch.shape[1:]}")
    models = list(classifiers.values())
    if parallel and len(models) > 1:
        probs = list(_MODEL_POOL.map(lambda classifier: classifier.predict_uint8(batch)[0], models))
    else:
        probs = [classifier.predict_uint8(batch)[0] for classifier in models]
    return tuple(ModelPrediction(name, classifier.label_smoothing, tuple(classifier.classes), p)
                 for (name, classifier), p in zip(classifiers.items(), probs, strict=True))


def classify_decoded(decoded: DecodedImage, classifiers: Mapping[str, Classifier], *,
                     started: float | None = None, clock: Callable[[], float] = time.perf_counter,
                     parallel: bool = True) -> ImageResult:
    """A decoded upload → its result; ``started`` (a ``clock()`` reading) lets the decode count too."""
    start = clock() if started is None else started
    view = to_model_domain(decoded.image)
    predictions = predict_view(view, classifiers, parallel=parallel)
    return ImageResult(decoded.name, decoded.image, view, predictions, clock() - start, decoded.notes)


def classify_upload(name: str, data: bytes, classifiers: Mapping[str, Classifier], *,
                    clock: Callable[[], float] = time.perf_counter, parallel: bool = True) -> Outcome:
    """One uploaded file → its :class:`ImageResult`, or the ``RejectedImage`` saying why it was refused.

    The time recorded runs from the raw bytes to the last model's probabilities (decode included).
    """
    start = clock()
    decoded = decode_upload(name, data)
    if isinstance(decoded, RejectedImage):
        return decoded
    return classify_decoded(decoded, classifiers, started=start, clock=clock, parallel=parallel)


def classify_array(name: str, pixels: np.ndarray, classifiers: Mapping[str, Classifier], *,
                   true_label: str | None = None, clock: Callable[[], float] = time.perf_counter) -> ImageResult:
    """A (32, 32, 3) uint8 CIFAR image (a gallery sample) → its result, with its true label if known."""
    start = clock()
    image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), mode="RGB")
    view = to_model_domain(image)
    predictions = predict_view(view, classifiers)
    return ImageResult(name, image, view, predictions, clock() - start, (), true_label)


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one, else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def inference_threads(cores: int) -> int:
    """Torch threads per inference: half the cores, at least 1, at most 4.

    Each model lets two inferences run at once (``Classifier.max_concurrent``) and the page runs two
    models, so half the cores per inference keeps concurrent sessions from oversubscribing the CPU;
    one 32×32 image gains little from more than 4 threads. Measured on the 2-core server shared with
    training (bench/bench_classify.py): both models took 125 ms per image with 1 thread, 419 ms with 2.
    """
    return max(1, min(4, int(cores) // 2))


def warm_up(classifiers: Mapping[str, Classifier]) -> None:
    """One throwaway prediction per model, so the first user does not pay for oneDNN's first-call setup."""
    blank = np.zeros((1, CIFAR_SIZE, CIFAR_SIZE, 3), dtype=np.uint8)
    for classifier in classifiers.values():
        classifier.predict_uint8(blank)


@dataclass(frozen=True)
class Upload:
    """Raw bytes to decode (a file or a camera photo)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Sample:
    """A CIFAR-10 test image, already 32×32 uint8, with its true label."""

    name: str
    pixels: np.ndarray
    true_label: str


def classify_many(items: Sequence[Upload | Sample], classifiers: Mapping[str, Classifier], *,
                  on_progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Each item classified independently, in order; ``on_progress(done, total)`` after each one.

    At most :data:`MAX_IMAGES_PER_RUN` items are processed (the caller says what was left out, see
    :func:`over_limit_note`). A bad file yields its ``RejectedImage`` and the next one goes on.
    """
    todo = list(items)[:MAX_IMAGES_PER_RUN]
    out: list[Outcome] = []
    for done, item in enumerate(todo, start=1):
        if isinstance(item, Upload):
            out.append(classify_upload(item.name, item.data, classifiers))
        else:
            out.append(classify_array(item.name, item.pixels, classifiers, true_label=item.true_label))
        if on_progress is not None:
            on_progress(done, len(todo))
    return out


def pick_model(raw: str | None, available: Sequence[str], default: str) -> tuple[str, str | None]:
    """The model a URL asks for (``?model=eps0.1``), clamped to the available ones, and a note if repaired.

    A missing value gives ``default`` silently (or the first available one if that is absent); an
    unknown value gives the same with a note. The note quotes the raw value only when it is short and
    plain (letters, digits, ``.+-_`` and spaces), so Markdown in a crafted link is never echoed.
    """
    if not available:
        raise ValueError("no models are available")
    fallback = default if default in available else available[0]
    if raw is None or raw in available:
        return (fallback if raw is None else raw), None
    return fallback, (f"Model {quoted(raw)} is not one of the shipped models ({', '.join(available)}); "
                      f"showing {fallback}.")


def enlarge_nearest(image: Image.Image, size: int = DISPLAY_SIZE) -> Image.Image:
    """``image`` enlarged to ``size``×``size`` with nearest neighbour: each model pixel becomes a crisp block."""
    return image.resize((size, size), Image.Resampling.NEAREST)


def display_copy(image: Image.Image, max_side: int = 768) -> Image.Image:
    """A copy no larger than ``max_side`` on its longer side, so a 25-megapixel upload is not sent back whole."""
    if max(image.size) <= max_side:
        return image
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return copy


