"""lib/share.py: links that reproduce a view, embed links, <iframe> snippets that are safe to paste."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.share import (
    embed_link,
    iframe_snippet,
    is_embedded,
    page_address,
    parse_text_flag,
    share_links,
    view_link,
)

VIEW = {"K": "5", "eps": "0.2", "spread": "others"}


@pytest.mark.parametrize("raw, shown", [(None, True), ("on", True), ("true", True), ("off", False), ("OFF ", False),
                                        ("false", False), ("0", False), ("hide", False)])
def test_text_flag_words(raw, shown):
    assert parse_text_flag(raw) == (shown, None)


def test_an_unknown_text_flag_keeps_the_text_with_a_note_that_never_echoes_markup():
    shown, note = parse_text_flag("maybe")
    assert shown and '"maybe"' in note
    shown, note = parse_text_flag("[x](javascript:alert(1))")
    assert shown and "javascript" not in note and "unreadable" in note


@pytest.mark.parametrize("url, address", [
    ("http://127.0.0.1:8501/loss_curves", "http://127.0.0.1:8501/loss_curves"),
    ("https://lab.example.org/lab/target_and_floor/?K=3#top", "https://lab.example.org/lab/target_and_floor"),
    ("http://localhost:8501/", "http://localhost:8501/"),
    (None, ""),
    ("", ""),
])
def test_page_address_drops_query_fragment_and_trailing_slash(url, address):
    assert page_address(url) == address


def test_view_link_reproduces_the_view_and_drops_embed_and_text_switches():
    link = view_link("http://h:1/target_and_floor", VIEW | {"text": "off", "embed": "true"})
    parts = urlsplit(link)
    assert parts.path == "/target_and_floor"
    assert parse_qs(parts.query) == {"K": ["5"], "eps": ["0.2"], "spread": ["others"]}


def test_relative_link_when_no_address_is_known():
    assert view_link("", VIEW) == "?K=5&eps=0.2&spread=others"
    assert share_links(None, VIEW, title="t").relative


def test_embed_link_adds_embed_and_only_when_asked_text_off():
    with_text = parse_qs(urlsplit(embed_link("http://h/p", VIEW)).query)
    without = parse_qs(urlsplit(embed_link("http://h/p", VIEW, show_text=False)).query)
    assert with_text["embed"] == ["true"] and "text" not in with_text
    assert without["embed"] == ["true"] and without["text"] == ["off"] and without["K"] == ["5"]


class _Frames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))


@given(st.text(max_size=40), st.text(max_size=40))
def test_a_snippet_is_exactly_one_iframe_whose_src_and_title_survive_any_characters(value, title):
    src = embed_link("http://h/classify", {"model": value})
    parser = _Frames()
    parser.feed(iframe_snippet(src, title=title))
    assert len(parser.frames) == 1
    assert parser.frames[0]["src"] == src and parser.frames[0]["title"] == title
    assert parse_qs(urlsplit(src).query, keep_blank_values=True).get("model", [""]) == [value]


def test_share_links_for_a_page():
    links = share_links("http://127.0.0.1:8501/loss_curves", VIEW, title="Loss curves", show_text=False, height=700)
    assert links.link == "http://127.0.0.1:8501/loss_curves?K=5&eps=0.2&spread=others"
    assert links.embed == links.link + "&embed=true&text=off"
    assert links.snippet.startswith('<iframe src="http://127.0.0.1:8501/loss_curves?K=5&amp;eps=0.2')
    assert 'height="700"' in links.snippet and 'title="Loss curves"' in links.snippet and not links.relative


@pytest.mark.parametrize("query, embedded", [("embed=true", True), ("?K=3&embed=TRUE", True), ("embed=false", False),
                                             ("", False), ("embed_options=dark_theme", False), ("K=3", False)])
def test_embed_mode_is_read_from_the_raw_query_string(query, embedded):
    assert is_embedded(query) is embedded
