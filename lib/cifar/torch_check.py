"""Check the entropy floor against PyTorch itself: evaluate ``F.cross_entropy`` at the optimal logits.

At the optimum the prediction equals the smoothed target, so PyTorch's loss must equal
``lib.smoothing.entropy_floor``. PyTorch's ``label_smoothing`` uses the "all" convention; an "others"
target needs ``label_smoothing = ε·K/(K−1)`` (:func:`lib.smoothing.to_pytorch_label_smoothing`).
Everything runs in float64 on the CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from lib.explainer import gradient
from lib.smoothing import Spread, entropy_floor, optimal_logit_gap, to_pytorch_label_smoothing, validate


def optimal_logits(K: int, eps: float, *, spread: Spread = "all") -> list[float]:
    """Logits ``(gap*, 0, …, 0)`` whose softmax is exactly the smoothed target (true class first).

    ε = 0 has no finite optimum (the gap would be infinite), so it raises ``ValueError``.
    """
    gap = optimal_logit_gap(K, eps, spread=spread)
    if not math.isfinite(gap):
        raise ValueError("With ε = 0 (a one-hot target) the best logits are infinitely far apart: the loss "
                         "only approaches 0 as the logit gap grows, so there is no finite optimum to check.")
    return [gap] + [0.0] * (int(K) - 1)


def pytorch_cross_entropy(logits: list[float], K: int, eps: float, *, spread: Spread = "all") -> float:
    """``F.cross_entropy(logits, y=0, label_smoothing=…)`` in float64 for one sample, in nats.

    ``label_smoothing`` is ε for "all" and ε·K/(K−1) for "others", so the loss is against our target.
    """
    k, e, s = validate(K, eps, spread=spread)
    z = torch.tensor([logits], dtype=torch.float64)
    if z.shape != (1, k):
        raise ValueError(f"Expected {k} logits, one per class; got {z.shape[1]}.")
    smoothing = to_pytorch_label_smoothing(k, e, spread=s)
    y = torch.zeros(1, dtype=torch.long)
    return float(F.cross_entropy(z, y, label_smoothing=smoothing))


@dataclass(frozen=True)
class FloorCheck:
    """PyTorch's loss at the optimal logits next to our entropy floor, and the code that produced it."""

    K: int
    eps: float
    spread: str
    label_smoothing: float  # the argument handed to PyTorch
    logit_gap: float  # z_true − z_other at the optimum
    pytorch_loss: float  # nats
    floor: float  # nats, from lib.smoothing.entropy_floor
    torch_version: str

    @property
    def abs_difference(self) -> float:
        return abs(self.pytorch_loss - self.floor)

    def code(self) -> str:
        """A snippet a learner can paste into Python to reproduce ``pytorch_loss``."""
        return (
            "import torch\n"
            "import torch.nn.functional as F\n\n"
            f"K, gap = {self.K}, {self.logit_gap!r}  # gap* = ln(ỹ_true / ỹ_other)\n"
            "logits = torch.tensor([[gap] + [0.0] * (K - 1)], dtype=torch.float64)\n"
            "y = torch.tensor([0])  # the true class\n"
            f"loss = F.cross_entropy(logits, y, label_smoothing={self.label_smoothing!r})\n"
            f"print(loss.item())  # {self.pytorch_loss!r}"
        )


def check_floor_with_pytorch(K: int, eps: float, *, spread: Spread = "all") -> FloorCheck:
    """Evaluate PyTorch's smoothed cross-entropy at the optimal logits and pair it with our floor.

    Raises ``ValueError`` for ε = 0 (no finite optimum) or invalid K, ε, spread.
    """
    k, e, s = validate(K, eps, spread=spread)
    logits = optimal_logits(k, e, spread=s)
    return FloorCheck(
        K=k, eps=e, spread=s,
        label_smoothing=to_pytorch_label_smoothing(k, e, spread=s),
        logit_gap=logits[0],
        pytorch_loss=pytorch_cross_entropy(logits, k, e, spread=s),
        floor=entropy_floor(k, e, spread=s),
        torch_version=torch.__version__,
    )


@dataclass(frozen=True)
class GradientCheck:
    """``torch.autograd``'s gradient of the smoothed loss at the logits ``(gap, 0, …, 0)`` beside ours."""

    K: int
    eps: float
    spread: str
    gap: float
    label_smoothing: float
    pytorch_gradient: tuple[float, float]  # (true class, each other class)
    ours: tuple[float, float]  # lib.explainer.gradient.logit_gradient, the same two entries
    torch_version: str

    @property
    def max_abs_difference(self) -> float:
        return max(abs(a - b) for a, b in zip(self.pytorch_gradient, self.ours, strict=True))

    def code(self) -> str:
        """A snippet a learner can paste into Python to reproduce ``pytorch_gradient``."""
        return (
            "import torch\n"
            "import torch.nn.functional as F\n\n"
            f"K, gap = {self.K}, {self.gap!r}\n"
            "logits = torch.tensor([[gap] + [0.0] * (K - 1)], dtype=torch.float64, requires_grad=True)\n"
            f"F.cross_entropy(logits, torch.tensor([0]), label_smoothing={self.label_smoothing!r}).backward()\n"
            f"print(logits.grad[0, :2])  # true class {self.pytorch_gradient[0]!r}, "
            f"each other {self.pytorch_gradient[1]!r}"
        )


def check_gradient_with_pytorch(K: int, eps: float, gap: float, *, spread: Spread = "all") -> GradientCheck:
    """Backpropagate ``F.cross_entropy(..., label_smoothing=…)`` in float64 and pair it with ``p − ỹ``."""
    k, e, s = validate(K, eps, spread=spread)
    smoothing = to_pytorch_label_smoothing(k, e, spread=s)
    z = torch.tensor(gradient.gap_logits(k, gap)[None], dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z, torch.zeros(1, dtype=torch.long), label_smoothing=smoothing).backward()
    assert z.grad is not None  # backward() filled it: z requires grad
    grad = z.grad[0]
    ours = gradient.logit_gradient(k, e, gap, spread=s)
    return GradientCheck(K=k, eps=e, spread=s, gap=float(gap), label_smoothing=smoothing,
                         pytorch_gradient=(float(grad[0]), float(grad[1])), ours=(float(ours[0]), float(ours[1])),
                         torch_version=torch.__version__)

