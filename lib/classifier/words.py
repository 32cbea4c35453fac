"""The classifier page's words: every sentence and caption it prints about the images and the models, from
their own numbers (:mod:`lib.classifier.classify` computes them)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from lib.cifar.model import Classifier
from lib.cifar.preprocess import CIFAR_SIZE
from lib.classifier.classify import MAX_IMAGES_PER_RUN, ImageResult, ModelPrediction, Outcome
from lib.digits import for_people, nats, percent
from lib.timing import percentile_ms
from lib.training import wrong_classes

# --------------------------------------------------------------------------------------------- words
EMPTY_STATE = "Upload images, take a photo or pick CIFAR-10 test images to see what the models say."
"""What the page says before it has an image; its verbs are the controls' own ("Use the camera", "Pick CIFAR-10
test images": switches, not boxes to tick)."""


def over_limit_note(count: int, limit: int = MAX_IMAGES_PER_RUN) -> str | None:
    """A sentence when more images were given than one run classifies, else None."""
    if count <= limit:
        return None
    return f"{count} images were given; the first {limit} are classified. Remove some to see the others."


def timing_summary(results: Iterable[Outcome]) -> str | None:
    """``"3 images: median 41 ms per image (slowest 55 ms), decoding and every model included."``"""
    seconds = [r.seconds for r in results if isinstance(r, ImageResult)]
    if not seconds:
        return None
    images = "1 image" if len(seconds) == 1 else f"{len(seconds)} images"
    return (f"{images}: median {percentile_ms(seconds, 50):.0f} ms per image "
            f"(slowest {max(seconds) * 1000:.0f} ms), decoding and every model included, on this server.")


def prediction_headline(prediction: ModelPrediction) -> str:
    """``"ε = 0.1: ship, 62.3% (the smoothed target stops at 91%) · entropy 1.123 nats of at most ln 10 = 2.303"``."""
    eps = f"{prediction.label_smoothing:g}"
    if prediction.label_smoothing > 0:
        ceiling = f" (the smoothed target stops at {percent(prediction.ceiling)})"
    else:
        ceiling = " (one-hot target: no ceiling below 100%)"
    most = math.log(len(prediction.classes))
    return (f"ε = {eps}: {prediction.top_class}, {percent(prediction.confidence)}{ceiling} · "
            f"entropy {nats(prediction.entropy)} of at most ln {len(prediction.classes)} = {for_people(most)}")


def listed_order(result: ImageResult, first: str) -> list[ModelPrediction]:
    """The image's predictions with the model ``first`` (the page's "Model listed first") before the others, which
    keep the order the models were given: the grid and the detail charts both list them so."""
    return sorted(result.predictions, key=lambda p: p.model != first)


# Every ASCII punctuation character may be backslash-escaped in CommonMark: a file name shown in a Markdown label
# (an expander's title) then reads as typed, "*cat*" and "[x](y)" included. Control characters (a newline in a
# name) become spaces, so a name stays on its one line.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def markdown_literal(text: str) -> str:
    """``text`` escaped so that Markdown shows it as typed: ``"*cat*.png"`` → ``"\\*cat\\*\\.png"``."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _CONTROL.sub(" ", text))


def details_title(names: Sequence[str], index: int) -> str:
    """The title of the ``index``-th image's detail panel: its file name (Markdown-escaped), and its place in the
    upload (``"photo.jpg (image 3) in detail"``) only where another image has the same name, so a collapsed
    panel still says which image it is."""
    name = names[index]
    place = f" (image {index + 1})" if names.count(name) > 1 else ""
    return f"{markdown_literal(name)}{place} in detail"


def grid_caption(result: ImageResult, first: str) -> str:
    """Every model's answer for one image, ``first`` on top, one line each (Markdown line breaks)::

        ε = 0.1: ship 62.3%
        ε = 0: ship 98.1%
        41 ms · true: cat

    The comparison is the page's point, so each grid cell shows it without opening the details.
    """
    lines = [f"ε = {p.label_smoothing:g}: {p.top_class} {percent(p.confidence)}" for p in listed_order(result, first)]
    lines.append(f"{result.seconds * 1000:.0f} ms" + (f" · true: {result.true_label}" if result.true_label else ""))
    return "  \n".join(lines)


def ceiling_sentence(prediction: ModelPrediction) -> str:
    """Where a smoothed model's confidence for this image sits against its target's top, and why it may pass it.

    1 − ε + ε/K is where the training loss is lowest *on average*, not a cap on one image: measured on
    the CIFAR-10 test split, the shipped ε = 0.1 model's confidences have a median near 91 % and a mean of
    86 % (hard images far below), while about one image in six, clear and typical of its class, gets more
    than 95 % (docs/model.md, *How sure the smoothed model is*). Upscaled inputs change none of that: the
    pipeline reduces every picture to 32×32 first.
    """
    ceiling = percent(prediction.ceiling)
    here = percent(prediction.confidence)
    if prediction.confidence > prediction.ceiling:
        where = f"here it says {here}, above that line"
    else:
        where = f"here it says {here}, {'at' if prediction.ceiling - prediction.confidence < 0.005 else 'below'} it"
    return (f"Its training target never asked for more than {ceiling} on one class (1 − ε + ε/K): that is where "
            f"its training loss is lowest on average, not a cap on each image, so its answers spread around "
            f"that line, clear and typical pictures above it, hard ones far below; {where}. "
            f"The ε = 0 model was pushed toward 100% on every training image.")


ABOUT_AS_SURE = 0.02
"""Top-class confidences closer than this (2 percentage points) are "about as sure", never ordered.

The page prints confidences at 3 significant figures (:func:`lib.digits.percent`), where a gap of a tenth of a
point reads as one; a gap this large keeps a claimed order plain at a glance on the grid and on the detail charts
alike, not something to find in the last digit.
"""


def certainty_verdict(smooth: ModelPrediction, sharp: ModelPrediction) -> str:
    """How sure the smoothed model is beside the unsmoothed one, by both measures the page shows.

    An order is claimed only when the top-class confidences differ by at least :data:`ABOUT_AS_SURE` *and* the
    entropies agree with it (the surer model's probabilities less spread out); where the two measures
    disagree, the verdict says so instead of picking one.
    """
    gap = smooth.confidence - sharp.confidence
    numbers = (f"{percent(smooth.confidence)} for {smooth.top_class} against {percent(sharp.confidence)} for "
               f"{sharp.top_class} at ε = {sharp.label_smoothing:g}")
    entropies = f"entropy {for_people(smooth.entropy)} against {nats(sharp.entropy)}"
    if abs(gap) < ABOUT_AS_SURE:
        return f"is about as sure: {numbers}, with {entropies}"
    if gap < 0 and smooth.entropy >= sharp.entropy:
        return f"is less sure: {numbers}, with {entropies}"
    if gap > 0 and smooth.entropy <= sharp.entropy:
        return f"is, unusually, surer here: {numbers}, with {entropies}"
    top, rest = ("more", "more widely") if gap > 0 else ("less", "less widely")
    return (f"is neither clearly surer nor less sure: it gives its top class {top}, {numbers}, but spreads the "
            f"rest {rest}, {entropies}")


def what_to_notice(result: ImageResult) -> list[str]:
    """Two or three sentences on what this image's predictions show, from its own numbers."""
    by_eps = sorted(result.predictions, key=lambda p: p.label_smoothing)
    sentences = []
    if len(by_eps) >= 2 and by_eps[0].label_smoothing != by_eps[-1].label_smoothing:
        sharp, smooth = by_eps[0], by_eps[-1]
        sentences.append(
            f"The model trained with ε = {smooth.label_smoothing:g} {certainty_verdict(smooth, sharp)}.")
        sentences.append(ceiling_sentence(smooth))
    k = len(by_eps[0].classes)
    sentences.append(
        f"Whatever the picture shows, the answer is one of CIFAR-10's {k} classes: a photo of something "
        "else is still forced into one of them, and a high confidence does not mean the picture belongs there.")
    return sentences


def probabilities_note(classifiers: Mapping[str, Classifier]) -> str:
    """What the probabilities on the page are: raw softmax, and of which logits (one view, or with its mirror)."""
    base = "Probabilities are each model's raw softmax outputs (no temperature scaling)"
    mirrored = [classifier for classifier in classifiers.values() if classifier.mirror_average]
    how = "of its logits averaged over the 32×32 view and its mirror image, as in the model card's figures"
    if not mirrored:
        return base + "."
    if len(mirrored) == len(classifiers):
        return f"{base}, {how}."
    names = " and ".join(f"ε = {classifier.label_smoothing:g}" for classifier in mirrored)
    return f"{base}; for the {names} model{'s' if len(mirrored) > 1 else ''}, {how}."


def model_label(label_smoothing: float) -> str:
    """The model as a learner knows it: ``"ε = 0.1 (smoothed targets)"``, ``"ε = 0 (one-hot targets)"``; the
    folder name (``eps0.1``) stays in the URL."""
    return f"ε = {label_smoothing:g} ({'smoothed' if label_smoothing > 0 else 'one-hot'} targets)"


def describe_decoded(result: ImageResult) -> str:
    """One plain line about the picture as given: ``"640×480 pixels"`` plus what decoding did to it."""
    width, height = result.size or result.thumbnail.size
    parts = [f"{width}×{height} pixels as given"] + list(result.notes)
    return "; ".join(parts) + "."


def model_view_caption(result: ImageResult) -> str:
    """The caption beside the model's view: which square of the picture it is, and whether that square was shrunk
    or enlarged to 32×32 — the same rule as the decoding notes (:mod:`lib.classifier.image_io`), so the page's
    two lines about one picture never disagree.

    The preprocessing (:func:`lib.cifar.preprocess.model_view`) takes the centre square before resizing it.
    """
    width, height = result.size or result.thumbnail.size
    side = min(width, height)
    size = f"{CIFAR_SIZE}×{CIFAR_SIZE}"
    resized = (f"shrunk to {size}" if side > CIFAR_SIZE else f"enlarged to {size}" if side < CIFAR_SIZE
               else f"already {size}")
    if width == height:
        return f"What the model sees: the {width}×{height} picture, {resized} (drawn larger here)"
    cut = "left and right" if width > height else "top and bottom"
    return (f"What the model sees: the centre {side}×{side} square of the {width}×{height} picture (its {cut} "
            f"are cut off), {resized} (drawn larger here)")


def runners_up(prediction: ModelPrediction, count: int = 3) -> str:
    """One model's next guesses after its top class, most likely first: "dog 3.12%, deer 0.8%, frog 0.51%".

    What Müller et al. 2019 say smoothing flattens: with ε = 0.1 the runners-up share ε/K-like crumbs;
    with ε = 0 they rank the look-alikes.
    """
    ranking = wrong_classes.wrong_class_ranking(prediction.probs, prediction.top, list(prediction.classes))[:count]
    return ", ".join(f"{name} {percent(value)}" for name, value in ranking)
