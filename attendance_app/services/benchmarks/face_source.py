"""Turn image files into face crops for the benchmarks: detect (with a face-selection rule) or,
for already-cropped datasets, resize. Shared by the one-shot and LFW benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.domain.errors import InvalidImageError
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_detector import crop_face, resize_as_crop
from attendance_app.vision.face_quality import select_central_face
from attendance_app.vision.image_io import load_image_rgb

Progress = Callable[[int, int], object]


class Embedder(Protocol):
    def embed(self, crops: np.ndarray) -> np.ndarray: ...


def input_cutter(embedder: object, detector: "Detector | None"
                 ) -> Callable[[np.ndarray, Detection], np.ndarray] | None:
    """How a detected face becomes this embedder's input: the detector's margin crop for
    embedders that take it (FaceNet: `uses_margin_crop`, the benchmark's --margin applies),
    else the embedder's own `prepare` (SFace, five-point FaceNet: aligned on the landmarks)."""
    if getattr(embedder, "uses_margin_crop", True):
        return (lambda rgb, d: detector.crop(rgb, d)) if detector is not None else None
    return getattr(embedder, "prepare")


def _input_size(embedder: object) -> int:
    return int(getattr(embedder, "input_shape", (160,))[0])


class Detector(Protocol):
    margin: int
    crop_size: int

    def detect(self, rgb: np.ndarray) -> list[Detection]: ...

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray: ...


# MTCNN also fires on hands and patterns at p 0.9-0.99; the photo's subject is nearly always
# >= 0.99. On LFW's 1,015 multi-face images, choosing the largest face among those >= 0.99
# moves 36 choices: 34 onto the centred (labelled) face, none away from it (0.995: 43 / 2).
CONFIDENT_FACE = 0.99


def choose_face(detections: Sequence[Detection], shape: tuple[int, ...],
                selection: str) -> Detection | None:
    """The face an image is about: among the faces MTCNN is sure of (CONFIDENT_FACE; all of
    them when none is), 'largest' (detections come largest first) or 'central'
    (center-weighted size)."""
    if not detections:
        return None
    candidates = [d for d in detections if d.probability >= CONFIDENT_FACE] or list(detections)
    if selection == "central":
        return select_central_face(candidates, shape)
    return candidates[0]


def centre_crop(rgb: np.ndarray, margin: int, crop_size: int = 160,
                face_fraction: float = 0.4) -> np.ndarray:
    """Fallback crop for a pre-centred photo (LFW) where MTCNN found no face: a centred square
    of face_fraction of the short side, treated as the face box, cut with the usual margin."""
    h, w = rgb.shape[:2]
    side = face_fraction * min(h, w)
    box = FaceBox((w - side) / 2, (h - side) / 2, (w + side) / 2, (h + side) / 2)
    return crop_face(rgb, box, margin, crop_size)


def crops_for_images(paths: Sequence[Path], detector: Detector | None, crops: bool,
                     selection: str = "largest", fallback_centre: bool = False,
                     progress: Progress | None = None,
                     cut: Callable[[np.ndarray, Detection], np.ndarray] | None = None,
                     size: int = 160) -> tuple[list[np.ndarray | None], int]:
    """One embedder input per path (None when no face, or unreadable), and the no-face count.

    cut(rgb, detection) turns the chosen face into the input (default: detector.crop); size is
    the input's side. crops=True resizes each whole image (no detection). With fallback_centre,
    a no-face image gets centre_crop() instead of None (still counted in the no-face count).
    """
    if cut is None and detector is not None:
        cut = lambda rgb, d: detector.crop(rgb, d)  # noqa: E731
    out: list[np.ndarray | None] = []
    no_face = 0
    for i, path in enumerate(paths):
        try:
            rgb = load_image_rgb(path)
        except InvalidImageError:
            out.append(None)
            no_face += 1
            continue
        if crops or detector is None:
            out.append(resize_as_crop(rgb, size))
        else:
            if hasattr(detector, "for_path"):
                detector.for_path(path)  # a CachedDetector answers from its file
            face = choose_face(detector.detect(rgb), rgb.shape, selection)
            if face is not None:
                out.append(cut(rgb, face))
            else:
                no_face += 1
                out.append(resize_as_crop(centre_crop(rgb, detector.margin, detector.crop_size),
                                          size) if fallback_centre else None)
        if progress is not None:
            progress(i + 1, len(paths))
    return out, no_face


def embed_crops(crops: Sequence[np.ndarray | None], embedder: Embedder,
                dim: int = 512) -> list[np.ndarray | None]:
    """Embed the non-None crops in one batched call; None stays None."""
    present = [c for c in crops if c is not None]
    dim = int(getattr(embedder, "embedding_size", dim))
    vectors = embedder.embed(np.stack(present)) if present else np.zeros((0, dim), np.float32)
    it = iter(np.asarray(vectors, np.float32))
    return [next(it) if c is not None else None for c in crops]


def embed_images(paths: Sequence[Path], detector: Detector | None, embedder: Embedder,
                 crops: bool = False, selection: str = "largest",
                 fallback_centre: bool = False, progress: Progress | None = None,
                 chunk: int = 64) -> tuple[list[np.ndarray | None], int]:
    """Embedding (D,) float32 of each image's chosen face (None when none), and the no-face
    count. Works in chunks so that thousands of images never hold all crops in memory."""
    embeddings: list[np.ndarray | None] = []
    no_face = 0
    cut, size = input_cutter(embedder, detector), _input_size(embedder)
    for start in range(0, len(paths), chunk):
        batch = paths[start:start + chunk]
        batch_crops, missing = crops_for_images(batch, detector, crops, selection,
                                                fallback_centre, cut=cut, size=size)
        embeddings.extend(embed_crops(batch_crops, embedder))
        no_face += missing
        if progress is not None:
            progress(start + len(batch), len(paths))
    return embeddings, no_face
