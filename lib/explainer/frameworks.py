"""The call that trains against the current target, in each framework, read from that framework's source.

Every framework takes one number and builds the smoothed target (or the loss weights that amount to
it) by its own rule. Two rules exist, the two conventions of :mod:`lib.smoothing`:

========================  =====================================================  ===========
framework                 where the rule is written (file, version read)         convention
========================  =====================================================  ===========
PyTorch                   ``aten/src/ATen/native/LossNLL.cpp``,                  "all"
                          ``cross_entropy_loss_label_smoothing``: ``(1 − ls)·nll
                          + ls/K·Σ(−log p)`` (torch 2.14, checked live by
                          :mod:`lib.cifar.torch_check`)
Keras                     ``keras/src/losses/losses.py``,                        "all"
                          ``categorical_crossentropy``: ``y·(1 − ls) + ls/K``
                          (Keras 3, commit 04bf538)
optax                     ``optax/losses/_smoothing.py``, ``smooth_labels``:     "all"
                          ``(1 − α)·labels + α/K`` (commit 01bbd93)
Hugging Face Transformers ``src/transformers/trainer_pt_utils.py``,              "all"
                          ``LabelSmoother``: ``(1 − ε)·nll + ε·mean(−log p)``
                          (commit 5ea83b0); ``TrainingArguments.
                          label_smoothing_factor`` feeds it
timm                      ``timm/loss/cross_entropy.py``,                        "all"
                          ``LabelSmoothingCrossEntropy``: ``(1 − s)·nll +
                          s·mean(−log p)`` (commit 308d0b9)
fairseq                   ``fairseq/criterions/label_smoothed_cross_entropy.py``, "others"
                          ``label_smoothed_nll_loss``: ``(1 − ε − ε/(K−1))·nll
                          + ε/(K−1)·Σ(−log p)`` since v0.12.0 (commit 791ab7c,
                          2021-02-03, "More accurate label smoothing loss
                          computation"); v0.10 and earlier used ε/K, "all"
========================  =====================================================  ===========

:func:`framework_target` writes each rule as that framework writes it (loss weights included, for
the frameworks that never build ỹ), so a test can check that the call :func:`framework_call` prints
really trains against the target the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.smoothing import Spread, convert_eps, validate


@dataclass(frozen=True)
class Framework:
    """One framework's label-smoothing entry point and the convention its source implements."""

    key: str
    name: str
    convention: Spread
    source: str  # file and version the rule was read from
    template: str  # the call, with {arg} for the smoothing argument and {K} for the class count


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("pytorch", "PyTorch", "all", "aten/src/ATen/native/LossNLL.cpp (torch 2.14)",
              "torch.nn.CrossEntropyLoss(label_smoothing={arg})"),
    Framework("keras", "Keras", "all", "keras/src/losses/losses.py (Keras 3, 04bf538)",
              "keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing={arg})"),
    Framework("optax", "optax", "all", "optax/losses/_smoothing.py (01bbd93)",
              "optax.softmax_cross_entropy(logits, optax.smooth_labels(jax.nn.one_hot(labels, {K}), alpha={arg}))"),
    Framework("transformers", "Hugging Face Transformers", "all",
              "src/transformers/trainer_pt_utils.py, LabelSmoother (5ea83b0)",
              "transformers.TrainingArguments(..., label_smoothing_factor={arg})"),
    Framework("timm", "timm", "all", "timm/loss/cross_entropy.py (308d0b9)",
              "timm.loss.LabelSmoothingCrossEntropy(smoothing={arg})"),
    Framework("fairseq", "fairseq", "others",
              "fairseq/criterions/label_smoothed_cross_entropy.py (v0.12.0 and later, 791ab7c)",
              "fairseq-train ... --criterion label_smoothed_cross_entropy --label-smoothing {arg}"),
)
BY_KEY = {framework.key: framework for framework in FRAMEWORKS}


def framework_argument(key: str, K: int, eps: float, *, spread: Spread = "all") -> float:
    """The number to pass to framework ``key`` so that it trains against the target of (K, ε, spread)."""
    k, e, s = validate(K, eps, spread=spread)
    return convert_eps(k, e, from_spread=s, to_spread=BY_KEY[key].convention)


def format_argument(value: float) -> str:
    """The shortest decimal that reads back as exactly this float64 (what Python's ``repr`` prints)."""
    return repr(float(value))


def framework_call(key: str, K: int, eps: float, *, spread: Spread = "all") -> str:
    """The call, ready to paste, that trains against the target of (K, ε, spread) in framework ``key``."""
    arg = format_argument(framework_argument(key, K, eps, spread=spread))
    return BY_KEY[key].template.format(arg=arg, K=int(K))


def framework_target(key: str, K: int, argument: float) -> np.ndarray:
    """The target (true class first) that framework ``key`` trains against when given ``argument``.

    Each line is the framework's own rule, as its source writes it; for the loss-weight forms the
    target is the weight each class's −log p receives.
    """
    k = int(K)
    a = float(argument)
    onehot = np.zeros(k)
    onehot[0] = 1.0
    if key in ("pytorch", "transformers", "timm"):
        # (1 − a)·(−log p_true) + a·mean_i(−log p_i): weight (1 − a) + a/K on the true class, a/K elsewhere.
        return (1.0 - a) * onehot + a / k
    if key in ("keras", "optax"):
        # y·(1 − a) + a/K on the one-hot labels.
        return onehot * (1.0 - a) + a / k
    if key == "fairseq":
        # (1 − a − a/(K−1))·(−log p_true) + a/(K−1)·Σ_i(−log p_i).
        eps_i = a / (k - 1)
        return (1.0 - a - eps_i) * onehot + eps_i
    raise ValueError(f"unknown framework {key!r}; known: {', '.join(BY_KEY)}")


def calls(K: int, eps: float, *, spread: Spread = "all") -> list[dict[str, str]]:
    """Every framework's call for the page's table: name, convention, call, source."""
    return [{"framework": f.name, "convention": f.convention,
             "call": framework_call(f.key, K, eps, spread=spread), "source": f.source}
            for f in FRAMEWORKS]
