"""Real browser: the live SVG figures show lib's numbers at every position the keys and the mouse reach.

What the page draws is read back from the drawing itself — each curve's path, each bar's rectangle, each marked
point's position — and turned back into data through the inverse of the figure's scale (its plot box, in the
SVG's ``data-plot``, and the axis domain lib computed), then compared with lib's functions at the ε shown.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

import numpy as np
import pytest
from browser_helpers import wait_for_idle
from PIL import Image

from lib.digits import nats
from lib.explainer import gradient, live_figures, words
from lib.explainer.views import heatmap_grid
from lib.export import file_stem
from lib.smoothing import ce_vs_true_prob, entropy_floor, optimal_logit_gap, target_values

pytestmark = pytest.mark.browser
EPS = "ε, the smoothing strength"

# The n-th live figure as drawn: its plot box, and per mark the path's "d", the bars' rectangles, the point.
DRAWN = """(n) => {
  const svg = document.querySelectorAll('.lslab-svg')[n];
  const marks = {};
  for (const el of svg.querySelectorAll('[data-mark]')) {
    const id = el.dataset.mark;
    if (el.tagName === 'path') marks[id] = {d: el.getAttribute('d') || ''};
    else if (el.tagName === 'g' && el.querySelector('[data-bar]')) {
      const bar = el.querySelector('[data-bar]');
      (marks[id] ||= {bars: []}).bars.push(el.getAttribute('display') === 'none' ? null :
        {y: +bar.getAttribute('y'), height: +bar.getAttribute('height')});
    } else if (el.classList.contains('lslab-svg-now')) marks[id] = {shown: el.getAttribute('display') !== 'none',
                                               px: +el.dataset.px, py: +el.dataset.py,
                                               label: el.querySelector('text').textContent};
    else if (el.tagName === 'line') marks[id] = {shown: el.getAttribute('display') !== 'none',
                                                x1: +el.getAttribute('x1'), y1: +el.getAttribute('y1')};
  }
  return {plot: svg.dataset.plot.split(',').map(Number), marks};
}"""


def inverse(domain: list[float], lo_px: float, hi_px: float, *, log: bool = False):
    """Pixels back to data along an axis drawn from ``lo_px`` (domain[0]) to ``hi_px`` (domain[1])."""
    d0, d1 = (math.log10(d) for d in domain) if log else domain

    def f(px):
        v = d0 + (np.asarray(px, dtype=np.float64) - lo_px) / (hi_px - lo_px) * (d1 - d0)
        return 10 ** v if log else v
    return f


def scales(figure: dict, plot: list[float]):
    left, top, right, bottom = plot
    x, y = figure["x"], figure["y"]
    fx = None if x["scale"] == "band" else inverse(x["domain"], left, right, log=x["scale"] == "log")
    return fx, inverse(y["domain"], bottom, top, log=y["scale"] == "log")


def path_points(d: str) -> np.ndarray:
    return np.array([[float(a), float(b)] for a, b in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d)])


def px_tolerance(domain: list[float], plot_px: float) -> float:
    """Half a tenth of a pixel rounding on each end, in data units of an axis ``plot_px`` long."""
    return (domain[1] - domain[0]) / plot_px * 0.11


def slider(page):
    return page.get_by_role("slider", name=EPS)


def shown_eps(page) -> float:
    return float(page.get_by_test_id("lslabSliderValue").inner_text())


def settled(page) -> None:
    """The figures drawn for the position the slider shows (they follow within an animation frame)."""
    page.wait_for_function("() => { const all = [...document.querySelectorAll('.lslab-explorable')];"
                           " return all.length > 0 && all.every(r => r.dataset.drawn === r.dataset.index); }",
                           timeout=30_000)


def open_live(browser, url: str, on_request=None, width: int = 1300, **context):
    page = browser.new_page(viewport={"width": width, "height": 1600}, **context)
    if on_request:
        page.on("request", on_request)
    page.goto(url)
    page.locator(".lslab-svg").first.wait_for(timeout=60_000)
    wait_for_idle(page)
    settled(page)
    return page


def check_bars(page, K: int, eps: float, spread: str) -> None:
    drawn = page.evaluate(DRAWN, 0)
    spec = live_figures.target_bars(K, spread, [eps])
    _, fy = scales(spec, drawn["plot"])
    bars = drawn["marks"][f"bars-{spread}"]["bars"]
    on, off = target_values(K, eps, spread=spread)
    assert len(bars) == (K if K <= live_figures.MAX_BARS else 2)
    tops = fy([b["y"] for b in bars]) if spec["y"]["scale"] == "log" else fy([b["y"] for b in bars])
    expected = np.array([on] + [off] * (len(bars) - 1))
    if spec["y"]["scale"] == "log":
        assert np.allclose(np.log10(tops[expected > 0]), np.log10(expected[expected > 0]), atol=0.01)
    else:
        assert np.allclose(tops, expected, atol=px_tolerance(spec["y"]["domain"], drawn["plot"][3] - drawn["plot"][1]))


def check_point(page, n: int, spec: dict, mark: str, x: float, y: float) -> None:
    drawn = page.evaluate(DRAWN, n)
    fx, fy = scales(spec, drawn["plot"])
    point = drawn["marks"][mark]
    assert point["shown"]
    left, top, right, bottom = drawn["plot"]
    assert abs(fx(point["px"]) - x) <= px_tolerance(spec["x"]["domain"], right - left) or (
        spec["x"]["scale"] == "log" and abs(math.log10(fx(point["px"]) / x)) < 0.01)
    if spec["y"]["scale"] == "log":
        assert abs(math.log10(fy(point["py"]) / y)) < 0.01, (fy(point["py"]), y)
    else:
        assert abs(fy(point["py"]) - y) <= px_tolerance(spec["y"]["domain"], bottom - top)


def check_target_page(page, K: int, spread: str) -> float:
    """Everything the target page's explorable shows equals lib at the ε the slider shows; returns that ε."""
    eps = shown_eps(page)
    assert slider(page).get_attribute("aria-valuetext") == f"ε = {eps:g}"
    values = page.get_by_test_id("lslabMetricValue").all_inner_texts()
    floor = entropy_floor(K, eps, spread=spread)
    assert values[0] == nats(floor)
    check_bars(page, K, eps, spread)
    check_point(page, 1, live_figures.floor_vs_eps(K, spread, [eps]), "now", eps, floor)
    ks, eps_grid, floors = heatmap_grid(spread)
    check_point(page, 2, live_figures.floor_heatmap(K, spread, [eps], ks, eps_grid, floors), "now", eps, K)
    captions = page.locator(".lslab-caption").all_inner_texts()
    assert captions[0] == words.target_bars_caption(K, eps, spread=spread)
    assert captions[1] == words.floor_curve_caption(K, eps, spread=spread)
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
        # Nothing was asked of another origin (data: URLs are no requests), and no plotly.js at all.
        origin = urlparse(streamlit_server).netloc
        outside = [u for u in asked if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != origin]
        assert not outside, outside
        assert not [u for u in asked if "plotly" in u.lower()], [u for u in asked if "plotly" in u.lower()]
    finally:
        page.close()


@pytest.mark.parametrize("spread", ["all", "others"])
@pytest.mark.parametrize("K", [2, 10, 1000])
def test_the_heat_map_arrow_stays_on_the_current_cell_after_moves(streamlit_server, browser, K, spread):
    page = open_live(browser, streamlit_server + f"/target_and_floor?K={K}&eps=0.3&spread={spread}")
    try:
        ks, eps_grid, floors = heatmap_grid(spread)
        thumb = slider(page)
        thumb.focus()
        for key in ("ArrowRight", "ArrowRight", "Home", "ArrowRight", "End"):
            thumb.press(key)
            settled(page)
            eps = shown_eps(page)
            spec = live_figures.floor_heatmap(K, spread, [eps], ks, eps_grid, floors)
            check_point(page, 2, spec, "now", eps, K)
            assert page.evaluate(DRAWN, 2)["marks"]["now"]["label"].startswith(f"now: K = {K}, ε = {eps:g}")
    finally:
        page.close()


def check_gradient_section(page, K: int, eps: float, spread: str) -> None:
    """The gradient section (the follower below the PyTorch check) shows lib's gradient at ε and the page's gap."""
    gap = gradient.starting_gap(K, 0.5, spread=spread)  # the gap a fresh session of this deep link starts at
    follower = page.locator(".lslab-explorable").nth(1)
    settled(page)
    assert follower.locator("input[type=range]").count() == 0  # it follows the page's ε slider
    assert follower.locator(".lslab-caption").inner_text() == words.gradient_caption(K, eps, gap, spread=spread)
    values = [eps]
    drawn = page.evaluate(DRAWN, 3)
    _, fy = scales(live_figures.gradient_bars(K, spread, values, gap), drawn["plot"])
    zero_px = drawn["marks"]["zero"]["y1"]  # bars grow up or down from the zero line
    # A bar above the line ends at its top (y), one below it at its bottom (y + height).
    shown = [fy(b["y"]) if b["y"] < zero_px - 0.05 else fy(b["y"] + b["height"])
             for b in drawn["marks"]["smoothed"]["bars"]]
    grad = gradient.logit_gradient(K, eps, gap, spread=spread)[: len(shown)]
    plot = drawn["plot"]
    assert np.allclose(shown, grad, atol=px_tolerance([-1.05, 1.05], plot[3] - plot[1]))
    check_point(page, 4, live_figures.gradient_vs_gap(K, spread, values, gap), "now", gap, grad[0])


def test_a_deep_link_opens_the_loss_curves_at_its_state_with_libs_curves(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/loss_curves?K=3&eps=0.5&spread=others")
    try:
        assert shown_eps(page) == 0.5
        on, _ = target_values(3, 0.5, spread="others")
        floor = entropy_floor(3, 0.5, spread="others")
        spec = live_figures.ce_vs_prob(3, "others", [0.5])
        check_point(page, 0, spec, "minimum", on, floor)
        drawn = page.evaluate(DRAWN, 0)
        fx, fy = scales(spec, drawn["plot"])
        points = path_points(drawn["marks"]["smoothed"]["d"])
        p, ce = fx(points[:, 0]), fy(points[:, 1])
        inside = (p > 0.001) & (p < 0.999)
        expected = ce_vs_true_prob(3, 0.5, np.clip(p[inside], 0, 1), spread="others")
        # The path's points are lib's (to a tenth of a pixel): re-evaluated at the read-back p, the curve's
        # steepness turns a pixel's rounding in p into more than that in CE, so compare where it is gentle.
        gentle = np.abs(np.gradient(expected, p[inside])) < 20
        assert np.allclose(ce[inside][gentle], expected[gentle], atol=0.03)
        assert len(points) >= 100
        gap_spec = live_figures.ce_vs_gap(3, "others", [0.5])
        check_point(page, 2, gap_spec, "optimum", optimal_logit_gap(3, 0.5, spread="others"), floor)
        assert page.locator(".lslab-caption").nth(2).inner_text() == words.gap_caption(3, 0.5, spread="others")
        assert f"{optimal_logit_gap(3, 0.5, spread='others'):.4f}" in page.locator(".lslab-math").last.inner_text()
        check_gradient_section(page, 3, 0.5, "others")
        # Home goes to ε = 0: only the one-hot curve, and the PyTorch panel (Python, settled) says why.
        slider(page).focus()
        slider(page).press("Home")
        settled(page)
        assert page.evaluate(DRAWN, 2)["marks"]["smoothed"]["d"] == ""
        assert not page.evaluate(DRAWN, 2)["marks"]["optimum"]["shown"]
        check_gradient_section(page, 3, 0.0, "others")  # the gradient section followed, before any rerun
        page.get_by_text("the best logit gap is infinite").wait_for(timeout=30_000)
        assert "eps=0&" in page.url or page.url.endswith("eps=0")
    finally:
        page.close()


def test_png_and_svg_downloads_are_named_after_the_settings_and_hold_the_figure(streamlit_server, browser, tmp_path):
    page = open_live(browser, streamlit_server + "/target_and_floor?K=5&eps=0.2&spread=others")
    try:
        box = page.locator(".lslab-figure-box").first
        with page.expect_download() as info:
            box.get_by_role("button", name="Download “Smoothed target ỹ” as PNG (for slides)").click()
        stem = file_stem("target", K=5, eps=0.2, spread="others")
        assert info.value.suggested_filename == stem + ".png"
        info.value.save_as(tmp_path / "f.png")
        width = page.locator(".lslab-svg").first.evaluate("e => e.width.baseVal.value")
        with Image.open(tmp_path / "f.png") as image:
            assert image.size[0] == 2 * round(width)  # twice the drawn size, for slides
        with page.expect_download() as info:
            box.get_by_role("button", name="Download “Smoothed target ỹ” as SVG").click()
        assert info.value.suggested_filename == stem + ".svg"
        info.value.save_as(tmp_path / "f.svg")
        text = (tmp_path / "f.svg").read_text(encoding="utf-8")
        assert text.startswith("<svg") and "Smoothed target ỹ" in text and 'data-mark="bars-others"' in text
        assert 2_000 < (tmp_path / "f.svg").stat().st_size < 200_000
    finally:
        page.close()


def test_embedded_with_text_off_keeps_the_live_figures_and_numbers_and_drops_the_formulas(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/target_and_floor?K=5&eps=0.2&embed=true&text=off")
    try:
        assert page.locator(".lslab-math").count() == 0
        assert page.locator(".lslab-svg").count() == 3
        assert page.get_by_test_id("stSidebar").count() == 0
        slider(page).focus()
        slider(page).press("ArrowRight")
        settled(page)
        assert check_target_page(page, 5, "all") == 0.21
        page.wait_for_url("**eps=0.21**", timeout=30_000)
        assert "text=off" in page.url and "embed=true" in page.url
    finally:
        page.close()


LABELS_CLEAR = """() => {
  const boxes = (svg, selector) => [...svg.querySelectorAll(selector)].filter(e => e.getAttribute('display') !== 'none'
      && e.style.display !== 'none' && e.textContent).map(e => {
        const b = e.getBBox();
        return {x: b.x, y: b.y, width: b.width, height: b.height, text: e.textContent};
      });
  const meet = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const bad = [];
  for (const svg of document.querySelectorAll('.lslab-svg')) {
    const labels = boxes(svg, '.lslab-svg-label');
    const fixed = [...boxes(svg, '.lslab-svg-legend text'), ...boxes(svg, '.lslab-svg-axis-title')];
    const width = +svg.getAttribute('width'), height = +svg.getAttribute('height');
    for (const l of labels) {
      if (l.x < -1 || l.x + l.width > width + 1 || l.y < -1 || l.y + l.height > height + 1) bad.push(['outside', l]);
      for (const f of fixed) if (meet(l, f)) bad.push(['overlap', l, f]);
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("width", [1300, 375])
def test_labels_never_sit_on_the_legend_or_an_axis_title_nor_leave_the_figure(streamlit_server, browser, width):
    for url in ("/target_and_floor?K=1000&eps=0.95", "/target_and_floor?K=2&eps=0.45&spread=others",
                "/loss_curves?K=1000&eps=0.99", "/loss_curves?K=2&eps=0.01&spread=others"):
        page = open_live(browser, streamlit_server + url, width=width)
        try:
            assert page.evaluate(LABELS_CLEAR) == [], url
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            page.close()


def test_dark_mode_draws_the_figures_in_the_dark_themes_colours(streamlit_server, browser):
    page = open_live(browser, streamlit_server + "/target_and_floor?K=10&eps=0.1", color_scheme="dark")
    try:
        fill = page.locator(".lslab-svg").first.get_attribute("fill")
        text = page.get_by_test_id("stApp").evaluate("e => getComputedStyle(e).color")
        r, g, b = (int(v) for v in re.findall(r"\d+", text)[:3])
        assert r + g + b > 500, text  # the dark theme's light text…
        assert fill and fill.lower() not in ("#31333f", "black", "#000000"), fill  # …is the figures' ink
    finally:
        page.close()
