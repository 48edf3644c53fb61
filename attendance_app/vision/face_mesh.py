"""FaceMeshLandmarker: MediaPipe's FaceMesh (468 3-D points) for a face box, run by cv2.dnn.

The model (`face_landmark.tflite`, see face_mesh_files) takes a 192x192 RGB crop in [0, 1] and
returns 468 (x, y, z) points in crop pixels plus a face-presence logit. As MediaPipe does, the
crop is the detector's box enlarged 1.5x to a square and rotated so that the eyes are level;
the points are mapped back to frame pixels. cv2.dnn needs its *classic* engine here: OpenCV
5's new engine keeps only one of the model's two outputs, and the input must be NCHW.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from attendance_app.domain.detection import Point
from attendance_app.domain.errors import WeightsError
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_mesh_files import verified_model_path

INPUT_SIZE = 192
NUM_POINTS = 468
ROI_SCALE = 1.5  # MediaPipe's face_detection -> face_landmark ROI scale
# Presence logit below which the crop is taken to hold no face (sigmoid 0.5, MediaPipe's cut).
PRESENCE_LOGIT = 0.0


@dataclass(frozen=True)
class FaceMesh:
    """468 landmarks of one face. `points` (468, 3) float32: x, y in frame pixels, z in the same
    pixel scale (smaller = nearer the camera, relative to the face's centre); `presence` the
    model's face probability in [0, 1]; `roi_side_px` the side of the square crop in frame
    pixels (the scale the points were measured at)."""

    points: np.ndarray
    presence: float
    roi_side_px: float

    @property
    def xy(self) -> np.ndarray:
        """(468, 2) float32 frame-pixel positions."""
        return self.points[:, :2]


class FaceMeshLandmarker:
    """Runs FaceMesh on one face box at a time (~4 ms per face on this CPU).

    Thread-safe (one lock around the net: cv2.dnn nets are not re-entrant). Raises
    WeightsError when the model file is missing or fails its checksum, ValueError on a frame
    that is not (H, W, 3) uint8 or an empty box."""

    def __init__(self, model_path: Path | None = None) -> None:
        path = model_path or verified_model_path()
        try:
            # The classic engine where it exists (OpenCV 5.0); 5.1 has only the new one.
            classic = getattr(cv2.dnn, "ENGINE_CLASSIC", None)
            self._net = (cv2.dnn.readNetFromTFLite(str(path)) if classic is None
                         else cv2.dnn.readNetFromTFLite(str(path), engine=classic))
        except cv2.error as exc:
            raise WeightsError(f"OpenCV cannot load the FaceMesh model {path}: {exc}") from exc
        self._net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self._outputs = list(self._net.getUnconnectedOutLayersNames())
        self._lock = threading.Lock()

    def landmarks(self, rgb: np.ndarray, box: FaceBox,
                  eyes: tuple[Point, Point] | None = None) -> FaceMesh | None:
        """The mesh of the face in `box` of frame `rgb` ((H, W, 3) uint8 RGB), or None when the
        model sees no face in the crop. `eyes` (image-left eye, image-right eye) in frame pixels
        levels the crop; without them the crop is upright."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {rgb.shape} {rgb.dtype}")
        if box.width <= 1 or box.height <= 1:
            raise ValueError(f"face box too small for landmarks: {box}")
        to_crop, side = _roi_transform(box, eyes)
        crop = cv2.warpAffine(rgb, to_crop, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        blob = (crop.astype(np.float32) * (1.0 / 255.0)).transpose(2, 0, 1)[None]
        with self._lock:
            self._net.setInput(blob)
            outs = self._net.forward(self._outputs)
        raw, logit = _split_outputs([np.asarray(o) for o in outs])
        if logit < PRESENCE_LOGIT:
            return None
        pts = raw.reshape(NUM_POINTS, 3).astype(np.float64)
        back = cv2.invertAffineTransform(to_crop)
        xy = pts[:, :2] @ back[:, :2].T + back[:, 2]
        z = pts[:, 2] * (side / INPUT_SIZE)
        points = np.column_stack([xy, z]).astype(np.float32)
        presence = 1.0 / (1.0 + math.exp(-min(max(logit, -50.0), 50.0)))
        return FaceMesh(points, presence, side)


def _roi_transform(box: FaceBox, eyes: tuple[Point, Point] | None) -> tuple[np.ndarray, float]:
    """2x3 affine map frame -> 192-px crop: the box's centre to the crop's centre, the box's
    longer side x ROI_SCALE to 192 px, rotated so the eye line is horizontal."""
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    side = ROI_SCALE * max(box.width, box.height)
    angle = 0.0
    if eyes is not None:
        (lx, ly), (rx, ry) = eyes
        angle = math.degrees(math.atan2(ry - ly, rx - lx))
    m = cv2.getRotationMatrix2D((cx, cy), angle, INPUT_SIZE / side)
    m[0, 2] += INPUT_SIZE / 2 - cx
    m[1, 2] += INPUT_SIZE / 2 - cy
    return m, side


def _split_outputs(outs: tuple[np.ndarray, ...] | list[np.ndarray]) -> tuple[np.ndarray, float]:
    """(1404 landmark values, presence logit) whatever order cv2 returns the outputs in."""
    raw = next((o for o in outs if o.size == NUM_POINTS * 3), None)
    flag = next((o for o in outs if o.size == 1), None)
    if raw is None or flag is None:
        raise WeightsError(f"unexpected FaceMesh outputs: {[o.shape for o in outs]}")
    return raw.ravel(), float(flag.ravel()[0])
