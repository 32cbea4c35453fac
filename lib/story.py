"""The order of the pages: the argument a newcomer follows, step by step, and the "Next" link of each page.

The lab tells one story (Szegedy et al. 2016; Müller et al. 2019): the smoothed target → its entropy is a floor →
why the loss never reaches zero (the loss curves, the logit gap) and the gradient that stops pushing → what that
does to training → your own images. The sidebar lists the pages in this order (app.py builds it from
:data:`STORY`), and each page ends with a link to the next one; the last links back to the start.

A link carries the learner's K, ε and convention (and ``text=off`` when the page has it), so the next page opens
on the same target. Pages without their own K and ε pass them on unchanged. Pure data and functions, no
streamlit: ``ui/story.py`` draws the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.explainer.url_state import SmoothingState, to_query_params
from lib.share import TEXT_OFF, TEXT_PARAM


@dataclass(frozen=True)
class Step:
    """One page of the story. ``url_path`` is the page file's stem (ui/routing.py relies on that)."""

    path: str  # the page file, as st.Page and st.page_link name it
    title: str  # in the sidebar and the browser's tab
    icon: str
    url_path: str
    about: str  # what the step adds to the argument, the words of the link that leads to it


STORY: tuple[Step, ...] = (
    Step("pages/home.py", "Label Smoothing Lab", ":material/home:", "home",
         "label smoothing in one picture"),
    Step("pages/target_and_floor.py", "Smoothed target & entropy floor", ":material/bar_chart:", "target_and_floor",
         "the smoothed target, and why its entropy is a floor"),
    Step("pages/loss_curves.py", "Loss curves", ":material/show_chart:", "loss_curves",
         "why the loss never reaches zero: the loss curves, the logit gap and the gradient"),
    Step("pages/training.py", "What smoothing does to training", ":material/monitoring:", "training",
         "what smoothing does to training"),
    Step("pages/classify.py", "Classify your images", ":material/image_search:", "classify",
         "your own images, classified with and without smoothing"),
)


@dataclass(frozen=True)
class Link:
    """What a page's closing link needs: the page to open, its words, its icon, and the query it carries."""

    page: str
    label: str
    icon: str
    query_params: dict[str, str]


def step_of(path: str) -> Step:
    """The step of the page file ``path``; a page outside the story is a programming error (KeyError)."""
    for step in STORY:
        if step.path == path:
            return step
    raise KeyError(f"{path} is not a page of the story: {[s.path for s in STORY]}")


def following(path: str) -> Step:
    """The step after ``path``'s; after the last page the story starts again at the first."""
    index = STORY.index(step_of(path))
    return STORY[(index + 1) % len(STORY)]


def next_link(path: str, state: SmoothingState, *, show_text: bool = True) -> Link:
    """The link that ends the page ``path``: "Next: …" to the following step, or back to the start from the last.

    It carries ``state`` (K, ε, convention) as the URL does (:func:`lib.explainer.url_state.to_query_params`),
    and ``text=off`` when the prose is switched off, so a teacher's figures-only view stays figures-only.
    """
    step = following(path)
    label = (f"Back to the start: {step.about}" if step is STORY[0] else f"Next: {step.about}")
    params = to_query_params(state) | ({} if show_text else {TEXT_PARAM: TEXT_OFF})
    return Link(page=step.path, label=label, icon=step.icon, query_params=params)
