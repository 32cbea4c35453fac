"""Shipped CIFAR-10 classifiers: export, verified loading and fast CPU prediction through ONNX Runtime.

A shipped model is a folder ``assets/models/<name>/`` holding

* ``model.safetensors`` — fp16 weights, no pickle;
* ``model.json`` — provenance (classes, ε and its convention, preprocessing, metrics, data checksum,
  command, torch version, hardware, time) and the SHA-256 of ``model.safetensors``;
* ``log.json`` — the training log (per-step loss, per-epoch metrics, penultimate-layer projections).

A model whose ``model.json`` says ``"mirror_average": true`` predicts from the mean of its logits on the
image and on the image's horizontal mirror (test-time augmentation with CIFAR's one training flip): the
prediction is then mirror-symmetric, and on the CIFAR-10 test split it is 0.3–0.5 point more accurate
than either view alone, for twice the network work (one forward pass of a doubled batch).

``load_classifier`` verifies the checksum before reading a byte of weights into the network. The
returned :class:`Classifier` is shared by many sessions of the app and lets at most ``max_concurrent``
inferences run at once. It predicts through one of two backends:

* ``"onnxruntime"`` (the app's, and the recorded figures'): the verified fp32 network is exported to two
  ONNX graphs in memory at load time (:func:`onnx_graph`, about a second) and run by ONNX Runtime's CPU
  execution provider with the session options of ``lib.cifar.settings``. Nothing but ``model.safetensors``
  is shipped or read, so its SHA-256 covers exactly what runs, and there is one source of truth for weights.
  ONNX Runtime fuses BatchNorm, ReLU6 and the TF-"SAME" padding into the convolutions that eager PyTorch
  runs as separate passes (``bench/bench_inference.py`` measures the gain).
* ``"torch"``: the same network in eager PyTorch (fp32, channels_last, ``inference_mode``, optional bf16
  autocast): the reference the ONNX path is tested against (``tests/test_onnx_backend.py``).

Either way a prediction runs in two parts, split where training froze the network (``config.freeze``):
the **stem** (the image and its mirror view as uint8 rows → the input convention, the stem and the frozen
blocks: :meth:`Classifier.stem_inputs`, :meth:`Classifier.features`) and the **head** (the fine-tuned
blocks, pooling, the classifier and the mean of the two views: :meth:`Classifier.predict_from_features`).
Models fine-tuned from the same ImageNet weights with the same split have bit-identical stems;
:attr:`Classifier.stem_key` (a SHA-256 of the stem's weights and settings) says so, and the classify page
computes their stem once for all of them, the image and its mirror on two cores
(``lib.classifier.classify.predict_view``): the stem is about 40 % of each model's work at freeze 5.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from lib import paths
from lib.calibration import softmax
from lib.cifar.network import CifarEfficientNet
from lib.cifar.preprocess import images_to_uint8, pixels_to_input, view_of
from lib.cifar.settings import CONCURRENT_INFERENCES_PER_MODEL, ort_session_options
from lib.paths import LOG_FILE

DEFAULT_MODEL = "eps0.1"
WEIGHTS_FILE, META_FILE = "model.safetensors", "model.json"
EVALUATION_FILE = "evaluation.json"  # written by python -m lib.cifar.evaluate --record
BACKENDS = ("onnxruntime", "torch")
SHIPPED_BACKEND = "onnxruntime"  # what the app serves and lib.cifar.evaluate --record measures
ONNX_OPSET = 17


class ModelFileError(RuntimeError):
    """A shipped model is missing, incomplete or does not match its recorded checksum."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_model(model: CifarEfficientNet, provenance: dict, log: dict, folder: Path) -> Path:
    """Write fp16 weights, provenance with their SHA-256, and the training log into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: (v.half() if v.is_floating_point() else v).contiguous().cpu()
               for k, v in model.state_dict().items()}
    save_file(tensors, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    meta = {**provenance, "weights_sha256": _sha256(folder / WEIGHTS_FILE), "weights_dtype": "float16"}
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    (folder / LOG_FILE).write_text(json.dumps(log))
    return folder


def available_models(models_dir: Path | None = None) -> dict[str, Path]:
    """Name → folder of every shipped model (a folder with both weights and provenance) in ``models_dir``,
    by default :func:`lib.paths.models_dir` (``$LSLAB_MODELS_DIR`` or ``assets/models``, read at call time)."""
    models_dir = paths.models_dir() if models_dir is None else Path(models_dir)
    if not models_dir.is_dir():
        return {}
    return {p.name: p for p in sorted(models_dir.iterdir())
            if (p / WEIGHTS_FILE).exists() and (p / META_FILE).exists()}


def resolve_model(name: str, models_dir: Path | None = None) -> Path:
    """``default`` or a shipped model's name, or a path to a model folder → that folder."""
    if name == "default":
        name = DEFAULT_MODEL
    path = Path(name)
    if (path / META_FILE).exists():
        return path
    models = available_models(models_dir)
    if name not in models:
        raise ModelFileError(f"no shipped model named {name!r}; available: {', '.join(models) or 'none'}")
    return models[name]


def read_meta(folder: Path) -> dict:
    meta_path = Path(folder) / META_FILE
    if not meta_path.exists():
        raise ModelFileError(f"{meta_path} is missing: a model folder needs {WEIGHTS_FILE} and {META_FILE}")
    return json.loads(meta_path.read_text())


def bf16_supported() -> bool:
    """bf16 autocast pays off only where the CPU has native bf16 (AVX-512-BF16 / AMX)."""
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def with_mirrors(batch: np.ndarray) -> np.ndarray:
    """(N, 32, 32, 3) uint8 → (2N, 32, 32, 3): the images, then their mirrors — one batch for both views."""
    return np.concatenate([batch, view_of(batch, 1)])


def mean_of_views(logits: torch.Tensor) -> torch.Tensor:
    """(2N, K) logits of ``with_mirrors(batch)`` → (N, K): each image's two views averaged."""
    return logits.view(2, -1, logits.shape[-1]).mean(0)


class StemPart(torch.nn.Module):
    """The first part of a prediction: (M, 32, 32, 3) uint8 network inputs → stem features, row by row.

    The uint8 → [−1, 1] conversion (``lib.cifar.preprocess.pixels_to_input``) is part of the graph, so ONNX
    Runtime gets the pixels as they come. Rows are independent: a batch can be split across cores.
    """

    def __init__(self, network: CifarEfficientNet, freeze: int) -> None:
        super().__init__()
        self.network, self.freeze = network, int(freeze)
        self.eval()  # a new Module trains; the exporter restores this mode on the network after tracing

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.network.frozen_features(pixels_to_input(images), self.freeze)


class HeadPart(torch.nn.Module):
    """The second part: stem features → (N, K) logits, each image's two views averaged when ``mirror``."""

    def __init__(self, network: CifarEfficientNet, freeze: int, mirror: bool) -> None:
        super().__init__()
        self.network, self.freeze, self.mirror = network, int(freeze), bool(mirror)
        self.eval()

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        logits = self.network.head_from(features, self.freeze)
        return mean_of_views(logits) if self.mirror else logits


def stem_blocks(meta: dict) -> int:
    """Where a model's stem ends: the MBConv blocks its training kept frozen (``config.freeze``; 0 when the
    provenance does not say, and the stem is then the stem convolution alone)."""
    return int(meta.get("config", {}).get("freeze", 0))


def stem_key(network: CifarEfficientNet, freeze: int, mirror: bool) -> str:
    """SHA-256 of everything the stem computes with, and of whether it sees the mirror view too: equal keys
    mean bit-identical stem features of the same inputs."""
    digest = hashlib.sha256(f"resolution={network.resolution} freeze={freeze} mirror={mirror}".encode())
    net = network.net
    for module in (net._conv_stem, net._bn0, *net._blocks[:freeze]):
        for name, tensor in module.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().float().contiguous().numpy().tobytes())
    return digest.hexdigest()


def onnx_graph(part: StemPart | HeadPart) -> bytes:
    """One part of the fp32 network as a serialised ONNX graph with a dynamic batch size:
    :class:`StemPart` takes ``x`` (N, 32, 32, 3) uint8, :class:`HeadPart` the stem's features; the output is ``y``.

    Traced by PyTorch's TorchScript-based exporter (``dynamo=False``: it needs ``onnx`` but not
    ``onnxscript``). Constant folding is left to ONNX Runtime, which folds and fuses at session
    creation anyway: exporting then takes about 0.5 s instead of 2 s.
    """
    example = torch.zeros(2, 32, 32, 3, dtype=torch.uint8)
    if isinstance(part, HeadPart):
        example = StemPart(part.network, part.freeze)(example)
    graph = io.BytesIO()
    with torch.inference_mode(False), torch.no_grad():
        # The stubs say a path, but the TorchScript exporter (dynamo=False) writes to a file-like object too.
        torch.onnx.export(part, (example,), graph, dynamo=False,  # type: ignore[arg-type]
                          opset_version=ONNX_OPSET,
                          input_names=["x"], output_names=["y"], do_constant_folding=False,
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    return graph.getvalue()


def onnx_session(part: StemPart | HeadPart) -> ort.InferenceSession:
    """An ONNX Runtime CPU session for one part, with the app's session options (lib.cifar.settings)."""
    return ort.InferenceSession(onnx_graph(part), ort_session_options(), providers=["CPUExecutionProvider"])


@dataclass
class Classifier:
    """A loaded CIFAR-10 model ready for concurrent, read-only prediction.

    With sessions (ONNX Runtime) the two parts run there; without, in eager PyTorch.
    """

    network: CifarEfficientNet
    meta: dict
    use_bf16: bool = True  # eager PyTorch only
    max_concurrent: int = CONCURRENT_INFERENCES_PER_MODEL
    mirror_average: bool = False  # mean logits of the image and its mirror; fixed at load (the graphs hold it)
    sessions: tuple[ort.InferenceSession, ort.InferenceSession] | None = None  # stem, head; thread-safe
    stem_key: str = ""  # equal for classifiers whose stems give bit-identical features (:func:`stem_key`)
    _gate: threading.BoundedSemaphore = field(init=False, repr=False)
    _parts: tuple[StemPart, HeadPart] = field(init=False, repr=False)  # the torch backend's two parts

    def __post_init__(self) -> None:
        self._gate = threading.BoundedSemaphore(self.max_concurrent)
        self._parts = (StemPart(self.network, self.freeze),
                       HeadPart(self.network, self.freeze, self.mirror_average))

    @property
    def classes(self) -> list[str]:
        return list(self.meta["classes"])

    @property
    def label_smoothing(self) -> float:
        return float(self.meta["label_smoothing"])

    @property
    def temperature(self) -> float:
        return float(self.meta.get("temperature", 1.0))

    @property
    def freeze(self) -> int:
        return stem_blocks(self.meta)

    @property
    def backend(self) -> str:
        return "onnxruntime" if self.sessions is not None else "torch"

    def _run(self, part: int, x: np.ndarray) -> np.ndarray:
        """One part (0 stem, 1 head) on ``x`` through this classifier's backend, at most ``max_concurrent`` at once."""
        with self._gate:
            if self.sessions is not None:
                (y,) = self.sessions[part].run(None, {"x": np.ascontiguousarray(x)})
                return y
            with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=self.use_bf16):
                x_torch = torch.from_numpy(np.ascontiguousarray(x))
                if part == 1:
                    x_torch = x_torch.contiguous(memory_format=torch.channels_last)
                return self._parts[part](x_torch).float().numpy()

    def stem_inputs(self, batch: np.ndarray) -> np.ndarray:
        """(N, 32, 32, 3) uint8 CIFAR-domain images → the stem's input rows: with ``mirror_average`` the
        images then their mirrors (2N rows, :func:`with_mirrors`), else the images."""
        if batch.dtype != np.uint8 or batch.ndim != 4 or batch.shape[-1] != 3:
            raise ValueError(f"expected (N, H, W, 3) uint8, got {batch.shape} {batch.dtype}")
        return with_mirrors(batch) if self.mirror_average else batch

    def features(self, rows: np.ndarray) -> np.ndarray:
        """Stem input rows (:meth:`stem_inputs`, or any slice of them) → the stem's float32 features, row by row."""
        return self._run(0, rows)

    def logits_from_features(self, features: np.ndarray) -> np.ndarray:
        """The stem's features of N images → (N, K) float64 logits."""
        return self._run(1, features).astype(np.float64)

    def predict_from_features(self, features: np.ndarray) -> np.ndarray:
        """The stem's features of N images → (N, K) float64 class probabilities."""
        return softmax(self.logits_from_features(features))

    def logits_uint8(self, batch: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """(N, 32, 32, 3) uint8 CIFAR-domain images → (N, 10) float64 logits.

        With ``mirror_average`` each chunk goes through the network together with its mirror, as one
        batch of twice the size (``batch_size`` counts network inputs), and the two logits are averaged.
        """
        out = []
        chunk = max(1, batch_size // 2) if self.mirror_average else batch_size
        for start in range(0, len(batch), chunk):
            rows = self.stem_inputs(batch[start:start + chunk])
            out.append(self.logits_from_features(self.features(rows)))
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)))

    def predict_uint8(self, batch: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """(N, 32, 32, 3) uint8 → (N, 10) float64 class probabilities."""
        return softmax(self.logits_uint8(batch, batch_size))

    def predict(self, images: Sequence[Image.Image]) -> np.ndarray:
        """A batch of PIL images (any size or mode) → (N, 10) class probabilities, rows summing to 1."""
        if len(images) == 0:
            return np.zeros((0, len(self.classes)))
        return self.predict_uint8(images_to_uint8(images))


def load_classifier(path: str | Path, *, backend: str = SHIPPED_BACKEND, use_bf16: bool | None = None,
                    max_concurrent: int = CONCURRENT_INFERENCES_PER_MODEL,
                    mirror_average: bool | None = None) -> Classifier:
    """Build the network and load a shipped model folder's weights after verifying their SHA-256.

    ``backend`` is ``"onnxruntime"`` (the app's) or ``"torch"`` (the reference; ``use_bf16`` applies to it
    only). ``mirror_average`` defaults to what the folder's ``model.json`` records (False when it says nothing).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    folder = Path(path)
    meta = read_meta(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.exists():
        raise ModelFileError(f"{weights} is missing; retrain with python -m lib.cifar.train --export {folder}")
    digest = _sha256(weights)
    if digest != meta.get("weights_sha256"):
        raise ModelFileError(f"{weights} is corrupt or was replaced: SHA-256 {digest[:12]}… does not match "
                             f"the {str(meta.get('weights_sha256'))[:12]}… recorded in {META_FILE}")
    try:
        state = load_file(str(weights))
    except SafetensorError as err:
        raise ModelFileError(f"{weights} is not a readable safetensors file: {err}") from err
    network = CifarEfficientNet(resolution=int(meta["config"]["resolution"]), num_classes=len(meta["classes"]),
                                pretrained=False)
    network.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    network = network.eval()
    network.requires_grad_(False)
    mirror = bool(meta.get("mirror_average", False)) if mirror_average is None else bool(mirror_average)
    freeze = stem_blocks(meta)
    bf16 = bf16_supported() if use_bf16 is None else bool(use_bf16)
    sessions = None
    if backend == "onnxruntime":
        sessions = (onnx_session(StemPart(network, freeze)), onnx_session(HeadPart(network, freeze, mirror)))
    numerics = "onnxruntime-fp32" if sessions is not None else ("torch-bf16" if bf16 else "torch-fp32")
    network = network.to(memory_format=torch.channels_last)
    return Classifier(network, meta, use_bf16=bf16, max_concurrent=max_concurrent, sessions=sessions,
                      stem_key=f"{numerics}:{stem_key(network, freeze, mirror)}", mirror_average=mirror)
