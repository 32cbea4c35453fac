"""The words and formulas the explainer shows, with live numbers: LaTeX strings and sentences.

Pure functions of (K, ε, spread) built on :mod:`lib.smoothing`, so what a page prints is tested like
any other number. Losses in nats; conventions "all" (PyTorch) and "others" (fairseq), Szegedy et al. 2016.
"""

from __future__ import annotations

import math

from lib.smoothing import (
    Spread,
    entropy_floor,
    max_eps,
    optimal_logit_gap,
    target_values,
    to_pytorch_label_smoothing,
    validate,
)

# The example every page and the README quote.
WORKED_K = 10
WORKED_EPS = 0.1


def tex_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits as LaTeX: 0.91 → ``0.91``, 1e-05 → ``1\\times10^{-5}``."""
    if x == 0.0:
        return "0"
    if abs(x) < 1e-3:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}\\times10^{{{int(exponent)}}}"
    return f"{x:.{digits}g}"


def _xlnx_term(x: float) -> str:
    return f"{tex_number(x)}\\,\\ln {tex_number(x)}"


def floor_sum_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """``L_min = −Σ ỹᵢ ln ỹᵢ`` written out with the live numbers, for ``st.latex``.

    The K−1 equal "other" terms are grouped: ``−ỹ_t ln ỹ_t − (K−1)·ỹ_o ln ỹ_o = a + b = L_min``.
    """
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)  # type: ignore[arg-type]
    floor = entropy_floor(k, e, spread=s)  # type: ignore[arg-type]
    true_part = -on * math.log(on) + 0.0
    other_part = -(k - 1) * off * math.log(off) + 0.0 if off > 0 else 0.0
    head = r"L_{\min} = -\sum_{i=1}^{K} \tilde y_i \ln \tilde y_i"
    expanded = f"-\\,{_xlnx_term(on)} \\;-\\; {k - 1}\\cdot {_xlnx_term(off)}"
    if off == 0.0:
        expanded += r"\quad(0 \ln 0 = 0)"
    return (f"{head} = {expanded} = {tex_number(true_part)} + {tex_number(other_part)} "
            f"= {floor:.4f}\\ \\text{{nats}}")


def target_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The two target values with their formulas, e.g. ``ỹ_true = 1 − ε + ε/K = 0.91``."""
    k, e, s = validate(K, eps, spread=spread)
    on, off = target_values(k, e, spread=s)  # type: ignore[arg-type]
    if s == "all":
        return (f"\\tilde y_{{\\text{{true}}}} = 1 - \\varepsilon + \\tfrac{{\\varepsilon}}{{K}} = {tex_number(on)},"
                f"\\qquad \\tilde y_{{\\text{{other}}}} = \\tfrac{{\\varepsilon}}{{K}} = {tex_number(off)}")
    return (f"\\tilde y_{{\\text{{true}}}} = 1 - \\varepsilon = {tex_number(on)},"
            f"\\qquad \\tilde y_{{\\text{{other}}}} = \\tfrac{{\\varepsilon}}{{K-1}} = {tex_number(off)}")


def gap_latex(K: int, eps: float, *, spread: Spread = "all") -> str:
    """The optimal logit gap formula of the convention with the live value (∞ for ε = 0)."""
    k, e, s = validate(K, eps, spread=spread)
    gap = optimal_logit_gap(k, e, spread=s)  # type: ignore[arg-type]
    value = r"\infty" if math.isinf(gap) else f"{gap:.4f}"
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
        f"For **K = {k}, ε = {e}** the floor is **{all_floor:.4f} nats** in PyTorch's convention "
        f'("all": the true class gets 1 − ε + ε/K = {1 - e + e / k:.2f}, every other class ε/K = {e / k:.2f}) '
        f'and **{others_floor:.4f} nats** in the "others" convention (true class 1 − ε = {1 - e:.2f}, every '
        f"other class ε/(K−1) = {e / (k - 1):.4f}). "
        f"`nn.CrossEntropyLoss(label_smoothing={e})` spreads ε over all K classes, so it reaches "
        f"**{all_floor:.4f} nats** and no lower; to get the \"others\" target from PyTorch, pass "
        f"`label_smoothing = ε·K/(K−1) = {to_pytorch_label_smoothing(k, e, spread='others'):.4f}`."
    )


def worked_example_table() -> str:
    """A Markdown table comparing both conventions at K=10, ε=0.1 (targets, floor, optimal gap)."""
    k, e = WORKED_K, WORKED_EPS
    rows = [
        "| convention | used by | ỹ true | ỹ each other | floor L_min (nats) | optimal logit gap | "
        "PyTorch `label_smoothing` |",
        "|---|---|---|---|---|---|---|",
    ]
    used_by = {"all": "PyTorch, Keras, optax", "others": "fairseq, sockeye, many blog posts"}
    for s in ("all", "others"):
        on, off = target_values(k, e, spread=s)  # type: ignore[arg-type]
        rows.append(
            f"| {s} | {used_by[s]} | {on:.4g} | {off:.4g} | {entropy_floor(k, e, spread=s):.4f} "  # type: ignore[arg-type]
            f"| {optimal_logit_gap(k, e, spread=s):.4f} "  # type: ignore[arg-type]
            f"| {to_pytorch_label_smoothing(k, e, spread=s):.4g} |"  # type: ignore[arg-type]
        )
    return "\n".join(rows)


def eps_limit_sentence(K: int, *, spread: Spread = "all") -> str:
    """Where, for this K and convention, the true class stops being the most likely."""
    limit = max_eps(K, spread=spread)
    if spread == "all":
        return "ε can go up to (but not reach) 1, where the target becomes uniform."
    return (f"ε must stay below (K−1)/K = {limit:.4g}: past it the true class (1 − ε) would get less "
            f"than each other class (ε/(K−1)).")
