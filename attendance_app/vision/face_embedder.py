"""FaceEmbedder: face crops in, L2-normalised 512-d embeddings out.

Input is one (160, 160, 3) uint8 RGB crop or a batch (N, 160, 160, 3) / list of them, exactly as
the detector cuts them; the standardisation (x - 127.5) / 128 happens here and nowhere else.
Output is (N, 512) float32 with unit rows ((0, 512) for no crops). The model always runs in eval
mode under torch.inference_mode (dropout 0.6 in train mode would destroy the embeddings). With
`flip_average` each embedding is the re-normalised mean of the crop's and its mirror image's.
Malformed input raises ValueError describing the expected shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

CROP_SHAPE = (160, 160, 3)
EMBEDDING_SIZE = 512


class FaceEmbedder:
    """Embeds face crops with an InceptionResnetV1-style model; see the module docstring."""

    def __init__(self, model: nn.Module, model_key: str, flip_average: bool = False, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model = model.eval()
        self.model_key = model_key
        self.flip_average = flip_average
        self.batch_size = batch_size

    def embed(self, crops: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """(N, 160, 160, 3) uint8 RGB crops (array or list) -> (N, 512) float32 unit rows."""
        batch = _as_batch(crops)
        if len(batch) == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        if self.model.training:
            self.model.eval()  # someone switched it to train mode: embeddings need frozen BN/dropout
        chunks = [self._embed_chunk(batch[i:i + self.batch_size]) for i in range(0, len(batch), self.batch_size)]
        return np.concatenate(chunks)

    def embed_one(self, crop: np.ndarray) -> np.ndarray:
        """One (160, 160, 3) uint8 RGB crop -> (512,) float32 unit vector."""
        crop = np.asarray(crop)
        if crop.shape != CROP_SHAPE:
            raise ValueError(f"expected one crop of shape {CROP_SHAPE}, got {crop.shape}")
        vector: np.ndarray = self.embed(crop[None])[0]
        return vector

    def _embed_chunk(self, chunk: np.ndarray) -> np.ndarray:
        if self.flip_average:
            # One forward pass over crops and mirrors together: batching is cheaper than two passes.
            both = self._forward(np.concatenate([chunk, chunk[:, :, ::-1]]))
            summed = both[: len(chunk)] + both[len(chunk):]
            return _l2_normalise(summed)
        return _l2_normalise(self._forward(chunk))

    def _forward(self, crops: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            out = self.model(standardise_crops(crops))
        features: np.ndarray = out.numpy().astype(np.float32, copy=False)
        return features


def standardise_crops(crops: np.ndarray) -> torch.Tensor:
    """(N, 160, 160, 3) uint8 RGB -> (N, 3, 160, 160) float32 (x - 127.5) / 128: the network's
    input (facenet-pytorch's fixed_image_standardization). The one place it is done, so
    enrolment, recognition, training and the conversion check see identical inputs."""
    x = torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).to(torch.float32)
    return (x - 127.5) / 128.0


def _as_batch(crops: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    if isinstance(crops, np.ndarray):
        batch = crops
    else:
        items = [np.asarray(c) for c in crops]
        if not items:
            return np.zeros((0, *CROP_SHAPE), np.uint8)
        bad = [i for i, c in enumerate(items) if c.shape != CROP_SHAPE or c.dtype != np.uint8]
        if bad:
            c = items[bad[0]]
            raise ValueError(f"crop {bad[0]} has shape {c.shape} dtype {c.dtype}; expected {CROP_SHAPE} uint8")
        batch = np.stack(items)
    if batch.ndim != 4 or batch.shape[1:] != CROP_SHAPE or (batch.size and batch.dtype != np.uint8):
        hint = " (use embed_one for a single crop)" if batch.shape == CROP_SHAPE else ""
        raise ValueError(f"expected crops of shape (N, 160, 160, 3) uint8, got {batch.shape} {batch.dtype}{hint}")
    return batch


def _l2_normalise(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    unit: np.ndarray = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit
