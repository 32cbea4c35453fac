"""Real browser: the live explorable shows lib's numbers at every position the keys and the mouse reach.

What the page draws is read back from the page itself — plotly's own data of each figure, the floor number,
the captions, the slider's aria-valuetext — and compared with lib's functions at the ε shown.
"""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np
import pytest
from browser_helpers import wait_for_idle

from lib.explainer import gradient, words
from lib.export import file_stem
from lib.smoothing import ce_vs_true_prob, entropy_floor, floor_curve, optimal_logit_gap, smoothed_target, target_values

pytestmark = pytest.mark.browser
EPS = "ε, the smoothing strength"

# What plotly drew in the n-th live figure: each trace's x and y as plotly decoded them (its full data, where
# the base64 float64 arrays from Python have become typed arrays), in the order of the figure's traces.
FIGURE_DATA = """(n) => {
  const plot = document.querySelectorAll('.lslab-figure')[n];
  return [...plot._fullData].sort((a, b) => a.index - b.index).map(t => ({
    name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}));
}"""


def same(shown: list[float], expected) -> bool:
    """Exactly equal, float64 for float64 (NaN where the curve is undefined counts as equal)."""
    return np.array_equal(np.asarray(shown, dtype=np.float64), np.asarray(expected, dtype=np.float64), equal_nan=True)


def slider(page):
    return page.get_by_role("slider", name=EPS)


def shown_eps(page) -> float:
    return float(page.get_by_test_id("lslabSliderValue").inner_text())


def settled(page) -> None:
    """The figures drawn for the position the slider shows (they follow within an animation frame)."""
    page.wait_for_function("() => { const all = [...document.querySelectorAll('.lslab-explorable')];"
                           " return all.length > 0 && all.every(r => r.dataset.drawn === r.dataset.index); }",
                           timeout=30_000)


def open_live(browser, url: str, on_request=None, height: int = 2600):
    # Tall enough for every figure of the explorable to be on screen: figures out of sight are not drawn
    # until they are scrolled into view (check_gradient_section scrolls to the ones below).
    page = browser.new_page(viewport={"width": 1300, "height": height})
    if on_request:
        page.on("request", on_request)
    page.goto(url)
    page.locator(".lslab-figure .main-svg").first.wait_for(timeout=60_000)
    wait_for_idle(page)
    settled(page)
    return page


def check_target_page(page, K: int, spread: str) -> float:
    """Everything the target page's explorable shows equals lib at the ε the slider shows; returns that ε."""
    eps = shown_eps(page)
    assert slider(page).get_attribute("aria-valuetext") == f"ε = {eps:g}"
    values = page.get_by_test_id("lslabMetricValue").all_inner_texts()
    assert values[0] == f"{entropy_floor(K, eps, spread=spread):.4f} nats"
    bars = page.evaluate(FIGURE_DATA, 0)
    assert len(bars[0]["y"]) == min(K, 12)
    assert same(bars[0]["y"], smoothed_target(K, eps, spread=spread)[: len(bars[0]["y"])])
    curve = page.evaluate(FIGURE_DATA, 1)
    assert len(curve[0]["x"]) == 201 and same(curve[0]["y"], floor_curve(K, np.asarray(curve[0]["x"]), spread=spread))
    now = page.evaluate("() => { const a = document.querySelectorAll('.lslab-figure')[1]._fullLayout"
                        ".annotations.at(-1); return {x: a.x, y: a.y, text: a.text}; }")
    floor = entropy_floor(K, eps, spread=spread)
    assert now == {"x": eps, "y": floor, "text": f"now: L_min = {floor:.4f} nats"}  # the arrow at the point
    captions = page.locator(".lslab-caption").all_inner_texts()
    assert captions[0] == words.target_bars_caption(K, eps, spread=spread)
    assert captions[1] == words.floor_curve_caption(K, eps, spread=spread)
    # The toolbar's PNG carries the settings of what is on screen.
    png = page.evaluate("() => document.querySelectorAll('.lslab-figure')[0]._context.toImageButtonOptions.filename")
    assert png == file_stem("target", K=K, eps=eps, spread=spread)
    return eps


def test_keys_and_a_drag_show_libs_numbers_and_the_url_follows_the_settled_state(streamlit_server, browser):
    asked: list[str] = []
    page = open_live(browser, streamlit_server + "/target_and_floor?K=7&eps=0.2&spread=others",
                     on_request=lambda request: asked.append(request.url))
    try:
        assert check_target_page(page, 7, "others") == 0.2
        thumb = slider(page)
        thumb.focus()
        for _ in range(3):
            thumb.press("ArrowRight")
        settled(page)
        assert check_target_page(page, 7, "others") == 0.23
        page.wait_for_url("**eps=0.23**", timeout=30_000)  # the settled ε reached Python
        thumb.press("End")
        settled(page)
        assert check_target_page(page, 7, "others") == 0.85  # the slider's last position for K = 7, "others"
        page.wait_for_url("**eps=0.85**", timeout=30_000)

        # A drag: the figures follow while the button is down, and Python gets the position of the release.
        box = thumb.bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.95, y)
        page.mouse.down()
        seen = set()
        for fraction in (0.8, 0.6, 0.4):
            page.mouse.move(box["x"] + box["width"] * fraction, y, steps=5)
            settled(page)
            seen.add(check_target_page(page, 7, "others"))
        page.mouse.up()
        assert len(seen) == 3
        released = check_target_page(page, 7, "others")
        page.wait_for_url(f"**eps={released:g}&**", timeout=30_000)
        wait_for_idle(page)
        settled(page)
        assert check_target_page(page, 7, "others") == released  # Python's rerun did not move it back
        # Nothing was asked of another origin (data: URLs are no requests): plotly.js came from the app.
        origin = urlparse(streamlit_server).netloc
        outside = [u for u in asked if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != origin]
        assert not outside, outside
        assert any("/app/static/vendor/plotly-" in url for url in asked)
    finally:
        page.close()


def check_gradient_section(page, K: int, eps: float, spread: str) -> None:
    """The gradient section (the follower below the PyTorch check) shows lib's gradient at ε and the page's gap."""
    gap = gradient.starting_gap(K, 0.5, spread=spread)  # the gap a fresh session of this deep link starts at
    follower = page.locator(".lslab-explorable").nth(1)
    follower.scroll_into_view_if_needed()  # figures out of sight are drawn when scrolled into view
    page.wait_for_function("() => document.querySelectorAll('.lslab-figure')[4].querySelector('.main-svg')",
                           timeout=30_000)
    settled(page)
    assert follower.locator("input[type=range]").count() == 0  # it follows the page's ε slider
    assert follower.locator(".lslab-caption").inner_text() == words.gradient_caption(K, eps, gap, spread=spread)
    bars = page.evaluate(FIGURE_DATA, 3)
    assert same(bars[0]["y"], gradient.logit_gradient(K, eps, gap, spread=spread)[:K])
    push = page.evaluate(FIGURE_DATA, 4)
    assert push[-1]["x"] == [gap]
    assert same(push[-1]["y"], [gradient.true_class_gradient(K, eps, np.array(gap), spread=spread)])


def test_a_deep_link_opens_the_loss_curves_at_its_state_with_libs_curves(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/loss_curves?K=3&eps=0.5&spread=others")
    try:
        assert shown_eps(page) == 0.5
        on, _ = target_values(3, 0.5, spread="others")
        floor = entropy_floor(3, 0.5, spread="others")
        ce = page.evaluate(FIGURE_DATA, 0)
        assert ce[-1]["x"] == [on] and ce[-1]["y"] == [floor]  # the minimum's marker
        smoothed = ce[1]
        assert len(smoothed["x"]) > 300 and on in smoothed["x"]
        assert same(smoothed["y"], ce_vs_true_prob(3, 0.5, np.asarray(smoothed["x"]), spread="others"))
        gap = page.evaluate(FIGURE_DATA, 2)
        assert gap[-1]["x"] == [optimal_logit_gap(3, 0.5, spread="others")]
        assert page.locator(".lslab-caption").nth(2).inner_text() == words.gap_caption(3, 0.5, spread="others")
        assert f"{optimal_logit_gap(3, 0.5, spread='others'):.4f}" in page.locator(".lslab-math").last.inner_text()
        check_gradient_section(page, 3, 0.5, "others")
        # Home goes to ε = 0: only the one-hot curve, and the PyTorch panel (Python, settled) says why.
        slider(page).focus()
        slider(page).press("Home")
        settled(page)
        assert [t["name"] for t in page.evaluate(FIGURE_DATA, 2)] == [
            "one-hot (ε = 0): keeps falling, best gap → ∞"]
        check_gradient_section(page, 3, 0.0, "others")  # the gradient section followed, before any rerun
        page.get_by_text("the best logit gap is infinite").wait_for(timeout=30_000)
        assert "eps=0.0" in page.url or "eps=0&" in page.url or page.url.endswith("eps=0")
    finally:
        page.close()


def test_embedded_with_text_off_keeps_the_live_figures_and_numbers_and_drops_the_formulas(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/target_and_floor?K=5&eps=0.2&embed=true&text=off")
    try:
        assert page.locator(".lslab-math").count() == 0
        assert page.locator(".lslab-figure .main-svg").count() >= 3
        assert page.get_by_test_id("stSidebar").count() == 0
        slider(page).focus()
        slider(page).press("ArrowRight")
        settled(page)
        assert check_target_page(page, 5, "all") == 0.21
        page.wait_for_url("**eps=0.21**", timeout=30_000)
        assert "text=off" in page.url and "embed=true" in page.url
    finally:
        page.close()


def test_figures_out_of_sight_are_drawn_when_they_are_scrolled_into_view(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/loss_curves?K=10&eps=0.1&spread=all", height=900)
    try:
        bars_drawn = "() => document.querySelectorAll('.lslab-figure')[3].querySelector('.main-svg') !== null"
        assert not page.evaluate(bars_drawn)  # the gradient section, far below, was never drawn
        slider(page).focus()
        slider(page).press("ArrowRight")
        settled(page)
        assert page.evaluate(FIGURE_DATA, 0)[-1]["x"] == [target_values(10, 0.11)[0]]  # the figure in sight moved
        assert not page.evaluate(bars_drawn)
        page.locator(".lslab-explorable").nth(1).scroll_into_view_if_needed()
        page.wait_for_function(bars_drawn, timeout=30_000)
        settled(page)
        gap = gradient.starting_gap(10, 0.1)
        assert same(page.evaluate(FIGURE_DATA, 3)[0]["y"], gradient.logit_gradient(10, 0.11, gap))  # now at ε = 0.11
    finally:
        page.close()
