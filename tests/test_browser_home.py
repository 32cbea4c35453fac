"""Real browser: the home page shows, then tells — its first screen, with no scrolling, holds the ε slider and a live
figure that a drag changes, at a laptop's and a phone's size, in light and dark; and the two sliders of an explainer
page look like one kind of widget in the dark theme."""

from __future__ import annotations

import io

import numpy as np
import pytest
from browser_helpers import ARTIFACTS, wait_for_idle
from PIL import Image

pytestmark = pytest.mark.browser
EPS = "ε, the smoothing strength"


def inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(1280, 800), (375, 667)])
def test_the_first_screen_holds_the_eps_slider_and_a_live_figure_that_a_drag_changes(streamlit_server, browser,
                                                                                      width, height, scheme):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(streamlit_server + "/")
        figure = page.locator(".lslab-svg[data-plot]").first
        figure.wait_for(timeout=60_000)
        wait_for_idle(page)
        slider = page.get_by_role("slider", name=EPS)
        assert inside(slider.bounding_box(), width, height)
        # The figure's plot — its curves, floor line and marked minimum — is on the first screen.
        left, top, right, bottom = (float(v) for v in figure.get_attribute("data-plot").split(","))
        box = figure.bounding_box()
        assert inside({"x": box["x"] + left, "y": box["y"] + top, "width": right - left,
                       "height": (bottom - top) * 0.9}, width, height), (box, left, top, right, bottom)
        assert page.evaluate("window.scrollY") == 0 and page.evaluate("document.documentElement.scrollWidth") <= width
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"home-first-screen-{width}-{scheme}.png")
        before = figure.locator('[data-mark="smoothed"]').get_attribute("d")
        thumb = slider.bounding_box()
        y = thumb["y"] + thumb["height"] / 2
        page.mouse.move(thumb["x"] + thumb["width"] * 0.1, y)
        page.mouse.down()
        page.mouse.move(thumb["x"] + thumb["width"] * 0.6, y, steps=8)
        page.mouse.up()
        page.wait_for_function("() => { const r = document.querySelector('.lslab-explorable');"
                               " return r.dataset.drawn === r.dataset.index; }", timeout=30_000)
        assert figure.locator('[data-mark="smoothed"]').get_attribute("d") != before
        page.wait_for_url("**eps=**", timeout=30_000)  # the settled ε reached Python and the address
    finally:
        context.close()


def track_colour(page, locator, beyond: float) -> tuple[int, int, int]:
    """The colour of a slider's track a little right of ``beyond`` (a fraction of its width), where it is unfilled."""
    box = locator.bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot(clip={"x": box["x"], "y": box["y"] - 10, "width": box["width"],
                                                       "height": box["height"] + 20}))).convert("RGB")
    pixels = np.asarray(shot)
    column = pixels[:, int(pixels.shape[1] * beyond)]
    # The track is the row least like the page's background in that column.
    background = pixels[1, int(pixels.shape[1] * beyond)].astype(int)
    distance = np.abs(column.astype(int) - background).sum(axis=1)
    return tuple(int(v) for v in column[int(np.argmax(distance))])


def test_in_the_dark_theme_the_eps_and_k_sliders_look_alike(streamlit_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(streamlit_server + "/target_and_floor?K=10&eps=0.1")
        page.locator(".lslab-svg[data-plot]").first.wait_for(timeout=60_000)
        wait_for_idle(page)
        eps = page.get_by_role("slider", name=EPS)
        k_track = page.get_by_role("group", name="K, the number of classes")
        eps_colour = track_colour(page, eps, 0.75)
        k_colour = track_colour(page, k_track, 0.75)
        # Not a bright white track beside a dark grey one: both dark, and close to each other.
        assert sum(eps_colour) < 3 * 140 and sum(k_colour) < 3 * 140, (eps_colour, k_colour)
        assert max(abs(a - b) for a, b in zip(eps_colour, k_colour, strict=True)) < 40, (eps_colour, k_colour)
    finally:
        context.close()
