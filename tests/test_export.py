"""lib/export.py: offline HTML files and PNG names that carry the figure's settings."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lib.explainer import figures, words
from lib.explainer.words import explainer_settings
from lib.export import chart_config, file_stem, standalone_html


def test_file_stems_say_what_and_at_which_settings():
    assert file_stem("target", K=10, eps=0.1, spread="all") == "label-smoothing_target_K10_eps0.1_all"
    assert file_stem("reliability", "eps0.1", "raw") == "label-smoothing_reliability_eps0.1_raw"


@given(st.text(max_size=60), st.text(max_size=60))
def test_a_stem_from_any_text_is_a_plain_file_name(name, word):
    stem = file_stem(name, word, model=word)
    assert re.fullmatch(r"[A-Za-z0-9.+_-]+", stem)
    assert "/" not in stem and "\\" not in stem
    assert not stem.startswith(".")


def test_the_toolbar_png_is_named_after_the_settings():
    config = chart_config("label-smoothing_target_K10_eps0.1_all")
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "label-smoothing_target_K10_eps0.1_all",
                                              "scale": 2}
    assert config["displaylogo"] is False


def test_the_html_file_works_offline_and_states_the_settings():
    settings = explainer_settings(10, 0.1, "all")
    caption = words.target_bars_caption(10, 0.1)
    page = standalone_html(figures.target_bars(10, 0.1), title=f"Smoothed target <ỹ>: {settings}",
                           caption=caption, stem="s")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>Smoothed target &lt;ỹ&gt;: {settings.replace(chr(34), '&quot;')}</title>" in page
    assert "K = 10, ε = 0.1" in page and "0.91" in page
    # plotly.js itself is inside (megabytes of it), and nothing is fetched from a CDN.
    assert len(page) > 3_000_000 and not re.search(r"<script[^>]*\bsrc=", page)
    assert '"filename": "s"' in page
