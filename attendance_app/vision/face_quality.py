"""Per-face quality figures (size, sharpness, yaw) and the LFW-style central face rule.

Pure numpy/cv2 over a detection's box, landmarks and 160x160 crop; used by enrolment gates, by
track re-embedding and by the LFW benchmark's face selection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from attendance_app.domain.detection import Detection, FaceQuality, Point
from attendance_app.domain.face_box import FaceBox

# Depth of the nose tip in front of the eye plane, as a fraction of the inter-eye distance
# (anthropometric average ~0.5): turns the nose's sideways shift into an angle.
_NOSE_DEPTH_RATIO = 0.5


def sharpness(crop_rgb: np.ndarray) -> float:
    """Variance of the Laplacian of the grey crop (uint8 (H, W, 3) RGB). Higher is sharper;
    compare only crops of the same size (the 160 px face crop), as it depends on scale."""
    grey = cv2.cvtColor(np.ascontiguousarray(crop_rgb), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def yaw_degrees(landmarks: Sequence[Point]) -> float:
    """Rough head yaw in degrees from the 5 MTCNN landmarks (image coordinates).

    The nose tip's horizontal offset from the eye midpoint, divided by the inter-eye distance,
    is tan(yaw) times the nose depth ratio. 0 is frontal. Sign: positive when the subject turned
    towards the image's left side (the nose moved left of the eye midpoint), as FaceQuality says.
    Accuracy is a few degrees near frontal and degrades past ~45 degrees; returns 90 when the
    eyes coincide.
    """
    (lx, ly), (rx, ry), (nx, ny) = landmarks[0], landmarks[1], landmarks[2]
    eye_dist = math.hypot(rx - lx, ry - ly)
    if eye_dist < 1e-6:
        return 90.0
    # Project the nose offset on the eye axis so head roll does not read as yaw.
    ux, uy = (rx - lx) / eye_dist, (ry - ly) / eye_dist
    offset = (nx - (lx + rx) / 2.0) * ux + (ny - (ly + ry) / 2.0) * uy
    return -math.degrees(math.atan2(offset / eye_dist, _NOSE_DEPTH_RATIO))


def face_quality(box: FaceBox, landmarks: Sequence[Point], crop_rgb: np.ndarray) -> FaceQuality:
    """FaceQuality of one face: short side of the box (frame px), crop sharpness, yaw (degrees)."""
    return FaceQuality(size_px=float(min(box.width, box.height)),
                       sharpness=sharpness(crop_rgb),
                       yaw_degrees=yaw_degrees(landmarks))


def select_central_face(detections: Sequence[Detection],
                        image_shape: tuple[int, ...],
                        center_weight: float = 2.0) -> Detection | None:
    """The face an image is 'about': facenet-pytorch's 'center_weighted_size' rule.

    Score = box area - center_weight * squared distance (px^2) of the box centre from the image
    centre; the highest score wins. image_shape is (H, W[, C]). None when there are no detections.
    This is how LFW's labelled (central) person is picked in group photos.
    """
    if not detections:
        return None
    cy, cx = image_shape[0] / 2.0, image_shape[1] / 2.0

    def score(d: Detection) -> float:
        bx, by = d.box.center
        return d.box.area - center_weight * ((bx - cx) ** 2 + (by - cy) ** 2)

    return max(detections, key=score)
