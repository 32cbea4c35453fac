"""AppTest: the home page teaches in its default state and links to every explainer page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_home_page_shows_the_story_worked_example_and_links():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "H(ỹ) + KL(ỹ‖p)" in text
    assert "0.5003 nats" in text and "0.5448 nats" in text
    assert "label_smoothing=0.1" in text
    assert any("0.5003" in latex.value for latex in at.latex)
    assert any("0.5448" in latex.value for latex in at.latex)
    links = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    assert links == {"target_and_floor": "K=10&eps=0.1&spread=all", "loss_curves": "K=10&eps=0.1&spread=all",
                     "classify": "", "training": ""}
    assert at.query_params == {"K": "10", "eps": "0.1", "spread": "all"}


def test_notes_that_repair_a_link_come_first_not_under_explore_or_at_the_foot():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"K": "ten", "text": "maybe"})
    at.run()
    assert not at.exception
    nodes = list(at.main)
    notes = [i for i, n in enumerate(nodes) if type(n).__name__ == "Warning"]
    assert [nodes[i].value for i in notes] == ['K="ten" is not a number; showing K=10.',
                                               'text="maybe" is neither on nor off; the explanatory text stays on.']
    first_section = next(i for i, n in enumerate(nodes) if type(n).__name__ == "Subheader")
    assert nodes[first_section].value.startswith("Aside: two conventions") and max(notes) < first_section
    intro = next(i for i, n in enumerate(nodes) if type(n).__name__ == "Markdown")
    assert max(notes) < intro  # right under the title, before the story


def test_home_page_links_carry_a_deep_link_state():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"K": "3", "eps": "0.5", "spread": "others"})
    at.run()
    assert not at.exception
    explainer = {"target_and_floor", "loss_curves"}
    assert {link.proto.query_string for link in at.get("page_link") if link.proto.page in explainer} == {
        "K=3&eps=0.5&spread=others"}


def test_home_opens_on_a_live_figure_with_an_eps_slider_whose_settled_value_reaches_the_url():
    from explainer_page import ExplainerPage

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"K": "5", "eps": "0.2", "spread": "others"})
    page = ExplainerPage(at.run(), "home")
    assert not at.exception and page.live
    assert page.eps == 0.2 and page.figure_count() == 2
    nodes = list(at.main)
    first_markdown = next(n for n in nodes if type(n).__name__ == "Markdown")
    assert first_markdown.value.startswith("**Drag ε.**")  # one sentence on what to do, before any theory
    page.set_eps(0.35)
    assert page.eps == 0.35 and at.query_params["eps"] in ("0.35", ["0.35"])
    assert at.query_params["K"] in ("5", ["5"]) and at.query_params["spread"] in ("others", ["others"])
    assert page.parts()["ce_caption"].startswith("The loss is lowest at p = 0.65")
