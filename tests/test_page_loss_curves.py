"""AppTest: the loss-curves page shows the minimum, the optimal gap and PyTorch's agreeing loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.smoothing import entropy_floor, optimal_logit_gap

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/loss_curves.py").run()
    assert not at.exception
    return at


def pytorch_panel(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_state_pytorch_loss_equals_the_floor(page):
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == "0.500288 nats" == panel["Entropy floor H(ỹ)"]
    assert float(panel["Difference"].split()[0]) < 1e-12
    assert "label_smoothing=0.1)" in page.code[0].value
    assert any("4.5109" in latex.value for latex in page.latex)
    assert len(page.get("plotly_chart")) == 3


def test_others_convention_hands_pytorch_eps_k_over_k_minus_1(page):
    page.radio(key="curves_spread").set_value("others").run()
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == "0.544805 nats" == panel["Entropy floor H(ỹ)"]
    assert "label_smoothing=0.1111111111111111" in page.code[0].value
    assert any(f"{optimal_logit_gap(10, 0.1, spread='others'):.4f}" in latex.value for latex in page.latex)


def test_moving_sliders_moves_the_optimum_and_the_check(page):
    page.slider(key="curves_k").set_value(100).run()
    page.slider(key="curves_eps").set_value(0.25).run()
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == f"{entropy_floor(100, 0.25):.6f} nats"
    assert any(f"{optimal_logit_gap(100, 0.25):.4f}" in latex.value for latex in page.latex)
    assert any(f"{entropy_floor(100, 0.25):.4f}" in c.value for c in page.caption)


def test_one_hot_explains_there_is_no_finite_optimum(page):
    page.slider(key="curves_eps").set_value(0.0).run()
    assert not page.exception
    assert "PyTorch loss" not in pytorch_panel(page)
    assert any("infinite" in i.value for i in page.info)
    assert any(r"\infty" in latex.value for latex in page.latex)
