"""A synthetic 468-point 'face' in 3-D for cue tests: a curved surface (nose out, cheeks back)
with the FaceMesh eye, forehead, chin and cheek indices placed where a face has them."""

from __future__ import annotations

import math

import numpy as np

from attendance_app.vision.liveness.mesh_geometry import (
    CHIN,
    FOREHEAD,
    LEFT_CHEEK,
    LEFT_EYE,
    RIGHT_CHEEK,
    RIGHT_EYE,
)


def face_points(eye_open: float = 1.0, seed: int = 0) -> np.ndarray:
    """(468, 3) points of a face 100 units wide centred on 0; `eye_open` scales the eyelid gap."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-50, 50, (468, 2)) * np.array([1.0, 1.2])
    z = -40 * np.exp(-(xy[:, 0] ** 2 + xy[:, 1] ** 2) / 900) + 0.01 * (xy ** 2).sum(axis=1)
    pts = np.column_stack([xy, z])
    for eye, cx in ((LEFT_EYE, -22.0), (RIGHT_EYE, 22.0)):
        gap = 4.0 * eye_open
        outer = -1 if cx < 0 else 1
        # order: outer corner, upper 1, upper 2, inner corner, lower 2, lower 1
        shape = [(outer * 10, 0), (outer * 4, -gap), (-outer * 4, -gap), (-outer * 10, 0),
                 (-outer * 4, gap), (outer * 4, gap)]
        for index, (dx, dy) in zip(eye, shape):
            pts[index] = (cx + dx, -15 + dy, 5.0)
    pts[FOREHEAD] = (0, -60, 5)
    pts[CHIN] = (0, 60, 5)
    pts[LEFT_CHEEK] = (-50, 0, 20)
    pts[RIGHT_CHEEK] = (50, 0, 20)
    return pts


def rotate(points: np.ndarray, yaw_deg: float, pitch_deg: float = 0.0) -> np.ndarray:
    """Rigid 3-D turn about the face's centre."""
    a, b = math.radians(yaw_deg), math.radians(pitch_deg)
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    return points @ (rx @ ry).T


def to_frame(points: np.ndarray, centre=(320.0, 240.0), scale: float = 1.0,
             homography: np.ndarray | None = None) -> np.ndarray:
    """Project to frame pixels (weak perspective), then apply an optional 3x3 homography: a
    flat photo of the face moved by a hand is the frontal projection under a homography."""
    xy = points[:, :2] * scale + np.array(centre)
    if homography is not None:
        h = np.column_stack([xy, np.ones(len(xy))]) @ homography.T
        xy = h[:, :2] / h[:, 2:3]
    return np.column_stack([xy, points[:, 2] * scale]).astype(np.float32)
