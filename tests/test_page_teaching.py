"""AppTest: the teaching features on every page — questions graded for the current settings, the share
panel's link and <iframe> snippet, HTML downloads beside each figure, and ``text=off``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from explainer_page import PATHS, ExplainerPage, use_path
from helpers import code_blocks
from streamlit.testing.v1 import AppTest

from lib import quiz
from lib.smoothing import entropy_floor

APP = str(Path(__file__).resolve().parents[1] / "app.py")
EXPLAINERS = {"pages/target_and_floor.py": "floor", "pages/loss_curves.py": "curves", "pages/home.py": "home"}
INTROS = {"pages/target_and_floor.py": "Drag ε and watch the true class's bar",
          "pages/loss_curves.py": "Drag ε from 0 upwards",
          "pages/home.py": "Cross-entropy against a one-hot target",
          "pages/training.py": "Press Play in the last tab"}
QUIZ_LABELS = ("Predict first", "Check your understanding")


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def expander_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("page", list(INTROS))
def test_text_off_keeps_figures_and_captions_and_drops_prose_quiz_and_share(page, path, monkeypatch):
    use_path(monkeypatch, path)
    with_text, without = open_page(page), open_page(page, text="off")
    prefix = EXPLAINERS.get(page, "")
    shown_with, shown_without = ExplainerPage(with_text, prefix), ExplainerPage(without, prefix)
    assert INTROS[page] in markdown(with_text) and INTROS[page] not in markdown(without)
    assert any(label.startswith(QUIZ_LABELS) for label in expander_labels(with_text))
    assert not any(label.startswith(QUIZ_LABELS) or "Share" in label for label in expander_labels(without))
    assert shown_without.figure_count() == shown_with.figure_count()
    assert len(shown_without.captions()) == len(shown_with.captions())
    assert not shown_without.latex() and not without.latex and without.query_params["text"] in ("off", ["off"])


@pytest.mark.parametrize("path", PATHS)
def test_every_explainer_figure_has_a_caption_with_the_settings_and_an_html_download(path, monkeypatch):
    use_path(monkeypatch, path)
    shown = ExplainerPage(open_page("pages/target_and_floor.py"), "floor")
    assert len(shown.at.get("download_button")) == shown.figure_count() == 3
    captions = shown.captions()
    assert sum("K = 10" in c and "ε = 0.1" in c for c in captions) == 3
    assert any("0.5003 nats" in c for c in captions)


def alone(page: str) -> AppTest:
    """The page file run on its own. Through app.py's st.navigation, AppTest (1.67) drops button clicks on
    file pages, and these tests click the quiz's Check buttons."""
    return AppTest.from_file(str(Path(APP).parent / page), default_timeout=60).run()


@pytest.mark.parametrize("path", PATHS)
def test_a_question_is_graded_for_the_settings_on_the_sliders(path, monkeypatch):
    use_path(monkeypatch, path)
    at = alone("pages/target_and_floor.py")
    at.select_slider(key="floor_k").set_value(5).run()
    ExplainerPage(at, "floor").set_eps(0.2)
    at.session_state["floor_quiz_open"] = True
    at.run()
    assert any("K = 5 classes, ε = 0.2" in m.value for m in at.markdown)
    at.number_input(key="floor_quiz_floor_number").set_value(round(entropy_floor(5, 0.2), 4))
    submit = [b for b in at.button if b.label == "Check"]
    assert len(submit) == 3
    submit[1].click().run()
    assert [s.value[:6] for s in at.success] == ["Right:"] and "0.6615" in at.success[0].value


def test_the_other_conventions_answer_is_graded_wrong_with_the_right_one_shown():
    at = alone("pages/loss_curves.py")
    at.session_state["curves_quiz_open"] = True
    at.run()
    at.number_input(key="curves_quiz_pytorch_value_number").set_value(0.1111)  # "others" at K=10, ε=0.1
    [b for b in at.button if b.label == "Check"][2].click().run()
    assert len(at.error) == 1 and "Not quite: 0.1" in at.error[0].value and not at.success


def test_an_unanswered_question_asks_for_an_answer_and_a_closed_quiz_draws_nothing():
    at = alone("pages/target_and_floor.py")
    assert not [b for b in at.button if b.label == "Check"]
    at.session_state["floor_quiz_open"] = True
    at.run()
    [b for b in at.button if b.label == "Check"][0].click().run()
    assert "Enter an answer first." in [i.value for i in at.info]


@pytest.mark.parametrize("page", list(EXPLAINERS))
def test_the_share_panel_gives_the_views_link_and_an_iframe_snippet(page):
    prefix = EXPLAINERS[page]
    at = open_page(page, K="7", eps="0.3", spread="others")
    at.session_state[f"{prefix}_share_open"] = True
    at.run()
    link, snippet = code_blocks(at)[-2:]
    assert link == "?K=7&eps=0.3&spread=others"  # no browser here, so st.context.url is unknown: relative
    assert snippet.startswith('<iframe src="?K=7&amp;eps=0.3&amp;spread=others&amp;embed=true"')
    at.toggle(key=f"{prefix}_share_text_off").set_value(True).run()
    assert "&amp;embed=true&amp;text=off" in code_blocks(at)[-1]
    assert "server's address is not known" in markdown(at)


# Where a page's content starts: its first figure, section, tab, expander or file input. Notes that repair a
# link come before it, as they do on every page.
CONTENT = {"Subheader", "UnknownElement", "Tab", "Expander", "FileUploader"}


def text_note_and_content_start(at: AppTest) -> tuple[list[int], int]:
    nodes = list(at.main)
    notes = [i for i, n in enumerate(nodes) if type(n).__name__ == "Warning" and n.value.startswith("text=")]
    return notes, next(i for i, n in enumerate(nodes) if type(n).__name__ in CONTENT)


@pytest.mark.parametrize("page", list(INTROS))
def test_a_bad_text_value_is_noted_once_at_the_top_with_the_other_link_repairs(page):
    """The note came from the share panel, at the very foot of every page."""
    notes, content = text_note_and_content_start(open_page(page, text="maybe"))
    assert len(notes) == 1 and notes[0] < content


@pytest.mark.parametrize("page", ["pages/target_and_floor.py", "pages/loss_curves.py", "pages/home.py",
                                  "pages/training.py"])
def test_pages_without_uploads_say_nothing_about_uploads_in_iframes(page):
    at = open_page(page)
    at.session_state[f"{EXPLAINERS.get(page, 'training')}_share_open"] = True
    at.run()
    assert any("<iframe" in c for c in code_blocks(at)) and "Uploads" not in markdown(at)


def test_classifier_questions_and_training_share_panel_keep_their_selections():
    at = open_page("pages/training.py", toy_k="7", toy_eps="0.2")
    at.session_state["training_share_open"] = True
    at.session_state["training_quiz_open"] = True
    at.run()
    assert "toy_k=7" in code_blocks(at)[-2] and "toy_eps=0.2" in code_blocks(at)[-2]
    assert any("K = 7, ε = 0.2" in m.value for m in at.markdown)


@pytest.fixture
def stand_in_models(tmp_path, monkeypatch):
    """Two random-weight classifiers (ε = 0 and 0.1) in place of the shipped ones, for the classify page."""
    import streamlit as st
    import torch

    from lib.cifar.data import CLASSES
    from lib.cifar.model import export_model
    from lib.cifar.network import CifarEfficientNet

    for eps in (0.0, 0.1):
        torch.manual_seed(0)
        export_model(CifarEfficientNet(resolution=32, pretrained=False).eval(),
                     {"classes": list(CLASSES), "label_smoothing": eps, "spread": "all", "config": {"resolution": 32}},
                     {}, tmp_path / f"eps{eps:g}")
    monkeypatch.setenv("LSLAB_MODELS_DIR", str(tmp_path))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_the_classify_page_shares_its_model_choice_and_asks_about_the_smoothed_models_ceiling(stand_in_models):
    at = open_page("pages/classify.py", model="eps0")
    assert "Drop in a photo" in markdown(at)
    at.session_state["classify_share_open"] = True
    at.session_state["classify_quiz_open"] = True
    at.run()
    assert code_blocks(at)[-2].startswith("?model=eps0")
    assert "Uploads inside an `<iframe>` on a different site need the app served over HTTPS" in markdown(at)
    assert any("trained with ε = 0.1 on K = 10 classes" in m.value for m in at.markdown)
    notes, content = text_note_and_content_start(open_page("pages/classify.py", text="maybe"))
    assert len(notes) == 1 and notes[0] < content
    quiet = open_page("pages/classify.py", model="eps0", text="off")
    assert "Drop in a photo" not in markdown(quiet)
    assert not any(label.startswith(QUIZ_LABELS) for label in expander_labels(quiet))


# --------------------------------------------------------------------------------- questions that ask first
def node_text(node) -> str:
    """What an element shows: a widget's or expander's label, a text's or metric's value, a code block."""
    parts = [getattr(node, name, None) for name in ("label", "value", "body")]
    return " ".join(part for part in parts if isinstance(part, str))


def predict_box(nodes: list) -> int:
    return next(i for i, n in enumerate(nodes) if type(n).__name__ == "Expander"
                and n.label.startswith("Predict first"))


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def answer_forms(question: quiz.Question) -> set[str]:
    """How a page may print a numeric answer (0.7 as 0.7, 0.70, 0.700, 0.7000)."""
    value = float(question.answer)
    return {f"{value:.4g}", f"{value:.2f}", f"{value:.3f}", f"{value:.4f}"}


# A setting off the defaults, in the convention where PyTorch's value is not ε itself.
ODD = {"K": "4", "eps": "0.3", "spread": "others"}
PREDICTIONS = {"pages/target_and_floor.py": ("floor", quiz.target_and_floor_questions),
               "pages/loss_curves.py": ("curves", quiz.loss_curves_questions)}
# What answers each question on the Streamlit path: ỹ_true in the formula, the floor's metric, the minimum in the
# curve's caption, the best gap in its formula, label_smoothing in the PyTorch check (the give-aways a learner met
# below a question).
SHOWN_AS = {"target": "Latex", "floor": "Metric", "minimum": "Caption", "gap": "Latex", "pytorch_value": "Markdown"}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("page", list(PREDICTIONS))
def test_a_prediction_is_asked_above_the_figures_and_numbers_that_answer_it(page, path, monkeypatch):
    use_path(monkeypatch, path)
    prefix, questions = PREDICTIONS[page]
    at = open_page(page, **ODD)
    at.session_state[f"{prefix}_quiz_open"] = True
    at.run()
    nodes = list(at.main)
    box = predict_box(nodes)
    figures = [i for i, n in enumerate(nodes) if type(n).__name__ in ("UnknownElement", "PlotlyChart", "Metric",
                                                                      "Latex")]
    assert figures and box < min(figures)  # the live component, or each chart, metric and formula
    above = " ".join(node_text(n) for n in nodes[:box])
    after = nodes[box + 1:]
    for question in questions(4, 0.3, "others"):
        assert question.shown_in and question.prompt in " ".join(node_text(n) for n in after)
        if not question.numeric:
            continue
        assert not any(form in above for form in answer_forms(question)), (question.key, above)
        if path == "streamlit":  # the number the page prints, proven to be below the question
            assert any(type(n).__name__ == SHOWN_AS[question.key] and answer_forms(question) & numbers(node_text(n))
                       for n in nodes[min(figures):]), question.key


def test_the_predictions_come_before_the_pytorch_check_that_prints_label_smoothing():
    at = open_page("pages/loss_curves.py", **ODD)
    nodes = list(at.main)
    check = next(i for i, n in enumerate(nodes) if type(n).__name__ == "Subheader" and n.value == "Check with PyTorch")
    assert predict_box(nodes) < check
    assert "label_smoothing=0.4`" in " ".join(node_text(n) for n in nodes[check:])


def test_the_training_pages_predictions_come_before_the_tabs_whose_race_answers_them():
    at = open_page("pages/training.py", toy_k="7", toy_eps="0.2")
    nodes = list(at.main)
    first_tab = next(i for i, n in enumerate(nodes) if type(n).__name__ == "Tab")
    assert predict_box(nodes) < first_tab


def test_a_verdict_says_why_with_the_live_numbers_and_where_the_page_shows_them():
    at = alone("pages/loss_curves.py")
    at.session_state["curves_quiz_open"] = True
    at.run()
    at.number_input(key="curves_quiz_gap_number").set_value(1.0)
    [b for b in at.button if b.label == "Check"][1].click().run()
    message = at.error[0].value
    assert "ln(0.91/0.01) = 4.511" in message and "at the gap* mark of the logit-gap figure below" in message


def test_the_home_pages_questions_mention_no_slider_and_no_switch_it_does_not_have():
    at = open_page("pages/home.py")
    at.session_state["home_quiz_open"] = True
    at.run()
    nodes = list(at.main)
    box = next(i for i, n in enumerate(nodes) if type(n).__name__ == "Expander" and n.label.startswith(QUIZ_LABELS))
    text = " ".join(node_text(n) for n in nodes[box:]).lower()
    assert "which part can training drive to zero" in text
    assert not any(word in text for word in ("slider", "switch", "move k", "moving"))
