"""Real browser, every page: its own address opens it (first visit after a server start and later ones),
nothing scrolls sideways at 375 px, no request leaves the app's origin, and axe-core finds no serious or
critical accessibility violation in the light or the dark theme."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_helpers import ARTIFACTS, ROOT, chromium_skip_reason, running_streamlit, wait_for_idle

pytestmark = pytest.mark.browser

# Each page's address and the title it shows; "/home" is the home page's own name besides "/".
PAGE_TITLES = {
    "/": "Label Smoothing Lab",
    "/home": "Label Smoothing Lab",
    "/target_and_floor": "Smoothed target & entropy floor",
    "/loss_curves": "Loss curves",
    "/classify": "Classify your images",
    "/training": "What smoothing does to training",
}
ADDRESSES = [*PAGE_TITLES, "/home?embed=true&text=off"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def title_of(address: str) -> str:
    return PAGE_TITLES[address.split("?")[0]]


def open_page(page, url: str) -> None:
    """Go to ``url`` and wait until the page's title and its figures are drawn and no rerun is running."""
    page.goto(url)
    page.get_by_test_id("stHeading").first.wait_for(timeout=120_000)
    wait_for_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)  # plotly and KaTeX finish drawing after the last message


def assert_shows_its_own_page(page, address: str, visit: str) -> None:
    where = f"{address} ({visit} visit)"
    assert page.get_by_text("Page not found").count() == 0, f"{where}: Page not found"
    assert page.get_by_role("dialog").count() == 0, where
    assert page.get_by_test_id("stHeading").first.inner_text().strip() == title_of(address), where


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_page_address_opens_its_page_on_the_first_visit_after_server_start_and_on_later_ones(browser, address):
    """The first visit meets Streamlit's pages/-folder mode (ui/routing.py), later ones app.py's navigation."""
    if reason := chromium_skip_reason():
        pytest.skip(reason)
    with running_streamlit() as url:
        for visit in ("first", "second", "third"):
            page = browser.new_page()
            try:
                open_page(page, url + address)
                assert_shows_its_own_page(page, address, visit)
            finally:
                page.close()


@pytest.mark.parametrize("address", list(PAGE_TITLES)[1:])
def test_no_page_scrolls_sideways_at_375_px(streamlit_server, browser, address):
    """A phone's width: the document is no wider than the viewport (a wide formula scrolls inside its own box)."""
    page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    try:
        open_page(page, streamlit_server + address)
        widths = page.evaluate("""() => ({
            document: document.documentElement.scrollWidth,
            main: document.querySelector('[data-testid="stMain"]').scrollWidth,
            wide: [...document.querySelectorAll('[data-testid="stMain"] *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                             && !e.closest('.katex-display, [data-testid="stMarkdownContainer"] pre, .stCode,'
                                           + ' .lslab-code')
                             && getComputedStyle(e).visibility !== 'hidden')
                .slice(0, 5).map(e => e.outerHTML.slice(0, 120)),
        })""")
        page.screenshot(path=ARTIFACTS / f"phone-375px{address.replace('/', '-')}.png", full_page=True)
        assert widths["document"] <= 375 and widths["main"] <= 375, (address, widths)
    finally:
        page.close()


@pytest.mark.parametrize("address", list(PAGE_TITLES)[1:])
def test_no_page_requests_anything_outside_the_app(streamlit_server, browser, address):
    """Every request a page makes (scripts, fonts, the favicon, figures) goes to the app's own origin."""
    own = urlsplit(streamlit_server).netloc
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    try:
        page = context.new_page()
        open_page(page, streamlit_server + address)
        page.wait_for_timeout(1500)  # the favicon is fetched after the page's first script run
        foreign = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                   and urlsplit(u).netloc != own]
        assert requests and not foreign, foreign
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("address", list(PAGE_TITLES)[1:])
def test_no_page_has_a_serious_accessibility_violation(streamlit_server, browser, address, scheme):
    """axe-core (npm, ``node_modules/``) on the rendered page; serious and critical violations fail."""
    if not AXE.exists():
        pytest.skip(f"{AXE.relative_to(ROOT)} is absent: run `npm ci` in the repository root (README, Set up)")
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        open_page(page, streamlit_server + address)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']} ({v['impact']}): {v['help']} — "
                   + "; ".join(" ".join(n["target"][-1:]) + " " + n.get("failureSummary", "").split("\n")[-1]
                               for n in v["nodes"][:4])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        page.screenshot(path=ARTIFACTS / f"axe-{scheme}{address.replace('/', '-')}.png")
        assert not serious, "\n".join(serious)
    finally:
        context.close()


STORY_TITLES = ["Label Smoothing Lab", "Smoothed target & entropy floor", "Loss curves",
                "What smoothing does to training", "Classify your images", "Label Smoothing Lab"]


def test_the_sidebar_and_the_next_links_follow_the_story_and_keep_k_eps_and_the_convention(streamlit_server, browser):
    """A click on each page's closing link, as a learner would, from home round to home again."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        open_page(page, streamlit_server + "/?K=7&eps=0.35&spread=others")
        sidebar = [t.strip().split("\n")[-1] for t in page.get_by_test_id("stSidebarNavLink").all_inner_texts()]
        assert sidebar == STORY_TITLES[:-1], sidebar
        seen = [page.get_by_test_id("stHeading").first.inner_text().strip()]
        for _ in STORY_TITLES[1:]:
            link = page.get_by_test_id("stPageLink").last  # the page's last element
            assert link.inner_text().strip().split("\n")[-1].startswith(("Next: ", "Back to the start: "))
            link.click()
            page.wait_for_function("t => document.querySelector('[data-testid=\"stHeading\"]')?.innerText.trim() !== t",
                                   arg=seen[-1], timeout=120_000)
            wait_for_idle(page, timeout=120_000)
            seen.append(page.get_by_test_id("stHeading").first.inner_text().strip())
            assert "K=7&eps=0.35&spread=others" in page.url, (seen, page.url)
        assert seen == STORY_TITLES
    finally:
        page.close()
