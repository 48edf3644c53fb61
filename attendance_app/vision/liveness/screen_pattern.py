"""Screen-pattern cue: periodic high-frequency energy (pixel grid, moire) on the face.

A phone screen filmed by a camera shows its sub-pixel grid as a fine periodic pattern or as
moire: isolated strong peaks in the face's spectrum far from the centre, which skin does not
have. Cameras with sharpening and JPEG blocks make peaks too, so this is supporting evidence.
"""

from __future__ import annotations

import cv2
import numpy as np

from attendance_app.domain.face_box import FaceBox

_SIZE = 96  # the face centre is resampled to this many pixels (spectrum resolution)


def spectral_peak_ratio(grey: np.ndarray, box: FaceBox) -> float:
    """Strongest high-frequency spectral peak divided by the median high-frequency magnitude,
    over the central 60% of the face box (dimensionless; skin ~5-10, a screen grid > 20).
    `grey` (H, W) uint8 frame; 0.0 when the face is too small to judge (< 32 px)."""
    w, h = box.width * 0.6, box.height * 0.6
    if min(w, h) < 32:
        return 0.0
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    x0, y0 = int(max(0, cx - w / 2)), int(max(0, cy - h / 2))
    patch = grey[y0:int(cy + h / 2), x0:int(cx + w / 2)]
    if min(patch.shape) < 32:
        return 0.0
    # Resample only when the face is larger than the grid: shrinking would alias the pattern
    # away; the spectrum is then taken on the face's own pixels.
    size = min(_SIZE, min(patch.shape))
    patch = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)
    patch -= cv2.GaussianBlur(patch, (0, 0), 2.0)  # keep the fine structure only
    mag = np.abs(np.fft.fftshift(np.fft.fft2(patch * np.outer(np.hanning(size), np.hanning(size)))))
    yy, xx = np.mgrid[:size, :size] - size // 2
    radius = np.hypot(xx, yy) / (size / 2)
    ring = mag[(radius > 0.35) & (radius < 0.95)]
    median = float(np.median(ring))
    return float(ring.max() / median) if median > 0 else 0.0
