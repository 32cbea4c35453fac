"""Real browser at a phone's width (375 px): on every plotly figure that stays (the training and classify pages,
the HTML downloads), plotly's toolbar never covers a legend or a title, and no title is cut or runs into another
text (issue 22, point 8). With touch (no hover) the toolbar used to be shown all the time; with a mouse it shows
on hover, so the check hovers over each figure first. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from browser_helpers import ARTIFACTS, wait_for_idle
from helpers import build_log, write_run
from PIL import Image

from lib.cifar.data import CLASSES
from lib.classifier.classify import ModelPrediction
from lib.classifier.figures import probability_bars
from lib.export import standalone_html
from lib.training import figures as training
from lib.training import runs, tabs

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}

# Boxes (client coordinates) of what one figure shows, and whether its toolbar is on screen.
GEOMETRY = """plot => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, text: e.textContent}; };
  const seen = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const svg = plot.querySelector('.main-svg');
  const container = plot.querySelector('.modebar-container');
  const groups = [...plot.querySelectorAll('.modebar-group')];
  const toolbar = container && getComputedStyle(container).display !== 'none'
      && groups.some(g => Number(getComputedStyle(g).opacity) > 0.05) ? box(plot.querySelector('.modebar')) : null;
  // Titles: the figure's, the axes' and the colour bar's (text whose class names a title), and subplot titles
  // (annotations above the panels, as plotly's make_subplots places them).
  const annotations = (plot._fullLayout && plot._fullLayout.annotations) || [];
  const subplotTitles = [...plot.querySelectorAll('.annotation')].filter(g => {
    const a = annotations[Number(g.getAttribute('data-index'))];
    return a && a.yref === 'paper' && a.yanchor === 'bottom' && a.y >= 1 && !a.showarrow; });
  const titles = [...plot.querySelectorAll('svg text[class*="title"]'), ...subplotTitles]
      .filter(e => e.textContent.trim() && seen(e)).map(box);
  return {
    figure: box(svg), toolbar, titles,
    legends: [...plot.querySelectorAll('.legend')].filter(seen).map(box),
    ticks: [...plot.querySelectorAll('.xtick text, .ytick text')].filter(e => e.textContent.trim() && seen(e)).map(box),
  };
}"""


def _meet(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (a["left"] < b["right"] - slack and b["left"] < a["right"] - slack
            and a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack)


def faults(geometry: dict, where: str, *, width: int = PHONE["width"]) -> list[str]:
    """What is wrong in one figure's geometry, in words (empty when nothing is)."""
    found = []
    toolbar, titles, figure = geometry["toolbar"], geometry["titles"], geometry["figure"]
    if toolbar is not None:
        found += [f"{where}: the toolbar covers {kind} {thing['text'][:40]!r}"
                  for kind, things in (("the legend", geometry["legends"]), ("the title", titles))
                  for thing in things if _meet(toolbar, thing)]
    for i, title in enumerate(titles):
        inside = (title["left"] >= max(figure["left"], 0) - 1 and title["right"] <= min(figure["right"], width) + 1
                  and title["top"] >= figure["top"] - 1 and title["bottom"] <= figure["bottom"] + 1)
        if not inside:
            found.append(f"{where}: title {title['text'][:50]!r} is cut at the figure's edge ({title}, {figure})")
        others = titles[i + 1:] + geometry["legends"] + geometry["ticks"]
        found += [f"{where}: title {title['text'][:40]!r} runs into {other['text'][:40]!r}"
                  for other in others if _meet(title, other)]
    return found


def figure_faults(page, where: str, *, hover: bool) -> list[str]:
    """Every drawn figure on ``page``: hovered first where the device has a pointer (the toolbar shows then)."""
    found = []
    plots = page.locator(".js-plotly-plot")
    assert plots.count() > 0, f"{where}: no figure drawn"
    for i in range(plots.count()):
        plot = plots.nth(i)
        plot.scroll_into_view_if_needed()
        if hover:
            box = plot.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(400)  # the toolbar fades in
        found += faults(plot.evaluate(GEOMETRY), f"{where}, figure {i + 1}")
    return found


def phone_page(browser, *, touch: bool):
    """A 375 px page; ``touch``: a phone's screen, which has no hover and a coarse pointer (emulated before the
    page loads, because plotly decides once, when it loads, whether the device can hover)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    if touch:
        session = context.new_cdp_session(page)
        session.send("Emulation.setEmulatedMedia", {"features": [{"name": "hover", "value": "none"},
                                                                 {"name": "any-hover", "value": "none"},
                                                                 {"name": "pointer", "value": "coarse"}]})
        assert page.evaluate("matchMedia('(hover: none)').matches")
    return context, page


def open_tab(page, url: str, tab: str) -> None:
    page.goto(f"{url}/training?tab={tabs.slug(tab)}")
    page.get_by_test_id("stHeading").first.wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    page.get_by_role("tabpanel", name=tab).locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)  # plotly finishes drawing after the last message


@pytest.mark.parametrize("touch", [True, False], ids=["touch", "mouse"])
@pytest.mark.parametrize("tab", tabs.LABELS)
def test_training_figures_keep_their_titles_whole_and_clear_of_the_toolbar(streamlit_server, browser, tab, touch):
    context, page = phone_page(browser, touch=touch)
    try:
        open_tab(page, streamlit_server, tab)
        found = figure_faults(page, f"{tab} ({'touch' if touch else 'mouse'})", hover=not touch)
        page.screenshot(path=ARTIFACTS / f"phone-figures-training-{tabs.slug(tab)}-{'touch' if touch else 'mouse'}.png",
                        full_page=True)
        assert not found, "\n".join(found)
    finally:
        context.close()


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("touch", [True, False], ids=["touch", "mouse"])
def test_classify_figures_keep_their_titles_whole_and_clear_of_the_toolbar(streamlit_server, browser, touch):
    context, page = phone_page(browser, touch=touch)
    try:
        page.goto(f"{streamlit_server}/classify", wait_until="domcontentloaded")
        page.get_by_text("Upload images, take a photo").wait_for(timeout=120_000)
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', files=[
            {"name": "blue.png", "mimeType": "image/png", "buffer": _png((30, 90, 200))}])
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=120_000)
        wait_for_idle(page, timeout=120_000)
        page.wait_for_timeout(1500)
        found = figure_faults(page, f"classify ({'touch' if touch else 'mouse'})", hover=not touch)
        page.screenshot(path=ARTIFACTS / f"phone-figures-classify-{'touch' if touch else 'mouse'}.png", full_page=True)
        assert not found, "\n".join(found)
    finally:
        context.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> dict[str, str]:
    """The HTML files the download buttons give, for a figure of each kind that has a legend or a title."""
    folder = tmp_path_factory.mktemp("models")
    write_run(folder / "eps0", build_log(0.0, seed=2))
    write_run(folder / "eps0.1", build_log(0.1, seed=1))
    both = runs.load_runs(folder)
    prediction = ModelPrediction("eps0.1", 0.1, CLASSES, np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum())
    figures = {
        "training-loss": training.training_loss(both, 10),
        "test-metrics": training.test_metrics(both),
        "reliability": training.reliability_diagram(both[1].last["test"]["reliability"], title="ε = 0.1", eps=0.1),
        "probabilities": probability_bars(prediction),
    }
    return {name: standalone_html(fig, title=name, caption="caption", stem=name) for name, fig in figures.items()}


@pytest.mark.parametrize("touch", [True, False], ids=["touch", "mouse"])
@pytest.mark.parametrize("name", ["training-loss", "test-metrics", "reliability", "probabilities"])
def test_downloaded_figures_keep_their_titles_whole_and_clear_of_the_toolbar(browser, downloads, tmp_path, name,
                                                                            touch):
    context, page = phone_page(browser, touch=touch)
    try:
        path = tmp_path / f"{name}.html"
        path.write_text(downloads[name], encoding="utf-8")
        page.goto(path.as_uri())
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        found = figure_faults(page, f"{name}.html ({'touch' if touch else 'mouse'})", hover=not touch)
        assert not found, "\n".join(found)
    finally:
        context.close()
