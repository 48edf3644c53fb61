"""train_digits_embedder: the semi-hard triplet engine applied to a small CNN on digits."""

from __future__ import annotations

from collections.abc import Callable
import math

import numpy as np
import torch
import torch.nn.functional as F

from attendance_app.domain.errors import TrainingError
from attendance_app.training.class_balanced_sampler import ClassBalancedSampler
from attendance_app.training.digits_cnn import DigitsCnn
from attendance_app.training.semi_hard_triplets import SemiHardTripletLoss


def random_affine(x: torch.Tensor, generator: torch.Generator, degrees: float = 10.0,
                  shift: float = 0.1, scale: float = 0.1) -> torch.Tensor:
    """Small random rotation / shift (fraction of the image) / zoom per image of (N, C, H, W)."""
    n = x.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(n, generator=generator) * (high - low) + low

    angle = uniform(-degrees, degrees) * math.pi / 180
    zoom = uniform(1 - scale, 1 + scale)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [torch.stack([cos, -sin, uniform(-shift, shift) * 2], 1),
         torch.stack([sin, cos, uniform(-shift, shift) * 2], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def train_digits_embedder(
    images: torch.Tensor,
    labels: torch.Tensor,
    epochs: int = 8,
    margin: float = 0.3,
    people_per_batch: int = 8,
    samples_per_person: int = 16,
    lr: float = 1e-3,
    seed: int = 0,
    progress: Callable[[int, int, float | None], None] | None = None,
) -> tuple[DigitsCnn, list[dict[str, float]]]:
    """Train a DigitsCnn from scratch with ClassBalancedSampler + SemiHardTripletLoss.

    images (N, 1, 28, 28) float in [0, 1], labels (N,) int64. Each epoch runs enough P x K batches
    to see about N images, each augmented with a small random affine transform. Steps without a
    semi-hard triplet are skipped and counted. `progress(step, total_steps, loss)` is called after
    every step. Returns the model (eval mode) and per-epoch history dicts (loss, active_share,
    skipped). Raises TrainingError on a NaN loss.
    """
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = DigitsCnn()
    sampler = ClassBalancedSampler(labels.tolist(), people_per_batch, samples_per_person, seed=seed)
    criterion = SemiHardTripletLoss(margin)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    total_steps, step, history = epochs * len(sampler), 0, []
    for _ in range(epochs):
        model.train()
        losses, shares, skipped = [], [], 0
        for batch in sampler:
            index = torch.as_tensor(batch)
            loss, stats = criterion(model(random_affine(images[index], generator)), labels[index])
            step += 1
            shares.append(stats.active_share)
            if loss is None:
                skipped += 1
            else:
                if not torch.isfinite(loss):
                    raise TrainingError(f"the loss became NaN at step {step}: training stopped")
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
            if progress is not None:
                progress(step, total_steps, None if loss is None else loss.item())
        history.append({
            "loss": sum(losses) / len(losses) if losses else float("nan"),
            "active_share": sum(shares) / len(shares),
            "skipped": float(skipped),
        })
    model.eval()
    return model, history


def train_and_embed_digits(images: np.ndarray, labels: np.ndarray, train_idx: np.ndarray,
                           embed_idx: np.ndarray, epochs: int = 8, seed: int = 0,
                           progress: Callable[[int, int, float | None], None] | None = None
                           ) -> np.ndarray:
    """numpy in, numpy out (so services need no torch): train a DigitsCnn on
    images[train_idx] ((N, 28, 28) uint8) and return the normalised pre-projection features of
    images[embed_idx] as an (M, D) float32 array."""
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1)
    y = torch.from_numpy(labels)
    model, _ = train_digits_embedder(x[train_idx], y[train_idx], epochs=epochs, seed=seed,
                                     progress=progress)
    return model.embed_features(x[embed_idx]).numpy()


def train_and_embed_digits_readouts(images: np.ndarray, labels: np.ndarray,
                                    train_idx: np.ndarray, embed_idx: np.ndarray,
                                    epochs: int = 8, seed: int = 0,
                                    progress: Callable[[int, int, float | None], None] | None = None
                                    ) -> dict[str, np.ndarray]:
    """As train_and_embed_digits, but both readouts of one trained model: "features" (the
    normalised pre-projection features, what the benchmark uses) and "projection" (the
    normalised projection output), each (M, D) float32, for choosing the readout on validation."""
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1)
    y = torch.from_numpy(labels)
    model, _ = train_digits_embedder(x[train_idx], y[train_idx], epochs=epochs, seed=seed,
                                     progress=progress)
    return {"features": model.embed_features(x[embed_idx]).numpy(),
            "projection": model.embed_projection(x[embed_idx]).numpy()}
