"""Which samples may count as liveness evidence at all, and why not (the *unknown* reasons).

A face too small for eyelid landmarks, too dark, too flat or cut by the frame edge gives
landmarks the cues cannot trust. Such a sample counts neither for *live* nor for *suspect*:
the track stays *unknown* with the reason, never a false *live*.
"""

from __future__ import annotations

import numpy as np

from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.liveness.liveness_state import LivenessConfig


def rejection_reason(grey: np.ndarray, box: FaceBox, config: LivenessConfig, *,
                     frame_shape: tuple[int, int] | None = None,
                     frame_box: FaceBox | None = None) -> str | None:
    """None when the face in `box` of `grey` ((H, W) uint8 image) is usable, else a short
    reason for the user ("face too small (32 px)", "too dark", "at the frame edge", ...).
    When `grey` is only a region of the frame, `frame_shape` (H, W) and `frame_box` (the box
    in frame pixels) give the frame-edge test its frame."""
    size = min(box.width, box.height)
    if size < config.min_face_px:
        return f"face too small for eyelid landmarks ({size:.0f} px < {config.min_face_px:.0f})"
    h, w = frame_shape or grey.shape
    fb = frame_box or box
    mx, my = config.edge_margin * w, config.edge_margin * h
    if fb.x1 < mx or fb.y1 < my or fb.x2 > w - mx or fb.y2 > h - my:
        return "face at the frame edge"
    patch = grey[int(box.y1):int(box.y2), int(box.x1):int(box.x2)]
    if patch.size == 0:
        return "face outside the frame"
    if float(patch.mean()) < config.min_luma:
        return "too dark to judge"
    if float(patch.std()) < config.min_contrast:
        return "too little contrast to judge"
    return None
