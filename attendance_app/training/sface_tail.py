"""Split SFace's torch twin (vision/weights/sface_torch.SFaceNet) into a frozen trunk and a
trainable tail, the way InceptionTail splits FaceNet."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from attendance_app.vision.weights.sface_torch import SFaceNet

SFACE_INPUT_SHAPE = (112, 112, 3)
# SFace's 27 conv blocks (Conv -> BN -> PReLU) are conv_1 .. conv_27; conv_24 is the last
# stride-2 (14x14 -> 7x7) depthwise block. Trunk outputs at the choices: (512, 14, 14) before
# conv_24, (512, 7, 7) before conv_25, (1024, 7, 7) before conv_26 / conv_27, so the cache stays
# 100-400 KB per view; earlier splits would cache far larger maps for little gain.
SFACE_TRAINABLE_CHOICES = ("conv_24", "conv_25", "conv_26", "conv_27", "bn_features", "linear",
                           "bn_embedding")
# The 7x7 stage after the last down-sampling plus the embedding head, as FaceNet's default
# trains its last repeat, block8 and the head.
SFACE_DEFAULT_TRAINABLE = ("conv_25", "conv_26", "conv_27", "bn_features", "linear",
                           "bn_embedding")


def sface_blocks(net: SFaceNet) -> list[tuple[str, int, int]]:
    """(name, start, stop) index ranges of `net`'s layers: 'normalise', conv_1..conv_27 (each
    Conv, BN, PReLU), 'bn_features', 'flatten', 'linear', 'bn_embedding'."""
    kinds = [type(layer).__name__ for layer in net]
    blocks: list[tuple[str, int, int]] = []
    i, conv = 0, 0
    head = iter(("bn_features", "flatten", "linear", "bn_embedding"))
    while i < len(kinds):
        if kinds[i] == "_Normalise":
            blocks.append(("normalise", i, i + 1))
            i += 1
        elif kinds[i] == "Conv2d":
            conv += 1
            blocks.append((f"conv_{conv}", i, i + 3))
            i += 3
        else:
            blocks.append((next(head), i, i + 1))
            i += 1
    if [b[0] for b in blocks[-4:]] != ["bn_features", "flatten", "linear", "bn_embedding"]:
        raise ValueError("not the SFace layer layout this split knows")
    return blocks


def sface_to_input(crops: np.ndarray) -> torch.Tensor:
    """(N, 112, 112, 3) uint8 RGB aligned faces -> (N, 3, 112, 112) float32 in [-1, 1]: the
    graph's own (x - 127.5) / 128, done here so TrunkFeatureCache's jitter works on the same
    range as FaceNet's standardised crops."""
    x = torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float()
    return (x - 127.5) * 0.0078125


class SFaceTail(nn.Module):
    """The layers of an SFaceNet from the first of `trainable` to the end, sharing its
    parameters. `trunk(x)` (no grad) runs the frozen layers on `sface_to_input` images (the
    normalise layer is skipped: the input is already normalised); `forward(features)` -> (N, 128)
    L2-normalised embeddings. The whole net stays in eval mode: its BN statistics come from
    SFace's training set, batch statistics of a few faces would wreck them."""

    input_shape = SFACE_INPUT_SHAPE

    def __init__(self, model: SFaceNet, trainable: Sequence[str]) -> None:
        super().__init__()
        unknown = [t for t in trainable if t not in SFACE_TRAINABLE_CHOICES]
        if unknown or not trainable:
            raise ValueError(f"SFace trainable blocks must be among {SFACE_TRAINABLE_CHOICES}, "
                             f"got {unknown or 'none'}")
        blocks = {name: (start, stop) for name, start, stop in sface_blocks(model)}
        self._split = min(blocks[name][0] for name in trainable)
        self.model = model
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        for name in trainable:
            start, stop = blocks[name]
            for layer in list(model)[start:stop]:
                for p in layer.parameters():
                    p.requires_grad_(True)

    @staticmethod
    def to_input(crops: np.ndarray) -> torch.Tensor:
        return sface_to_input(crops)

    def train(self, mode: bool = True) -> "SFaceTail":
        return super().train(False)

    @torch.no_grad()
    def trunk(self, images: torch.Tensor) -> torch.Tensor:
        x = images
        for layer in list(self.model)[1:self._split]:
            x = layer(x)
        return x

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = features
        for layer in list(self.model)[self._split:]:
            x = layer(x)
        return F.normalize(x, p=2, dim=1)

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.model.parameters() if p.requires_grad]
