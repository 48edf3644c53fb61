"""SFaceEmbedder: OpenCV Zoo's SFace (folded to fp32) run by cv2.dnn; 128-d unit embeddings.

Its input is not the app's 160 px margin crop but a 112x112 face aligned on the five landmarks
(`prepare(frame_rgb, detection)` cuts it; `prepare_stored(crop_rgb, landmarks)` cuts it from a
stored crop whose landmarks are in crop coordinates). `embed` takes (N, 112, 112, 3) uint8 RGB
aligned faces and returns (N, 128) float32 unit rows; the network gets RGB 0-255 (what
cv2.FaceRecognizerSF feeds after swapping its BGR input). cv2.dnn nets are not thread-safe:
one lock serialises the forward passes. Malformed input raises ValueError.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import cv2
import numpy as np

from attendance_app.domain.detection import Detection, Point
from attendance_app.vision.face_alignment import ALIGNED_SIZE, align_face
from attendance_app.vision.face_detector import crop_face, landmarks_in_crop
from attendance_app.vision.weights.sface_cache import run_net

SFACE_INPUT_SHAPE = (ALIGNED_SIZE, ALIGNED_SIZE, 3)
SFACE_EMBEDDING_SIZE = 128


class SFaceEmbedder:
    """Embeds 5-point-aligned 112x112 faces with SFace; see the module docstring."""

    input_shape = SFACE_INPUT_SHAPE
    embedding_size = SFACE_EMBEDDING_SIZE
    uses_margin_crop = False  # its input is always cut by prepare() on the landmarks

    def __init__(self, net: cv2.dnn.Net, model_key: str, flip_average: bool = False,
                 via_crop: bool = False, crop_margin: int = 44) -> None:
        self._net = net
        self.model_key = model_key
        self.flip_average = flip_average
        self.via_crop = via_crop
        self.crop_margin = crop_margin
        self._lock = threading.Lock()

    def prepare(self, frame_rgb: np.ndarray, detection: Detection) -> np.ndarray:
        """The (112, 112, 3) uint8 RGB aligned face of `detection` in an (H, W, 3) frame.

        Default: warped straight from the frame (OpenCV's alignCrop); a stored face context
        (face_detector.face_context) gives the same input later. via_crop: aligned inside the
        160 px margin crop instead (measured worse: 0.93 vs 0.96 rank-1 on five_celebrity)."""
        if self.via_crop:
            crop = crop_face(frame_rgb, detection.box, self.crop_margin)
            return align_face(crop, landmarks_in_crop(frame_rgb.shape, detection,
                                                      self.crop_margin))
        return align_face(frame_rgb, detection.landmarks)

    def prepare_stored(self, crop_rgb: np.ndarray, landmarks: Sequence[Point] | None,
                       context_rgb: np.ndarray | None = None) -> np.ndarray:
        """The aligned face cut from a stored face: from its context image when there is one
        (landmarks in context pixels), else from the 160 px crop (landmarks in crop pixels).
        ValueError when no landmarks are known."""
        if landmarks is None:
            raise ValueError("this face crop was stored without landmarks: SFace cannot align it")
        return align_face(context_rgb if context_rgb is not None else crop_rgb, landmarks)

    def embed(self, faces: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """(N, 112, 112, 3) uint8 RGB aligned faces -> (N, 128) float32 unit rows."""
        batch = _as_batch(faces)
        if len(batch) == 0:
            return np.zeros((0, SFACE_EMBEDDING_SIZE), np.float32)
        with self._lock:
            out = run_net(self._net, batch)
            if self.flip_average:
                out = _unit(out) + _unit(run_net(self._net, np.ascontiguousarray(batch[:, :, ::-1])))
        return _unit(out)

    def embed_one(self, face: np.ndarray) -> np.ndarray:
        """One (112, 112, 3) uint8 RGB aligned face -> (128,) float32 unit vector."""
        face = np.asarray(face)
        if face.shape != SFACE_INPUT_SHAPE:
            raise ValueError(f"expected one face of shape {SFACE_INPUT_SHAPE}, got {face.shape}")
        return np.asarray(self.embed(face[None])[0])


def _as_batch(faces: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    batch = np.asarray(faces) if isinstance(faces, np.ndarray) else (
        np.stack([np.asarray(f) for f in faces]) if len(faces) else
        np.zeros((0, *SFACE_INPUT_SHAPE), np.uint8))
    if batch.ndim != 4 or batch.shape[1:] != SFACE_INPUT_SHAPE or (
            batch.size and batch.dtype != np.uint8):
        raise ValueError(f"expected aligned faces of shape (N, 112, 112, 3) uint8, got "
                         f"{batch.shape} {batch.dtype} (use prepare() to align a detection)")
    return batch


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12),
                      dtype=np.float32)


__all__ = ["SFACE_EMBEDDING_SIZE", "SFACE_INPUT_SHAPE", "SFaceEmbedder"]
