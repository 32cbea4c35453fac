"""AppTest: the state lives in the URL, survives moving between pages, and bad links are repaired."""

from __future__ import annotations

from pathlib import Path

import pytest
from explainer_page import PATHS, ExplainerPage, use_path
from streamlit.testing.v1 import AppTest

from lib.digits import nats
from lib.smoothing import entropy_floor

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(params=PATHS, autouse=True)
def path(request, monkeypatch) -> str:
    """Every test on both paths: the live explorable and Streamlit's slider (tests/explainer_page.py)."""
    use_path(monkeypatch, request.param)
    return request.param


def open_link(page: str, **params: str) -> AppTest:
    """A fresh session opening ``page`` with a query string, as a pasted link would."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(params)
    return at.run()


def eps_of(at: AppTest, prefix: str = "floor") -> float:
    return ExplainerPage(at, prefix).eps


def set_eps(at: AppTest, value: float, prefix: str = "floor") -> None:
    ExplainerPage(at, prefix).set_eps(value)


def floors(at: AppTest) -> list[str]:
    return ExplainerPage(at, "floor").floor_metrics()


def test_deep_link_sets_the_widgets_and_the_numbers():
    at = open_link("pages/target_and_floor.py", K="3", eps="0.5", spread="others")
    assert not at.exception and not at.warning
    assert at.select_slider(key="floor_k").value == 3
    assert eps_of(at) == pytest.approx(0.5)
    assert at.radio(key="floor_spread").value == "others"
    assert floors(at)[0] == nats(entropy_floor(3, 0.5, spread='others'))
    assert at.query_params == {"K": "3", "eps": "0.5", "spread": "others"}


def test_widget_moves_round_trip_through_the_url():
    at = open_link("pages/target_and_floor.py")
    at.select_slider(key="floor_k").set_value(40).run()
    set_eps(at, 0.37)
    at.radio(key="floor_spread").set_value("others").run()
    assert at.query_params == {"K": "40", "eps": "0.37", "spread": "others"}
    # The URL the session wrote reopens the same view in a new session.
    again = open_link("pages/target_and_floor.py", **at.query_params)
    assert floors(again) == floors(at)


def test_a_slider_move_wins_over_an_address_the_browser_has_not_updated_yet():
    """Two quick key presses on ε: the second rerun carries the URL from before the first (its new
    address had not reached the browser yet). The slider must end where the user moved it."""
    at = open_link("pages/target_and_floor.py", K="5", eps="0.2", spread="all")
    set_eps(at, 0.21)
    assert at.query_params["eps"] == "0.21"
    at.query_params.update({"eps": "0.2"})  # the stale address the second press's rerun brings
    set_eps(at, 0.22)
    assert not at.warning
    assert eps_of(at) == pytest.approx(0.22)
    assert floors(at)[0] == nats(entropy_floor(5, 0.22))
    assert at.query_params["eps"] == "0.22"


def test_a_changed_address_without_a_widget_move_is_still_a_deep_link():
    """Navigation that brings a new query string (no widget moved) still sets the view from the URL."""
    at = open_link("pages/target_and_floor.py", K="5", eps="0.2", spread="all")
    set_eps(at, 0.21)
    at.query_params.update({"K": "7", "eps": "0.3"})
    at.run()
    assert at.select_slider(key="floor_k").value == 7
    assert eps_of(at) == pytest.approx(0.3)
    assert floors(at)[0] == nats(entropy_floor(7, 0.3))


def test_state_survives_moving_between_pages():
    at = open_link("pages/target_and_floor.py", K="25", eps="0.2", spread="others")
    set_eps(at, 0.3)
    at.switch_page("pages/loss_curves.py")
    at.query_params.clear()  # the sidebar navigation drops the query string
    at.run()
    assert at.select_slider(key="curves_k").value == 25
    assert eps_of(at, "curves") == pytest.approx(0.3)
    assert at.radio(key="curves_spread").value == "others"
    assert at.query_params == {"K": "25", "eps": "0.3", "spread": "others"}
    assert {m.label: m.value for m in at.metric}["Entropy floor H(ỹ)"] == (
        f"{entropy_floor(25, 0.3, spread='others'):.6f} nats")


@pytest.mark.parametrize("params,k,eps,spread,note", [
    ({"K": "abc", "eps": "5", "spread": "others"}, 10, 0.89, "others", "not a number"),
    ({"K": "0", "eps": "-1"}, 2, 0.0, "all", "outside 2–1000"),
    ({"K": "9999999999", "eps": "0.5"}, 1000, 0.5, "all", "showing K=1000"),
    ({"eps": "NaN", "spread": "sideways"}, 10, 0.1, "all", "unknown"),
    ({"K": "2", "eps": "0.75", "spread": "others"}, 2, 0.49, "others", "(K−1)/K = 0.5"),
])
@pytest.mark.parametrize("page", ["pages/target_and_floor.py", "pages/loss_curves.py"])
def test_bad_links_are_clamped_with_a_visible_note_never_a_traceback(page, params, k, eps, spread, note):
    at = open_link(page, **params)
    assert not at.exception
    prefix = "floor" if "target" in page else "curves"
    assert at.select_slider(key=f"{prefix}_k").value == k
    assert eps_of(at, prefix) == pytest.approx(eps)
    assert at.radio(key=f"{prefix}_spread").value == spread
    assert any(note in w.value for w in at.warning), [w.value for w in at.warning]
    # The repaired state is what the URL now says, and the note goes away on the next rerun.
    assert at.query_params["K"] == str(k)
    at.run()
    assert not at.warning
