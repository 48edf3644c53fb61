"""Bezel / print-border cue: long straight edges framing the face closely.

A held-up print or phone puts the picture's border (paper edge, phone bezel) in a ring around
the face, parallel to it, at about one to two face widths. Rooms have straight edges too (doors,
shelves), so this is supporting evidence only: it can make a track suspect sooner, never live.
"""

from __future__ import annotations

import cv2
import numpy as np

from attendance_app.domain.face_box import FaceBox

_RING = 2.6  # search a square this many face sides wide around the face's centre
_MIN_LENGTH = 0.9  # a border edge is at least this many face sides long


def border_sides(grey: np.ndarray, box: FaceBox) -> int:
    """How many sides (0-4: left, right, top, bottom) of a frame around the face show a long
    straight edge within the ring. `grey` (H, W) uint8 frame, `box` in its pixels."""
    side = max(box.width, box.height)
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    half = _RING * side / 2
    h, w = grey.shape
    x0, y0 = int(max(0, cx - half)), int(max(0, cy - half))
    x1, y1 = int(min(w, cx + half)), int(min(h, cy + half))
    patch = grey[y0:y1, x0:x1]
    if patch.size == 0 or min(patch.shape) < 16:
        return 0
    # Blur first: camera noise and skin texture make short edges everywhere, not long lines.
    edges = cv2.Canny(cv2.GaussianBlur(patch, (0, 0), 1.5), 40, 120)
    lines = cv2.HoughLinesP(edges, 1, np.pi / 90, threshold=int(0.7 * side),
                            minLineLength=int(_MIN_LENGTH * side), maxLineGap=int(0.08 * side) + 2)
    if lines is None:
        return 0
    fx1, fy1, fx2, fy2 = box.x1 - x0, box.y1 - y0, box.x2 - x0, box.y2 - y0
    found: set[str] = set()
    for lx1, ly1, lx2, ly2 in np.asarray(lines).reshape(-1, 4):
        dx, dy = lx2 - lx1, ly2 - ly1
        mx, my = (lx1 + lx2) / 2, (ly1 + ly2) / 2
        if abs(dy) <= 0.27 * abs(dx):  # within ~15 degrees of horizontal
            if fx1 - 0.2 * side < mx < fx2 + 0.2 * side:
                found.add("top" if my < fy1 else "bottom" if my > fy2 else "")
        elif abs(dx) <= 0.27 * abs(dy):
            if fy1 - 0.2 * side < my < fy2 + 0.2 * side:
                found.add("left" if mx < fx1 else "right" if mx > fx2 else "")
    found.discard("")
    return len(found)
