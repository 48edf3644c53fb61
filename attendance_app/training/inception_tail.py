"""Split facenet-pytorch's InceptionResnetV1 into a frozen trunk and a trainable tail."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from attendance_app.vision.face_embedder import standardise_crops

# The order of InceptionResnetV1.forward (facenet-pytorch 2.5.3).
FORWARD_ORDER = (
    "conv2d_1a", "conv2d_2a", "conv2d_2b", "maxpool_3a", "conv2d_3b", "conv2d_4a", "conv2d_4b",
    "repeat_1", "mixed_6a", "repeat_2", "mixed_7a", "repeat_3", "block8", "avgpool_1a", "dropout",
    "last_linear", "last_bn",
)
TRAINABLE_CHOICES = ("repeat_1", "mixed_6a", "repeat_2", "mixed_7a", "repeat_3", "block8",
                     "last_linear", "last_bn")


class InceptionTail(nn.Module):
    """The modules of `model` from the first of `trainable` to the end, sharing (not copying) the
    model's parameters. `trunk(x)` runs the part before it (no grad): images (N, 3, 160, 160)
    standardised -> features, e.g. (N, 1792, 3, 3) when the tail starts at repeat_3.
    `forward(features)` -> (N, 512) L2-normalised embeddings, as the full model gives. Only the
    parameters of `trainable` blocks get requires_grad; the whole model is put and kept in eval
    mode, because the converted weights have BN folded in: batch statistics of a few faces would
    wreck them, and dropout stays off as well (a deliberate choice for small data)."""

    input_shape = (160, 160, 3)

    def __init__(self, model: nn.Module, trainable: Sequence[str]) -> None:
        super().__init__()
        unknown = [t for t in trainable if t not in TRAINABLE_CHOICES]
        if unknown or not trainable:
            raise ValueError(f"InceptionResnetV1 trainable blocks must be among "
                             f"{TRAINABLE_CHOICES}, got {unknown or 'none'}")
        start = min(FORWARD_ORDER.index(name) for name in trainable)
        self._trunk_names = FORWARD_ORDER[:start]
        self._tail_names = FORWARD_ORDER[start:]
        self.model = model
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        for name in trainable:
            for p in getattr(model, name).parameters():
                p.requires_grad_(True)

    @staticmethod
    def to_input(crops: np.ndarray) -> torch.Tensor:
        """(N, 160, 160, 3) uint8 RGB crops -> the standardised batch the trunk takes."""
        return standardise_crops(crops)

    def train(self, mode: bool = True) -> "InceptionTail":
        # Never let anyone switch BN/dropout to training behaviour.
        return super().train(False)

    @torch.no_grad()
    def trunk(self, images: torch.Tensor) -> torch.Tensor:
        x = images
        for name in self._trunk_names:
            x = getattr(self.model, name)(x)
        return x

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = features
        for name in self._tail_names:
            if name == "last_linear":
                x = x.view(x.shape[0], -1)
            x = getattr(self.model, name)(x)
        return F.normalize(x, p=2, dim=1)

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.model.parameters() if p.requires_grad]
