"""lib/quiz.py: answers computed for the learner's settings, graded with a tolerance that still tells the
conventions apart; PyTorch's convention checked against torch itself."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from strategies import settings

from lib import quiz
from lib.smoothing import CONVENTIONS, entropy_floor, optimal_logit_gap, target_values, to_pytorch_label_smoothing


def by_key(questions: list[quiz.Question]) -> dict[str, quiz.Question]:
    return {q.key: q for q in questions}


def all_questions(K: int, eps: float, spread: str) -> list[quiz.Question]:
    return (quiz.target_and_floor_questions(K, eps, spread) + quiz.loss_curves_questions(K, eps, spread)
            + quiz.home_questions(K, eps, spread))


def test_the_briefs_example_k5_eps02_floor_is_the_entropy_of_the_target():
    question = by_key(quiz.target_and_floor_questions(5, 0.2, "all"))["floor"]
    assert "K = 5" in question.prompt and "ε = 0.2" in question.prompt
    assert question.answer == pytest.approx(entropy_floor(5, 0.2))
    assert quiz.grade(question, 0.6615).correct  # 0.66149… to four decimals
    assert not quiz.grade(question, 0.7777).correct  # the "others" floor


def test_worked_example_answers_match_the_readme_numbers():
    q = by_key(all_questions(10, 0.1, "all"))
    assert q["floor"].answer == pytest.approx(0.5003, abs=5e-5)
    assert q["target"].answer == pytest.approx(0.91)
    assert q["gap"].answer == pytest.approx(math.log(91))
    assert q["pytorch_value"].answer == pytest.approx(0.1)
    others = by_key(all_questions(10, 0.1, "others"))
    assert others["floor"].answer == pytest.approx(0.5448, abs=5e-5)
    assert others["pytorch_value"].answer == pytest.approx(0.1 * 10 / 9)


def test_the_other_conventions_value_is_graded_wrong_at_the_worked_example():
    """0.90 ("others") for 0.91 ("all"), 0.5448 for 0.5003, 0.1 for 0.1111: the mix-ups the page is about."""
    for spread, other in (("all", "others"), ("others", "all")):
        mine, theirs = by_key(all_questions(10, 0.1, spread)), by_key(all_questions(10, 0.1, other))
        for key in ("target", "floor", "minimum", "gap", "pytorch_value"):
            assert not quiz.grade(mine[key], theirs[key].answer).correct, (spread, key)


def test_answers_move_with_the_settings():
    assert by_key(all_questions(3, 0.5, "others"))["target"].answer == pytest.approx(0.5)
    assert by_key(all_questions(1000, 0.3, "all"))["floor"].answer == pytest.approx(entropy_floor(1000, 0.3))


def test_with_eps_zero_the_best_gap_is_infinite_and_the_floor_does_not_move_with_k():
    q = by_key(all_questions(10, 0.0, "all"))
    assert q["gap"].choices and q["gap"].answer == "infinite"
    assert q["more_classes"].answer == "it stays the same"
    assert q["removable"].answer == "both"
    assert q["floor"].answer == 0.0


def test_pytorch_uses_the_convention_that_spreads_eps_over_all_classes_as_torch_computes_it():
    """The oracle: F.cross_entropy(label_smoothing=ε) at logits ln ỹ equals the "all" floor, not the "others" one."""
    question = quiz.pytorch_convention_question(10, 0.1)
    assert question.answer == CONVENTIONS["all"].meaning
    on, off = target_values(10, 0.1, spread="all")
    logits = torch.log(torch.tensor([[on] + [off] * 9], dtype=torch.float64))
    loss = F.cross_entropy(logits, torch.tensor([0]), label_smoothing=0.1).item()
    assert loss == pytest.approx(entropy_floor(10, 0.1, spread="all"), abs=1e-12)
    assert loss != pytest.approx(entropy_floor(10, 0.1, spread="others"), abs=1e-3)


@given(settings())
def test_every_question_builds_and_its_own_answer_is_graded_right(setting):
    K, eps, spread = setting
    for question in all_questions(K, eps, spread) + quiz.toy_questions(min(K, 20), min(eps, 0.5)):
        verdict = quiz.grade(question, question.answer)
        assert verdict.answered and verdict.correct, question
        if question.numeric:
            assert math.isfinite(question.answer) and question.tolerance > 0
            assert not quiz.grade(question, question.answer + 2 * question.tolerance).correct
        else:
            assert question.answer in question.choices


@given(settings())
def test_numeric_answers_are_lib_values_for_those_settings(setting):
    K, eps, spread = setting
    q = by_key(all_questions(K, eps, spread))
    assert q["floor"].answer == entropy_floor(K, eps, spread=spread)
    assert q["target"].answer == target_values(K, eps, spread=spread)[0]
    assert q["pytorch_value"].answer == to_pytorch_label_smoothing(K, eps, spread=spread)
    gap = optimal_logit_gap(K, eps, spread=spread)
    assert q["gap"].answer == ("infinite" if math.isinf(gap) else gap)


@pytest.mark.parametrize("response", [None, "", "   "])
def test_an_empty_answer_gets_no_verdict(response):
    verdict = quiz.grade(quiz.floor_question(10, 0.1, "all"), response)
    assert not verdict.answered and not verdict.correct


@pytest.mark.parametrize("response", [float("nan"), float("inf"), "0.5003x"])
def test_nonsense_numbers_are_not_counted_right(response):
    assert not quiz.grade(quiz.floor_question(10, 0.1, "all"), response).correct


def test_a_wrong_choice_names_the_right_one_and_explains():
    question = quiz.pytorch_convention_question(10, 0.1)
    verdict = quiz.grade(question, CONVENTIONS["others"].meaning)
    assert verdict.answered and not verdict.correct
    assert CONVENTIONS["all"].meaning in verdict.message and "0.1111" in verdict.message


def test_toy_and_classifier_questions_use_the_all_convention():
    toy = by_key(quiz.toy_questions(5, 0.1))
    assert toy["toy_floor"].answer == pytest.approx(entropy_floor(5, 0.1, spread="all"))
    assert toy["toy_confidence"].answer == pytest.approx(1 - 0.1 + 0.1 / 5)
    clf = by_key(quiz.classifier_questions(10, 0.1))
    assert clf["ceiling"].answer == pytest.approx(0.91)
    assert clf["max_entropy"].answer == pytest.approx(math.log(10))


PREDICTING_PAGES = [quiz.target_and_floor_quiz(10, 0.1, "all"), quiz.loss_curves_quiz(10, 0.1, "all"),
                    quiz.training_quiz(5, 0.1), quiz.classify_quiz(10, 0.1)]


@pytest.mark.parametrize("box", PREDICTING_PAGES, ids=["floor", "curves", "training", "classify"])
def test_a_predicting_pages_quiz_is_asked_first_and_each_question_says_where_the_page_shows_its_answer(box):
    assert box.before_figures and box.label.startswith("Predict first: ")
    assert "before" in box.intro and all(q.shown_in for q in box.questions)


def test_the_home_quiz_recalls_the_text_and_mentions_no_slider_or_switch_the_page_lacks():
    box = quiz.home_quiz(10, 0.1, "all")
    assert not box.before_figures and box.label == "Check your understanding: 2 questions"
    words = " ".join([box.intro, *(q.prompt for q in box.questions)]).lower()
    assert not any(word in words for word in ("slider", "switch", "moving"))


def test_a_verdict_explains_with_the_live_numbers_and_points_to_where_the_page_shows_them():
    question = by_key(quiz.loss_curves_questions(4, 0.3, "others"))["gap"]
    verdict = quiz.grade(question, 1.0)
    assert not verdict.correct
    assert "ln(0.7/0.1) = 1.946" in verdict.message and verdict.message.endswith(f"See it {question.shown_in}.")
    right = quiz.grade(question, 1.9459)
    assert right.correct and right.message.startswith("Right: 1.946") and "See it at the gap* mark" in right.message


def test_a_question_without_a_place_on_the_page_adds_no_pointer():
    question = quiz.pytorch_convention_question(10, 0.1)
    assert not question.shown_in and "See it" not in quiz.grade(question, question.answer).message
