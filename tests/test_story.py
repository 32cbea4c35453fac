"""lib/story.py: the pages in the argument's order, one place; each page's "Next" link and what it carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import story
from lib.explainer.url_state import SmoothingState

ROOT = Path(__file__).resolve().parents[1]


def test_the_story_follows_the_argument_target_floor_loss_training_images():
    assert [step.path for step in story.STORY] == ["pages/home.py", "pages/target_and_floor.py",
                                                   "pages/loss_curves.py", "pages/training.py", "pages/classify.py"]


def test_every_page_file_is_one_step_and_its_url_path_is_the_files_stem():
    """ui/routing.py relies on the stem: the folder mode names a page after its file."""
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
    assert sorted(step.path for step in story.STORY) == files
    assert all(step.url_path == Path(step.path).stem for step in story.STORY)
    assert len({step.title for step in story.STORY}) == len(story.STORY)


def test_each_page_leads_to_the_next_and_the_last_back_to_the_start():
    paths = [step.path for step in story.STORY]
    assert [story.following(path).path for path in paths] == [*paths[1:], paths[0]]


def test_the_links_say_next_and_the_last_one_says_back_to_the_start():
    state = SmoothingState(K=10, eps=0.1, spread="all")
    labels = [story.next_link(step.path, state).label for step in story.STORY]
    assert all(label.startswith("Next: ") for label in labels[:-1])
    assert labels[-1].startswith("Back to the start: ")
    assert story.next_link("pages/home.py", state).label == f"Next: {story.STORY[1].about}"


@pytest.mark.parametrize("path", [step.path for step in story.STORY])
def test_a_link_carries_k_eps_and_the_convention_and_text_off_only_when_the_text_is_off(path):
    state = SmoothingState(K=7, eps=0.35, spread="others")
    assert story.next_link(path, state).query_params == {"K": "7", "eps": "0.35", "spread": "others"}
    quiet = story.next_link(path, state, show_text=False)
    assert quiet.query_params == {"K": "7", "eps": "0.35", "spread": "others", "text": "off"}
    assert quiet.page == story.following(path).path and quiet.icon == story.following(path).icon


def test_a_page_outside_the_story_is_named_in_the_error():
    with pytest.raises(KeyError, match="pages/nowhere.py"):
        story.following("pages/nowhere.py")
