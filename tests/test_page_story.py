"""AppTest: from home, following each page's "Next" link walks the story in order and keeps K, ε and the
convention (and ``text=off``) all the way back home."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
# The argument's order, spelled out here rather than read from lib/story.py, so a reordering there fails here.
TITLES = ["Label Smoothing Lab", "Smoothed target & entropy floor", "Loss curves", "What smoothing does to training",
          "Classify your images", "Label Smoothing Lab"]
ODD = {"K": "7", "eps": "0.35", "spread": "others"}  # nobody's default: a link that dropped them would show


def closing_link(at: AppTest):
    """The page's last element, which must be its link on."""
    last = list(at.main)[-1]
    assert type(last).__name__ == "PageLink", f"{at.title[0].value} ends with {type(last).__name__}"
    return last.proto


def follow(at: AppTest, link) -> AppTest:
    """Open the link as a click does: its page (the page's file stem; "" is the root, home) with its query."""
    at.query_params.clear()
    at.query_params.update(dict(parse_qsl(link.query_string, keep_blank_values=True)))
    return at.switch_page(f"pages/{link.page or 'home'}.py").run()


@pytest.mark.parametrize("extra", [{}, {"text": "off"}], ids=["with-text", "text-off"])
def test_following_next_from_home_visits_every_page_in_order_and_keeps_k_eps_and_the_convention(extra):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(ODD | extra)
    at.run()
    seen = []
    for step in range(len(TITLES)):
        assert not at.exception, at.exception
        seen.append(at.title[0].value)
        assert {name: at.query_params[name] for name in ODD | extra} == ODD | extra, seen
        if seen[-1] in ("Smoothed target & entropy floor", "Loss curves"):  # the controls show the carried state
            prefix = "floor" if seen[-1].startswith("Smoothed") else "curves"
            assert (at.session_state[f"{prefix}_k"], at.session_state[f"{prefix}_eps"],
                    at.session_state[f"{prefix}_spread"]) == (7, 0.35, "others")
        if step < len(TITLES) - 1:
            link = closing_link(at)
            assert link.label.startswith("Back to the start: " if step == len(TITLES) - 2 else "Next: "), link.label
            at = follow(at, link)
    assert seen == TITLES


@pytest.mark.parametrize("page", ["pages/home.py", "pages/loss_curves.py"])
def test_embedded_pages_end_without_a_link_out_of_the_frame(page):
    """Inside a course's <iframe> a page stays one page, as it has no sidebar there."""
    def next_links(params: dict[str, str]) -> list:
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params.update(params)
        at.run()
        at.switch_page(page).run()
        assert not at.exception
        return [link for link in at.get("page_link") if link.proto.label.startswith("Next")]

    assert len(next_links(ODD)) == 1 and not next_links(ODD | {"embed": "true"})


def test_the_classify_page_without_models_still_leads_back_to_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params.update(ODD)
        at.run()
        at = follow(at, SimpleNamespace(page="classify", query_string="K=7&eps=0.35&spread=others"))
        assert any("No trained models were found" in e.value for e in at.error)
        link = closing_link(at)
        assert link.label.startswith("Back to the start") and link.query_string == "K=7&eps=0.35&spread=others"
    finally:
        st.cache_resource.clear()
