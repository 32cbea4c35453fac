"""Real browser: what a teacher does with the app — embed mode, the copied <iframe> snippet on a course page
served from another loopback port, uploads inside an iframe (and when the browser refuses them), a 375 px
wide phone view, the dark theme, the keyboard, and a figure downloaded as an offline HTML file.

Cookies and iframes: two loopback ports on 127.0.0.1 are different *origins* but the same *site*, so the
default ``SameSite=Lax`` XSRF cookie travels and uploads work. A course page on ``localhost`` embedding
``127.0.0.1`` is a different *site*: Chromium neither stores nor sends a Lax cookie there, so the upload is
refused (403) — and with ``server.xsrfCookieSameSite = "none"`` over HTTPS it works only where the browser
allows third-party cookies. The tests below pin each case down (docs/teaching.md, *Embedding in a course page*).
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from browser_helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    chromium_skip_reason,
    free_port,
    running_streamlit,
    wait_for_idle,
)
from PIL import Image

from lib.cifar.data import CLASSES
from lib.cifar.model import export_model
from lib.cifar.network import CifarEfficientNet
from lib.digits import nats
from lib.smoothing import entropy_floor

pytestmark = pytest.mark.browser
SHIPPED = all((ROOT / "assets" / "models" / name / "model.json").exists() for name in ("eps0", "eps0.1"))
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
PREDICTION = re.compile(r"ms per image")


def export_stand_ins(folder: Path) -> Path:
    """Two random-weight models in the shipped format (their predictions mean nothing; the page works the same)."""
    for eps in (0.0, 0.1):
        torch.manual_seed(0)
        network = CifarEfficientNet(resolution=32, pretrained=False).eval()
        export_model(network, {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all",
                               "config": {"resolution": 32}}, {}, folder / f"eps{eps:g}")
    return folder


@pytest.fixture(scope="module")
def models_env(tmp_path_factory) -> Iterator[None]:
    """$LSLAB_MODELS_DIR pointing at stand-ins while the shipped models are missing, for every server started here."""
    if SHIPPED:
        yield
        return
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LSLAB_MODELS_DIR", str(export_stand_ins(tmp_path_factory.mktemp("models"))))
        yield


@pytest.fixture(scope="module")
def app_url(request, models_env) -> Iterator[str]:
    if SHIPPED:
        yield request.getfixturevalue("streamlit_server")
        return
    if reason := chromium_skip_reason():
        pytest.skip(reason)
    with running_streamlit() as url:
        yield url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log in the test output
        pass


@contextmanager
def course_page(body: str, host: str) -> Iterator[str]:
    """A static page holding ``body``, served by http.server on another loopback port; yields its URL.

    ``host="127.0.0.1"`` makes it the app's site (another origin); ``host="localhost"`` another site.
    """
    folder = ARTIFACTS / f"course-page-{free_port()}"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(f"<!doctype html><meta charset='utf-8'><title>Course page</title>"
                                       f"<h1>Week 3: label smoothing</h1>\n{body}\n", encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def png(colour: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, "PNG")
    return buffer.getvalue()


def floor_value(scope):
    return scope.get_by_test_id("lslabMetricValue").first


def eps_thumb(scope):
    return scope.get_by_role("slider", name="ε, the smoothing strength")


def settled_in_python(page, wanted: str, timeout_s: float = 30.0) -> None:
    """Wait until a frame's address holds ``wanted``: the settled ε has reached Python (ui/explorable.py)."""
    deadline = time.monotonic() + timeout_s
    while not any(wanted in frame.url for frame in page.frames):
        assert time.monotonic() < deadline, [frame.url for frame in page.frames]
        page.wait_for_timeout(100)


def target_download(scope):
    """The smoothed target's own interactive-HTML button, named after its figure (its element carries the widget
    key)."""
    return scope.locator(".st-key-floor_bars_html").get_by_role("button", name="Smoothed target ỹ (interactive HTML)")


def classifier_iframe(app_url: str) -> str:
    """A course page's <iframe> holding the classifier in embed mode."""
    return f'<iframe src="{app_url}/classify?embed=true" width="1200" height="900" title="classifier"></iframe>'


def upload_in_frame(page, frame_url: str):
    """Open ``frame_url`` (a course page with the classifier in an iframe) and upload one PNG; return the PUT's
    response."""
    page.goto(frame_url)
    frame = page.frame_locator("iframe")
    frame.get_by_text("Upload images, take a photo").wait_for(timeout=120_000)
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT",
                              timeout=60_000) as response:
        frame.locator(UPLOAD_INPUT).set_input_files(files=[{"name": "blue.png", "mimeType": "image/png",
                                                            "buffer": png()}])
    return frame, response.value


def test_embed_mode_shows_the_page_without_toolbar_or_page_list(app_url, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(app_url + "/target_and_floor?K=5&eps=0.2")
        expect(floor_value(page)).to_have_text("0.6615 nats", timeout=60_000)
        assert page.get_by_test_id("stSidebarNav").count() == 1  # the normal page lists the pages
        page.goto(app_url + "/target_and_floor?K=5&eps=0.2&embed=true")
        expect(floor_value(page)).to_have_text("0.6615 nats", timeout=60_000)
        wait_for_idle(page)
        for absent in ("stSidebar", "stSidebarNav", "stSidebarCollapsedControl", "stToolbar", "stMainMenu"):
            assert page.get_by_test_id(absent).count() == 0, absent
        eps_thumb(page).press("ArrowRight")  # a rerun keeps embed mode and its hidden page list
        expect(floor_value(page)).to_have_text(nats(entropy_floor(5, 0.21)), timeout=30_000)
        page.wait_for_url("**eps=0.21**", timeout=30_000)  # the rerun for the settled ε has run
        wait_for_idle(page)
        assert page.get_by_test_id("stSidebar").count() == 0
    finally:
        page.close()


def test_a_teacher_copies_the_snippet_and_it_works_in_a_course_page_on_another_site(app_url, browser):
    """Share panel → "figures only" → copy the <iframe> → paste it into a page on localhost → move ε by keyboard."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        page.goto(app_url + "/target_and_floor?K=5&eps=0.2")
        expect(floor_value(page)).to_have_text("0.6615 nats", timeout=60_000)
        page.get_by_text("Share or embed this view").click()
        page.get_by_text("Embed only the figures and their controls").click()
        snippet_block = page.get_by_test_id("lslabCode").filter(has_text="<iframe")
        expect(snippet_block).to_contain_text("text=off", timeout=30_000)
        snippet = snippet_block.inner_text().strip()
        expected_src = f"{app_url}/target_and_floor?K=5&amp;eps=0.2&amp;spread=all&amp;embed=true&amp;text=off"
        assert snippet.startswith(f'<iframe src="{expected_src}"'), snippet
        # The share panel's link: the code block that starts with the app's address (the page's other code blocks
        # are the framework calls).
        link = page.get_by_test_id("lslabCode").filter(has_text=f"{app_url}/target_and_floor?").first
        link = link.locator("pre").inner_text().strip()
        assert link == f"{app_url}/target_and_floor?K=5&eps=0.2&spread=all"

        with course_page(snippet, host="localhost") as url:
            page.goto(url)
            frame = page.frame_locator("iframe")
            expect(floor_value(frame)).to_have_text("0.6615 nats", timeout=60_000)
            # text=off: controls, figures, metrics and captions; no intro, no quiz, no share panel, no page list
            assert frame.get_by_text("Drag ε and watch the true class").count() == 0
            assert frame.get_by_text("Predict first").count() == 0
            assert frame.get_by_test_id("stSidebar").count() == 0
            frame.locator(".lslab-svg").nth(2).wait_for(timeout=60_000)  # all three figures
            thumb = eps_thumb(frame)
            thumb.focus()
            thumb.press("ArrowRight")
            thumb.press("ArrowRight")
            expect(floor_value(frame)).to_have_text(nats(entropy_floor(5, 0.22)), timeout=30_000)
            settled_in_python(page, "eps=0.22")  # the download below is built for the settled state
            page.wait_for_timeout(500)  # let the figures redraw before the picture
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "embedded-in-course-page.png")
            with page.expect_download(timeout=60_000) as info:  # downloads work inside the frame too
                target_download(frame).click()
            assert info.value.suggested_filename == "label-smoothing_target_K5_eps0.22_all.html"
    finally:
        page.close()


def test_an_upload_inside_an_iframe_on_the_same_site_works(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        with course_page(classifier_iframe(app_url), host="127.0.0.1") as url:
            frame, response = upload_in_frame(page, url)
            assert response.status == 204
            frame.get_by_text(PREDICTION).first.wait_for(timeout=120_000)
            assert frame.get_by_test_id("stException").count() == 0
    finally:
        page.close()


def test_with_the_default_lax_cookie_an_upload_inside_a_cross_site_iframe_is_refused(app_url, browser):
    """localhost embedding 127.0.0.1: the Lax XSRF cookie is not stored in the frame, so the upload gets 403."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        with course_page(classifier_iframe(app_url), host="localhost") as url:
            _, response = upload_in_frame(context.new_page(), url)
            assert response.status == 403
            assert not [c for c in context.cookies() if c["name"] == "_streamlit_xsrf"]
    finally:
        context.close()


@pytest.fixture(scope="module")
def https_app_url(models_env, tmp_path_factory) -> Iterator[str]:
    """The app over HTTPS (self-signed, 127.0.0.1) with server.xsrfCookieSameSite = "none"."""
    if reason := chromium_skip_reason():
        pytest.skip(reason)
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    with running_streamlit(tls=(cert, key), extra_args=("--server.xsrfCookieSameSite", "none")) as url:
        yield url


@pytest.mark.parametrize("third_party_cookies", ["allowed", "blocked"])
def test_https_and_samesite_none_make_cross_site_uploads_work_where_third_party_cookies_are_allowed(
        https_app_url, browser, tmp_path, third_party_cookies):
    """A real profile with Chromium's cookie setting: "allowed" is Chrome's default in a normal window;
    "blocked" is what this headless Chromium does by default, and what Safari, and Chrome's incognito, do."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    mode = 0 if third_party_cookies == "allowed" else 1  # Chromium's profile.cookie_controls_mode
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": mode}}))
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1300, "height": 1000}, ignore_https_errors=True)
    try:
        with course_page(classifier_iframe(https_app_url), host="localhost") as url:
            frame, response = upload_in_frame(context.new_page(), url)
            if third_party_cookies == "allowed":
                assert response.status == 204
                frame.get_by_text(PREDICTION).first.wait_for(timeout=120_000)
            else:
                assert response.status == 403
    finally:
        context.close()


def test_a_375_px_wide_phone_view_is_readable_and_the_keyboard_moves_a_slider(app_url, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    try:
        page.goto(app_url + "/target_and_floor?K=5&eps=0.2")
        expect(floor_value(page)).to_have_text("0.6615 nats", timeout=60_000)
        page.locator(".lslab-svg").first.wait_for(timeout=60_000)
        wait_for_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing forces sideways scrolling
        for i in range(3):  # scrolled to, as on a phone: a figure out of sight is drawn when it comes into view
            figure = page.locator(".lslab-figure").nth(i)
            figure.scroll_into_view_if_needed()
            figure.locator(".lslab-svg").first.wait_for(timeout=30_000)
            box = figure.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.evaluate("window.scrollTo(0, 0)")
        thumb = eps_thumb(page)
        thumb.focus()
        thumb.press("ArrowRight")
        expect(floor_value(page)).to_have_text(nats(entropy_floor(5, 0.21)), timeout=30_000)
        page.wait_for_timeout(1000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "phone-375px-target_and_floor.png")
        page.locator(".lslab-svg").first.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "phone-375px-target_and_floor-figure.png")
    finally:
        page.close()


def test_dark_theme_draws_figures_on_the_dark_background(app_url, browser):
    from playwright.sync_api import expect

    context = browser.new_context(color_scheme="dark", viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        page.goto(app_url + "/loss_curves?K=5&eps=0.2")
        expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=60_000)
        page.locator(".lslab-svg").nth(2).wait_for(timeout=60_000)
        wait_for_idle(page)
        page.wait_for_timeout(500)
        app_bg = page.get_by_test_id("stApp").evaluate("e => getComputedStyle(e).backgroundColor")
        figure = page.locator(".lslab-svg").first
        paper = figure.evaluate("e => getComputedStyle(e).backgroundColor")
        assert _luminance(app_bg) < 0.2, app_bg  # Streamlit followed the browser's dark preference
        assert _luminance(paper) < 0.2 or paper in ("rgba(0, 0, 0, 0)", "transparent"), paper  # no white box
        ink = figure.evaluate("e => getComputedStyle(e.querySelector('text')).fill")
        assert _luminance(ink) > 0.6, ink  # titles, ticks and labels in the dark theme's light text colour
        page.screenshot(path=ARTIFACTS / "dark-loss_curves.png")
    finally:
        context.close()


def _luminance(css_colour: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_a_figure_downloads_as_an_offline_html_file_named_after_its_settings(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        page.goto(app_url + "/target_and_floor?K=5&eps=0.2&spread=others")
        expect(floor_value(page)).to_have_text(nats(entropy_floor(5, 0.2, spread='others')), timeout=60_000)
        # Click only once the page has settled: on a slow machine the charts still grow into place after the
        # numbers show, and a click aimed at a moving button can land on another one (seen on CI).
        page.locator(".lslab-svg").nth(2).wait_for(timeout=60_000)
        wait_for_idle(page, timeout=60_000)
        target_button = target_download(page)
        target_button.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        with page.expect_download(timeout=60_000) as info:
            target_button.click()
        download = info.value
        assert download.suggested_filename == "label-smoothing_target_K5_eps0.2_others.html"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_size > 3_000_000  # plotly.js is inside: it opens offline
        assert '<title>Smoothed target ỹ: K = 5, ε = 0.2, convention &quot;others&quot; (fairseq)</title>' in text
        assert "the true class 0.8, each of the other 4 classes 0.05" in text  # the caption, the text alternative
        # Opened from disk with the network cut, the figure still draws.
        offline = browser.new_context(offline=True)
        try:
            view = offline.new_page()
            view.goto(path.as_uri())
            view.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        finally:
            offline.close()
    finally:
        page.close()
