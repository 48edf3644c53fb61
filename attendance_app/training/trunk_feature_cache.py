"""TrunkFeatureCache: the frozen trunk's output for every image view, computed once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from attendance_app.domain.errors import TrainingError
from attendance_app.vision.face_embedder import standardise_crops

CROP_SHAPE = (160, 160, 3)


def jitter(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Light photometric/geometric change of standardised images (N, 3, H, W): a random square
    crop of 90-100% of the side resized back, brightness +-10% of the range, contrast x0.9-1.1."""
    n, _, h, w = x.shape
    out = torch.empty_like(x)
    for i in range(n):
        r = torch.rand(5, generator=generator)
        side = int(round(h * (0.9 + 0.1 * r[0].item())))
        top, left = int(r[1].item() * (h - side)), int(r[2].item() * (w - side))
        crop = x[i : i + 1, :, top : top + side, left : left + side]
        crop = F.interpolate(crop, size=(h, w), mode="bilinear", align_corners=False)
        mean = crop.mean()
        contrast, brightness = 0.9 + 0.2 * r[3].item(), (r[4].item() - 0.5) * 0.4
        out[i] = ((crop - mean) * contrast + mean + brightness).clamp(-1.0, 1.0)[0]
    return out


class TrunkFeatureCache:
    """features[v] holds the trunk output of view v for every image, shape (N, C, H, W) float32.
    View 0 is the image, view 1 its horizontal flip, then pairs (jittered, jittered flip) for each
    jitter copy. Built by `build(crops, trunk, jitter_copies, seed, on_images)`, where `trunk`
    maps standardised images to features and `on_images(done, total)` reports progress and
    returns False to stop (build then returns None). `to_input` turns a uint8 batch of
    `input_shape` into the trunk's input (default: FaceNet's standardised 160 px crops; SFace's
    tail gives its 112 px aligned faces scaled to [-1, 1]). Raises TrainingError on a crop of
    another shape or dtype."""

    def __init__(self, features: list[torch.Tensor]) -> None:
        self.features = features

    @property
    def num_views(self) -> int:
        return len(self.features)

    def __len__(self) -> int:
        return len(self.features[0])

    def batch(self, indices: Sequence[int], views: Sequence[int]) -> torch.Tensor:
        """Features of image indices[i] in view views[i], stacked: (B, C, H, W)."""
        return torch.stack([self.features[v][i] for i, v in zip(indices, views)])

    @classmethod
    def build(
        cls,
        crops: Sequence[np.ndarray],
        trunk: Callable[[torch.Tensor], torch.Tensor],
        jitter_copies: int = 0,
        seed: int = 0,
        on_images: Callable[[int, int], bool] | None = None,
        batch_size: int = 16,
        to_input: Callable[[np.ndarray], torch.Tensor] = standardise_crops,
        input_shape: tuple[int, ...] = CROP_SHAPE,
    ) -> "TrunkFeatureCache | None":
        for i, crop in enumerate(crops):
            if crop.shape != input_shape or crop.dtype != np.uint8:
                raise TrainingError(f"crop {i} is {crop.shape} {crop.dtype}, expected "
                                    f"{'x'.join(map(str, input_shape))} uint8")
        generator = torch.Generator().manual_seed(seed)
        views: list[list[torch.Tensor]] = [[] for _ in range(2 + 2 * jitter_copies)]
        total, done = len(crops) * len(views), 0
        for start in range(0, len(crops), batch_size):
            x = to_input(np.stack(crops[start : start + batch_size]))
            inputs = [x]
            for _ in range(jitter_copies):
                inputs.append(jitter(x, generator))
            for k, image in enumerate(inputs):
                views[2 * k].append(trunk(image))
                views[2 * k + 1].append(trunk(torch.flip(image, dims=[3])))
                done += 2 * len(x)
            if on_images is not None and on_images(done, total) is False:
                return None
        return cls([torch.cat(v) for v in views])
