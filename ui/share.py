"""The "Share or embed this view" panel at the foot of every page: a link, an ``<iframe>`` snippet, a preview.

The link is the page's own address (``st.context.url``) with its query string, so it reproduces what the
teacher sees; the snippet adds ``embed=true`` and, with the toggle on, ``text=off``. URLs and snippets
are built by :mod:`lib.share`. The panel is hidden when the page itself runs with ``text=off``.
"""

from __future__ import annotations

import streamlit as st

from lib.share import DEFAULT_HEIGHT, share_links
from ui.code_block import code_block
from ui.text import show_text


def share_panel(page: str, title: str, *, height: int = DEFAULT_HEIGHT, uploads: bool = False) -> None:
    """Draw the panel for the page whose widget keys start with ``page``; ``title`` names the iframe.

    ``uploads``: the page takes files or camera photos, so the panel says what an ``<iframe>`` on another site
    needs for them; pages without uploads are spared that. A bad ``text=`` value's note is not shown here but
    at the top of the page, with the other notes that repair a link (:func:`ui.text.text_flag_note`).
    """
    if not show_text():
        return
    # A stateful expander runs its content only while open: the panel costs a slider move nothing.
    panel = st.expander("Share or embed this view", icon=":material/share:", key=f"{page}_share_open",
                        on_change="rerun")
    if not panel.open:
        return
    with panel:
        hide_text = st.toggle("Embed only the figures and their controls (hide the explanatory text)",
                              key=f"{page}_share_text_off")
        links = share_links(st.context.url, st.query_params.to_dict(), title=f"Label Smoothing Lab: {title}",
                            show_text=not hide_text, height=height)
        st.markdown("**Link** to this view; the settings are part of it:")
        code_block(links.link, what="the link", wrap=True, key=f"{page}_share_link")
        st.markdown("**Embed** it in a course page or a learning platform with this `<iframe>`:")
        code_block(links.snippet, what="the iframe snippet", wrap=True, key=f"{page}_share_snippet")
        if links.relative:
            st.markdown("The server's address is not known here: put it in front of the link.")
        else:
            st.link_button("Preview the embedded view", links.embed, icon=":material/open_in_new:")
        if uploads:
            st.markdown("Uploads inside an `<iframe>` on a different site need the app served over HTTPS with "
                        "`server.xsrfCookieSameSite = \"none\"`; see docs/teaching.md, *Embedding in a course page*.")
