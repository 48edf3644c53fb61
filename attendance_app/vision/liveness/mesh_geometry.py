"""FaceMesh index sets and the small geometry the cues share (all in frame pixels)."""

from __future__ import annotations

import numpy as np

# Eye contours of the 468-point mesh: (outer corner, upper 1, upper 2, inner corner, lower 2,
# lower 1) for the image-left and the image-right eye (MediaPipe's canonical indices).
LEFT_EYE = (33, 160, 158, 133, 153, 144)
RIGHT_EYE = (362, 385, 387, 263, 373, 380)
FOREHEAD, CHIN = 10, 152
LEFT_CHEEK, RIGHT_CHEEK = 234, 454
# Points FaceMesh places on visible texture (MediaPipe's canonical indices): eye corners and
# lids, brows, nose bridge / tip / nostrils, lip corners and lip midlines. On a picture they
# sit on the picture's own features, so a turned print moves them by one homography; the face
# outline (cheeks, jaw, forehead) is inferred from a 3-D face prior and can move as if the
# "head" turned.
PINNED_POINTS = (
    33, 133, 159, 145, 160, 158, 153, 144,  # image-left eye
    362, 263, 386, 374, 385, 387, 373, 380,  # image-right eye
    70, 63, 105, 66, 107, 300, 293, 334, 296, 336,  # brows
    168, 6, 4, 1, 2, 98, 327,  # nose bridge, tip, nostrils
    61, 291, 0, 17, 13, 14,  # lips
)


def eye_centres(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints of each eye's two corners, (2,) each."""
    return ((xy[LEFT_EYE[0]] + xy[LEFT_EYE[3]]) / 2, (xy[RIGHT_EYE[0]] + xy[RIGHT_EYE[3]]) / 2)


def inter_ocular(xy: np.ndarray) -> float:
    """Distance between the eye centres in pixels: the scale residuals are divided by."""
    left, right = eye_centres(xy)
    return float(np.linalg.norm(right - left))


def eye_aspect_ratio(xy: np.ndarray, eye: tuple[int, ...]) -> float:
    """Soukupova & Cech's EAR: mean eyelid gap / eye width (about 0.25-0.3 open, < 0.15 closed)."""
    p = xy[list(eye)]
    width = np.linalg.norm(p[0] - p[3])
    gap = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
    return float(gap / (2.0 * width)) if width > 0 else 0.0


def face_aspect(xy: np.ndarray) -> float:
    """Face height (forehead-chin) / width (cheek-cheek). Tilting a flat picture foreshortens
    eyelid gaps and face height alike, so EAR / face_aspect cancels it; a blink does not."""
    width = np.linalg.norm(xy[RIGHT_CHEEK] - xy[LEFT_CHEEK])
    height = np.linalg.norm(xy[CHIN] - xy[FOREHEAD])
    return float(height / width) if width > 0 else 1.0


def eye_openness(xy: np.ndarray) -> float:
    """Mean EAR of both eyes normalised by the face aspect (dimensionless)."""
    ear = (eye_aspect_ratio(xy, LEFT_EYE) + eye_aspect_ratio(xy, RIGHT_EYE)) / 2
    return ear / max(face_aspect(xy), 1e-6)
