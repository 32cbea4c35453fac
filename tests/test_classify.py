"""lib.classifier.classify: entropy, ceiling, per-image results, bad files beside good ones, and the page's sentences.

Models here are stand-ins with fixed outputs, so every number is known in advance; the real network
is exercised in tests/test_classify_models.py and tests/test_page_classify.py.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from lib.cifar.data import CLASSES
from lib.classifier import classify, words
from lib.classifier.image_io import BUDGET_MESSAGE, MEMORY_MESSAGE, RejectedImage
from lib.digits import percent
from lib.smoothing import smoothed_target
from lib.timing import percentile_ms


class FixedClassifier:
    """Duck-typed ``lib.cifar.model.Classifier`` answering every image with the same probabilities."""

    def __init__(self, probs: np.ndarray, label_smoothing: float) -> None:
        self.probs = np.asarray(probs, dtype=np.float64)
        self.label_smoothing = label_smoothing
        self.classes = list(CLASSES)
        self.mirror_average = False
        self.stem_key = f"fixed-{id(self)}"  # its own stem: every stand-in sees the pixels itself
        self.seen: list[np.ndarray] = []

    def stem_inputs(self, batch: np.ndarray) -> np.ndarray:
        assert batch.dtype == np.uint8 and batch.shape[1:] == (32, 32, 3)
        return batch

    def features(self, rows: np.ndarray) -> np.ndarray:
        self.seen.append(rows.copy())
        return rows

    def predict_from_features(self, features: np.ndarray) -> np.ndarray:
        return np.tile(self.probs, (len(features), 1))

    def predict_uint8(self, batch: np.ndarray) -> np.ndarray:
        return self.predict_from_features(self.features(self.stem_inputs(batch)))


SHARP = np.array([0.97, 0.01, 0.01, 0.01, 0, 0, 0, 0, 0, 0], dtype=np.float64)
SOFT = np.array([0.80, 0.05, 0.05, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01], dtype=np.float64)


@pytest.fixture
def models() -> dict[str, FixedClassifier]:
    return {"eps0": FixedClassifier(SHARP, 0.0), "eps0.1": FixedClassifier(SOFT, 0.1)}


def png_bytes(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------- numbers
def test_entropy_is_zero_for_one_hot_and_ln_k_for_uniform():
    assert classify.entropy_nats(np.eye(10)[3]) == 0.0
    assert classify.entropy_nats(np.full(10, 0.1)) == pytest.approx(math.log(10), abs=1e-12)


def test_entropy_of_the_smoothed_target_is_the_known_floor():
    # K = 10, ε = 0.1, PyTorch convention: the worked example of the explainer pages.
    assert classify.entropy_nats(smoothed_target(10, 0.1)) == pytest.approx(0.5003, abs=5e-5)


def test_entropy_treats_zero_probabilities_as_contributing_nothing():
    with np.errstate(all="raise"):
        assert classify.entropy_nats(np.array([0.5, 0.5, 0.0])) == pytest.approx(math.log(2))


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=20).filter(lambda v: sum(v) > 1e-6))
def test_entropy_lies_between_zero_and_ln_k(values):
    p = np.asarray(values) / np.sum(values)
    h = classify.entropy_nats(p)
    assert 0.0 <= h <= math.log(len(p)) + 1e-9


def test_entropy_of_a_batch_is_the_entropy_of_each_row():
    batch = np.stack([SHARP, SOFT, np.full(10, 0.1)])
    assert np.allclose(classify.entropy_nats(batch), [classify.entropy_nats(row) for row in batch])


def test_ceiling_is_one_minus_eps_plus_eps_over_k():
    assert classify.confidence_ceiling(10, 0.1) == pytest.approx(0.91)
    assert classify.confidence_ceiling(10, 0.0) == 1.0
    assert classify.confidence_ceiling(2, 0.2) == pytest.approx(0.9)


def test_percentile_ms_reads_seconds_and_reports_milliseconds():
    assert percentile_ms([0.010, 0.020, 0.030], 50) == pytest.approx(20.0)
    assert math.isnan(percentile_ms([], 50))


# --------------------------------------------------------------------------------------------- results
def test_prediction_reports_top_class_confidence_entropy_and_ceiling():
    p = classify.ModelPrediction("eps0.1", 0.1, CLASSES, SOFT)
    assert (p.top, p.top_class, p.confidence) == (0, "airplane", 0.80)
    assert p.entropy == pytest.approx(classify.entropy_nats(SOFT)) and p.ceiling == pytest.approx(0.91)


def test_an_upload_is_decoded_shrunk_to_32px_and_seen_by_every_model(models):
    result = classify.classify_upload("photo.png", png_bytes((640, 480)), models)
    assert isinstance(result, classify.ImageResult)
    assert result.size == (640, 480) and result.thumbnail.size == (640, 480) and result.model_view.size == (32, 32)
    assert [p.model for p in result.predictions] == ["eps0", "eps0.1"]
    assert np.array_equal(models["eps0"].seen[0], models["eps0.1"].seen[0])  # the same pixels for both
    assert np.array_equal(models["eps0"].seen[0][0], np.asarray(result.model_view))
    assert result.prediction("eps0.1").confidence == 0.80 and result.seconds > 0


def test_models_run_together_or_in_turn_with_the_same_predictions(models):
    view = Image.fromarray(np.random.default_rng(2).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    together = classify.predict_view(view, models, parallel=True)
    in_turn = classify.predict_view(view, models, parallel=False)
    assert [p.model for p in together] == [p.model for p in in_turn] == ["eps0", "eps0.1"]
    assert all(np.array_equal(a.probs, b.probs) for a, b in zip(together, in_turn, strict=True))


def test_the_recorded_time_includes_decoding(models):
    ticks = iter([10.0, 10.25])
    result = classify.classify_upload("a.png", png_bytes(), models, clock=lambda: next(ticks))
    assert result.seconds == pytest.approx(0.25)


def test_bad_files_are_rejected_with_a_reason_and_good_ones_beside_them_still_classified(models):
    items = [classify.Upload("good.png", png_bytes()), classify.Upload("cut.png", png_bytes()[:40]),
             classify.Upload("empty.jpg", b""), classify.Upload("notes.png", b"just some text"),
             classify.Upload("also good.png", png_bytes(colour=(0, 0, 255)))]
    progress = []
    results = classify.classify_many(items, models, on_progress=lambda done, total: progress.append((done, total)))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["ImageResult", "RejectedImage", "RejectedImage", "RejectedImage", "ImageResult"]
    assert [r.name for r in results] == [i.name for i in items]
    assert "damaged" in results[1].reason and "empty" in results[2].reason and "not an image" in results[3].reason
    assert progress == [(i, 5) for i in range(1, 6)]


def test_models_with_the_same_stem_compute_it_once_and_each_runs_its_own_head(models):
    models["eps0.1"].stem_key = models["eps0"].stem_key
    view = Image.fromarray(np.random.default_rng(4).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    predictions = classify.predict_view(view, models)
    assert len(models["eps0"].seen) == 1 and models["eps0.1"].seen == []  # one stem for both
    assert np.array_equal(predictions[0].probs, SHARP) and np.array_equal(predictions[1].probs, SOFT)


class RunsOutOfMemoryOnBlue(FixedClassifier):
    """A stand-in whose inference fails for one image: as a real model can under memory pressure."""

    def features(self, rows: np.ndarray) -> np.ndarray:
        if (rows[..., 2] > 200).all():
            raise MemoryError
        return super().features(rows)


def test_any_failure_of_one_image_becomes_its_message_and_the_others_are_classified(models):
    models["eps0.1"] = RunsOutOfMemoryOnBlue(SOFT, 0.1)
    items = [classify.Upload("red.png", png_bytes()), classify.Upload("blue.png", png_bytes(colour=(0, 0, 255))),
             classify.Upload("also red.png", png_bytes())]
    results = classify.classify_many(items, models)
    assert [type(r).__name__ for r in results] == ["ImageResult", "RejectedImage", "ImageResult"]
    assert results[1] == RejectedImage("blue.png", MEMORY_MESSAGE)


def test_the_runs_pixel_budget_refuses_what_comes_after_it_is_used_up(models, monkeypatch):
    monkeypatch.setattr(classify, "RUN_PIXEL_BUDGET", 3 * 64 * 48)
    results = classify.classify_many([classify.Upload(f"{i}.png", png_bytes()) for i in range(5)], models)
    assert [type(r).__name__ for r in results] == ["ImageResult"] * 3 + ["RejectedImage"] * 2
    assert results[3].reason == BUDGET_MESSAGE


def test_samples_keep_their_true_label(models):
    pixels = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    (result,) = classify.classify_many([classify.Sample("CIFAR-10 test #7 (cat)", pixels, "cat")], models)
    assert result.true_label == "cat" and np.array_equal(np.asarray(result.model_view), pixels)


def test_one_run_classifies_at_most_the_limit_and_says_so(models):
    items = [classify.Upload(f"{i}.png", png_bytes()) for i in range(classify.MAX_IMAGES_PER_RUN + 3)]
    assert len(classify.classify_many(items, models)) == classify.MAX_IMAGES_PER_RUN
    assert "first 24" in words.over_limit_note(len(items))
    assert words.over_limit_note(classify.MAX_IMAGES_PER_RUN) is None


def test_warm_up_runs_each_model_once(models):
    classify.warm_up(models)
    assert [len(m.seen) for m in models.values()] == [1, 1]


# --------------------------------------------------------------------------------------------- words
def test_timing_summary_counts_only_classified_images():
    view = Image.new("RGB", (32, 32))
    done = [classify.ImageResult(f"{i}", view, view, (), s) for i, s in enumerate([0.010, 0.030, 0.020])]
    text = words.timing_summary([*done, RejectedImage("bad", "nope")])
    assert text.startswith("3 images: median 20 ms per image (slowest 30 ms)")
    assert words.timing_summary([RejectedImage("bad", "nope")]) is None


def test_headline_and_grid_caption_show_the_numbers_of_the_prediction(models):
    result = classify.classify_upload("x.png", png_bytes(), models)
    soft = result.prediction("eps0.1")
    headline = words.prediction_headline(soft)
    assert headline.startswith("ε = 0.1: airplane, 80% (the smoothed target stops at 91%) · entropy ")
    assert headline.endswith(" nats of at most ln 10 = 2.303")
    assert "one-hot target" in words.prediction_headline(result.prediction("eps0"))
    assert words.grid_caption(result, "eps0").startswith("ε = 0: airplane 97%  \nε = 0.1: airplane 80%  \n")
    assert words.grid_caption(result, "eps0.1").startswith("ε = 0.1: airplane 80%  \nε = 0: airplane 97%  \n")


def test_detail_titles_name_the_file_as_typed_and_number_only_repeated_names():
    names = ["a.png", "image.jpg", "b_c*d.png", "image.jpg"]
    assert words.details_title(names, 0) == r"a\.png in detail"
    assert words.details_title(names, 2) == r"b\_c\*d\.png in detail"
    assert words.details_title(names, 1) == r"image\.jpg (image 2) in detail"
    assert words.details_title(names, 3) == r"image\.jpg (image 4) in detail"


def test_markdown_literal_escapes_every_ascii_punctuation_and_flattens_control_characters():
    assert words.markdown_literal("[x](y) `z` <b> $1$ :red[a]\nb") == (
        r"\[x\]\(y\) \`z\` \<b\> \$1\$ \:red\[a\] b")
    assert words.markdown_literal("plain name 3") == "plain name 3"


def test_listed_order_puts_the_chosen_model_first_and_keeps_the_others_in_order(models):
    result = classify.classify_upload("x.png", png_bytes(), models)
    assert [p.model for p in words.listed_order(result, "eps0.1")] == ["eps0.1", "eps0"]
    assert [p.model for p in words.listed_order(result, "eps0")] == ["eps0", "eps0.1"]


def test_what_to_notice_compares_the_models_and_warns_about_forced_classes(models):
    result = classify.classify_upload("x.png", png_bytes(), models)
    first, second, third = words.what_to_notice(result)
    assert "ε = 0.1 is less sure: 80% for airplane against 97%" in first
    assert "91%" in second and "one of CIFAR-10's 10 classes" in third
    assert "here it says 80%, below it" in second and "not a cap on each image" in second
    alone = classify.ImageResult("x", result.thumbnail, result.model_view, result.predictions[1:], 0.1)
    assert len(words.what_to_notice(alone)) == 1


def test_the_model_view_caption_says_when_the_picture_was_cropped_to_its_centre_square(models):
    wide = classify.classify_upload("wide.png", png_bytes(size=(300, 200)), models)
    assert words.model_view_caption(wide) == (
        "What the model sees: the centre 200×200 square of the 300×200 picture (its left and right are cut off), "
        "shrunk to 32×32 (drawn larger here)")
    square = classify.classify_upload("square.png", png_bytes(size=(64, 64)), models)
    assert words.model_view_caption(square) == (
        "What the model sees: the 64×64 picture, shrunk to 32×32 (drawn larger here)")


@pytest.mark.parametrize("size", [(8, 6), (6, 8), (31, 40), (32, 32), (40, 32), (33, 33), (64, 64), (300, 200),
                                  (20, 100)])
def test_the_two_lines_about_one_picture_agree_on_shrinking_or_enlarging_it(models, size):
    """An 8×6 PNG was "enlarged to 32×32" in the decoding note and "shrunk to 32×32" beside the model's view."""
    result = classify.classify_upload("p.png", png_bytes(size=size), models)
    side = min(size)
    caption, decoded = words.model_view_caption(result), words.describe_decoded(result)
    assert ("shrunk to 32×32" in caption) == (side > 32)
    assert ("enlarged to 32×32" in caption) == (side < 32) == ("enlarged to 32×32" in decoded)
    assert ("already 32×32" in caption) == (side == 32)
    assert "shrunk" not in decoded


def prediction(model: str, eps: float, top: float, second: float) -> classify.ModelPrediction:
    """A prediction with ``top`` on class 0, ``second`` on class 1 and the rest shared evenly by the other 8."""
    probs = np.array([top, second] + [(1 - top - second) / 8] * 8)
    return classify.ModelPrediction(model, eps, tuple(CLASSES), probs)


def test_the_verdict_claims_no_order_the_entropy_contradicts():
    """The issue's image: "ε = 0.1 is, unusually, at least as sure here: 49.7% vs 48.4%, with entropy 1.68 against
    1.52 nats", although by entropy it is the less sure one."""
    smooth, sharp = prediction("eps0.1", 0.1, 0.497, 0.06), prediction("eps0", 0.0, 0.484, 0.40)
    assert smooth.confidence > sharp.confidence and smooth.entropy > sharp.entropy
    view = Image.new("RGB", (32, 32))
    first = words.what_to_notice(classify.ImageResult("x.png", view, view, (sharp, smooth), 0.1))[0]
    assert first.startswith("The model trained with ε = 0.1 is about as sure: 49.7%")
    verdict = words.certainty_verdict(smooth, sharp)
    assert verdict.startswith("is about as sure: 49.7% for airplane against 48.4% for airplane at ε = 0")
    assert "surer" not in verdict and "less sure" not in verdict and "at least" not in verdict
    # Past the margin, measures that disagree are both told, and no order is claimed.
    smooth, sharp = prediction("eps0.1", 0.1, 0.55, 0.06), prediction("eps0", 0.0, 0.484, 0.40)
    assert smooth.entropy > sharp.entropy
    verdict = words.certainty_verdict(smooth, sharp)
    assert verdict.startswith("is neither clearly surer nor less sure: it gives its top class more, 55%")
    assert "spreads the rest more widely" in verdict
    smooth, sharp = prediction("eps0.1", 0.1, 0.60, 0.39), prediction("eps0", 0.0, 0.70, 0.04)
    assert smooth.entropy < sharp.entropy
    verdict = words.certainty_verdict(smooth, sharp)
    assert verdict.startswith("is neither clearly surer nor less sure: it gives its top class less, 60%")
    assert "spreads the rest less widely" in verdict


def test_a_gap_under_the_margin_is_about_as_sure_whatever_its_sign():
    """70.2 % against 70.3 % was called "less sure"; the grid shows both as 70 %."""
    for smooth_top, sharp_top in ((0.702, 0.703), (0.703, 0.702), (0.70, 0.70 + words.ABOUT_AS_SURE - 1e-9)):
        smooth, sharp = prediction("eps0.1", 0.1, smooth_top, 0.1), prediction("eps0", 0.0, sharp_top, 0.29)
        assert words.certainty_verdict(smooth, sharp).startswith("is about as sure: ")


def test_an_order_both_measures_agree_on_is_named():
    smooth, sharp = prediction("eps0.1", 0.1, 0.80, 0.05), prediction("eps0", 0.0, 0.97, 0.02)
    assert words.certainty_verdict(smooth, sharp).startswith("is less sure: 80% for airplane against 97%")
    smooth, sharp = prediction("eps0.1", 0.1, 0.90, 0.05), prediction("eps0", 0.0, 0.60, 0.10)
    assert words.certainty_verdict(smooth, sharp).startswith("is, unusually, surer here: 90%")
    # Exactly at the margin an order may be claimed (the grid shows it: 2 whole points apart).
    smooth, sharp = prediction("eps0.1", 0.1, 0.50, 0.10), prediction("eps0", 0.0, 0.52, 0.10)
    assert words.certainty_verdict(smooth, sharp).startswith("is less sure: ")


def test_the_ceiling_sentence_says_where_this_image_sits_against_the_target_top():
    """A CIFAR image at 97 % from the ε = 0.1 model is above 1 − ε + ε/K; the text must not claim it bunches there."""
    classes = tuple(f"c{i}" for i in range(10))
    for confidence, where in ((0.973, "above that line"), (0.908, "at it"), (0.62, "below it")):
        probs = np.full(10, (1 - confidence) / 9)
        probs[3] = confidence
        text = words.ceiling_sentence(classify.ModelPrediction("eps0.1", 0.1, classes, probs))
        assert f"here it says {percent(confidence)}, {where}" in text and "91%" in text
        assert "bunch" not in text


def test_probabilities_note_says_which_models_average_the_mirror(models):
    assert words.probabilities_note(models) == (
        "Probabilities are each model's raw softmax outputs (no temperature scaling).")
    models["eps0.1"].mirror_average = True
    assert "; for the ε = 0.1 model, of its logits averaged over the 32×32 view and its mirror" in \
        words.probabilities_note(models)
    models["eps0"].mirror_average = True
    note = words.probabilities_note(models)
    assert note.endswith("averaged over the 32×32 view and its mirror image, as in the model card's figures.")
    assert "for the ε" not in note


@pytest.mark.parametrize(("raw", "expected", "noted"), [
    (None, "eps0.1", False), ("eps0", "eps0", False), ("eps0.1", "eps0.1", False),
    ("eps0.5", "eps0.1", True), ("", "eps0.1", True),
])
def test_pick_model_clamps_unknown_url_values_with_a_note(raw, expected, noted):
    choice, note = classify.pick_model(raw, ["eps0", "eps0.1"], "eps0.1")
    assert choice == expected and (note is not None) == noted


def test_pick_model_never_echoes_markdown_from_a_crafted_link():
    _, note = classify.pick_model("[click](http://evil.example)", ["eps0", "eps0.1"], "eps0.1")
    assert "evil" not in note and "(an unreadable value)" in note
    _, note = classify.pick_model("eps0.5", ["eps0", "eps0.1"], "eps0.1")
    assert '"eps0.5"' in note
    _, note = classify.pick_model("__bold__", ["eps0", "eps0.1"], "eps0.1")
    assert note.startswith('Model "\\_\\_bold\\_\\_" is not one of the shipped models')


def test_pick_model_falls_back_to_what_exists_when_the_default_is_missing():
    assert classify.pick_model(None, ["eps0"], "eps0.1") == ("eps0", None)
    with pytest.raises(ValueError):
        classify.pick_model(None, [], "eps0.1")


def test_the_model_view_is_enlarged_with_crisp_square_pixels():
    view = Image.fromarray(np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    big = np.asarray(classify.enlarge_nearest(view, 256))
    assert big.shape == (256, 256, 3)
    assert np.array_equal(big[::8, ::8], np.asarray(view)) and np.array_equal(big[7::8, 7::8], np.asarray(view))


def test_a_large_upload_keeps_only_a_display_thumbnail_and_its_size(models):
    result = classify.classify_upload("wide.png", png_bytes((4000, 1000)), models)
    assert result.thumbnail.size == (768, 192) and result.size == (4000, 1000)
    assert result.decoded_pixels == 4000 * 1000


def test_describe_decoded_lists_size_and_decoding_notes():
    view = Image.new("RGB", (32, 32))
    result = classify.ImageResult("x", Image.new("RGB", (640, 480)), view, (), 0.1, ("grayscale image",))
    assert words.describe_decoded(result) == "640×480 pixels as given; grayscale image."
