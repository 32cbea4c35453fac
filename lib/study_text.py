"""Words for the model study: what the recorded numbers (``assets/study/``) say, set beside the literature.

Every number in these sentences is read from the study's JSON, and every comparison ("lower",
"agrees") is computed from it, so the text cannot drift from the figures beside it.

Literature (different data and networks; beside ours for direction, not as like-for-like numbers):

* Müller, Kornblith & Hinton 2019, *When Does Label Smoothing Help?* — smoothing calibrates about as
  well as temperature scaling on clean data, and erases the wrong-class information that makes a good
  distillation teacher.
* Ovadia et al. 2019, *Can You Trust Your Model's Uncertainty? Evaluating Predictive Uncertainty Under
  Dataset Shift* — calibration degrades as shift grows, and a temperature fitted on clean validation
  data does not carry over to shifted data.
* Zhu et al. 2022, *Rethinking Confidence Calibration for Failure Prediction* (ECCV), and Xia et al.
  2024, *Understanding Why Label Smoothing Degrades Selective Classification and How to Fix It* —
  label smoothing lowers how well confidence separates right from wrong answers (AUROC), even where
  it improves ECE.
"""

from __future__ import annotations

import numpy as np

from lib import wrong_classes

SEVERITIES = ("1", "2", "3", "4", "5")


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f} %"


# --------------------------------------------------------------------------------------------- wrong classes
def look_alikes(study: dict, model: str, true_class: str, count: int = 2) -> list[tuple[str, float]]:
    """The ``count`` wrong classes that get most of the model's probability on images of ``true_class``."""
    classes = study["classes"]
    t = classes.index(true_class)
    row = np.asarray(study["models"][model]["mean_probability"][t])
    return [(classes[j], float(row[j])) for j in np.argsort(-row, kind="mergesort") if j != t][:count]


def wrong_class_caption(study: dict, labels: dict[str, str]) -> str:
    """The two matrices in words: entropy of the wrong-class distribution per model, the rank correlation."""
    parts = [f"{labels[m]} {study['models'][m]['mean_normalised_entropy']:.3f}" for m in study["models"]]
    rho = study["rank_correlation"]
    cat = ", ".join(f"{labels[m]}: " + ", ".join(f"{c} {_pct(p)}" for c, p in look_alikes(study, m, "cat"))
                    for m in study["models"])
    return (f"Mean predicted probability of each wrong class given the true class, over {study['n']:,} "
            f"CIFAR-10 test images (JPEG q75 copy), log colour scale; the diagonal (the right answer) is left "
            f"out. How evenly the leftover probability spreads over the 9 wrong classes (normalised entropy, "
            f"1 = evenly, the structure erased; mean over classes): {'; '.join(parts)}. Rank correlation of the "
            f"two models' wrong-class orderings, mean over classes: ρ = {rho['mean']:.3f}. "
            f"On cat images the most likely wrong classes are — {cat}.")


def erasure_verdict(study: dict, *, plain: str = "eps0", smoothed: str = "eps0.1") -> str:
    """Whether our models show Müller et al.'s erasure, counted class by class."""
    a = np.asarray(study["models"][plain]["normalised_entropy"])
    b = np.asarray(study["models"][smoothed]["normalised_entropy"])
    more_even = int((b > a).sum())
    n = len(a)
    agrees = more_even > n / 2
    return (f"In {more_even} of {n} classes the smoothed model spreads its leftover probability more evenly "
            f"(mean normalised entropy {b.mean():.3f} against {a.mean():.3f}): "
            + ("our models agree with Müller et al. 2019 — smoothing flattens the wrong-class structure a "
               "distillation student would learn from"
               if agrees else "our models do not show Müller et al.'s erasure here")
            + ", though the ordering of the look-alikes largely survives "
              f"(ρ = {study['rank_correlation']['mean']:.2f}).")


def upload_wrong_classes(probs: np.ndarray, classes: list[str], count: int = 3) -> str:
    """One upload's runners-up for one model: "dog 3.1 %, deer 0.8 %, frog 0.5 %" (its top class left out)."""
    p = np.asarray(probs, dtype=np.float64)
    ranking = wrong_classes.wrong_class_ranking(p, int(p.argmax()), classes)[:count]
    return ", ".join(f"{name} {_pct(value)}" for name, value in ranking)


# --------------------------------------------------------------------------------------------- under shift
def cell(study: dict, model: str, corruption: str, severity: int) -> dict:
    """The metrics of one model at one corruption and severity (0 = clean): ``{"raw": …, "temperature_scaled": …}``."""
    results = study["models"][model]
    return results["clean"] if severity == 0 else results[corruption][str(severity)]


def shift_table(study: dict, corruption: str, severity: int, labels: dict[str, str]) -> list[dict[str, str]]:
    """Rows for the page's table: one per metric, a column per model before and after its temperature."""
    names = (("accuracy", "accuracy", _pct), ("ECE", "ece", _pct), ("mean confidence", "mean_confidence", _pct),
             ("NLL (nats)", "nll", lambda x: f"{x:.3f}"), ("AUROC, right vs wrong", "auroc", lambda x: f"{x:.3f}"))
    rows = []
    for title, key, fmt in names:
        row = {"": title}
        for model in study["models"]:
            values = cell(study, model, corruption, severity)
            row[f"{labels[model]}, raw"] = fmt(values["raw"][key])
            if key != "accuracy":  # temperature scaling never changes the predicted class
                row[f"{labels[model]}, after T = {study['temperatures'][model]:.3f}"] = fmt(
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

    return (f"On {what} ({study['n']:,} images): raw ECE {_pct(b['raw']['ece'])} for {labels[smoothed]} against "
            f"{_pct(a['raw']['ece'])} for {labels[plain]} (lower: {lower('ece', 'raw')}); after each model's own "
            f"temperature {_pct(b['temperature_scaled']['ece'])} against {_pct(a['temperature_scaled']['ece'])} "
            f"(lower: {lower('ece', 'temperature_scaled')}). Accuracy {_pct(b['raw']['accuracy'])} and "
            f"{_pct(a['raw']['accuracy'])}; confidence separates right from wrong answers with AUROC "
            f"{b['raw']['auroc']:.3f} ({labels[smoothed]}) and {a['raw']['auroc']:.3f} ({labels[plain]}).")


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
        f"{raw} of {n}, but after each model's temperature it has the lower ECE in only {scaled} of {n}; "
        f"the {labels[plain]} model's confidence separates right from wrong answers better (higher AUROC) in "
        f"{auroc} of {n} (clean: {clean_a['raw']['auroc']:.3f} against {clean_b['raw']['auroc']:.3f}).\n\n"
        f"- **Müller et al. 2019** found smoothing about as well calibrated as temperature scaling on clean "
        f"data. Ours on clean images: raw ECE {_pct(clean_b['raw']['ece'])} ({labels[smoothed]}) against "
        f"{_pct(clean_a['raw']['ece'])} ({labels[plain]}) — "
        + ("smoothing did not make the raw model better calibrated here; its confidence sits below its accuracy"
           if clean_b["raw"]["ece"] >= clean_a["raw"]["ece"] else "smoothing gave the better raw calibration")
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
