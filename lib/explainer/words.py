"""The words and formulas the explainer shows, with live numbers: LaTeX strings and sentences.

Pure functions of (K, ε, spread) built on :mod:`lib.smoothing`, so what a page prints is tested like
any other number. Losses in nats; conventions "all" (PyTorch) and "others" (fairseq), Szegedy et al. 2016.
Every computed number is written by :mod:`lib.digits` (4 significant figures, trailing zeros dropped), the
formulas' terms and totals included, so a number reads the same in a caption, a sentence and a formula; K and ε
are written as set (``f"{eps:g}"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lib.digits import for_people, nats, signed, tex
from lib.explainer import gradient
from lib.smoothing import (
    CONVENTIONS,
    Spread,
    entropy_floor,
    max_eps,
    optimal_logit_gap,
    other_spread,
    target_values,
    to_pytorch_label_smoothing,
    validate,
)

# The example every page and the README quote.
WORKED_K = 10
WORKED_EPS = 0.1


def _xlnx_term(x: float) -> str:
    return f"{tex(x)}\\,\\ln {tex(x)}"


def floor_sum_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """``L_min = −Σ ỹᵢ ln ỹᵢ`` written out with the live numbers, for ``st.latex``.

    The K−1 equal "other" terms are grouped: ``−ỹ_t ln ỹ_t − (K−1)·ỹ_o ln ỹ_o = a + b = L_min``. Terms and
    total at the app's 4 significant figures (:mod:`lib.digits`), as the captions write the floor: enough
    for a + b to visibly give the total, to its last digit within rounding.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)
    floor = entropy_floor(k, e, spread=s)
    true_part = -on * math.log(on) + 0.0
    other_part = -(k - 1) * off * math.log(off) + 0.0 if off > 0 else 0.0
    head = r"L_{\min} = -\sum_{i=1}^{K} \tilde y_i \ln \tilde y_i"
    expanded = f"-\\,{_xlnx_term(on)} \\;-\\; {k - 1}\\cdot {_xlnx_term(off)}"
    if off == 0.0:
        expanded += r"\quad(0 \ln 0 = 0)"
    return (f"{head} = {expanded} = {tex(true_part)} + {tex(other_part)} "
            f"= {tex(floor)}\\ \\text{{nats}}")


def target_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The two target values with their formulas, e.g. ``ỹ_true = 1 − ε + ε/K = 0.91``."""
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)
    if s == "all":
        return (f"\\tilde y_{{\\text{{true}}}} = 1 - \\varepsilon + \\tfrac{{\\varepsilon}}{{K}} = {tex(on)},"
                f"\\qquad \\tilde y_{{\\text{{other}}}} = \\tfrac{{\\varepsilon}}{{K}} = {tex(off)}")
    return (f"\\tilde y_{{\\text{{true}}}} = 1 - \\varepsilon = {tex(on)},"
            f"\\qquad \\tilde y_{{\\text{{other}}}} = \\tfrac{{\\varepsilon}}{{K-1}} = {tex(off)}")


def gap_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The optimal logit gap formula of the convention with the live value (∞ for ε = 0)."""
    k, e, s = validate(K, eps, spread=spread)
    gap = optimal_logit_gap(k, e, spread=s)
    value = tex(gap)
    if s == "all":
        formula = r"\ln\!\left(1 + \frac{K(1-\varepsilon)}{\varepsilon}\right)"
    else:
        formula = r"\ln\!\left(\frac{(1-\varepsilon)(K-1)}{\varepsilon}\right)"
    return (f"z_{{\\text{{true}}}} - z_{{\\text{{other}}}} = \\ln\\frac{{\\tilde y_{{\\text{{true}}}}}}"
            f"{{\\tilde y_{{\\text{{other}}}}}} = {formula} = {value}")


def worked_example_sentence() -> str:
    """The plain statement of the worked example, K=10 and ε=0.1, with both floors (Markdown)."""
    k, e = WORKED_K, WORKED_EPS
    all_floor = entropy_floor(k, e, spread="all")
    others_floor = entropy_floor(k, e, spread="others")
    return (
        f"For **K = {k}, ε = {e}** the floor is **{nats(all_floor)}** in PyTorch's convention "
        f'("all": the true class gets 1 − ε + ε/K = {for_people(1 - e + e / k)}, every other class ε/K = '
        f'{for_people(e / k)}) and **{nats(others_floor)}** in the "others" convention (true class 1 − ε = '
        f"{for_people(1 - e)}, every other class ε/(K−1) = {for_people(e / (k - 1))}). "
        f"`nn.CrossEntropyLoss(label_smoothing={e})` spreads ε over all K classes, so it reaches "
        f"**{nats(all_floor)}** and no lower; to get the \"others\" target from PyTorch, pass "
        f"`label_smoothing = ε·K/(K−1) = {for_people(to_pytorch_label_smoothing(k, e, spread='others'))}`."
    )


def pytorch_conversion_sentence(K: int, eps: float, spread: Spread = "all") -> str:
    """Which ``label_smoothing`` makes PyTorch build the current target, with ε·K/(K−1) worked out (Markdown).

    PyTorch spreads its argument over all K classes ("all"), so "all" passes ε itself and "others" needs
    ``label_smoothing = ε·K/(K−1)``; the sentence also names what the other argument would give instead.
    """
    k, e, s = validate(K, eps, spread=spread)
    floor = entropy_floor(k, e, spread=s)
    on, off = target_values(k, e, spread=s)
    target = f"ỹ_true = {for_people(on)}, ỹ_other = {for_people(off)}"
    if s == "all":
        text = (f"For **K = {k}, ε = {e:g}** in the \"all\" convention ({target}), PyTorch builds this target "
                f"itself: `nn.CrossEntropyLoss(label_smoothing={e:g})`, which bottoms out at **{nats(floor)}**.")
        if e <= max_eps(k, spread="others"):
            converted = to_pytorch_label_smoothing(k, e, spread="others")
            text += (f" The \"others\" target at the same K and ε would need `label_smoothing = ε·K/(K−1) = "
                     f"{e:g}·{k}/{k - 1} = {for_people(converted)}`.")
        return text
    converted = to_pytorch_label_smoothing(k, e, spread="others")
    passed_as_is = entropy_floor(k, e, spread="all")
    return (f"For **K = {k}, ε = {e:g}** in the \"others\" convention ({target}), PyTorch needs "
            f"`label_smoothing = ε·K/(K−1) = {e:g}·{k}/{k - 1} = {for_people(converted)}`: it spreads its argument "
            f"over all {k} classes, so 1 − {for_people(converted)} + {for_people(converted)}/{k} = {for_people(on)}, "
            f"and the floor is **{nats(floor)}**. Passing `label_smoothing={e:g}` would train against the \"all\" "
            f"target instead (floor {nats(passed_as_is)}).")


def worked_example_table() -> str:
    """A Markdown table comparing both conventions at K=10, ε=0.1 (targets, floor, optimal gap)."""
    k, e = WORKED_K, WORKED_EPS
    rows = [
        "| convention | used by | ỹ true | ỹ each other | floor L_min (nats) | optimal logit gap | "
        "PyTorch `label_smoothing` |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in ("all", "others"):
        on, off = target_values(k, e, spread=s)
        rows.append(
            f"| {s} | {CONVENTIONS[s].used_by} | {for_people(on)} | {for_people(off)} "
            f"| {for_people(entropy_floor(k, e, spread=s))} | {for_people(optimal_logit_gap(k, e, spread=s))} "
            f"| {for_people(to_pytorch_label_smoothing(k, e, spread=s))} |"
        )
    return "\n".join(rows)


# ------------------------------------------------------------------ text alternatives of the figures
def explainer_settings(K: int, eps: float, spread: str) -> str:
    """The settings an explainer figure depends on, in words: ``K = 10, ε = 0.1, convention "all" (PyTorch)``."""
    return f"K = {K}, ε = {eps:g}, convention {CONVENTIONS[spread].label if spread in CONVENTIONS else repr(spread)}"



# Each figure's caption says in words what it shows, with the key numbers, so a screen-reader user (or
# a teacher embedding the page with text=off) gets the figure's content without seeing it.
def _convention(spread: str) -> str:
    return f'"{spread}"'


def _each_other(K: int) -> str:
    return "the other class" if K == 2 else f"each of the other {K - 1} classes"


def target_bars_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The target bars in words: ỹ_true and ỹ_other for the convention, and for the other one if valid."""
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)
    other = other_spread(s)
    text = (f"Bars of the smoothed target for K = {k}, ε = {e:g}, {_convention(s)} convention: the true class "
            f"{for_people(on)}, {_each_other(k)} {for_people(off)}")
    if e <= max_eps(k, spread=other):
        o_on, o_off = target_values(k, e, spread=other)
        text += f"; faded, the {_convention(other)} convention: {for_people(o_on)} and {for_people(o_off)}"
    else:
        text += f"; the {_convention(other)} convention allows no ε this large for K = {k}"
    return text + "."


def floor_curve_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The floor-against-ε curve in words: where it ends and where the current point sits."""
    k, e, s = validate(K, eps, spread=spread)
    floor = entropy_floor(k, e, spread=s)
    return (f"The floor grows with ε and reaches ln K = {nats(math.log(k))} where the target becomes uniform "
            f"(K = {k}). Marked: ε = {e:g}, L_min = {nats(floor)} in the {_convention(s)} convention; the "
            f"dashed curve is the other convention.")


def heatmap_caption(K: int, eps: float, ks: Sequence[int] | np.ndarray, eps_grid: Sequence[float] | np.ndarray,
                    floors: np.ndarray, *,
                    spread: Spread = "all") -> str:
    """The K × ε heat map in words: its axes, the range of its cells and the marked point.

    ``ks``, ``eps_grid`` and ``floors`` are the map's own grid (``floors[i, j]`` for ``ks[i]``, ``eps_grid[j]``,
    NaN where the convention allows no such ε), so the words cannot drift from the picture.
    """
    k, e, s = validate(K, eps, spread=spread)
    floor = entropy_floor(k, e, spread=s)
    top = np.unravel_index(np.nanargmax(floors), floors.shape)
    return (f"More classes spread the same ε thinner, over more terms: the floor rises with K too. Heat map of "
            f"the floor ({_convention(s)} convention) over K = {ks[0]}–{ks[-1]} and ε = {eps_grid[0]:g}–"
            f"{eps_grid[-1]:g}, from 0 nats at ε = 0 to {nats(float(np.nanmax(floors)))} at K = {ks[int(top[0])]}, "
            f"ε = {eps_grid[int(top[1])]:g}; the arrow marked \"now\" points at K = {k}, ε = {e:g}, "
            f"L_min = {nats(floor)}.")


def ce_vs_prob_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """Cross-entropy against p in words: where its minimum sits and its value, the floor."""
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)
    floor = entropy_floor(k, e, spread=s)
    # With ε = 0, ỹ_true = 1: "at p = ỹ_true, not at p = 1" would contradict itself, so that case says what is.
    where = (f"The minimum sits at p = ỹ_true = {for_people(on)}, not at p = 1, and its value is" if on < 1 else
             "With ε = 0 the target is one-hot, so the loss −ln p keeps falling until p = ỹ_true = 1, where the "
             "minimum is")
    return (f"The other K − 1 classes share 1 − p evenly. {where} the floor, {nats(floor)} "
            f"({explainer_settings(k, e, s)}).")


def home_curve_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The home page's loss curve in one sentence: where to look, and the floor's value."""
    k, e, s = validate(K, eps, spread=spread)
    floor = entropy_floor(k, e, spread=s)
    if e == 0.0:
        return ("With ε = 0 the floor is 0: the loss keeps falling as p → 1, so training keeps pushing. "
                "Move ε above 0 and watch the floor rise.")
    on, _ = target_values(k, e, spread=s)
    return (f"The loss is lowest at p = {for_people(on)}, and even there it is {nats(floor)}: the dotted floor line, "
            f"which no prediction gets under (K = {k}, {_convention(s)} convention).")


def decomposition_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """CE = H + KL in words: the constant band and where the KL part vanishes."""
    k, e, s = validate(K, eps, spread=spread)
    on, _ = target_values(k, e, spread=s)
    floor = entropy_floor(k, e, spread=s)
    return (f"Training can only shrink the KL part; the entropy band is the target's own: H(ỹ) = {nats(floor)} "
            f"for every p, and KL(ỹ‖p) on top, zero at p = {for_people(on)} (K = {k}, ε = {e:g}, "
            f"{_convention(s)} convention).")


def gap_caption(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The loss-against-gap figure in words: the finite optimum (or none at ε = 0) and one-hot's curve."""
    k, e, s = validate(K, eps, spread=spread)
    gap = optimal_logit_gap(k, e, spread=s)
    head = ("With one-hot targets the loss falls for ever as the gap grows, so logits keep growing; "
            "with smoothing the best gap is finite (Müller et al. 2019). ")
    if math.isinf(gap):
        return head + f"Here ε = 0, so only the one-hot curve is drawn (K = {k})."
    floor = entropy_floor(k, e, spread=s)
    return head + (f"Here (K = {k}, ε = {e:g}, {_convention(s)} convention) the smoothed loss is lowest, "
                   f"{nats(floor)}, at the gap {for_people(gap)}.")


def gradient_caption(K: int, eps: float, gap: float, *, spread: Spread = "all") -> str:
    """What the gradient bars and the gradient-against-gap curve show at this gap, with the numbers.

    One quantity, the gradient ∂L/∂z itself with its sign, as in both figures; the sign in words
    (:func:`lib.explainer.gradient.descent_word`): negative "pushes the true logit up", positive "down".
    """
    k, e, s = validate(K, eps, spread=spread)
    grad = gradient.logit_gradient(k, e, gap, spread=s)
    one_hot = gradient.logit_gradient(k, 0.0, gap, spread=s)
    if e == 0.0:
        others = "the other logit" if k == 2 else f"the other {k - 1} logits"
        return (f"At a logit gap of {gap:g}, ∂L/∂z_true = p_true − 1 = {signed(one_hot[0])}: negative, so gradient "
                f"descent {gradient.descent_word(one_hot[0])}, and {others} down (∂L/∂z_other = "
                f"{signed(one_hot[1])}). With a one-hot target ∂L/∂z_true is negative at every gap, so the logits "
                "grow for ever.")
    star = optimal_logit_gap(k, e, spread=s)
    sign = "negative" if grad[0] < -gradient.ZERO_GRADIENT else "positive" if grad[0] > gradient.ZERO_GRADIENT \
        else "zero"
    where = {"negative": "below the optimal gap", "positive": "past the optimal gap: the loss pushes back",
             "zero": "at the optimal gap"}[sign]
    return (f"At a logit gap of {gap:g}, ∂L/∂z_true = p_true − ỹ_true = {signed(grad[0])} with ε = {e:g} "
            f"({_convention(s)}): {sign}, so gradient descent {gradient.descent_word(grad[0])}; {where} "
            f"(gap* = {for_people(star)}). With the one-hot target ∂L/∂z_true there is {signed(one_hot[0])}: "
            "negative at every gap, so without smoothing descent always pushes the true logit up and the logits "
            "grow for ever.")
