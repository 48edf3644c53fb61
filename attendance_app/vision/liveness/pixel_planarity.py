"""Planarity of the image texture itself: pixels of a flat picture move by one homography.

The landmark cue (nonrigid_motion) fits a homography to FaceMesh points, but FaceMesh fits a
3-D face prior: on a turning *photo* it can "see" a turning head and move its points off one
plane. Pixels cannot be talked into that. Corners of the real texture in and just around the
face box are tracked (pyramidal Lucas-Kanade, kept only when tracking back lands where it
started) from a reference sample's face patch into the current one, one homography is fitted
robustly (LMedS) and the residual of the tracked points is measured. A print or a screen,
however it is tilted, turned or shaken, leaves only tracking noise; a real head has parallax
(nose against cheeks, face against background) and non-rigid motion (mouth, brows, eyes).

Each sample keeps its face patch (`face_patch`: the box widened by PATCH_MARGIN, resized to
PATCH_SIDE pixels), so the measure runs on two small patches, never on whole frames. Mapping
each frame to its patch is an affine map, so a plane in the frames stays one homography
between the patches.
"""

from __future__ import annotations

import base64

import cv2
import numpy as np

from attendance_app.domain.face_box import FaceBox

PATCH_SIDE = 112  # pixels of the stored patch (the face box is PATCH_SIDE / PATCH_MARGIN wide)
PATCH_MARGIN = 1.25  # patch side / box side: the face and a ring just around it
MIN_TRACKED = 12  # fewer tracked corners than this: no verdict (too little texture)
_FB_MAX_PX = 0.5  # forward-backward error (patch pixels) above which a track is dropped
_LK_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01)


def face_patch(grey: np.ndarray, box: FaceBox) -> np.ndarray:
    """(PATCH_SIDE, PATCH_SIDE) uint8: the square around `box`'s centre, PATCH_MARGIN times the
    box's longer side, from `grey` ((H, W) uint8; parts outside it repeat its edge)."""
    side = PATCH_MARGIN * max(box.width, box.height)
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    n = max(2, int(round(side)))
    h, w = grey.shape[:2]
    pad = max(0, -x0, -y0, x0 + n - w, y0 + n - h)
    if pad:
        grey = cv2.copyMakeBorder(grey, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, y0 = x0 + pad, y0 + pad
    region = grey[y0:y0 + n, x0:x0 + n]
    interp = cv2.INTER_AREA if n > PATCH_SIDE else cv2.INTER_LINEAR
    return cv2.resize(np.ascontiguousarray(region), (PATCH_SIDE, PATCH_SIDE), interpolation=interp)


def tracked_points(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Texture corners of `ref` and where they are in `cur` ((N, 2) float32 each), only those
    that Lucas-Kanade tracks there and back to within _FB_MAX_PX."""
    corners = cv2.goodFeaturesToTrack(ref, maxCorners=150, qualityLevel=0.01, minDistance=4,
                                      blockSize=5)
    if corners is None:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    p0 = corners.astype(np.float32).reshape(-1, 1, 2)
    p1, ok1, _ = cv2.calcOpticalFlowPyrLK(ref, cur, p0, None, winSize=(15, 15), maxLevel=3,
                                          criteria=_LK_CRITERIA)  # type: ignore[call-overload]
    back, ok2, _ = cv2.calcOpticalFlowPyrLK(cur, ref, p1, None, winSize=(15, 15), maxLevel=3,
                                            criteria=_LK_CRITERIA)  # type: ignore[call-overload]
    fb = np.linalg.norm((back - p0).reshape(-1, 2), axis=1)
    keep = (ok1.ravel() == 1) & (ok2.ravel() == 1) & (fb < _FB_MAX_PX)
    return p0.reshape(-1, 2)[keep], p1.reshape(-1, 2)[keep]


def pixel_planar_residual(ref: np.ndarray, cur: np.ndarray, quantile: float = 0.75) -> float | None:
    """The `quantile` of the tracked corners' distances from one robustly fitted homography,
    as a fraction of the face box's side (patch pixels * PATCH_MARGIN / PATCH_SIDE); None when
    fewer than MIN_TRACKED corners track (too little texture: no evidence either way). A robust
    quantile, not the RMS: a few mistracked corners on a flat picture must not look like depth."""
    p0, p1 = tracked_points(ref, cur)
    if len(p0) < MIN_TRACKED:
        return None
    h, _ = cv2.findHomography(p0, p1, cv2.LMEDS)
    if h is None:
        return None
    mapped = cv2.perspectiveTransform(p0.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)
    err = np.linalg.norm(mapped - p1, axis=1)
    return float(np.quantile(err, quantile)) * PATCH_MARGIN / PATCH_SIDE


def encode_patch(patch: np.ndarray) -> str:
    """A face patch as base64 PNG text (lossless), for trace files."""
    ok, png = cv2.imencode(".png", patch)
    if not ok:
        raise ValueError("cannot encode the face patch")
    return base64.b64encode(png.tobytes()).decode("ascii")


def decode_patch(text: str) -> np.ndarray:
    """The patch encode_patch wrote."""
    patch = cv2.imdecode(np.frombuffer(base64.b64decode(text), np.uint8), cv2.IMREAD_GRAYSCALE)
    if patch is None:
        raise ValueError("not a PNG face patch")
    return np.asarray(patch, np.uint8)
