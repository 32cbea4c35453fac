"""The training page's words: the sentences, captions and table it shows about our runs and your own classifier,
from their own numbers (:mod:`lib.training.runs` and :mod:`lib.training.toy` compute them).

Why the raw training losses of two runs cannot be compared is :mod:`lib.training.runs`' docstring: each loss
has its own floor H(ỹ); the sentences here say so with the runs' numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lib.digits import for_people, nats, percent
from lib.training import toy
from lib.training.figures import METRIC_TITLES
from lib.training.runs import (
    TEST_SET,
    Run,
    cluster_geometry,
    epoch_series,
    final_loss,
    projection,
    reliability_figures,
    reliability_rows,
)

# Published numbers set beside ours (Guo et al. bin ECE into 15 equal-width bins, as we do).
LITERATURE: tuple[dict[str, str], ...] = (
    {"source": "Guo et al. 2017", "data and network": "CIFAR-10, ResNet-110",
     "ECE before": "4.60%", "ECE after": "0.83%", "remedy": "temperature scaling"},
    {"source": "Müller et al. 2019", "data and network": "CIFAR-100, ResNet-56",
     "ECE before": "15.0%", "ECE after": "2.4%", "remedy": "label smoothing α = 0.05 (no temperature)"},
)


def _each(runs: Sequence[Run], text) -> str:
    """``"A for ε = 0 and B for ε = 0.1"``: one value per run, joined for a sentence."""
    items = [f"{text(r)} for {r.label}" for r in runs]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def why_not_compare(runs: Sequence[Run], window: int) -> str:
    """The page's sentence: each run's loss, floor and loss above the floor, then what to compare instead."""
    if not runs:
        return "No training logs were found."
    n = min(window, min(len(r.loss) for r in runs))

    def each_nats(value) -> str:
        return _each(runs, lambda r: nats(value(r)))

    def each_percent(value) -> str:
        return _each(runs, lambda r: percent(value(r)))

    return (f"Averaged over the last {n} steps, the training loss is {each_nats(lambda r: final_loss(r, n))}. "
            f"These numbers measure the distance to different targets: no model can go below the floor H(ỹ) "
            f"of its own target ({each_nats(lambda r: r.floor)}), so a smoothed run's loss stays high however good "
            f"the model is. Subtract the floor and both measure the same thing, the KL divergence still to "
            f"remove: {each_nats(lambda r: final_loss(r, n) - r.floor)}. To compare the models themselves, use one "
            f"yardstick for both, measured on {runs[0].final_test['where']}: the unsmoothed test NLL is "
            f"{each_nats(lambda r: r.final_test['test']['nll'])}, and the accuracy "
            f"{each_percent(lambda r: r.final_test['test']['accuracy'])}.")


def curves_caption(runs: Sequence[Run], window: int, *, above_floor: bool) -> str:
    """Text alternative of the training-loss figure."""
    parts = []
    for r in runs:
        shift = r.floor if above_floor else 0.0
        n = min(window, len(r.loss))
        parts.append(f"{r.label}: {len(r.steps)} steps, from {nats(r.loss[0] - shift)} at the first step to "
                     f"{nats(final_loss(r, n) - shift)} (mean of the last {n}); floor H(ỹ) = {nats(r.floor)}")
    what = "Training loss minus its floor H(ỹ)" if above_floor else "Training loss (the smoothed loss optimized)"
    return f"{what} per step, with a moving average over {window} steps. " + "; ".join(parts) + "."


def test_metrics_caption(runs: Sequence[Run]) -> str:
    """Text alternative of the per-epoch test NLL and accuracy figure."""
    parts = []
    for r in runs:
        _, nll = epoch_series(r, "nll")
        _, acc = epoch_series(r, "accuracy")
        parts.append(f"{r.label}: NLL {' → '.join(for_people(v) for v in nll)} nats, "
                     f"accuracy {' → '.join(percent(v) for v in acc)}")
    n = runs[0].last["test"]["n"] if runs else 0
    where = runs[0].test_set if runs else TEST_SET
    return f"Per epoch on {where} ({n} images): " + "; ".join(parts) + "."


def reliability_caption(run: Run, *, scaled: bool) -> str:
    """Text alternative of one reliability diagram: ECE, image count, the fullest bin, the over-confidence."""
    part, temperature, where = reliability_figures(run, scaled=scaled)
    rows = reliability_rows(part["reliability"])
    total = sum(r["count"] for r in rows)
    full = max(rows, key=lambda r: r["count"])
    state = f"after temperature scaling (T = {for_people(temperature)})" if scaled else "before temperature scaling"
    return (f"{run.label}, {state}, {where}: ECE {percent(part['ece'])} over {len(rows)} bins of {total} "
            f"images; mean confidence {percent(part['mean_confidence'])} against accuracy "
            f"{percent(part['accuracy'])}. The fullest bin, ({for_people(full['lo'])}, {for_people(full['hi'])}], "
            f"holds {full['count']} images ({percent(full['count'] / max(total, 1))}) with accuracy "
            f"{percent(full['accuracy'] or 0)} at mean confidence {percent(full['confidence'] or 0)}.")


def calibration_table(runs: Sequence[Run]) -> list[dict[str, str]]:
    """Our final-epoch ECE before and after temperature scaling, then the published numbers."""
    rows = [{"source": f"This app, {r.label} ({r.name})",
             "data and network": f"{r.final_test['where']}, EfficientNet-Lite0",
             "ECE before": percent(r.final_test['test']['ece']),
             "ECE after": percent(r.final_test['test_temperature_scaled']['ece']),
             "remedy": f"temperature scaling, T = {for_people(r.final_test['temperature'])}"} for r in runs]
    return rows + [dict(row) for row in LITERATURE]


def calibration_summary(runs: Sequence[Run]) -> str:
    """One sentence with our ECEs, worded by what the numbers show (smoothing helped, or did not)."""
    if not runs:
        return ""
    parts = [f"{r.label}: {percent(r.final_test['test']['ece'])} → "
             f"{percent(r.final_test['test_temperature_scaled']['ece'])}" for r in runs]
    text = (f"ECE before → after temperature scaling, 15 bins, {runs[0].final_test['where']}: "
            + "; ".join(parts) + ".")
    plain = [r for r in runs if r.eps == 0]
    smooth = [r for r in runs if r.eps > 0]
    if plain and smooth:
        a, b = plain[0].final_test["test"]["ece"], smooth[-1].final_test["test"]["ece"]
        verdict = "lower" if b < a else "not lower"
        text += (f" Without any temperature, label smoothing ({smooth[-1].label}) gives an ECE {verdict} than "
                 f"the unsmoothed model's ({percent(b)} vs {percent(a)}).")
    return text


def projection_caption(runs: Sequence[Run], key: str) -> str:
    """Text alternative of the projection figures: points per class and the cluster geometry per run."""
    parts = []
    for r in runs:
        entry = projection(r, key)
        g = cluster_geometry(entry)
        n = len(next(iter(entry["points"].values()))["x"])
        parts.append(f"{r.label}: {n} test images per class; spread within a class {for_people(g['tightness'])} of "
                     f"the distance between class centres; nearest ÷ farthest pair of centres "
                     f"{for_people(g['equidistance'])}")
    return f"Penultimate-layer activations of {key.replace('-', ', ')} projected onto the plane through their " \
           f"three class templates. " + "; ".join(parts) + "."


def race_caption(race: toy.Race, frame: int) -> str:
    """Two sentences under the race: where it stands and where to look (the gaps, one stopping, one not)."""
    v = toy.frame_values(race, frame)
    one, smooth = v["one_hot"], v["smoothed"]
    head = f"Step {one['step']:.0f} of {race.one_hot['step'][-1]:.0f}. "
    if race.eps == 0:
        return head + (f"With ε = 0 both runs are the same one-hot run: its gap, {for_people(one['gap'])}, keeps "
                       "growing and its loss heads for 0. Move ε above 0 to race them.")
    if toy.settled(race, frame):
        return head + (f"ε = {race.eps:g} has settled: its gap {for_people(smooth['gap'])} sits at gap* = "
                       f"{for_people(smooth['gap_optimum'])} and its loss on its floor. The one-hot gap, "
                       f"{for_people(one['gap'])}, "
                       "keeps growing.")
    return head + (f"Watch the gap: the smoothed one, {for_people(smooth['gap'])}, is slowing towards gap* = "
                   f"{for_people(smooth['gap_optimum'])}; the one-hot gap, {for_people(one['gap'])}, has nowhere to "
                   "stop.")


def race_description(race: toy.Race, frame: int) -> str:
    """The race in words, every number the three figures show at ``frame``: the figures' text alternative."""
    v = toy.frame_values(race, frame)
    one, smooth = v["one_hot"], v["smoothed"]
    head = (f"K = {race.K}, {race.n_points} points, ε = 0 and ε = {race.eps:g} trained from the same untrained "
            f"model with the same steps; step {one['step']:.0f} of {race.one_hot['step'][-1]:.0f}. ")
    one_hot = (f"ε = 0: training loss {nats(one['loss'])} against its floor 0; mean logit gap "
               f"{for_people(one['gap'])}, with no finite optimum, so it keeps growing; mean confidence "
               f"{for_people(one['confidence'])}, heading for 1.")
    if race.eps == 0:
        return head + one_hot
    smoothed = (f" ε = {race.eps:g}: training loss {nats(smooth['loss'])} against its floor H(ỹ) = "
                f"{for_people(smooth['floor'])} ({for_people(smooth['loss'] - smooth['floor'])} above it); mean logit "
                f"gap {for_people(smooth['gap'])} against gap* = ln(1 + K(1 − ε)/ε) = "
                f"{for_people(smooth['gap_optimum'])}; mean confidence {for_people(smooth['confidence'])} against "
                f"1 − ε + ε/K = {for_people(smooth['confidence_target'])}.")
    return head + one_hot + smoothed


# --------------------------------------------------------------------------------------------- the model study
# Words for the model study: what the recorded numbers (``assets/study/``) say, set beside the literature.
#
# Every number in these sentences is read from the study's JSON, and every comparison ("lower",
# "agrees") is computed from it, so the text cannot drift from the figures beside it.
#
# Literature (different data and networks; beside ours for direction, not as like-for-like numbers):
#
# * Müller, Kornblith & Hinton 2019, *When Does Label Smoothing Help?* — smoothing calibrates about as
#   well as temperature scaling on clean data, and erases the wrong-class information that makes a good
#   distillation teacher.
# * Ovadia et al. 2019, *Can You Trust Your Model's Uncertainty? Evaluating Predictive Uncertainty Under
#   Dataset Shift* — calibration degrades as shift grows, and a temperature fitted on clean validation
#   data does not carry over to shifted data.
# * Zhu et al. 2022, *Rethinking Confidence Calibration for Failure Prediction* (ECCV), and Xia et al.
#   2024, *Understanding Why Label Smoothing Degrades Selective Classification and How to Fix It* —
#   label smoothing lowers how well confidence separates right from wrong answers (AUROC), even where
#   it improves ECE.
SEVERITIES = ("1", "2", "3", "4", "5")


# --------------------------------------------------------------------------------------------- wrong classes
def look_alikes(study: dict, model: str, true_class: str, count: int = 2) -> list[tuple[str, float]]:
    """The ``count`` wrong classes that get most of the model's probability on images of ``true_class``."""
    classes = study["classes"]
    t = classes.index(true_class)
    row = np.asarray(study["models"][model]["mean_probability"][t])
    return [(classes[j], float(row[j])) for j in np.argsort(-row, kind="mergesort") if j != t][:count]


def wrong_class_caption(study: dict, labels: dict[str, str]) -> str:
    """The two matrices in words: entropy of the wrong-class distribution per model, the rank correlation."""
    parts = [f"{labels[m]} {for_people(study['models'][m]['mean_normalised_entropy'])}" for m in study["models"]]
    rho = study["rank_correlation"]
    cat = "; ".join(f"{labels[m]}: " + ", ".join(f"{c} {percent(p)}" for c, p in look_alikes(study, m, "cat"))
                    for m in study["models"])
    return (f"Mean predicted probability of each wrong class given the true class, over {study['n']:,} "
            f"CIFAR-10 test images (JPEG q75 copy), log colour scale; the diagonal (the right answer) is left "
            f"out. How evenly the leftover probability spreads over the 9 wrong classes (normalised entropy, "
            f"1 = evenly, the structure erased; mean over classes): {'; '.join(parts)}. Rank correlation of the "
            f"two models' wrong-class orderings, mean over classes: ρ = {for_people(rho['mean'])}. "
            f"On cat images the most likely wrong classes are — {cat}.")


def erasure_verdict(study: dict, *, plain: str = "eps0", smoothed: str = "eps0.1") -> str:
    """Whether our models show Müller et al.'s erasure, counted class by class."""
    a = np.asarray(study["models"][plain]["normalised_entropy"])
    b = np.asarray(study["models"][smoothed]["normalised_entropy"])
    more_even = int((b > a).sum())
    n = len(a)
    agrees = more_even > n / 2
    return (f"In {more_even} of {n} classes the smoothed model spreads its leftover probability more evenly "
            f"(mean normalised entropy {for_people(b.mean())} against {for_people(a.mean())}): "
            + ("our models agree with Müller et al. 2019 — smoothing flattens the wrong-class structure a "
               "distillation student would learn from"
               if agrees else "our models do not show Müller et al.'s erasure here")
            + ", though the ordering of the look-alikes largely survives "
              f"(ρ = {for_people(study['rank_correlation']['mean'])}).")


# --------------------------------------------------------------------------------------------- under shift
def cell(study: dict, model: str, corruption: str, severity: int) -> dict:
    """The metrics of one model at one corruption and severity (0 = clean): ``{"raw": …, "temperature_scaled": …}``."""
    results = study["models"][model]
    return results["clean"] if severity == 0 else results[corruption][str(severity)]


def shift_table(study: dict, corruption: str, severity: int, labels: dict[str, str]) -> list[dict[str, str]]:
    """Rows for the page's table: one per metric, a column per model before and after its temperature."""
    names = (("accuracy", "accuracy", percent), ("ECE", "ece", percent),
             ("mean confidence", "mean_confidence", percent), ("NLL (nats)", "nll", for_people),
             ("AUROC, right vs wrong", "auroc", for_people))
    rows = []
    for title, key, fmt in names:
        row = {"": title}
        for model in study["models"]:
            values = cell(study, model, corruption, severity)
            row[f"{labels[model]}, raw"] = fmt(values["raw"][key])
            if key != "accuracy":  # temperature scaling never changes the predicted class
                row[f"{labels[model]}, after T = {for_people(study['temperatures'][model])}"] = fmt(
                    values["temperature_scaled"][key])
        rows.append(row)
    return rows


def shift_summary(study: dict, corruption: str, severity: int, labels: dict[str, str],
                  *, plain: str = "eps0", smoothed: str = "eps0.1") -> str:
    """The selected cell in words: raw and after-T ECE of both models, which is lower, and the AUROCs."""
    a, b = cell(study, plain, corruption, severity), cell(study, smoothed, corruption, severity)
    what = ("clean test images" if severity == 0
            else f"{study['corruptions'][corruption].lower()} at severity {severity}")

    def lower(key: str, part: str) -> str:
        return labels[smoothed] if b[part][key] < a[part][key] else labels[plain]

    return (f"On {what} ({study['n']:,} images): raw ECE {percent(b['raw']['ece'])} for {labels[smoothed]} against "
            f"{percent(a['raw']['ece'])} for {labels[plain]} (lower: {lower('ece', 'raw')}); after each model's own "
            f"temperature {percent(b['temperature_scaled']['ece'])} against {percent(a['temperature_scaled']['ece'])} "
            f"(lower: {lower('ece', 'temperature_scaled')}). Accuracy {percent(b['raw']['accuracy'])} and "
            f"{percent(a['raw']['accuracy'])}; confidence separates right from wrong answers with AUROC "
            f"{for_people(b['raw']['auroc'])} ({labels[smoothed]}) and {for_people(a['raw']['auroc'])} "
            f"({labels[plain]}).")


def shift_counts(study: dict, *, plain: str = "eps0", smoothed: str = "eps0.1") -> dict[str, int]:
    """Over every corruption × severity: how often the smoothed model wins each comparison."""
    counts = {"cells": 0, "raw_ece_smoothed_lower": 0, "scaled_ece_smoothed_lower": 0, "auroc_plain_higher": 0}
    for corruption in study["corruptions"]:
        for severity in SEVERITIES:
            a, b = study["models"][plain][corruption][severity], study["models"][smoothed][corruption][severity]
            counts["cells"] += 1
            counts["raw_ece_smoothed_lower"] += b["raw"]["ece"] < a["raw"]["ece"]
            counts["scaled_ece_smoothed_lower"] += b["temperature_scaled"]["ece"] < a["temperature_scaled"]["ece"]
            counts["auroc_plain_higher"] += a["raw"]["auroc"] > b["raw"]["auroc"]
    return counts


def literature_comparison(study: dict, labels: dict[str, str], *, plain: str = "eps0", smoothed: str = "eps0.1") -> str:
    """What our numbers show across all corruptions, set beside the three strands of the literature."""
    c = shift_counts(study, plain=plain, smoothed=smoothed)
    n = c["cells"]
    clean_a, clean_b = study["models"][plain]["clean"], study["models"][smoothed]["clean"]
    raw, scaled, auroc = c["raw_ece_smoothed_lower"], c["scaled_ece_smoothed_lower"], c["auroc_plain_higher"]
    return (
        f"Across all {n} corruption × severity settings: the {labels[smoothed]} model has the lower raw ECE in "
        f"{raw} of {n}, but after each model's temperature it has the lower ECE in "
        f"{f'only {scaled} of {n}' if scaled else 'none of them'}; "
        f"the {labels[plain]} model's confidence separates right from wrong answers better (higher AUROC) in "
        f"{auroc} of {n} (clean: {for_people(clean_a['raw']['auroc'])} against "
        f"{for_people(clean_b['raw']['auroc'])}).\n\n"
        f"- **Müller et al. 2019** found smoothing about as well calibrated as temperature scaling on clean "
        f"data. Ours on clean images: raw ECE {percent(clean_b['raw']['ece'])} ({labels[smoothed]}) against "
        f"{percent(clean_a['raw']['ece'])} ({labels[plain]}) — "
        + ("smoothing did not make the raw model better calibrated here"
           if clean_b["raw"]["ece"] >= clean_a["raw"]["ece"] else "smoothing gave the better raw calibration")
        + f"; its mean confidence {percent(clean_b['raw']['mean_confidence'])} sits "
        + ("below" if clean_b["raw"]["mean_confidence"] < clean_b["raw"]["accuracy"] else "above")
        + f" its accuracy {percent(clean_b['raw']['accuracy'])}"
        + ".\n"
        "- **Ovadia et al. 2019** found calibration degrading with shift and a temperature fitted on clean data "
        "not carrying over. Ours: "
        + ("agrees — the smoothed model's T < 1 sharpens its predictions, which shift has already made over-confident, "
           "so the temperature that fixes it on clean data hurts it under shift"
           if scaled < n / 2 and study["temperatures"][smoothed] < 1.0 else
           "the temperatures carried over better than that study suggests")
        + ".\n"
        "- **Zhu et al. 2022; Xia et al. 2024** found label smoothing degrading failure prediction (AUROC). "
        + (f"Ours agrees in {auroc} of {n} settings." if auroc > n / 2 else
           f"Ours agrees in only {auroc} of {n} settings.")
    )


def shift_curve_caption(study: dict, metric: str) -> str:
    """The caption under one metric-against-severity figure: what is drawn, on how many images."""
    return (f"{METRIC_TITLES[metric]} against severity, both models, raw (bold) and after each model's temperature "
            f"(thin, dotted); {study['n']:,} test images.")
