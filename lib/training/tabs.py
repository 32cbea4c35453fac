"""The training page's tabs, and the ``?tab=`` address that opens one (a teacher's link to "Under shift").

Only the open tab's content is built (``st.tabs(..., on_change=...)`` in the page), so the address says which
one that is. Pure Python, no streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

from lib.url_values import last_value, quoted

TABS = {
    "curves": "Training curves",
    "calibration": "Calibration",
    "shift": "Under shift",
    "erased": "What smoothing erases",
    "representations": "Representations",
    "toy": "Train it yourself",
}
"""``?tab=`` value → the tab's label, in the order the page shows them."""

LABELS = list(TABS.values())
DEFAULT = LABELS[0]
_SLUG_OF = {label: slug for slug, label in TABS.items()}


def slug(label: str) -> str:
    """The ``?tab=`` value of the tab labelled ``label``."""
    return _SLUG_OF[label]


def parse_tab(raw: str | Sequence[str] | None) -> tuple[str, list[str]]:
    """The label of the tab a ``?tab=`` value asks for, and a note when it names none (then the first tab).

    Case and surrounding spaces do not matter; a missing value is the first tab, silently.
    """
    raw = last_value(raw)
    if raw is None:
        return DEFAULT, []
    wanted = raw.strip().lower()
    if wanted in TABS:
        return TABS[wanted], []
    return DEFAULT, [f"tab={quoted(raw)} is not one of this page's tabs ({', '.join(TABS)}); showing "
                     f"{DEFAULT.lower()}."]
