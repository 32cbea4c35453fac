"""AppTest: the loss-curves page shows the minimum, the optimal gap and PyTorch's agreeing loss.

Every test runs on both paths (tests/explainer_page.py): the live explorable and Streamlit's slider.
"""

from __future__ import annotations

import pytest
from explainer_page import PATHS, ExplainerPage, open_page, use_path
from helpers import code_blocks
from streamlit.testing.v1 import AppTest

from lib.digits import for_people, signed
from lib.smoothing import entropy_floor, optimal_logit_gap


@pytest.fixture(params=PATHS)
def shown(request, monkeypatch) -> ExplainerPage:
    use_path(monkeypatch, request.param)
    page = open_page("pages/loss_curves.py", "curves")
    assert not page.at.exception
    assert page.live == (request.param == "live")
    return page


@pytest.fixture
def page(shown) -> AppTest:
    return shown.at


def pytorch_panel(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_state_pytorch_loss_equals_the_floor(page, shown):
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == "0.500288 nats" == panel["Entropy floor H(ỹ)"]
    assert float(panel["Difference"].split()[0]) < 1e-12
    assert "label_smoothing=0.1)" in code_blocks(page)[0]
    assert any("4.511" in latex for latex in shown.latex())
    assert shown.figure_count() == 3


def test_others_convention_hands_pytorch_eps_k_over_k_minus_1(page, shown):
    page.radio(key="curves_spread").set_value("others").run()
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == "0.544805 nats" == panel["Entropy floor H(ỹ)"]
    assert "label_smoothing=0.1111111111111111" in code_blocks(page)[0]
    assert any(for_people(optimal_logit_gap(10, 0.1, spread='others')) in latex for latex in shown.latex())


def test_moving_sliders_moves_the_optimum_and_the_check(page, shown):
    page.select_slider(key="curves_k").set_value(100).run()
    shown.set_eps(0.25)
    panel = pytorch_panel(page)
    assert panel["PyTorch loss"] == f"{entropy_floor(100, 0.25):.6f} nats"
    assert any(for_people(optimal_logit_gap(100, 0.25)) in latex for latex in shown.latex())
    assert any(for_people(entropy_floor(100, 0.25)) in c for c in shown.captions())


def test_one_hot_explains_there_is_no_finite_optimum(page, shown):
    shown.set_eps(0.0)
    assert not page.exception
    assert "PyTorch loss" not in pytorch_panel(page)
    assert any("infinite" in i.value for i in page.info)
    assert any(r"\infty" in latex for latex in shown.latex())
    assert not any("not at p = 1" in c for c in shown.captions())  # ỹ_true = 1: the minimum is at p = 1
    assert any("keeps falling until p = ỹ_true = 1" in c for c in shown.captions())


def test_the_gradient_section_shows_autograds_gradient_at_the_chosen_gap(page, shown):
    from lib.cifar.torch_check import check_gradient_with_pytorch
    from lib.explainer import gradient

    page.slider(key="curves_grad_gap").set_value(8.0).run()
    assert shown.gradient_figures() == 2
    check = check_gradient_with_pytorch(10, 0.1, 8.0)
    autograd = "\n".join(c.value for c in page.caption)
    assert 'Checked at K = 10, ε = 0.1, convention "all" (PyTorch), gap 8' in autograd
    assert f"∂L/∂z_true = {check.pytorch_gradient[0]:.12g}" in autograd
    assert f"{signed(gradient.logit_gradient(10, 0.1, 8.0)[0])} with ε = 0.1" in shown.gradient_caption()
    assert "positive, so gradient descent pushes the true logit down; past the optimal gap" in shown.gradient_caption()
    page.slider(key="curves_grad_gap").set_value(2.0).run()
    assert "negative, so gradient descent pushes the true logit up; below the optimal gap" in shown.gradient_caption()


def test_the_gradient_section_follows_eps(page, shown):
    from lib.explainer import gradient

    page.slider(key="curves_grad_gap").set_value(3.0).run()
    shown.set_eps(0.3)  # on the live path the gradient table's state for ε = 0.3 is the one shown
    assert f"{signed(gradient.logit_gradient(10, 0.3, 3.0)[0])} with ε = 0.3" in shown.gradient_caption()
    assert 'Checked at K = 10, ε = 0.3, convention "all" (PyTorch), gap 3' in "\n".join(c.value for c in page.caption)
