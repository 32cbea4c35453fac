"""Real browser: the training page's race plays on its own timer (st.fragment(run_every=…)), pauses, and stops
itself on its last frame; screenshots of its first and last frames in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from browser_helpers import ARTIFACTS, wait_for_idle
from playwright.sync_api import expect

from lib.training import toy

pytestmark = pytest.mark.browser

STATUS = re.compile(r"^Step (\d+) of (\d+)\.")  # the caption under the race's figures


def shown_step(page) -> tuple[int, int]:
    """(step shown, last step) from the race's caption."""
    match = STATUS.match(page.get_by_text(STATUS).first.inner_text())
    assert match, "the race's caption is missing"
    return int(match.group(1)), int(match.group(2))


def step_at_least(page, step: int, timeout: float) -> None:
    """Wait until the caption shows ``step`` or later (the timer's frames arrive as fast as the machine allows)."""
    page.wait_for_function(
        """step => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')].some(c => {
               const m = c.innerText.match(/^Step (\\d+) of/); return m && Number(m[1]) >= step; })""",
        arg=step, timeout=timeout)


def test_the_race_plays_pauses_and_stops_itself_at_the_end(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(streamlit_server + "/training?tab=toy")
        page.get_by_text(STATUS).first.wait_for(timeout=120_000)
        wait_for_idle(page, timeout=120_000)
        panel = page.get_by_role("tabpanel", name="Train it yourself")
        panel.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
        assert panel.locator(".js-plotly-plot").count() == 3
        race = toy.race(5, 0.1)
        opening, last = shown_step(page)
        assert (opening, last) == (race.one_hot["step"][toy.OPENING_FRAME], race.one_hot["step"][-1])
        # The first frame already has both runs under way: each figure draws two curves and two head markers.
        assert panel.locator(".js-plotly-plot").first.locator(".scatterlayer .trace").count() == 4
        page.screenshot(path=ARTIFACTS / "training-race-first-frame.png")

        panel.get_by_role("button", name="Play").click()
        expect(panel.get_by_role("button", name="Pause")).to_be_visible(timeout=30_000)
        step_at_least(page, opening + 10, timeout=60_000)  # moving on its own, no click
        panel.get_by_role("button", name="Pause").click()
        expect(panel.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)
        wait_for_idle(page)
        paused = shown_step(page)
        page.wait_for_timeout(1500)  # six timer periods: a timer still running would have moved it
        assert shown_step(page) == paused

        panel.get_by_role("button", name="Play").click()
        step_at_least(page, last, timeout=120_000)
        expect(panel.get_by_role("button", name="Play")).to_be_visible(timeout=30_000)  # it stopped itself
        expect(panel.get_by_role("button", name="Step")).to_be_disabled()
        assert "has settled" in page.get_by_text(STATUS).first.inner_text()
        page.wait_for_timeout(1500)
        assert shown_step(page) == (last, last)
        page.screenshot(path=ARTIFACTS / "training-race-last-frame.png")
    finally:
        page.close()
