"""The explanatory prose of every page, which a teacher can switch off with ``?text=off``.

With ``text=off`` (usually with ``embed=true`` inside an ``<iframe>``) a page keeps its title, controls,
figures, metrics and each figure's short caption — its text alternative, with the key numbers — and
drops the paragraphs, formulas, notes, quizzes and the share panel. The flag is parsed by
:func:`lib.share.parse_text_flag`; the pages' own URL writers merge into the query string, so it stays.
"""

from __future__ import annotations

import streamlit as st

from lib.share import TEXT_PARAM, parse_text_flag


def show_text() -> bool:
    """False when the page's URL says ``text=off`` (or ``false``, ``0``, ``hide``…)."""
    return parse_text_flag(st.query_params.get(TEXT_PARAM))[0]


def text_flag_note() -> None:
    """The note for a ``text=`` value that is neither on nor off, shown where the page shows its other notes that
    repair a link (near the top), never at its foot."""
    note = parse_text_flag(st.query_params.get(TEXT_PARAM))[1]
    if note:
        st.warning(note, icon=":material/tune:")


def prose(body: str, **kwargs: object) -> None:
    """``st.markdown(body)`` unless the explanatory text is switched off."""
    if show_text():
        st.markdown(body, **kwargs)  # type: ignore[arg-type]


def formula(latex: str) -> None:
    """``st.latex(latex)`` unless the explanatory text is switched off."""
    if show_text():
        st.latex(latex)
