"""Value objects a fine-tune run reports: progress ticks, per-epoch history, the final result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrainingProgress:
    """One progress tick. phase "caching": `step` of `total_steps` images run through the frozen
    trunk so far (epoch 0, loss None). phase "training": optimiser step `step` of at most
    `total_steps` (early stopping may end sooner), `loss` of this step (None when the batch had no
    semi-hard triplet and the step was skipped), `active_share` of margin-violating triplets in the
    batch (0..1), `eta_s` estimated seconds left (None before the first step)."""

    epoch: int
    step: int
    total_steps: int
    loss: float | None
    active_share: float
    eta_s: float | None
    phase: str = "training"


ProgressCallback = Callable[[TrainingProgress], bool]
"""Return False to cancel; the run then stops at the next step and nothing is changed."""


@dataclass(frozen=True)
class EpochRecord:
    """Epoch `epoch` (0 = the pretrained model, before any step): mean loss over the steps that
    trained (NaN when none), mean active share, steps skipped for lack of semi-hard triplets, the
    validation triplet loss (None without validation people) and the one-shot rank-1 on them."""

    epoch: int
    loss: float
    active_share: float
    skipped_steps: int
    val_loss: float | None
    val_rank1: float | None


@dataclass(frozen=True)
class FineTuneResult:
    """What a run produced. `state_dict`: the full state dict (InceptionResnetV1 or SFaceNet) of the best epoch
    (CPU tensors; None when cancelled). `history`: one EpochRecord per epoch including epoch 0.
    `seconds`: wall time of the whole run (trunk caching included); `images_per_second`: training
    samples through the trainable tail per wall second of the whole run. `best_epoch` 0 means no
    epoch beat the pretrained model on validation, so the state dict equals the original.
    `excluded_people` / `notes`: what was left out and why, and other facts worth showing."""

    state_dict: dict[str, Any] | None
    history: list[EpochRecord]
    seconds: float
    images_per_second: float
    cancelled: bool
    best_epoch: int = 0
    train_people: list[str] = field(default_factory=list)
    val_people: list[str] = field(default_factory=list)
    excluded_people: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cache_seconds: float = 0.0  # of `seconds`: the frozen trunk's pass over every view

    @property
    def seconds_per_epoch(self) -> float:
        """Training wall seconds per epoch run (caching excluded; NaN when none ran)."""
        epochs = len(self.history) - 1
        return (self.seconds - self.cache_seconds) / epochs if epochs > 0 else float("nan")
