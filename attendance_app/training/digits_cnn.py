"""DigitsCnn: a small conv embedder for 28x28 digits, for the one-shot demonstration."""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)
    )


class DigitsCnn(nn.Module):
    """Conv-BN-ReLU trunk + global average pool -> `features` (N, width*4), then a linear
    projection -> embedding (N, embedding_dim). Input (N, 1, 28, 28) float in [0, 1].

    `forward` returns the projection (what the triplet loss trains); `features` returns the
    pooled trunk output *before* the projection. For digits never seen in training the
    L2-normalised features work better as templates: the projection, fitted to the seen classes
    only, discards directions that separate the unseen ones (DESIGN.md section 4: 0.39 -> 0.72).
    """

    def __init__(self, width: int = 16, embedding_dim: int = 64) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            _block(1, width), _block(width, width), nn.MaxPool2d(2),  # 14x14
            _block(width, 2 * width), _block(2 * width, 2 * width), nn.MaxPool2d(2),  # 7x7
            _block(2 * width, 4 * width), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.projection = nn.Linear(4 * width, embedding_dim)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(self.trunk(x))

    @torch.no_grad()
    def embed_features(self, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
        """L2-normalised pre-projection features (N, width*4) in eval mode, no grad."""
        self.eval()
        parts = [F.normalize(self.features(x[i : i + batch_size]), dim=1) for i in range(0, len(x), batch_size)]
        return torch.cat(parts)

    @torch.no_grad()
    def embed_projection(self, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
        """L2-normalised projection outputs (N, embedding_dim) in eval mode: the other readout."""
        self.eval()
        parts = [F.normalize(self(x[i : i + batch_size]), dim=1) for i in range(0, len(x), batch_size)]
        return torch.cat(parts)
