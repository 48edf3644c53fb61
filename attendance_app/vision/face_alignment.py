"""Five-point face alignment: a similarity transform of the landmarks onto a 112x112 template.

The template is ArcFace's / SFace's (OpenCV `FaceRecognizerSF.alignCrop` uses the same five
points). Landmark order is image order, as MTCNN returns it: the eye on the image's left, the
eye on the image's right, nose tip, mouth corner on the image's left, on the image's right
(YuNet calls these "right eye, left eye, nose, right mouth, left mouth": the subject's sides,
the same points). The transform is the least-squares similarity (Umeyama, no reflection).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

ALIGNED_SIZE = 112
SFACE_TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                           [41.5493, 92.3655], [70.7299, 92.2041]], np.float64)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) float64 matrix M of the rotation + uniform scale + shift that maps the (K, 2)
    points `src` onto `dst` with least squared error (Umeyama 1991, reflection excluded).
    ValueError when the source points are degenerate (all equal)."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s_c, d_c = src - mu_s, dst - mu_d
    var_s = (s_c ** 2).sum() / len(src)
    if var_s < 1e-12:
        raise ValueError("landmarks are degenerate (all at one point)")
    u, sig, vt = np.linalg.svd(d_c.T @ s_c / len(src))
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[1] = -1.0
    rot = u @ np.diag(d) @ vt
    scale = float((sig * d).sum() / var_s)
    shift = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, shift[:, None]])


def align_face(rgb: np.ndarray, landmarks: Sequence[Sequence[float]],
               size: int = ALIGNED_SIZE, face_scale: float = 1.0) -> np.ndarray:
    """The (size, size, 3) uint8 face of an (H, W, 3) uint8 image, warped so that its five
    landmarks (image coordinates, order above) land on the SFace template (scaled to `size`).
    face_scale < 1 shrinks the template about the image centre, leaving context around the
    face (FaceNet was trained on crops with a margin). Pixels outside the image are black, as
    in OpenCV's alignCrop (bilinear, border 0)."""
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    centre = size / 2.0
    target = (SFACE_TEMPLATE * (size / ALIGNED_SIZE) - centre) * face_scale + centre
    matrix = similarity_transform(points, target)
    return cv2.warpAffine(np.ascontiguousarray(rgb), matrix, (size, size),
                          flags=cv2.INTER_LINEAR, borderValue=0)


__all__ = ["ALIGNED_SIZE", "SFACE_TEMPLATE", "align_face", "similarity_transform"]
