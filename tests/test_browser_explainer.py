"""Real browser: move a slider and see the floor change, open a deep link, take screenshots."""

from __future__ import annotations

import os

import pytest
from browser_helpers import ARTIFACTS, ROOT, chromium_skip_reason, running_streamlit, wait_for_idle

from lib.digits import nats
from lib.smoothing import entropy_floor

pytestmark = pytest.mark.browser
SCREENSHOT = ROOT / "assets" / "screenshot.png"


def floor_metric(page):
    return page.get_by_test_id("lslabMetricValue").first


def test_slider_moves_the_floor_and_deep_links_reproduce_a_view(streamlit_server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        # A learner arrives on the home page and follows the link to the first explainer page.
        page.goto(streamlit_server + "/")
        wait_for_idle(page)
        expect(page.get_by_text("0.5448 nats").first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".katex").first.wait_for(timeout=30_000)  # the written-out sums render after the text
        page.screenshot(path=ARTIFACTS / "home.png")
        page.get_by_test_id("stPageLink").filter(has_text="Smoothed target").first.click()
        expect(floor_metric(page)).to_have_text("0.5003 nats", timeout=30_000)

        # Three key presses on the ε slider: 0.10 → 0.13.
        eps_thumb = page.get_by_role("slider", name="ε, the smoothing strength")
        eps_thumb.focus()
        for _ in range(3):
            eps_thumb.press("ArrowRight")
        expect(floor_metric(page)).to_have_text(nats(entropy_floor(10, 0.13)), timeout=30_000)
        page.wait_for_url("**eps=0.13**", timeout=30_000)  # the settled ε reached Python, which wrote the URL
        wait_for_idle(page)
        page.screenshot(path=ARTIFACTS / "target_and_floor_after_slider.png", full_page=True)

        # A deep link opens the loss-curves page in the "others" convention, checked against PyTorch.
        page.goto(streamlit_server + "/loss_curves?K=3&eps=0.5&spread=others")
        expected = f"{entropy_floor(3, 0.5, spread='others'):.6f} nats"
        pytorch = page.get_by_test_id("stMetric").filter(has_text="PyTorch loss").get_by_test_id("stMetricValue")
        expect(pytorch).to_have_text(expected, timeout=30_000)
        expect(page.get_by_role("radio", name='"others" (fairseq)')).to_be_checked()
        page.screenshot(path=ARTIFACTS / "loss_curves_deep_link.png", full_page=True)

        # A broken link is repaired with a note, not a traceback.
        page.goto(streamlit_server + "/target_and_floor?K=abc&eps=7&spread=others")
        expect(page.get_by_text("is not a number").first).to_be_visible(timeout=30_000)
        expect(floor_metric(page)).to_have_text(nats(entropy_floor(10, 0.89, spread='others')))
        assert page.get_by_test_id("stException").count() == 0

        # The README's screenshot: the worked example on the first explainer page.
        page.goto(streamlit_server + "/target_and_floor?K=10&eps=0.1&spread=all")
        expect(floor_metric(page)).to_have_text("0.5003 nats", timeout=30_000)
        wait_for_idle(page)
        page.wait_for_timeout(1500)  # let plotly finish drawing
        page.screenshot(path=ARTIFACTS / "readme_screenshot.png")
        if os.environ.get("LSLAB_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists():
            page.screenshot(path=SCREENSHOT)
    finally:
        page.close()


@pytest.mark.parametrize("path", ["/target_and_floor?K=5", "/training"])
def test_a_deep_link_as_the_first_visit_after_server_start_runs_through_the_router(browser, path):
    """On a fresh server Streamlit's pages/-folder mode would run the page alone (ui/routing.py)."""
    if chromium_skip_reason():
        pytest.skip(chromium_skip_reason())
    from playwright.sync_api import expect

    with running_streamlit() as url:
        page = browser.new_page()
        try:
            page.goto(url + path)
            page.get_by_test_id("stHeading").first.wait_for(timeout=60_000)
            wait_for_idle(page)
            assert page.get_by_role("dialog").count() == 0
            # app.py's navigation, with its page titles, not the folder's file names
            nav = page.get_by_test_id("stSidebarNav")
            expect(nav.get_by_text("Smoothed target & entropy floor")).to_be_visible()
            expect(nav.get_by_text("What smoothing does to training")).to_be_visible()
            assert page.url.split("?")[0].endswith(path.split("?")[0])
        finally:
            page.close()
