"""Links and embed snippets for a page's current view, and the teacher's switch that hides the prose.

Every page keeps its state in the URL (``?K=10&eps=0.1&spread=all``, ``?model=eps0.1``,
``?triple=…&toy_k=…``), so sharing a view is sharing its address. For a learning platform the same
address goes into an ``<iframe>`` with ``embed=true`` (Streamlit then draws the page without its
toolbar and sidebar) and, if the teacher wants only the figures and their controls, ``text=off``.

Pure functions, no streamlit: ``ui/share.py`` and ``ui/text.py`` call them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from lib.url_values import quoted

TEXT_PARAM = "text"
TEXT_OFF = "off"
EMBED_PARAM = "embed"
# Streamlit reads these itself and hides them from st.query_params; a link never copies them over.
_NOT_COPIED = {TEXT_PARAM, EMBED_PARAM, "embed_options"}
_OFF_WORDS = {"off", "0", "false", "no", "hide", "hidden"}
_ON_WORDS = {"on", "1", "true", "yes", "show", ""}
DEFAULT_HEIGHT = 900  # px; tall enough for a page's controls and first figure


def parse_text_flag(raw: str | None) -> tuple[bool, str | None]:
    """Whether to show the explanatory text for ``?text=…``, and a note when the value was not understood.

    Missing, ``on``, ``true``… show it; ``off``, ``false``, ``0``, ``hide``… hide it (case and spaces
    ignored). Anything else shows the text (the safe choice for a learner) and returns a note that quotes
    the value only when it is short and plain.
    """
    if raw is None:
        return True, None
    word = raw.strip().lower()
    if word in _OFF_WORDS:
        return False, None
    if word in _ON_WORDS:
        return True, None
    return True, f"text={quoted(raw)} is neither on nor off; the explanatory text stays on."


def is_embedded(query_string: str) -> bool:
    """True when the raw query string asks for Streamlit's embed mode (``embed=true``, any case).

    Streamlit hides ``embed`` from ``st.query_params``, so the router reads the raw string to hide its
    page navigation too: embed mode itself drops the toolbar but keeps the sidebar.
    """
    values = parse_qs(query_string.lstrip("?"), keep_blank_values=True).get(EMBED_PARAM, [])
    return any(value.strip().lower() == "true" for value in values)


def page_address(context_url: str | None) -> str:
    """The page's address without query or fragment, from Streamlit's ``st.context.url``.

    ``st.context.url`` is the address in the learner's browser including the page's path
    (``http://host:8501/loss_curves``); it is None outside a browser session (AppTest, bare mode), and
    then the link is relative: ``""``, so ``?K=…`` resolves against whatever page it is pasted on.
    """
    if not context_url:
        return ""
    parts = urlsplit(context_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") or "/", "", ""))


def shared_params(params: Mapping[str, str]) -> dict[str, str]:
    """The query parameters that make up a view: all of the page's, minus the embed and text switches."""
    return {name: str(value) for name, value in params.items() if name.lower() not in _NOT_COPIED}


def view_link(address: str, params: Mapping[str, str]) -> str:
    """``address?K=10&eps=0.1…``: the link that reproduces the view (relative when ``address`` is "")."""
    query = urlencode(shared_params(params))
    return f"{address}?{query}" if query else (address or "?")


def embed_link(address: str, params: Mapping[str, str], *, show_text: bool = True) -> str:
    """The view's link with ``embed=true`` (no toolbar, no sidebar) and, if asked, ``text=off``."""
    extra = {EMBED_PARAM: "true"} | ({} if show_text else {TEXT_PARAM: TEXT_OFF})
    return f"{address}?{urlencode(shared_params(params) | extra)}"


def iframe_snippet(src: str, *, title: str, height: int = DEFAULT_HEIGHT) -> str:
    """An ``<iframe>`` element for ``src``, safe to paste into HTML: attribute values are escaped.

    ``allow="camera"`` lets the classifier's camera input ask for the camera inside the frame; the
    title is what a screen reader announces for the frame.
    """
    return (f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(title, quote=True)}" '
            f'width="100%" height="{int(height)}" style="border: 0;" allow="camera" loading="lazy"></iframe>')


@dataclass(frozen=True)
class ShareLinks:
    """What the share panel offers for one view."""

    link: str  # the view, for a message or a slide
    embed: str  # the view in embed mode (with text=off if asked)
    snippet: str  # the <iframe> element around ``embed``
    relative: bool  # True when no browser address was known: the teacher must prefix the server's address


def share_links(context_url: str | None, params: Mapping[str, str], *, title: str, show_text: bool = True,
                height: int = DEFAULT_HEIGHT) -> ShareLinks:
    """Link, embed link and ``<iframe>`` snippet for the page at ``context_url`` with ``params``."""
    address = page_address(context_url)
    embed = embed_link(address, params, show_text=show_text)
    return ShareLinks(link=view_link(address, params), embed=embed,
                      snippet=iframe_snippet(embed, title=title, height=height), relative=not address)
