"""SemiHardTripletLoss: online semi-hard mining plus triplet margin loss inside one batch."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from pytorch_metric_learning.distances import LpDistance
from pytorch_metric_learning.losses import TripletMarginLoss
from pytorch_metric_learning.miners import TripletMarginMiner
from pytorch_metric_learning.reducers import AvgNonZeroReducer


@dataclass(frozen=True)
class TripletStats:
    """What one batch offered. `total`: all valid (a, p, n) triplets (a != p same person, n another
    person); `mined`: the semi-hard ones; `active`: triplets of the whole batch that still violate
    the margin (hard or semi-hard, positive loss); `active_share` = active / total (0 when total is
    0): it falls as the batch gets easy. `skipped` is True when no semi-hard triplet gave a loss."""

    total: int
    mined: int
    active: int
    skipped: bool

    @property
    def active_share(self) -> float:
        return self.active / self.total if self.total else 0.0


class SemiHardTripletLoss:
    """Semi-hard triplet loss built from pytorch-metric-learning (PML) parts, exact semantics:

    - distance: Euclidean between L2-normalised embeddings (`LpDistance(p=2, normalize_embeddings=
      True)`), so d lies in [0, 2];
    - mining: PML `TripletMarginMiner(type_of_triplets="semihard")` keeps every (a, p, n) with
      0 < d(a,n) - d(a,p) <= margin, i.e. d(a,p) < d(a,n) <= d(a,p) + margin (PML's upper bound is
      inclusive; a triplet exactly on it has zero loss, so it never changes the loss);
    - loss per mined triplet: max(0, d(a,p) - d(a,n) + margin);
    - reduction: PML's default `AvgNonZeroReducer` = mean over the mined triplets whose loss is
      strictly positive (not over all mined triplets, not over the batch).
    `__call__(embeddings (B, D) float, labels (B,) int) -> (loss scalar tensor | None, TripletStats)`.
    When no semi-hard triplet with a positive loss exists the loss is None: the caller must skip
    the optimiser step and count it, rather than train on nothing.
    """

    def __init__(self, margin: float = 0.2) -> None:
        if not margin > 0:
            raise ValueError(f"margin must be positive, got {margin}")
        self.margin = margin
        distance = LpDistance(p=2, power=1, normalize_embeddings=True)
        self._miner = TripletMarginMiner(margin=margin, type_of_triplets="semihard", distance=distance)
        self._loss = TripletMarginLoss(margin=margin, distance=distance, reducer=AvgNonZeroReducer())

    def mine(self, embeddings: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Indices (anchors, positives, negatives) of the semi-hard triplets, each (T,) int64."""
        with torch.no_grad():
            return self._miner(embeddings, labels)

    def __call__(
        self, embeddings: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor | None, TripletStats]:
        triplets = self.mine(embeddings, labels)
        loss = self._loss(embeddings, labels, triplets) if len(triplets[0]) else None
        mined = int(len(triplets[0]))
        total, active = self._count_all(embeddings.detach(), labels)
        if loss is not None and not bool(loss.detach() > 0):
            loss = None
        return loss, TripletStats(total=total, mined=mined, active=active, skipped=loss is None)

    def _count_all(self, embeddings: torch.Tensor, labels: torch.Tensor) -> tuple[int, int]:
        # (B, B, B) boolean cube: fine for training batches (32 -> 32k cells).
        x = F.normalize(embeddings, p=2, dim=1)
        dist = torch.cdist(x, x)
        same = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
        violating = (dist[:, :, None] - dist[:, None, :] + self.margin) > 0
        return int(valid.sum()), int((valid & violating).sum())
