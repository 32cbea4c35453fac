"""AppTest: the target-and-floor page shows the numbers for whatever K, ε and convention are set.

Every test runs on both paths (tests/explainer_page.py): the live explorable and Streamlit's slider.
"""

from __future__ import annotations

import pytest
from explainer_page import PATHS, ExplainerPage, open_page, use_path
from helpers import code_blocks

from lib.digits import for_people, nats
from lib.smoothing import entropy_floor


@pytest.fixture(params=PATHS)
def page(request, monkeypatch) -> ExplainerPage:
    use_path(monkeypatch, request.param)
    shown = open_page("pages/target_and_floor.py", "floor")
    assert not shown.at.exception
    assert shown.live == (request.param == "live")
    return shown


def test_default_state_shows_worked_example_floors_and_what_pytorch_reaches(page):
    assert page.floor_metrics() == ["0.5003 nats", "0.5448 nats"]
    assert any(r"0.91\,\ln 0.91" in latex and "0.5003" in latex for latex in page.latex())
    info = page.at.info[0].value
    assert "0.5003 nats" in info and "nn.CrossEntropyLoss(label_smoothing=0.1)" in info and "0.1111" in info
    assert page.figure_count() == 3


def test_the_pytorch_box_follows_k_eps_and_the_convention(page):
    page.at.select_slider(key="floor_k").set_value(5).run()
    page.set_eps(0.2)
    page.at.radio(key="floor_spread").set_value("others").run()
    info = page.at.info[0].value
    assert "K = 5, ε = 0.2" in info and "ε·K/(K−1) = 0.2·5/4 = 0.25" in info
    assert nats(entropy_floor(5, 0.2, spread='others')) in info and "K = 10" not in info


def test_moving_eps_updates_the_floor_the_sum_and_the_url(page):
    page.set_eps(0.3)
    assert page.floor_metrics()[0] == nats(entropy_floor(10, 0.3))
    assert any(for_people(entropy_floor(10, 0.3)) in latex for latex in page.latex())
    assert page.at.query_params["eps"] == "0.3"
    assert page.eps == pytest.approx(0.3)


def test_moving_k_updates_the_floor(page):
    page.at.select_slider(key="floor_k").set_value(1000).run()
    assert page.floor_metrics()[0] == nats(entropy_floor(1000, 0.1))
    assert page.at.query_params["K"] == "1000"


def test_switching_convention_shows_the_others_floor_first(page):
    page.at.radio(key="floor_spread").set_value("others").run()
    assert page.floor_metrics() == ["0.5448 nats", "0.5003 nats"]
    assert page.at.query_params["spread"] == "others"
    assert page.eps_max == pytest.approx(0.89)


def test_lowering_k_in_others_convention_clamps_eps_with_a_visible_note(page):
    page.at.radio(key="floor_spread").set_value("others").run()
    page.set_eps(0.8)
    page.at.select_slider(key="floor_k").set_value(2).run()
    assert not page.at.exception
    assert page.eps == pytest.approx(0.49)
    assert any("(K−1)/K = 0.5" in w.value for w in page.at.warning)
    assert page.floor_metrics()[0] == nats(entropy_floor(2, 0.49, spread='others'))
    assert page.floor_metrics()[1] == nats(entropy_floor(2, 0.49, spread='all'))
    page.at.run()  # the repair is made once: the component's own last ε (0.8) does not bring it back
    assert page.eps == pytest.approx(0.49) and not page.at.warning


def test_the_questions_follow_the_settled_eps(page):
    from lib import quiz

    page.set_eps(0.37)
    page.at.session_state["floor_quiz_open"] = True
    page.at.run()
    assert page.eps == pytest.approx(0.37)
    expected = quiz.target_and_floor_questions(10, 0.37, "all")
    shown = [m.value for m in page.at.markdown]
    assert [q.prompt for q in expected] == [m for m in shown if m in {q.prompt for q in expected}]


def test_framework_calls_follow_the_convention_each_with_a_copy_button(page):
    from lib.explainer import frameworks

    calls = code_blocks(page.at)
    assert "torch.nn.CrossEntropyLoss(label_smoothing=0.1)" in calls
    assert any(c.endswith("--label-smoothing 0.09") for c in calls)  # fairseq ≥ 0.12 spreads over the others
    page.at.radio(key="floor_spread").set_value("others").run()
    calls = code_blocks(page.at)
    assert frameworks.framework_call("pytorch", 10, 0.1, spread="others") in calls
    assert any(c.endswith("--label-smoothing 0.1") for c in calls) and len(calls) == len(frameworks.FRAMEWORKS)
