"""FaceEmbedder: face crops in, L2-normalised 512-d embeddings out.

Input is one (160, 160, 3) uint8 RGB crop or a batch (N, 160, 160, 3) / list of them, exactly as
the detector cuts them; the standardisation (x - 127.5) / 128 happens here and nowhere else.
Output is (N, 512) float32 with unit rows ((0, 512) for no crops). The model always runs in eval
mode under torch.inference_mode (dropout 0.6 in train mode would destroy the embeddings). With
`flip_average` each embedding is the re-normalised mean of the crop's and its mirror image's.
Malformed input raises ValueError describing the expected shape.

`prepare(frame_rgb, detection)` is the one place a detected face becomes this embedder's input
(the margin crop, or with alignment="five_point" a similarity-aligned 160 px face with context);
`prepare_stored(crop, landmarks)` does the same for a stored 160 px crop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from attendance_app.domain.detection import Detection, Point
from attendance_app.vision.face_alignment import align_face
from attendance_app.vision.face_detector import crop_face

CROP_SHAPE = (160, 160, 3)
EMBEDDING_SIZE = 512
# Five-point variant: the template's face fills this share of the 160 px side, about what the
# margin-44 box crop leaves (face box ~116 of 160 px) -- FaceNet saw margin crops in training.
FIVE_POINT_FACE_SCALE = 0.72
ALIGNMENTS = ("box", "five_point")


class FaceEmbedder:
    """Embeds face crops with an InceptionResnetV1-style model; see the module docstring."""

    input_shape = CROP_SHAPE
    embedding_size = EMBEDDING_SIZE

    def __init__(self, model: nn.Module, model_key: str, flip_average: bool = False,
                 batch_size: int = 32, margin: int = 44, alignment: str = "box") -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if alignment not in ALIGNMENTS:
            raise ValueError(f"alignment must be one of {ALIGNMENTS}, got {alignment!r}")
        self.model = model.eval()
        self.model_key = model_key
        self.flip_average = flip_average
        self.batch_size = batch_size
        self.margin = margin
        self.alignment = alignment

    @property
    def uses_margin_crop(self) -> bool:
        """True when the input is the detector's margin crop (then a benchmark's --margin
        applies through the detector); False for the five-point variant."""
        return self.alignment == "box"

    def prepare(self, frame_rgb: np.ndarray, detection: Detection) -> np.ndarray:
        """The (160, 160, 3) uint8 RGB input of `detection` in an (H, W, 3) uint8 RGB frame."""
        if self.alignment == "five_point":
            return align_face(frame_rgb, detection.landmarks, 160, FIVE_POINT_FACE_SCALE)
        return crop_face(frame_rgb, detection.box, self.margin, 160)

    def prepare_stored(self, crop_rgb: np.ndarray, landmarks: Sequence[Point] | None,
                       context_rgb: np.ndarray | None = None) -> np.ndarray:
        """The input from a stored face: the 160 px margin crop itself for the box variant;
        five_point aligns on the context (or, without one, the crop) with its landmarks."""
        if self.alignment == "five_point" and landmarks is not None:
            source = context_rgb if context_rgb is not None else crop_rgb
            return align_face(source, landmarks, 160, FIVE_POINT_FACE_SCALE)
        return np.ascontiguousarray(crop_rgb)

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
