"""The call that trains against the page's target in six frameworks, each with a copy button."""

from __future__ import annotations

import streamlit as st

from lib.explainer import frameworks
from lib.smoothing import CONVENTIONS, Spread
from ui.code_block import code_block
from ui.text import prose


def framework_calls(K: int, eps: float, spread: Spread) -> None:
    """One code block per framework (Streamlit's code blocks carry a copy button), with its convention."""
    st.subheader("Train against this target in your framework")
    prose(f"The same target, K = {K}, ε = {eps:g} in the {CONVENTIONS[spread].label} convention, asked of each "
          "library by its own rule (read from its source; the file is named under each call). A library whose "
          "convention differs from this page's gets the converted number.")
    for row in frameworks.calls(K, eps, spread=spread):
        st.markdown(f"**{row['framework']}** — spreads ε over "
                    + ("all K classes" if row["convention"] == "all" else "the K − 1 other classes"))
        code_block(row["call"], what=f"the {row['framework']} call", key=f"framework_call_{row['framework']}")
        st.caption(f"Rule read from `{row['source']}`.")
