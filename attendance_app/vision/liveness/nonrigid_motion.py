"""Planarity of landmark motion: a flat photo's landmarks move by one homography, a face does not.

Between a reference sample and the current one, one homography is fitted (least squares) to all
468 mesh points. Whatever a hand does with a print or a phone (tilt, tremor, approach) the
picture stays a plane, so its points obey one homography up to the landmarker's jitter. A
living face turns in 3-D (parallax between nose, eyes and cheek outline) and changes shape
(mouth, brows, eyelids): the homography leaves a residual.
"""

from __future__ import annotations

import cv2
import numpy as np


def homography_residual(ref_xy: np.ndarray, cur_xy: np.ndarray, scale: float) -> float:
    """RMS distance between `cur_xy` and `ref_xy` mapped by the best homography, divided by
    `scale` (the inter-ocular distance). Both (N, 2) float; returns inf when no homography fits."""
    src = ref_xy.astype(np.float64).reshape(-1, 1, 2)
    dst = cur_xy.astype(np.float64).reshape(-1, 1, 2)
    h, _ = cv2.findHomography(src, dst, 0)
    if h is None or scale <= 0:
        return float("inf")
    mapped = cv2.perspectiveTransform(src, h).reshape(-1, 2)
    return float(np.sqrt(np.mean(np.sum((mapped - cur_xy) ** 2, axis=1))) / scale)


def is_nonrigid(planar: float, rigid: float, threshold: float, max_residual: float) -> bool:
    """The face changed shape: neither a plane (`planar`, homography residual) nor a rigid 3-D
    body (`rigid`, see head_rotation) explains the motion. Residuals above `max_residual` are a
    tracker jump to another face and are not evidence."""
    best = min(planar, rigid)
    return threshold < best and planar < max_residual
