"""Classify the user's own images with the shipped models: the pure logic behind the classify page.

One image travels ``bytes → lib.classifier.decode_pool (lib.classifier.image_io.decode_upload in a worker
process, with a deadline: the 32×32 view and a thumbnail come back) → the models' shared stem, then each model's
head`` (``lib.cifar.model.Classifier``), and comes back as an :class:`ImageResult` holding what the page shows:
a display-size thumbnail of the picture as given, the 32×32 picture the model sees, and per model
the ten probabilities, the top class, its confidence set against the smoothed-target ceiling
``1 − ε + ε/K`` (:func:`confidence_ceiling`), the entropy of the prediction in nats
(:func:`entropy_nats`), and the seconds it all took. A file that does not decode comes back as
``lib.classifier.image_io.RejectedImage`` and never stops the others; so does any failure of one image's
work (``MemoryError`` included). One run decodes at most :data:`RUN_PIXEL_BUDGET` pixels.

No streamlit here: the page caches the models and draws; everything it prints is computed here and put in
words by :mod:`lib.classifier.words`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from lib.cifar.model import Classifier
from lib.cifar.preprocess import CIFAR_SIZE, to_model_domain
from lib.cifar.settings import MODEL_POOL_THREADS
from lib.classifier.decode_pool import shared_pool
from lib.classifier.image_io import MEMORY_MESSAGE, RUN_PIXEL_BUDGET, DecodedImage, RejectedImage
from lib.smoothing import target_values
from lib.url_values import quoted

logger = logging.getLogger(__name__)

MAX_IMAGES_PER_RUN = 24
"""At most this many images are classified per page run: the work one request can cause stays bounded."""

DISPLAY_SIZE = 256
"""The 32×32 model view is shown at this size, enlarged by nearest neighbour so every pixel stays a square."""

FAILED_MESSAGE = "This image could not be classified because of an error on the server; try it again."


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
    thumbnail: Image.Image  # upright 8-bit RGB, at most lib.classifier.image_io.THUMBNAIL_SIDE on its longer side
    model_view: Image.Image  # the 32×32 RGB picture every model saw
    predictions: tuple[ModelPrediction, ...]  # one per model, in the order the models were given
    seconds: float  # decode + preprocessing + every model, wall clock
    notes: tuple[str, ...] = ()  # what decoding did to the picture (lib.classifier.image_io), in words
    true_label: str | None = None  # known for CIFAR-10 samples, None for uploads
    size: tuple[int, int] | None = None  # (width, height) as given, upright; None: the thumbnail's own
    decoded_pixels: int = 0  # what decoding it cost from the run's RUN_PIXEL_BUDGET (0 for samples)

    def prediction(self, model: str) -> ModelPrediction:
        return next(p for p in self.predictions if p.model == model)


Outcome = ImageResult | RejectedImage


# Runs one image's inferences at the same time, one per core — the stem on the image and on its mirror, then the
# models' heads: ONNX Runtime releases the GIL inside each run. Sized from the concurrency bound
# (lib.cifar.settings); further requests queue here.
_MODEL_POOL = ThreadPoolExecutor(max_workers=MODEL_POOL_THREADS, thread_name_prefix="lslab-classify")


def predict_view(view: Image.Image, classifiers: Mapping[str, Classifier], *,
                 parallel: bool = True) -> tuple[ModelPrediction, ...]:
    """The 32×32 model view → one :class:`ModelPrediction` per classifier (same pixels for all).

    Classifiers with the same ``stem_key`` share one stem computation (their frozen ImageNet stems are
    bit-identical: ``lib.cifar.model``); then each runs its own head. With ``parallel`` the stem's rows (the
    image and its mirror), then the heads, run at the same time on a small shared thread pool; the
    predictions are the same either way, only the wall time differs (bench/bench_classify.py measures both).
    """
    batch = np.array(view, dtype=np.uint8)[None]
    if batch.shape != (1, CIFAR_SIZE, CIFAR_SIZE, 3):
        raise ValueError(f"expected a {CIFAR_SIZE}×{CIFAR_SIZE} RGB view, got {batch.shape[1:]}")
    models = list(classifiers.values())
    run = _MODEL_POOL.map if parallel else map
    features: dict[str, np.ndarray] = {}
    for classifier in models:
        if classifier.stem_key not in features:  # the image and its mirror side by side, one row each
            rows = classifier.stem_inputs(batch)
            features[classifier.stem_key] = np.concatenate(list(run(classifier.features, np.split(rows, len(rows)))))

    def head(classifier: Classifier) -> np.ndarray:
        return classifier.predict_from_features(features[classifier.stem_key])[0]

    probs = list(run(head, models))
    return tuple(ModelPrediction(name, classifier.label_smoothing, tuple(classifier.classes), p)
                 for (name, classifier), p in zip(classifiers.items(), probs, strict=True))


def classify_decoded(decoded: DecodedImage, classifiers: Mapping[str, Classifier], *,
                     started: float | None = None, clock: Callable[[], float] = time.perf_counter,
                     parallel: bool = True) -> ImageResult:
    """A decoded upload → its result; ``started`` (a ``clock()`` reading) lets the decode count too."""
    start = clock() if started is None else started
    predictions = predict_view(decoded.view, classifiers, parallel=parallel)
    return ImageResult(decoded.name, decoded.thumbnail, decoded.view, predictions, clock() - start, decoded.notes,
                       size=decoded.upright_size, decoded_pixels=decoded.decoded_pixels)


def classify_upload(name: str, data: bytes, classifiers: Mapping[str, Classifier], *,
                    clock: Callable[[], float] = time.perf_counter, parallel: bool = True,
                    pixel_budget: float = RUN_PIXEL_BUDGET) -> Outcome:
    """One uploaded file → its :class:`ImageResult`, or the ``RejectedImage`` saying why it was refused.

    Decoding runs in a worker process (``lib.classifier.decode_pool``); ``pixel_budget`` is what is left of the
    run's. The time recorded runs from the raw bytes to the last model's probabilities (decode included).
    """
    start = clock()
    decoded = shared_pool().decode(name, data, pixel_budget=pixel_budget)
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


def warm_up(classifiers: Mapping[str, Classifier]) -> None:
    """One throwaway prediction per model and started decode workers, so the first user waits for neither."""
    blank = np.zeros((1, CIFAR_SIZE, CIFAR_SIZE, 3), dtype=np.uint8)
    for classifier in classifiers.values():
        classifier.predict_uint8(blank)
    shared_pool().warm_up()


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


def classify_many(items: Sequence[Upload | Sample | RejectedImage], classifiers: Mapping[str, Classifier], *,
                  on_progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Each item classified independently, in order; ``on_progress(done, total)`` after each one.

    A ``RejectedImage`` (a file refused before any reading, ``lib.classifier.upload_limits``) keeps its place in
    the results as given. At most :data:`MAX_IMAGES_PER_RUN` of the other items are processed (the caller says
    what was left out, see :func:`over_limit_note`), decoding at most :data:`RUN_PIXEL_BUDGET` pixels together.
    A bad file yields its ``RejectedImage`` and the next one goes on; so does any error in one image's work.
    """
    todo, taken = [], 0
    for item in items:
        if not isinstance(item, RejectedImage):
            if taken == MAX_IMAGES_PER_RUN:
                continue
            taken += 1
        todo.append(item)
    out: list[Outcome] = []
    budget = RUN_PIXEL_BUDGET
    for done, item in enumerate(todo, start=1):
        outcome = item if isinstance(item, RejectedImage) else _classify_item(item, classifiers, budget)
        if isinstance(outcome, ImageResult):
            budget -= outcome.decoded_pixels
        out.append(outcome)
        if on_progress is not None:
            on_progress(done, len(todo))
    return out


def _classify_item(item: Upload | Sample, classifiers: Mapping[str, Classifier], budget: float) -> Outcome:
    """One item's outcome; an unexpected error becomes that item's message, never the page's."""
    try:
        if isinstance(item, Upload):
            return classify_upload(item.name, item.data, classifiers, pixel_budget=max(budget, 1))
        return classify_array(item.name, item.pixels, classifiers, true_label=item.true_label)
    except MemoryError:
        return RejectedImage(item.name, MEMORY_MESSAGE)
    except Exception:
        logger.exception("classifying one image failed")
        return RejectedImage(item.name, FAILED_MESSAGE)


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
