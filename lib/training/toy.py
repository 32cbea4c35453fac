"""A softmax classifier you train yourself: K Gaussian blobs, label smoothing ε, plain NumPy.

The data are ``n_per_class`` points per class in K dimensions, class ``k`` centred on ``R·e_k`` (the
corners of a simplex, ``R = √K``) with isotropic noise ``σ = 0.03·R``: separable, and — because there
are as many dimensions as classes — a linear model ``z = x W + b`` can put every class centre exactly
at the loss optimum. (In two dimensions it could not: the K×K logit pattern ``gap*·I`` has rank K − 1.)

Training is plain full-batch gradient descent on the cross-entropy against the smoothed target
``ỹ = (1 − ε)·onehot + ε/K`` (PyTorch's ``label_smoothing``, the "all" convention), float64 throughout,
starting from ``W = 0, b = 0`` (every logit 0, loss ln K). The gradient of the mean loss with respect
to the logits is ``(softmax(z) − ỹ) / N``.

What a learner should see (Szegedy et al. 2016, §7; Müller et al. 2019):

* the loss falls towards the entropy floor ``H(ỹ)`` (:func:`lib.smoothing.entropy_floor`) and stops
  there; with ε = 0 the floor is 0 and the loss keeps creeping down;
* the mean logit gap ``z_true − z_other`` levels off at ``ln(1 + K(1 − ε)/ε)``
  (:func:`lib.smoothing.optimal_logit_gap`); with ε = 0 it grows without bound;
* the confidence ``max softmax(z)`` levels off near ``1 − ε + ε/K`` instead of rising to 1.

The page shows these as a race (:func:`race`): ε = 0 and the learner's ε trained from the same data and the
same untrained model, every frame computed here, so the page only picks which one to draw.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from lib.smoothing import entropy_floor, log_softmax, optimal_logit_gap, smoothed_target
from lib.url_values import parse_number, quoted

K_MIN, K_MAX = 2, 20  # classes the page offers; K dimensions each, so K_MAX bounds the cost per step
EPS_MIN, EPS_MAX, EPS_STEP = 0.0, 0.5, 0.01
MAX_STEPS = 10_000  # history kept per model; enough to watch ε = 0 creep on
SPREAD = "all"  # the toy's convention: PyTorch's label_smoothing, ỹ = (1 − ε)·onehot + ε/K

# The race (:func:`race`): ε = 0 and the learner's ε trained side by side, shown one frame at a time.
# A smaller step than ToyConfig's 2.0: there the first step alone closes half the distance to gap*, and the
# learner sees a jump, not a curve (at 0.5 the first step covers about an eighth of it, K = 5, ε = 0.1).
RACE_LR = 0.5
FRAME_SECONDS = 0.25  # the animation's tick; four frames a second
# The smoothed run settles about SETTLE_FRAMES · FRAME_SECONDS = 10 s into the race, whatever K and ε (the
# steps per frame follow how many steps it needs), and the race goes on as long again and more, so the
# one-hot gap is seen to keep growing after the smoothed one has stopped.
SETTLE_FRAMES = 40
RACE_FRAMES = 100
SETTLE_TOL = 0.01  # "settled": the smoothed gap within 1% of gap*
# The race opens two seconds in, paused: both runs already off the start and apart, the reference lines
# drawn, and Play to watch the rest (an opening on frame 0 showed axes and two dots).
OPENING_FRAME = 8
PACE_EPS = 0.1  # at ε = 0 nothing settles; the race then keeps the pace of ε = 0.1
MAX_SETTLE_STEPS = 5_000  # far above what any (K, ε) on the sliders needs (about 560 at K = 2, ε = 0.01)
ACTIONS = ("play", "pause", "step", "start", "tick")


@dataclass(frozen=True)
class ToyConfig:
    K: int = 5  # classes (and input dimensions)
    eps: float = 0.1  # label smoothing, PyTorch convention ("all")
    n_per_class: int = 60  # points per blob
    # Class centres sit √K·scale from the origin: then E[x xᵀ] ≈ scale²·I for every K, so the loss has the
    # same curvature, and one step size suits every K.
    scale: float = 1.0
    noise: float = 0.03  # blob standard deviation per dimension, as a fraction of the radius: separable
    # Plain gradient descent, no momentum: the curves approach their limits without overshooting (with
    # momentum the confidence first shoots up to 1, blurring the lesson). 2.0 reaches within 1% of the
    # floor in under 100 steps for every K and ε ≥ 0.01 on the sliders.
    lr: float = 2.0
    seed: int = 0


@dataclass(frozen=True)
class ToyState:
    """Everything needed to continue training: data, weights and the measured history.

    ``history`` maps ``step``, ``loss``, ``gap`` and ``confidence`` to equally long lists; entry 0 is
    the untrained model.
    """

    config: ToyConfig
    x: np.ndarray  # (N, K) inputs
    y: np.ndarray  # (N,) class indices
    W: np.ndarray  # (K, K): logits z = x W + b
    b: np.ndarray  # (K,)
    step: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)


def make_blobs(K: int, n_per_class: int, radius: float, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x (K·n, K), y (K·n,)): class k is ``n_per_class`` draws from N(radius·e_k, noise²·I)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(K), n_per_class)
    x = radius * np.eye(K)[y] + rng.normal(0.0, noise, (len(y), K))
    return x, y


def measure(z: np.ndarray, y: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Loss, mean logit gap and mean confidence of (N, K) logits ``z`` against the (N, K) ``target``.

    * ``loss`` — mean ``−Σᵢ ỹᵢ log softmax(z)ᵢ`` (nats);
    * ``gap`` — mean over points of ``z_true − mean_{i≠true} z_i`` (nats);
    * ``confidence`` — mean over points of ``max_i softmax(z)_i``.
    """
    return _measure(z, log_softmax(z), y, target)


def _measure(z: np.ndarray, logp: np.ndarray, y: np.ndarray, target: np.ndarray) -> dict[str, float]:
    n, k = z.shape
    z_true = z[np.arange(n), y]
    others = (z.sum(axis=1) - z_true) / (k - 1)
    return {"loss": float(-(target * logp).sum(axis=1).mean()),
            "gap": float((z_true - others).mean()),
            "confidence": float(np.exp(logp.max(axis=1)).mean())}


def _targets(config: ToyConfig, y: np.ndarray) -> np.ndarray:
    row = smoothed_target(config.K, config.eps)  # true class first
    on, off = row[0], row[1]
    target = np.full((len(y), config.K), off)
    target[np.arange(len(y)), y] = on
    return target


def parse_controls(raw_k: str | None, raw_eps: str | None, fallback: tuple[int, float] = (5, 0.1)
                   ) -> tuple[int, float, list[str]]:
    """The toy's (K, ε) from URL values (``?toy_k=5&toy_eps=0.1``), with a note per repair.

    A missing value keeps its ``fallback`` silently; one that is not a number keeps it with a note; a
    number out of range or off the grid is clamped to K = 2–20 (whole) and ε = 0–0.5 (steps of 0.01),
    with a note. Never raises for any string.
    """
    notes: list[str] = []
    k: float = fallback[0]
    eps = fallback[1]
    for raw, name in ((raw_k, "K"), (raw_eps, "ε")):
        if raw is None:
            continue
        value = parse_number(raw)
        if value is None:
            notes.append(f"{name}={quoted(raw)} is not a number; the toy keeps {name} = "
                         f"{k if name == 'K' else f'{eps:.2f}'}.")
        elif name == "K":
            k = value
        else:
            eps = value
    k, eps, more = clamp_controls(k, eps)
    return k, eps, notes + more


def clamp_controls(K: float, eps: float) -> tuple[int, float, list[str]]:
    """Bring (K, ε) into the toy's range (K whole, 2–20; ε on the 0.01 grid, 0–0.5), a note per change."""
    notes: list[str] = []
    k = int(min(max(round(K), K_MIN), K_MAX))
    if k != K:
        notes.append(f"The toy trains K = {K_MIN}–{K_MAX} classes (whole numbers); showing K = {k}.")
    e = round(min(max(round(eps / EPS_STEP) * EPS_STEP, EPS_MIN), EPS_MAX), 2)
    if abs(e - eps) > 1e-9:
        notes.append(f"The toy trains ε = {EPS_MIN:g}–{EPS_MAX:g} in steps of {EPS_STEP}; showing ε = {e:.2f}.")
    return k, e, notes


def start(config: ToyConfig) -> ToyState:
    """Fresh data and an untrained model (all logits 0: loss ln K, gap 0, confidence 1/K)."""
    radius = config.scale * math.sqrt(config.K)
    x, y = make_blobs(config.K, config.n_per_class, radius, config.noise * radius, config.seed)
    k = config.K
    first = measure(np.zeros((len(y), k)), y, _targets(config, y))
    history: dict[str, list[float]] = {"step": [0], **{name: [value] for name, value in first.items()}}
    return ToyState(config, x, y, np.zeros((k, k)), np.zeros(k), 0, history)


def train(state: ToyState, steps: int, *, max_seconds: float | None = None) -> ToyState:
    """``steps`` more steps of full-batch gradient descent; a new state, ``state`` untouched.

    Stops early once ``max_seconds`` of wall time have passed (the page's promise of a quick answer),
    and never goes past ``MAX_STEPS`` in all.
    Each step appends the loss, gap and confidence of the weights it produced to the history.
    """
    cfg = state.config
    x, y = state.x, state.y
    target = _targets(cfg, y)
    n = len(y)
    W, b = state.W.copy(), state.b.copy()
    history = {name: list(values) for name, values in state.history.items()}
    step = state.step
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    steps = max(0, min(steps, MAX_STEPS - step))
    logp = log_softmax(x @ W + b)
    for _ in range(steps):
        # One forward pass per step serves both the measurement and the next gradient.
        dz = (np.exp(logp) - target) / n
        W = W - cfg.lr * (x.T @ dz)
        b = b - cfg.lr * dz.sum(axis=0)
        step += 1
        z = x @ W + b
        logp = log_softmax(z)
        for name, value in _measure(z, logp, y, target).items():
            history[name].append(value)
        history["step"].append(step)
        if deadline is not None and time.perf_counter() > deadline:
            break
    return replace(state, W=W, b=b, step=step, history=history)


def reference_lines(K: int, eps: float) -> dict[str, float]:
    """Where the curves should level off: floor H(ỹ), gap* (inf at ε = 0), and ỹ_true = 1 − ε + ε/K."""
    return {"floor": entropy_floor(K, eps), "gap": optimal_logit_gap(K, eps),
            "confidence": float(smoothed_target(K, eps)[0])}


def summary(state: ToyState) -> dict[str, float]:
    """The latest measurements beside their references, for captions and tests."""
    cfg = state.config
    ref = reference_lines(cfg.K, cfg.eps)
    last = {name: values[-1] for name, values in state.history.items()}
    return {"step": int(last["step"]), "loss": last["loss"], "floor": ref["floor"],
            "loss_above_floor": last["loss"] - ref["floor"], "gap": last["gap"], "gap_optimum": ref["gap"],
            "confidence": last["confidence"], "confidence_target": ref["confidence"]}


# --------------------------------------------------------------------------------------------- the race
@dataclass(frozen=True)
class Race:
    """ε = 0 and ε trained side by side: same data, same untrained start, same step size.

    ``one_hot`` and ``smoothed`` map ``step``, ``loss``, ``gap`` and ``confidence`` to arrays of
    ``RACE_FRAMES + 1`` values, one per frame (frame ``f`` is step ``round(f · pace)``); ``states`` are
    the two runs after the last frame, with every step's history. ``settle_step`` is the first step at
    which the smoothed gap is within ``SETTLE_TOL`` of gap* (None at ε = 0, where nothing settles).
    """

    K: int
    eps: float
    pace: float  # steps per frame, ≥ 1
    settle_step: int | None
    one_hot: dict[str, np.ndarray]
    smoothed: dict[str, np.ndarray]
    states: tuple[ToyState, ToyState]

    @property
    def frames(self) -> int:
        """The last frame's index (frames run 0 … ``frames``)."""
        return len(self.one_hot["step"]) - 1

    @property
    def n_points(self) -> int:
        return len(self.states[0].y)


def settle_step(gaps: np.ndarray | list[float], gap_star: float, tol: float = SETTLE_TOL) -> int | None:
    """The first index at which ``gaps`` comes within ``tol · gap*`` of ``gap*``; None if it never does."""
    if not math.isfinite(gap_star):
        return None
    inside = np.flatnonzero(np.abs(np.asarray(gaps) - gap_star) <= tol * gap_star)
    return int(inside[0]) if len(inside) else None


def _pace(K: int, eps: float, lr: float, seed: int) -> tuple[int, ToyState]:
    """(settle step, the run trained up to it) for ε > 0, trained in chunks until its gap enters the band."""
    state = start(ToyConfig(K=K, eps=eps, lr=lr, seed=seed))
    star = optimal_logit_gap(K, eps)
    while state.step < MAX_SETTLE_STEPS:
        state = train(state, 50)  # small chunks: the race must not start with this run past its last frame
        found = settle_step(state.history["gap"], star)
        if found is not None:
            return found, state
    raise RuntimeError(f"K = {K}, ε = {eps}: the gap did not settle within {MAX_SETTLE_STEPS} steps")


def race(K: int, eps: float, *, lr: float = RACE_LR, seed: int = 0) -> Race:
    """Train ε = 0 and ε from the same data and the same untrained weights (every logit 0), frame by frame.

    The pace (steps per frame) is chosen so the smoothed run settles (gap within 1% of gap*) at frame
    ``SETTLE_FRAMES``: ``settle step / SETTLE_FRAMES``, at least one step a frame (a run that settles in fewer
    steps settles sooner); frame ``f`` shows step ``round(f · pace)``. At ε = 0 the pace is that of
    ε = ``PACE_EPS``. Plain full-batch gradient descent on PyTorch's ``label_smoothing`` loss, float64
    (:func:`train`), for ``RACE_FRAMES`` frames.
    """
    K, eps, notes = clamp_controls(K, eps)
    if notes:
        raise ValueError(" ".join(notes))
    settle, paced = _pace(K, eps if eps > 0 else PACE_EPS, lr, seed)
    # A fractional pace, not a whole number of steps per frame: rounded up, a run settling in 41 steps took
    # 2 a frame and settled 5 s in, not 10.
    pace = max(1.0, settle / SETTLE_FRAMES)
    frames = np.round(np.arange(RACE_FRAMES + 1) * pace).astype(int)
    total = int(frames[-1])
    config = ToyConfig(K=K, eps=eps, lr=lr, seed=seed)
    first = start(config)
    # The ε = 0 run is the same start with only the target changed: the same data arrays, the same zeros (its
    # step-0 measurement is its own, though at all-zero logits every target gives loss ln K).
    one_hot = replace(first, config=replace(config, eps=0.0), history=start(replace(config, eps=0.0)).history)
    smoothed = paced if eps > 0 else first
    runs = tuple(train(run, total - run.step) for run in (one_hot, smoothed))
    curves = [{name: np.asarray(values, dtype=np.float64)[frames] for name, values in run.history.items()}
              for run in runs]
    return Race(K, eps, pace, settle if eps > 0 else None, curves[0], curves[1], (runs[0], runs[1]))


def frame_values(race_: Race, frame: int) -> dict[str, dict[str, float]]:
    """Both runs' step, loss, gap and confidence at ``frame`` (clamped to 0 … last), beside their references.

    ``{"one_hot": {...}, "smoothed": {...}}``; each has the measured ``step``, ``loss``, ``gap``,
    ``confidence`` and the references ``floor``, ``gap_optimum`` (inf at ε = 0), ``confidence_target``.
    """
    f = min(max(int(frame), 0), race_.frames)
    out = {}
    for name, curves, eps in (("one_hot", race_.one_hot, 0.0), ("smoothed", race_.smoothed, race_.eps)):
        ref = reference_lines(race_.K, eps)
        out[name] = {**{key: float(values[f]) for key, values in curves.items()},
                     "floor": ref["floor"], "gap_optimum": ref["gap"], "confidence_target": ref["confidence"]}
    return out


def settle_frame(race_: Race) -> int | None:
    """The first frame at which the smoothed run has settled (None at ε = 0)."""
    if race_.settle_step is None:
        return None
    return int(np.searchsorted(race_.one_hot["step"], race_.settle_step))


def settled(race_: Race, frame: int) -> bool:
    """Whether the smoothed run has settled by ``frame`` (never at ε = 0)."""
    f = min(max(int(frame), 0), race_.frames)
    return race_.settle_step is not None and race_.one_hot["step"][f] >= race_.settle_step


def control(frame: int, playing: bool, action: str, last: int = RACE_FRAMES) -> tuple[int, bool]:
    """What the race's controls do to ``(frame, playing)``.

    ``"play"``: play on from here (from frame 0 if the race is over). ``"pause"``: stop here. ``"step"``:
    one frame on, paused. ``"start"``: back to frame 0, playing. ``"tick"`` (the animation's timer): one
    frame on while playing; the last frame pauses it.
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}; got {action!r}")
    frame = min(max(int(frame), 0), last)
    if action == "play":
        return (0 if frame >= last else frame), True
    if action == "pause":
        return frame, False
    if action == "step":
        return min(frame + 1, last), False
    if action == "start":
        return 0, True
    if not playing:
        return frame, False
    frame = min(frame + 1, last)
    return frame, frame < last
