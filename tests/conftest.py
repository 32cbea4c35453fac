"""Fixtures shared by all tests. Browser tests: ``streamlit_server`` (base URL of `streamlit run app.py`
on a free loopback port, one per test session) and ``browser`` (Debian's Chromium via Playwright,
skipping with the reason where it is missing). Helpers live in ``tests/browser_helpers.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import chromium_skip_reason, launch_chromium, running_streamlit
from hypothesis import settings

# Hypothesis's default 200 ms deadline is a timed assert; on a shared 2-core machine it only adds flakes.
settings.register_profile("lslab", deadline=None)
settings.load_profile("lslab")


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of the app, started once per test session."""
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    with running_streamlit() as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``); open pages with ``browser.new_page()``."""
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
