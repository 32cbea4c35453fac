"""AppTest: the target-and-floor page shows the numbers for whatever K, ε and convention are set."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.smoothing import entropy_floor

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/target_and_floor.py").run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def test_default_state_shows_worked_example_floors_and_what_pytorch_reaches(page):
    assert metrics(page) == ["0.5003 nats", "0.5448 nats"]
    assert any(r"0.91\,\ln 0.91" in latex.value and "0.5003" in latex.value for latex in page.latex)
    info = page.info[0].value
    assert "0.5003 nats" in info and "nn.CrossEntropyLoss(label_smoothing=0.1)" in info and "0.1111" in info
    assert len(page.get("plotly_chart")) == 3


def test_the_pytorch_box_follows_k_eps_and_the_convention(page):
    page.slider(key="floor_k").set_value(5).run()
    page.slider(key="floor_eps").set_value(0.2).run()
    page.radio(key="floor_spread").set_value("others").run()
    info = page.info[0].value
    assert "K = 5, ε = 0.2" in info and "ε·K/(K−1) = 0.2·5/4 = 0.25" in info
    assert f"{entropy_floor(5, 0.2, spread='others'):.4f} nats" in info and "K = 10" not in info


def test_moving_eps_updates_the_floor_the_sum_and_the_url(page):
    page.slider(key="floor_eps").set_value(0.3).run()
    assert metrics(page)[0] == f"{entropy_floor(10, 0.3):.4f} nats"
    assert any(f"{entropy_floor(10, 0.3):.4f}" in latex.value for latex in page.latex)
    assert page.query_params["eps"] == "0.3"


def test_moving_k_updates_the_floor(page):
    page.slider(key="floor_k").set_value(1000).run()
    assert metrics(page)[0] == f"{entropy_floor(1000, 0.1):.4f} nats"
    assert page.query_params["K"] == "1000"


def test_switching_convention_shows_the_others_floor_first(page):
    page.radio(key="floor_spread").set_value("others").run()
    assert metrics(page) == ["0.5448 nats", "0.5003 nats"]
    assert page.query_params["spread"] == "others"
    assert page.slider(key="floor_eps").max == pytest.approx(0.89)


def test_lowering_k_in_others_convention_clamps_eps_with_a_visible_note(page):
    page.radio(key="floor_spread").set_value("others").run()
    page.slider(key="floor_eps").set_value(0.8).run()
    page.slider(key="floor_k").set_value(2).run()
    assert not page.exception
    assert page.slider(key="floor_eps").value == pytest.approx(0.49)
    assert any("(K−1)/K = 0.5" in w.value for w in page.warning)
    assert metrics(page)[0] == f"{entropy_floor(2, 0.49, spread='others'):.4f} nats"
    assert metrics(page)[1] == f"{entropy_floor(2, 0.49, spread='all'):.4f} nats"
