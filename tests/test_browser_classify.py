"""Real browser: upload through the page's file input, see a prediction, and a bad file's own message beside it.

Runs ``streamlit run app.py`` and Debian's Chromium through Playwright (tests/conftest.py fixtures).
Uses the shipped models when assets/models/eps0 and eps0.1 both exist, else two random-weight stand-ins exported
here (the page works the same; their predictions mean nothing). Images are generated with Pillow.
"""

from __future__ import annotations

import io
import re

import pytest
import torch
from browser_helpers import ARTIFACTS, ROOT, chromium_skip_reason, running_streamlit, wait_for_idle
from crafted_uploads import camera_jpeg, heic_photo, padded_jpeg
from PIL import Image

from lib.cifar.data import CLASSES
from lib.cifar.model import export_model
from lib.cifar.network import CifarEfficientNet

pytestmark = pytest.mark.browser
SHIPPED = all((ROOT / "assets" / "models" / name / "model.json").exists() for name in ("eps0", "eps0.1"))
GRID_CAPTION = re.compile(rf"ε = 0\.1: ({'|'.join(CLASSES)}) [\d.]+%\s+ε = 0: ({'|'.join(CLASSES)}) [\d.]+%\s+\d+ ms")


@pytest.fixture(scope="module")
def app_url(request, tmp_path_factory):
    """The shared server (tests/conftest.py) once the shipped models exist, else one of our own that
    serves two random-weight stand-ins through $LSLAB_MODELS_DIR."""
    if SHIPPED:
        yield request.getfixturevalue("streamlit_server")
        return
    if reason := chromium_skip_reason():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("models")
    for eps in (0.0, 0.1):
        torch.manual_seed(0)
        network = CifarEfficientNet(resolution=32, pretrained=False).eval()
        export_model(network, {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all",
                               "config": {"resolution": 32}}, {}, folder / f"eps{eps:g}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LSLAB_MODELS_DIR", str(folder))
        with running_streamlit() as url:
            yield url


@pytest.fixture(scope="module")
def page(browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 1100})
    yield tab
    tab.close()


def open_classify_page(page, app_url: str, query: str = "") -> None:
    """Open the page by its deep link, as a shared link would (ui/routing.py sends it through app.py)."""
    page.goto(f"{app_url}/classify{query}", wait_until="domcontentloaded")
    page.get_by_text("Upload images, take a photo").wait_for(timeout=120_000)


def png(colour: tuple[int, int, int], size: tuple[int, int] = (120, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_upload_shows_its_prediction_and_a_bad_file_beside_it_its_message(app_url, page):
    open_classify_page(page, app_url, "?model=eps0.1")
    tricky_name = "<b>bold</b> *not italic*.png"
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', files=[
        {"name": tricky_name, "mimeType": "image/png", "buffer": png((30, 90, 200))},
        {"name": "broken.png", "mimeType": "image/png", "buffer": png((200, 30, 30))[:70]},
    ])
    page.get_by_text("The PNG file is damaged or incomplete").wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    try:
        # The good file: a grid cell with both models' answers, and its two probability charts.
        page.get_by_text(GRID_CAPTION).first.wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
        assert page.locator(".js-plotly-plot").count() == 2
        assert page.get_by_text("smoothed target stops at 91%").count() == 1
        # File names are shown as typed: no HTML element, no Markdown emphasis.
        assert page.get_by_text(tricky_name, exact=True).count() >= 1
        assert page.locator("b", has_text="bold").count() == 0
        # Its detail panel is titled after it, as typed too (the title is Markdown, so it is escaped).
        assert page.get_by_text(f"{tricky_name} in detail", exact=True).count() == 1
        assert page.get_by_text("broken.png", exact=True).count() == 2  # the uploader's list and the grid
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "model=eps0.1" in page.url
        # Routed through app.py: the navigation lists the page under its title.
        assert page.get_by_text("Classify your images").count() >= 2
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "classify-upload.png"), full_page=True)


def test_the_app_still_serves_after_the_bad_file(app_url, page):
    open_classify_page(page, app_url)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', files=[
        {"name": "green.png", "mimeType": "image/png", "buffer": png((20, 180, 40))},
    ])
    page.get_by_text(GRID_CAPTION).first.wait_for(timeout=120_000)
    assert page.get_by_text("green.png", exact=True).count() >= 1


def test_a_camera_photo_over_8_mb_and_an_iphone_heic_are_classified_and_a_file_over_25_mb_is_named(app_url, page):
    photo = camera_jpeg()  # ~11.7 MB: a camera JPEG's bytes; the uploader used to refuse it in the browser
    assert len(photo) > 8_000_000
    open_classify_page(page, app_url)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', files=[
        {"name": "DSC_0001.JPG", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "IMG_0001.HEIC", "mimeType": "", "buffer": heic_photo()},  # as browsers without a HEIC type send it
        {"name": "pano.jpg", "mimeType": "image/jpeg", "buffer": padded_jpeg(30_000_000)},
    ])
    page.get_by_text("The file is 30.0 MB; the limit is 25 MB per image.").wait_for(timeout=180_000)
    wait_for_idle(page, timeout=120_000)
    try:
        page.get_by_text(GRID_CAPTION).nth(1).wait_for(timeout=60_000)
        assert page.get_by_text(GRID_CAPTION).count() == 2
        # Each name in the uploader's list and in the grid, and a classified one names its detail panel too.
        for name, classified in (("DSC_0001.JPG", True), ("IMG_0001.HEIC", True), ("pano.jpg", False)):
            assert page.get_by_text(name, exact=True).count() == 2, name
            assert page.get_by_text(f"{name} in detail", exact=True).count() == int(classified), name
        assert page.get_by_text("or smaller").count() == 0  # no file refused in the browser
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "classify-large-uploads.png"), full_page=True)


def test_an_upload_over_what_one_tab_may_hold_keeps_four_files_and_names_the_one_left_out(app_url, page, tmp_path):
    open_classify_page(page, app_url)
    big = padded_jpeg(24_000_000)
    names = [f"big{i}.jpg" for i in range(5)]  # 120 MB together; the server keeps 100 MB of them
    for name in names:  # from files: Playwright sends at most 50 MB of in-memory buffers per call
        (tmp_path / name).write_bytes(big)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', files=[tmp_path / name for name in names])
    page.get_by_text("so 1 file was left out").wait_for(timeout=180_000)
    wait_for_idle(page, timeout=120_000)
    note = page.get_by_text("so 1 file was left out").inner_text()
    left_out = [name for name in names if name in note]
    assert len(left_out) == 1  # which one depends on the order the browser's uploads arrive in
    reason = page.get_by_text("Left out: this file (24.0 MB) would take this upload past 100 MB")
    reason.first.wait_for(timeout=60_000)  # the results come after the note
    assert reason.count() == 1
    assert page.get_by_text(GRID_CAPTION).count() == 4
    assert all(page.get_by_text(name, exact=True).count() == 2 for name in names)  # the uploader's list, the grid
    assert all(page.get_by_text(f"{name} in detail", exact=True).count() == (name not in left_out) for name in names)


def test_a_file_over_what_the_browser_sends_is_named_in_the_results_with_why(app_url, page, tmp_path):
    """Streamlit's uploader drops a file over the transfer limit in the browser (a red mark in its list only); the
    page's watcher names it, so it appears in the results with its reason like any other refused file."""
    open_classify_page(page, app_url)
    (tmp_path / "RAW_0001.jpg").write_bytes(padded_jpeg(55_000_000))
    (tmp_path / "small.png").write_bytes(padded_jpeg(20_000))
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                         files=[tmp_path / "RAW_0001.jpg", tmp_path / "small.png"])
    page.get_by_text("Not sent: the file is 55.0 MB").wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    assert page.get_by_text("RAW_0001.jpg", exact=True).count() >= 2  # the uploader's red entry and the result
    assert page.locator('[data-testid="stException"]').count() == 0
