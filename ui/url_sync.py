"""Widgets mirrored in the URL: when does the address in a rerun count as a deep link?

Pages keep their widgets in the query string and read a query string they did not write themselves (a
pasted link, navigation) as the view to show. The browser sends its address with every rerun, and a rerun
the user causes by moving a widget can carry the address from *before* an earlier move, whose new URL had
not reached the browser yet (two quick key presses on a slider). Read as a deep link, that stale address
would undo both moves. So every mirrored widget gets ``on_change=mark_moved, args=(scope,)``, and on a
rerun a widget move caused, the widgets win over the address.

A page reads its parameters with :func:`read`, asks :func:`is_deep_link`, and mirrors its widgets with
:func:`write`, which also remembers what this session wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st


def _moved_key(scope: str) -> str:
    return f"{scope}_widget_moved"


def _written_key(scope: str) -> str:
    return f"{scope}_url_written"


def read(names: Iterable[str]) -> dict[str, str]:
    """This rerun's address, restricted to the page's parameters ``names``."""
    return {name: st.query_params[name] for name in names if name in st.query_params}


def mark_moved(scope: str) -> None:
    """``on_change`` callback of a widget the page mirrors in the URL."""
    st.session_state[_moved_key(scope)] = True


def is_deep_link(scope: str, url: Mapping[str, str]) -> bool:
    """Whether ``url`` (the page's parameters in this rerun's address, :func:`read`) should set the widgets.

    False when it is empty, when it is what this session wrote last (:func:`write`), or when this rerun
    comes from moving one of ``scope``'s widgets. Call once per rerun: it consumes the moved flag.
    """
    moved = st.session_state.pop(_moved_key(scope), False)
    return bool(url) and not moved and dict(url) != st.session_state.get(_written_key(scope))


def write(scope: str, wanted: Mapping[str, str]) -> None:
    """Put ``wanted`` in the address (one message, only when it differs) and remember it as this session's."""
    if read(wanted) != dict(wanted):
        st.query_params.update(wanted)
    st.session_state[_written_key(scope)] = dict(wanted)
