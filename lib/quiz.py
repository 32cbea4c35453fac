"""Questions that ask before they tell: predictions whose answers are computed for the current settings.

Each page asks a few questions about what it shows (``K = 5, ε = 0.2: what is the floor?``). The right
answer is computed here from :mod:`lib.smoothing` at the learner's own K, ε and convention — never
typed in — so moving a slider gives a new question with a new answer, and the tests check the answers
against the same oracle the figures use. Grading is pure: :func:`grade` takes what the learner entered
and returns whether it is right and a sentence that explains why, with the live numbers and where the page
shows them. No streamlit; ``ui/quiz.py`` draws them.

A question that asks for a prediction must not sit below the figure or number that answers it: a page's
questions come as a :class:`Quiz`, and a "predict first" quiz (:func:`predict_first`) is drawn above the figures,
before anything that answers it. Only the home page keeps a quiz after its text (:func:`recall`): its questions
ask what that text said, and the home page has no K slider and no convention switch to mention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lib.digits import for_people, nats
from lib.smoothing import (
    CONVENTIONS,
    Spread,
    entropy_floor,
    kl_vs_true_prob,
    max_eps,
    optimal_logit_gap,
    target_values,
    to_pytorch_label_smoothing,
)

_RISES, _FALLS, _SAME = "it rises", "it falls", "it stays the same"


@dataclass(frozen=True)
class Question:
    """One question. Numeric when ``choices`` is empty (``answer`` a float, right within ``tolerance``),
    else multiple choice (``answer`` one of ``choices``). ``explanation`` is shown with the verdict."""

    key: str  # stable within a page: the widget key's suffix
    prompt: str  # Markdown, with the live numbers
    answer: float | str
    explanation: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0  # absolute, in the answer's unit
    unit: str = ""
    shown_in: str = ""  # where the page shows the answer, once the learner has predicted it ("in the bars below")

    @property
    def numeric(self) -> bool:
        return not self.choices

    def shown_answer(self) -> str:
        if self.numeric:
            return for_people(float(self.answer)) + (f" {self.unit}" if self.unit else "")
        return str(self.answer)


@dataclass(frozen=True)
class Verdict:
    """The result of grading: ``answered`` False means nothing was entered yet (no verdict)."""

    answered: bool
    correct: bool
    message: str


def _tolerance(answer: float, *, absolute: float = 0.005, relative: float = 0.005) -> float:
    # Losses and gaps: two decimals, or 0.5% of a large answer. Probabilities pass absolute=0.0005: three
    # decimals, so 0.90 ("others") is not accepted for 0.91 ("all") — the difference the page is about.
    return max(absolute, relative * abs(answer))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


_PROBABILITY = {"absolute": 0.0005, "relative": 0.0}


def grade(question: Question, response: float | str | None) -> Verdict:
    """Grade ``response`` against ``question``: right within the tolerance (numbers) or equal (choices)."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return Verdict(False, False, "Enter an answer first.")
    if question.numeric:
        try:
            value = float(response)
        except (TypeError, ValueError):
            return Verdict(False, False, f"{response!r} is not a number.")
        if not math.isfinite(value):
            return Verdict(True, False, f"Not quite: the answer is {question.shown_answer()}. "
                                        f"{question.explanation}" + _where(question))
        correct = abs(value - float(question.answer)) <= question.tolerance
        close = "" if correct else f" (you entered {for_people(value)})"
        head = "Right" if correct else "Not quite"
        return Verdict(True, correct, f"{head}: {question.shown_answer()}{close}. {question.explanation}"
                                      + _where(question))
    correct = response == question.answer
    head = "Right" if correct else f"Not quite: the answer is {question.answer}"
    return Verdict(True, correct, f"{head}. {question.explanation}" + _where(question))


def _where(question: Question) -> str:
    return f" See it {question.shown_in}." if question.shown_in else ""


# --------------------------------------------------------------------------------------------- questions
def _setting(K: int, eps: float, spread: str) -> str:
    return f"K = {K} classes, ε = {eps:g}, \"{spread}\" convention"


def true_class_question(K: int, eps: float, spread: Spread) -> Question:
    on, off = target_values(K, eps, spread=spread)
    formula = CONVENTIONS[spread].true_formula
    return Question(
        "target", f"{_setting(K, eps, spread)}: what probability does the smoothed target ỹ give the true class?",
        on, f"ỹ_true = {formula} = {for_people(on)}; each of the other {K - 1} classes gets {for_people(off)}.",
        tolerance=_tolerance(on, **_PROBABILITY))


def floor_question(K: int, eps: float, spread: Spread) -> Question:
    on, off = target_values(K, eps, spread=spread)
    floor = entropy_floor(K, eps, spread=spread)
    return Question(
        "floor", f"{_setting(K, eps, spread)}: what is the entropy floor L_min, in nats?", floor,
        f"L_min = −ỹ_true ln ỹ_true − (K−1)·ỹ_other ln ỹ_other with ỹ_true = {for_people(on)}, "
        f"ỹ_other = {for_people(off)} (0·ln 0 = 0), which is {nats(floor)}.", tolerance=_tolerance(floor), unit="nats")


def pytorch_convention_question(K: int, eps: float) -> Question:
    """Which convention ``nn.CrossEntropyLoss(label_smoothing=ε)`` uses: the one whose PyTorch value is ε itself."""
    # Ask at an ε both conventions allow and where they differ (at ε = 0 they agree).
    eps = eps if 0 < eps < max_eps(K, spread="others") else 0.1
    answer = next(s for s in CONVENTIONS if math.isclose(to_pytorch_label_smoothing(K, eps, spread=s), eps))
    other = next(s for s in CONVENTIONS if s != answer)
    return Question(
        "pytorch", "Which convention does `nn.CrossEntropyLoss(label_smoothing=ε)` use?",
        CONVENTIONS[answer].meaning,
        f'PyTorch mixes the one-hot target with the uniform distribution: ỹ = (1 − ε)·onehot + ε/K. For the '
        f'"{other}" target at K = {K}, ε = {eps:g} you pass label_smoothing = '
        f"{for_people(to_pytorch_label_smoothing(K, eps, spread=other))} instead.",
        choices=tuple(c.meaning for c in CONVENTIONS.values()))


def more_classes_question(K: int, eps: float, spread: Spread) -> Question:
    """Does the floor rise or fall with one class more, at the same ε? Computed, so ε = 0 answers "same"."""
    now, more = entropy_floor(K, eps, spread=spread), entropy_floor(K + 1, eps, spread=spread)
    answer = _SAME if math.isclose(now, more, abs_tol=1e-12) else (_RISES if more > now else _FALLS)
    why = ("with ε = 0 the target is one-hot and the floor is 0 for any K" if answer == _SAME
           else f"the same ε is spread over more classes, more terms in −Σ ỹ ln ỹ: {for_people(now)} → {nats(more)}")
    return Question("more_classes", f"{_setting(K, eps, spread)}: with one class more (K = {K + 1}) and the same "
                    "ε, what happens to the floor?", answer, _sentence(why), choices=(_RISES, _FALLS, _SAME))


def minimum_question(K: int, eps: float, spread: Spread) -> Question:
    on, _ = target_values(K, eps, spread=spread)
    return Question(
        "minimum", f"{_setting(K, eps, spread)}: at which predicted probability p of the true class is the "
        "smoothed cross-entropy smallest?", on,
        f"CE is smallest where the prediction equals the target, p = ỹ_true = {for_people(on)}"
        + (" — not at p = 1." if on < 1 else ": with ε = 0 the target is one-hot, and only p = 1 reaches 0."),
        tolerance=_tolerance(on, **_PROBABILITY))


def logit_gap_question(K: int, eps: float, spread: Spread) -> Question:
    gap = optimal_logit_gap(K, eps, spread=spread)
    if math.isinf(gap):
        return Question(
            "gap", f"{_setting(K, eps, spread)}: how large is the best logit gap z_true − z_other?", "infinite",
            "With ε = 0 the loss keeps falling as the gap grows, so there is no finite best gap.",
            choices=("about 1", "about 10", "infinite"))
    on, off = target_values(K, eps, spread=spread)
    return Question(
        "gap", f"{_setting(K, eps, spread)}: what is the best logit gap z_true − z_other?", gap,
        f"At the optimum softmax(z) = ỹ, so the gap is ln(ỹ_true/ỹ_other) = ln({for_people(on)}/{for_people(off)}) "
        f"= {for_people(gap)}.",
        tolerance=_tolerance(gap))


def pytorch_value_question(K: int, eps: float, spread: Spread) -> Question:
    value = to_pytorch_label_smoothing(K, eps, spread=spread)
    why = ("In the \"all\" convention PyTorch's label_smoothing is ε itself." if spread == "all" else
           f"PyTorch spreads its value over all K classes; ε over K − 1 classes equals label_smoothing = ε·K/(K−1) "
           f"= {for_people(value)}.")
    return Question("pytorch_value", f"{_setting(K, eps, spread)}: which `label_smoothing` must you pass to "
                    "`nn.CrossEntropyLoss` to train against this target?", value, why,
                    tolerance=_tolerance(value, **_PROBABILITY))


def removable_part_question(K: int, eps: float, spread: Spread) -> Question:
    """Which part of CE = H + KL training can remove: the one that vanishes at p = ỹ (computed by lib)."""
    on, _ = target_values(K, eps, spread=spread)
    kl_at_target = float(kl_vs_true_prob(K, eps, np.array([on]), spread=spread)[0])
    floor = entropy_floor(K, eps, spread=spread)
    parts = ("H(ỹ), the entropy of the target", "KL(ỹ‖p), the divergence from the target", "both")
    if abs(kl_at_target) < 1e-9 < floor:
        answer, why = parts[1], (f"At p = ỹ the KL part is 0 while H(ỹ) = {nats(floor)} stays: it depends on "
                                 f"the target only ({_setting(K, eps, spread)}).")
    else:
        answer, why = parts[2], (f"With ε = {eps:g} the target is one-hot, so H(ỹ) is already 0 and the loss can "
                                 "reach 0 (only as p → 1); with any ε > 0 only the KL part can go.")
    return Question("removable", f"{_setting(K, eps, spread)}. CE(ỹ, p) = H(ỹ) + KL(ỹ‖p): which part can "
                    "training drive to zero?", answer, why, choices=parts)


def toy_questions(K: int, eps: float) -> list[Question]:
    """The train-it-yourself classifier (PyTorch's "all" convention): where loss and confidence level off."""
    floor = entropy_floor(K, eps, spread="all")
    on, _ = target_values(K, eps, spread="all")
    return [
        Question("toy_floor", f"Your classifier: K = {K}, ε = {eps:g}. Where will its training loss level off, "
                 "in nats?", floor, f"At the entropy floor H(ỹ) = {nats(floor)}"
                 + (", which is 0 for ε = 0: then the loss keeps creeping towards 0." if eps == 0 else
                    ": the loss never goes below it."), tolerance=_tolerance(floor), unit="nats",
                 shown_in="in the race's loss figure, where each run's loss meets its own floor"),
        Question("toy_confidence", f"Your classifier: K = {K}, ε = {eps:g}. Which mean confidence (top "
                 "softmax probability) will it level off at?", on,
                 f"At 1 − ε + ε/K = {for_people(on)}: the prediction that minimises the loss equals the target.",
                 tolerance=_tolerance(on, **_PROBABILITY), shown_in="in the race's confidence figure"),
    ]


def classifier_questions(num_classes: int, eps: float) -> list[Question]:
    """Questions for the classify page: the smoothed model's target top, the largest possible entropy."""
    on, _ = target_values(num_classes, eps, spread="all")
    most = math.log(num_classes)
    return [
        Question("ceiling", f"The model trained with ε = {eps:g} on K = {num_classes} classes (PyTorch's "
                 "convention): which top probability was it trained to give the true class?", on,
                 f"Its target gives the true class 1 − ε + ε/K = {for_people(on)}; going past that only raises its "
                 "training loss, so it rarely does.", tolerance=_tolerance(on, **_PROBABILITY),
                 shown_in="in the results once you classify an image: the smoothed model's top probability stops "
                          "there"),
        Question("max_entropy", f"What is the largest entropy a prediction over K = {num_classes} classes can "
                 "have, in nats?", most, f"ln K = ln {num_classes} = {nats(most)}, reached by the uniform "
                 "prediction: the model does not know at all.", tolerance=_tolerance(most), unit="nats",
                 shown_in="in each result, beside the prediction's own entropy"),
    ]


def target_and_floor_questions(K: int, eps: float, spread: Spread) -> list[Question]:
    return [_shown(true_class_question(K, eps, spread), "in ỹ's formula and bars below"),
            _shown(floor_question(K, eps, spread), "under the bars, and in the sum below them"),
            _shown(more_classes_question(K, eps, spread), "in the heat map of the floor over K and ε below")]


def loss_curves_questions(K: int, eps: float, spread: Spread) -> list[Question]:
    return [_shown(minimum_question(K, eps, spread), "at the lowest point of the cross-entropy curve below"),
            _shown(logit_gap_question(K, eps, spread), "at the gap* mark of the logit-gap figure below"),
            _shown(pytorch_value_question(K, eps, spread), "in the PyTorch check below")]


def home_questions(K: int, eps: float, spread: Spread) -> list[Question]:
    return [removable_part_question(K, eps, spread), pytorch_convention_question(K, eps)]


# ------------------------------------------------------------------------------------------ a page's quiz
@dataclass(frozen=True)
class Quiz:
    """A page's questions in one box: ``label`` names it, ``intro`` says when to answer and what changes them."""

    label: str
    intro: str
    questions: tuple[Question, ...]
    before_figures: bool  # drawn above what answers the questions (predict first), else after the text (recall)


_CONTROLS_CHANGE_THEM = ("They are computed for the K, ε and convention set above, so moving a slider gives "
                         "new questions.")


def predict_first(questions: list[Question], changes: str) -> Quiz:
    """Questions that ask for a prediction: the page draws them above the figures and numbers that answer them."""
    return Quiz(f"Predict first: {_count(questions)} to answer before you look below",
                f"Answer before you scroll on: what follows shows the answers. {changes}", tuple(questions), True)


def recall(questions: list[Question], changes: str) -> Quiz:
    """Questions about what the page has said: drawn after that text."""
    return Quiz(f"Check your understanding: {_count(questions)}", f"Answer from what you have read, then check. "
                f"{changes}", tuple(questions), False)


def _count(questions: list[Question]) -> str:
    return f"{len(questions)} question" + ("" if len(questions) == 1 else "s")


def _shown(question: Question, where: str) -> Question:
    return replace(question, shown_in=where)


def target_and_floor_quiz(K: int, eps: float, spread: Spread) -> Quiz:
    return predict_first(target_and_floor_questions(K, eps, spread), _CONTROLS_CHANGE_THEM)


def loss_curves_quiz(K: int, eps: float, spread: Spread) -> Quiz:
    return predict_first(loss_curves_questions(K, eps, spread), _CONTROLS_CHANGE_THEM)


def training_quiz(K: int, eps: float) -> Quiz:
    return predict_first(toy_questions(K, eps), "They are computed for your classifier's K and ε, set in the "
                         "“Train it yourself” tab.")


def classify_quiz(num_classes: int, eps: float) -> Quiz:
    return predict_first(classifier_questions(num_classes, eps), "They are computed from the models' own "
                         "training settings.")


def home_quiz(K: int, eps: float, spread: Spread) -> Quiz:
    """Recall, after the home page's text. The page has no K slider and no convention switch, so neither is
    mentioned: the settings are named in each question."""
    return recall(home_questions(K, eps, spread), "The answers are computed for the settings each question names.")
