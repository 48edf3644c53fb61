"""write_swap_video: a test video in which one photo is replaced, in place, by another.

Each segment shows photo A in a fixed rectangle of a fixed background for `hold_s`, then photo B
in exactly the same rectangle (same position and size) for `hold_s`, reached by a hard cut or
by a linear cross-dissolve of `dissolve_s`. The truth file has one JSON line per frame:
`{"frame": i, "faces": [{"box": [x1, y1, x2, y2], "identity": NAME, "enrolled": BOOL,
"weight": W}]}` where box is the photo's rectangle in frame pixels and weight the photo's share
of the blended pixels (1.0 outside a dissolve). A frame's *dominant* identity is the one with
weight >= 0.5.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from attendance_app.domain.errors import CameraError
from attendance_app.vision.image_io import load_image_rgb


@dataclass(frozen=True)
class SwapSegment:
    """Photo `first` (an enrolled person) replaced by `second` (a stranger, or anyone).
    `dissolve_s` 0 is a hard cut."""

    first: Path
    first_identity: str
    first_enrolled: bool
    second: Path
    second_identity: str
    second_enrolled: bool
    dissolve_s: float = 0.0


def backdrop(width: int, height: int) -> np.ndarray:
    """A fixed, faintly textured backdrop (a wall), so that only the photo changes."""
    ys, xs = np.mgrid[0:height, 0:width]
    base = 90 + 40 * xs / width + 20 * np.sin(ys / 23.0) * np.cos(xs / 31.0)
    rgb: np.ndarray = np.stack([base, base * 0.95 + 10, base * 0.85], axis=-1)
    return np.asarray(np.clip(rgb, 0, 255), dtype=np.uint8)


def open_video_writer(video: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """An mp4v writer of frames of `size` (width, height); CameraError when it cannot open."""
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise CameraError(f"could not write a video to {video}")
    return writer


def write_swap_video(segments: Sequence[SwapSegment], video: Path, truth: Path, *,
                     fps: float = 30.0, size: tuple[int, int] = (640, 360),
                     photo_side: int = 200, hold_s: float = 2.0) -> int:
    """Write `video` (mp4v) and `truth` (JSON lines); returns the number of frames. Raises
    CameraError when the video cannot be written, InvalidImageError for an unreadable photo."""
    width, height = size
    x1, y1 = (width - photo_side) // 2, (height - photo_side) // 2
    box = [x1, y1, x1 + photo_side, y1 + photo_side]
    background = backdrop(width, height)
    writer = open_video_writer(video, fps, size)
    index = 0

    def photo(path: Path) -> np.ndarray:
        return cv2.resize(load_image_rgb(path), (photo_side, photo_side),
                          interpolation=cv2.INTER_AREA).astype(np.float32)

    try:
        with open(truth, "w", encoding="utf-8") as out:
            for seg in segments:
                a, b = photo(seg.first), photo(seg.second)
                hold = round(hold_s * fps)
                blend = round(seg.dissolve_s * fps)
                weights = [0.0] * hold + [(k + 1) / (blend + 1) for k in range(blend)] + [1.0] * hold
                for w in weights:  # w: the second photo's share
                    frame = background.copy()
                    frame[y1:y1 + photo_side, x1:x1 + photo_side] = np.clip(
                        a * (1 - w) + b * w + 0.5, 0, 255).astype(np.uint8)
                    writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
                    faces = [{"box": box, "identity": ident, "enrolled": enrolled,
                              "weight": round(share, 3)}
                             for ident, enrolled, share in (
                                 (seg.first_identity, seg.first_enrolled, 1 - w),
                                 (seg.second_identity, seg.second_enrolled, w)) if share > 0]
                    out.write(json.dumps({"frame": index, "faces": faces}) + "\n")
                    index += 1
    finally:
        writer.release()
    return index
