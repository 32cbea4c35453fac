"""Real browser: the training page's study tabs (under shift, what smoothing erases) and the loss-curves page's
gradient section are drawn, fit a phone's width, and pass the accessibility audit; screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from browser_helpers import ARTIFACTS, ROOT, wait_for_idle
from playwright.sync_api import expect

from lib.cifar.data import find_source

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def open_tab(page, url: str, tab: str) -> None:
    page.goto(url)
    page.get_by_test_id("stHeading").first.wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    page.get_by_role("tab", name=tab).click()
    wait_for_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)  # plotly finishes drawing after the last message


@pytest.mark.parametrize("tab,expected", [("Under shift", "raw ECE"), ("What smoothing erases", "Rank correlation")])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_study_tabs_show_their_figures_and_numbers(streamlit_server, browser, tab, expected, width):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        open_tab(page, streamlit_server + "/training", tab)
        panel = page.get_by_role("tabpanel", name=tab)
        if tab == "Under shift":  # the example image (this machine's CIFAR-10 copy) and the table of both models
            panel.locator("table").first.wait_for(timeout=60_000)
            assert "AUROC, right vs wrong" in panel.locator("table").first.inner_text()
            if find_source() is not None:
                example = "CIFAR-10 test image #0 under gaussian noise, severity 3"
                panel.get_by_alt_text(example).wait_for(timeout=60_000)
        assert expected in panel.inner_text()
        panel.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)  # plotly draws after the tab's messages
        assert panel.locator(".js-plotly-plot").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        slug = {"Under shift": "shift", "What smoothing erases": "erased"}[tab]
        page.wait_for_url(f"**/training?tab={slug}*")  # the open tab is in the address
        page.screenshot(path=ARTIFACTS / f"training-{tab.lower().replace(' ', '-')}-{width}px.png", full_page=True)
        assert not serious_violations(page)
    finally:
        page.close()


def test_only_the_open_tab_is_built_and_a_link_opens_another(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(streamlit_server + "/training?tab=shift")
        panel = page.get_by_role("tabpanel", name="Under shift")
        panel.locator(".js-plotly-plot").nth(1).wait_for(timeout=120_000)
        wait_for_idle(page, timeout=120_000)
        assert page.get_by_role("tab", name="Under shift").get_attribute("aria-selected") == "true"
        assert page.locator(".js-plotly-plot").count() == 2  # the five other tabs' figures were never built
        page.get_by_role("tab", name="Train it yourself").click()
        page.get_by_role("tabpanel", name="Train it yourself").get_by_role("button", name="Step", exact=True).wait_for(
            timeout=60_000)
        page.wait_for_url("**/training?tab=toy*")
    finally:
        page.close()


def test_the_gradient_section_follows_its_slider(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(streamlit_server + "/loss_curves")
        page.get_by_test_id("stHeading").first.wait_for(timeout=120_000)
        wait_for_idle(page, timeout=120_000)
        slider = page.get_by_role("slider", name="Logit gap z_true − z_other")
        slider.scroll_into_view_if_needed()
        before = page.get_by_text("torch.autograd, float64").inner_text()
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        check = page.get_by_text("torch.autograd, float64")
        expect(check).not_to_have_text(before, timeout=60_000)  # a rerun: the table for the new gap, the check
        wait_for_idle(page, timeout=60_000)
        # The gap the slider settled on (on a loaded machine a key press can land during a rerun and be merged).
        gap = float(page.get_by_test_id("stSliderThumbValue").filter(has_text=".").last.inner_text())
        assert gap > 6.0
        expect(check).to_contain_text(f"gap {gap:g} — torch.autograd", timeout=30_000)
        assert "largest difference" in check.inner_text()
        follower = page.locator(".lslab-explorable").nth(1)  # the figures' caption followed the gap too
        expect(follower.locator(".lslab-caption")).to_contain_text(f"At a logit gap of {gap:g},", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "loss-curves-gradient.png", full_page=True)
    finally:
        page.close()
