"""AppTest: the classify page classifies good uploads, gives each bad one its own message, and keeps serving.

Two small models with random weights (ε = 0 and ε = 0.1) are exported inside the test, so this runs
without the shipped models; their predictions mean nothing, but every number the page prints can
still be checked against lib.classifier.classify. Images are generated with Pillow; nothing is committed.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from crafted_uploads import avif_photo, camera_jpeg, heic_photo, padded_jpeg, scan_bomb_jpeg, zero_png
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_decode_pool import SEGFAULT_ON_GIF, WITHOUT_SCAN_CHECK, gif

import lib.classifier.decode_pool
from lib.cifar.data import CLASSES, DATA_ENV
from lib.cifar.model import export_model
from lib.cifar.network import CifarEfficientNet
from lib.classifier import classify, upload_limits
from lib.classifier.decode_pool import CRASH_MESSAGE, TIMEOUT_MESSAGE, DecodePool
from lib.classifier.image_io import (
    BUDGET_MESSAGE,
    EMPTY_MESSAGE,
    RUN_PIXEL_BUDGET,
    SCANS_MESSAGE,
    THUMBNAIL_SIDE,
    UNKNOWN_MESSAGE,
)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/classify.py"


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> Path:
    """``<dir>/eps0`` and ``<dir>/eps0.1``: 32-pixel EfficientNet-Lite0s with random weights."""
    folder = tmp_path_factory.mktemp("models")
    for eps in (0.0, 0.1):
        torch.manual_seed(0)
        network = CifarEfficientNet(resolution=32, pretrained=False).eval()
        provenance = {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all", "temperature": 1.0,
                      "config": {"resolution": 32}}
        export_model(network, provenance, {"epochs": []}, folder / f"eps{eps:g}")
    return folder


@pytest.fixture
def models_dir(tiny_models, monkeypatch) -> Path:
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tiny_models))
    monkeypatch.delenv(DATA_ENV, raising=False)
    st.cache_resource.clear()  # the page caches the models per process; each test starts clean
    yield tiny_models
    st.cache_resource.clear()


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE)
    at.query_params.clear()
    at.query_params.update(params)
    return at.run()


def png(size=(64, 48), colour=(200, 30, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(300, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(
        buffer, "JPEG")
    return buffer.getvalue()


def timing_caption(at: AppTest) -> str:
    """The caption above the grid: how many images were classified, and how fast."""
    return next(c.value for c in at.caption if "ms per image" in c.value or c.value == "No image could be classified.")


HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def test_page_invites_an_upload_and_keeps_the_model_in_the_url(models_dir):
    at = open_page()
    assert not at.exception and not at.error
    assert at.radio(key="classify_model").value == "eps0.1"
    assert at.query_params["model"] == "eps0.1"
    assert any("Upload images" in info.value for info in at.info)
    # The radio shows what a learner knows the models by; the folder names stay in the URL.
    assert at.radio(key="classify_model").options == ["ε = 0 (one-hot targets)", "ε = 0.1 (smoothed targets)"]


def test_before_any_image_the_words_name_the_controls_as_they_are_and_no_chart(models_dir):
    """The empty state said "tick some samples" beside a switch; the intro spoke of "the dashed line" before any
    chart was on the page."""
    at = open_page()
    gallery = at.toggle(key="classify_gallery_on").label
    [empty] = [info.value for info in at.info if info.value.startswith("Upload images")]
    assert "tick" not in empty and gallery.lower() in empty.lower()
    assert not at.get("plotly_chart") and "dashed" not in "\n".join(m.value for m in at.markdown)
    assert not at.camera_input  # the browser is not asked for the camera before the toggle


def test_good_and_bad_files_of_one_upload_each_get_their_own_result(models_dir):
    at = open_page()
    files = [("red *cat* [x](y).png", png(), "image/png"), ("cut.png", png()[:60], "image/png"),
             ("empty.jpg", b"", "image/jpeg"), ("notes.png", b"plain text, not a picture", "image/png"),
             ("phone.png", HEIC_HEADER, "image/png"), ("holiday.jpg", jpeg(), "image/jpeg")]
    at.file_uploader(key="classify_upload").set_value(files)
    at.run()
    assert not at.exception
    names = [t.value for t in at.text]
    # Each file's name appears verbatim (st.text: no Markdown), in upload order, once in the grid.
    assert names[:6] == [name for name, _, _ in files]
    errors = [e.value for e in at.error]
    assert len(errors) == 4
    assert "PNG file is damaged or incomplete" in errors[0]
    assert errors[1:3] == [EMPTY_MESSAGE, UNKNOWN_MESSAGE]
    assert errors[3].startswith("The HEIC file is damaged or incomplete")  # a HEIC header with no picture
    # The two good files: a grid caption each, and two probability charts each (ε = 0 and ε = 0.1).
    captions = [c.value for c in at.caption]
    assert timing_caption(at).startswith("2 images: median ")
    # Each grid cell shows both models' top class and confidence, the one in ?model= first.
    grid = [c for c in captions if c.startswith("ε = ") and c.endswith(" ms")]
    assert len(grid) == 2
    for cell in grid:
        first, second, timing = cell.split("  \n")
        assert first.startswith("ε = 0.1: ") and second.startswith("ε = 0: ")
        assert first.split(" ")[3] in CLASSES and second.split(" ")[3] in CLASSES
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    assert sum("smoothed target stops at 91%" in c for c in captions) == 2
    # Details: the picture as given and what the model sees, for each good file.
    assert any(c == "64×48 pixels as given." for c in captions)
    assert any(c.startswith("300×200 pixels as given") for c in captions)
    assert "The model trained with ε = 0.1 is" in "\n".join(m.value for m in at.markdown)
    # Each model's next guesses after its top class (what smoothing flattens), three each, for both files.
    guesses = [c for c in captions if c.startswith("Next guesses: ")]
    assert len(guesses) == 4 and all(c.count("%") == 3 for c in guesses)


def test_each_detail_panel_is_named_after_its_file_and_lists_the_models_in_the_grids_order(models_dir):
    at = open_page()
    files = [("red *cat* [x](y).png", png(), "image/png"), ("cut.png", png()[:60], "image/png"),
             ("holiday.jpg", jpeg(), "image/jpeg")]
    at.file_uploader(key="classify_upload").set_value(files)
    at.run()
    assert not at.exception
    # Named after the file, Markdown-escaped so it reads as typed; the refused file has no panel.
    assert [e.label for e in at.expander if e.label.endswith(" in detail")] == [
        r"red \*cat\* \[x\]\(y\)\.png in detail", r"holiday\.jpg in detail"]
    for first, second in (("0.1", "0"), ("0", "0.1")):
        if first == "0":
            at.radio(key="classify_model").set_value("eps0")
            at.run()
        grid = [c.value for c in at.caption if c.value.endswith(" ms")]
        assert all(cell.startswith(f"ε = {first}: ") for cell in grid)
        for panel in (e for e in at.expander if e.label.endswith(" in detail")):
            headlines = [c.value for c in panel.caption if "nats of at most" in c.value]
            assert [h.split(":")[0] for h in headlines] == [f"ε = {first}", f"ε = {second}"]


def test_the_page_keeps_serving_after_bad_files(models_dir):
    at = open_page()
    at.file_uploader(key="classify_upload").set_value([("bad.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")])
    at.run()
    assert not at.exception and len(at.error) == 1
    at.file_uploader(key="classify_upload").set_value([("fine.png", png(), "image/png")])
    at.run()
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == 2


def test_unknown_model_in_the_url_is_clamped_with_a_visible_note(models_dir):
    at = open_page(model="eps0.5")
    assert not at.exception
    assert at.radio(key="classify_model").value == "eps0.1"
    assert any('"eps0.5" is not one of the shipped models' in w.value for w in at.warning)
    at = open_page(model="eps0")
    assert at.radio(key="classify_model").value == "eps0" and not at.warning


def test_the_grid_follows_the_chosen_model_and_comparison_can_be_turned_off(models_dir):
    at = open_page()
    at.file_uploader(key="classify_upload").set_value([("a.png", png(), "image/png")])
    at.radio(key="classify_model").set_value("eps0")
    at.toggle(key="classify_compare").set_value(False)
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1  # only the chosen model ran
    assert any("one-hot target" in c.value for c in at.caption)
    assert at.query_params["model"] == "eps0"


def test_camera_photo_is_classified_after_the_toggle(models_dir):
    at = open_page()
    at.toggle(key="classify_camera_on").set_value(True)
    at.run()
    assert len(at.camera_input) == 1
    at.camera_input[0].set_value(("shot.jpg", jpeg(), "image/jpeg"))
    at.run()
    assert not at.exception and "camera photo" in [t.value for t in at.text]
    assert len(at.get("plotly_chart")) == 2


def test_without_cifar_images_the_gallery_says_how_to_get_them(models_dir, monkeypatch):
    monkeypatch.setattr("ui.classify_inputs.find_source", lambda *a, **k: None)
    at = open_page()
    at.toggle(key="classify_gallery_on").set_value(True)
    at.run()
    assert not at.exception
    assert any(DATA_ENV in info.value for info in at.info)


def test_a_ticked_gallery_sample_is_classified_with_its_true_label(models_dir, monkeypatch, tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    labels = [3] * 20  # every generated image is labelled "cat"
    (folder / "test_batch").write_bytes(pickle.dumps(
        {"data": rng.integers(0, 256, (20, 3072), dtype=np.uint8), "labels": labels}))
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    at = open_page()
    at.toggle(key="classify_gallery_on").set_value(True)
    at.run()
    boxes = [box for box in at.checkbox if box.key.startswith("classify_sample_")]
    assert len(boxes) == 12 and {box.label for box in boxes} == {"cat"}
    boxes[0].check()
    at.run()
    assert not at.exception
    assert any(c.value.endswith(" · true: cat") for c in at.caption)
    assert any(t.value.startswith("CIFAR-10 test #") for t in at.text)


def test_missing_models_give_a_message_not_a_traceback(models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    st.cache_resource.clear()
    at = open_page()
    assert not at.exception
    assert any("No trained models were found" in e.value for e in at.error)


def test_the_questions_come_before_the_inputs_the_results_right_under_them_and_the_share_panel_after(models_dir):
    """The results answer the questions (the smoothed model's top probability stops at 1 − ε + ε/K), so the questions
    ask first."""
    at = open_page()
    at.file_uploader(key="classify_upload").set_value([("a.png", png(), "image/png")])
    at.run()
    assert not at.exception
    order = [type(node).__name__ if type(node).__name__ == "FileUploader" else
             getattr(node, "label", None) or getattr(node, "value", None) for node in at.main
             if type(node).__name__ in ("Expander", "Caption", "FileUploader")]
    quiz = next(i for i, v in enumerate(order) if isinstance(v, str) and v.startswith("Predict first"))
    uploader = order.index("FileUploader")
    first_result = next(i for i, v in enumerate(order) if isinstance(v, str) and "ms per image" in v)
    share = order.index("Share or embed this view")
    assert quiz < uploader < first_result < share, order


# --------------------------------------------------------------------------------------------- bounded cost
@pytest.fixture
def worker_pool(monkeypatch):
    """Put a pool of misbehaving workers (tests/test_decode_pool.py's commands) behind the page."""
    pools = []

    def install(**kwargs) -> DecodePool:
        pools.append(DecodePool(workers=1, **kwargs))
        monkeypatch.setattr(lib.classifier.decode_pool, "_shared", pools[-1])
        return pools[-1]

    yield install
    for pool in pools:
        pool.close()


def test_a_scan_bomb_jpeg_beside_a_good_image_gets_its_message_and_the_good_one_its_result(models_dir):
    at = open_page()
    at.file_uploader(key="classify_upload").set_value(
        [("bomb.jpg", scan_bomb_jpeg(), "image/jpeg"), ("good.png", png(), "image/png")])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [SCANS_MESSAGE.format(scans="1,605")]
    assert len(at.get("plotly_chart")) == 2 and timing_caption(at).startswith("1 image: median ")


def test_a_decoder_past_its_deadline_costs_one_file_and_the_run_goes_on(models_dir, worker_pool):
    pool = worker_pool(deadline_s=1.0, command=WITHOUT_SCAN_CHECK)  # the decoder meets the bomb
    at = open_page()
    at.file_uploader(key="classify_upload").set_value(
        [("bomb.jpg", scan_bomb_jpeg(), "image/jpeg"), ("good.png", png(), "image/png")])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [TIMEOUT_MESSAGE.format(deadline=1.0)]
    assert len(at.get("plotly_chart")) == 2 and pool.replaced == 1


def test_a_crashing_decoder_costs_one_file_and_the_page_keeps_serving(models_dir, worker_pool):
    pool = worker_pool(command=SEGFAULT_ON_GIF)
    at = open_page()
    at.file_uploader(key="classify_upload").set_value(
        [("boom.gif", gif(), "image/gif"), ("good.png", png(), "image/png")])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [CRASH_MESSAGE] and len(at.get("plotly_chart")) == 2
    at.file_uploader(key="classify_upload").set_value([("again.png", png(colour=(0, 90, 0)), "image/png")])
    at.run()
    assert not at.exception and not at.error and pool.replaced == 1


def test_24_images_of_25_megapixels_decode_within_the_runs_budget_and_keep_only_thumbnails(models_dir, monkeypatch):
    kept = []
    real = classify.classify_decoded
    monkeypatch.setattr(classify, "classify_decoded", lambda *a, **k: kept.append(real(*a, **k)) or kept[-1])
    data = zero_png(5000)
    at = open_page()
    at.file_uploader(key="classify_upload").set_value([(f"black{i}.png", data, "image/png") for i in range(24)])
    at.run()
    assert not at.exception
    fit = RUN_PIXEL_BUDGET // (5000 * 5000)  # 4
    assert [e.value for e in at.error] == [BUDGET_MESSAGE] * (24 - fit)
    assert len(kept) == fit and all(max(r.thumbnail.size) <= THUMBNAIL_SIDE for r in kept)
    assert timing_caption(at).startswith(f"{fit} images: median ")
    assert sum(c.value.startswith("5000×5000 pixels as given") for c in at.caption) == fit


def test_markdown_in_a_model_link_is_shown_as_typed_not_rendered(models_dir):
    at = open_page(model="__bold__")
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith('Model "\\_\\_bold\\_\\_" is not one of the shipped models')


def grid_cells(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("ε = ") and c.value.endswith(" ms")]


def test_a_camera_photo_over_8_mb_is_classified_and_a_file_over_the_limit_is_named_with_its_size(models_dir):
    photo = camera_jpeg()  # 4000×2500 of noise: ~11.7 MB, the bytes of a 6000×4000 camera JPEG
    assert 8_000_000 < len(photo) <= upload_limits.FILE_BYTES
    at = open_page()
    at.file_uploader(key="classify_upload").set_value(
        [("DSC_0001.JPG", photo, "image/jpeg"), ("pano.jpg", padded_jpeg(30_000_000), "image/jpeg")])
    at.run()
    assert not at.exception
    assert [t.value for t in at.text][:2] == ["DSC_0001.JPG", "pano.jpg"]
    assert [e.value for e in at.error] == [
        "The file is 30.0 MB; the limit is 25 MB per image. Downscale or compress it and upload it again."]
    assert len(grid_cells(at)) == 1 and len(at.get("plotly_chart")) == 2
    assert any(c.value.startswith("4000×2500 pixels as given") for c in at.caption)
    assert any(c.value == upload_limits.LIMITS_SENTENCE for c in at.caption)


def test_files_past_what_one_upload_may_hold_are_named_in_a_note_and_in_the_results(models_dir):
    at = open_page()
    big = padded_jpeg(24_000_000)  # five of them: 120 MB, over the 100 MB one upload may hold
    names = [f"*raw* {i}.jpg" for i in range(5)]
    at.file_uploader(key="classify_upload").set_value([(name, big, "image/jpeg") for name in names])
    at.run()
    assert not at.exception
    (note,) = [w.value for w in at.warning]
    assert note.startswith("This upload is over the 100 MB its images may hold together, so 1 file was left out: "
                           "\\*raw\\* 4\\.jpg.")
    assert [t.value for t in at.text][:5] == names
    assert [e.value for e in at.error] == [upload_limits.TAB_MESSAGE.format(size="24.0 MB", limit=100)]
    assert len(grid_cells(at)) == 4


@pytest.mark.parametrize(("name", "data", "mime"), [("IMG_0001.HEIC", heic_photo((640, 480)), "image/heic"),
                                                    ("IMG_0002.avif", avif_photo((640, 480)), "image/avif")])
def test_a_heic_and_an_avif_photo_get_both_models_probabilities(models_dir, name, data, mime):
    at = open_page()
    at.file_uploader(key="classify_upload").set_value([(name, data, mime)])
    at.run()
    assert not at.exception and not at.error
    (cell,) = grid_cells(at)
    first, second, _ = cell.split("  \n")
    assert first.split(" ")[3] in CLASSES and second.split(" ")[3] in CLASSES
    assert len(at.get("plotly_chart")) == 2  # ε = 0 and ε = 0.1: each model's ten probabilities
    assert any(c.value == "640×480 pixels as given." for c in at.caption)


def test_a_file_the_browser_refused_to_send_is_named_in_the_results_with_why(models_dir):
    """The page's upload watcher reports files over the transfer limit (the browser drops them before sending);
    they appear in the results like every other refused file. Sent here as the watcher's state, as a browser
    would."""
    import json

    at = open_page()
    watch = next(e for e in at.get("bidi_component") if e.proto.component_name == "lslab_upload_watch")
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = watch.proto.id
    state.json_value = json.dumps({"too_big": [{"name": "RAW_0001.jpg", "size": 60_000_000}]})
    at._run(widget_state=states)
    assert not at.exception
    assert "RAW_0001.jpg" in [t.value for t in at.text]
    assert any(e.value.startswith("Not sent: the file is 60.0 MB") for e in at.error)
