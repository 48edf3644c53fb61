"""write_camera_shot_video: photos shown one after another as a camera would see people pass.

Each shot shows one photo on the swap video's fixed backdrop for `hold_s`, with small
camera-like changes that follow from the shot's `seed`: the photo drifts a few pixels (a
hand-held camera, a person swaying), zooms slowly (someone stepping closer or back), and the
frame's exposure and colour balance wander (auto-exposure, another lamp); sensor noise is
added to every frame. Between shots the backdrop is shown alone for `gap_s` (one person leaves,
the next arrives), so a shot never inherits the previous face's track.

The truth file has the swap video's format, one JSON line per frame: `{"frame": i, "faces":
[{"box": [x1, y1, x2, y2], "identity": NAME, "enrolled": BOOL, "weight": 1.0}]}` (no faces in a
gap); box is the photo's rectangle in frame pixels, clipped to the frame.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.swap_video_writer import backdrop, open_video_writer


@dataclass(frozen=True)
class CameraShot:
    """One photo of `identity` (enrolled or a stranger), its motion drawn from `seed`."""

    photo: Path
    identity: str
    enrolled: bool
    seed: int


@dataclass(frozen=True)
class _Motion:
    cx: float
    cy: float
    drift: tuple[float, float, float, float]  # amplitude x, amplitude y, period s, phase
    zoom: tuple[float, float]  # start scale, relative change over the shot
    gain: tuple[float, float, float]  # mean gain, wobble amplitude, wobble period s
    tint: tuple[float, float, float]  # per-channel (R, G, B) multipliers

    @classmethod
    def draw(cls, seed: int, size: tuple[int, int], side: int) -> "_Motion":
        rng = np.random.default_rng(seed)
        w, h = size
        return cls(float(rng.uniform(0.75 * side, w - 0.75 * side)),
                   float(rng.uniform(min(0.6 * side, h / 2), max(h - 0.6 * side, h / 2))),
                   (float(rng.uniform(3, 10)), float(rng.uniform(2, 6)),
                    float(rng.uniform(1.5, 3.0)), float(rng.uniform(0, 2 * math.pi))),
                   (float(rng.uniform(0.85, 1.1)), float(rng.uniform(-0.08, 0.12))),
                   (float(rng.uniform(0.75, 1.2)), float(rng.uniform(0.02, 0.06)),
                    float(rng.uniform(1.0, 2.5))),
                   tuple(float(v) for v in rng.uniform(0.94, 1.06, 3)))  # type: ignore[arg-type]


def write_camera_shot_video(shots: Sequence[CameraShot], video: Path, truth: Path, *,
                            fps: float = 30.0, size: tuple[int, int] = (640, 360),
                            photo_side: int = 180, hold_s: float = 2.0,
                            gap_s: float = 0.3, noise: float = 3.0) -> int:
    """Write `video` (mp4v) and `truth` (JSON lines); returns the number of frames. Raises
    CameraError when the video cannot be written, InvalidImageError for an unreadable photo."""
    width, height = size
    background = backdrop(width, height).astype(np.float32)
    writer = open_video_writer(video, fps, size)
    hold, gap = round(hold_s * fps), round(gap_s * fps)
    index = 0
    try:
        with open(truth, "w", encoding="utf-8") as out:
            for shot in shots:
                photo = load_image_rgb(shot.photo)
                motion = _Motion.draw(shot.seed, size, photo_side)
                noise_rng = np.random.default_rng(shot.seed + 1)
                for k in range(hold):
                    t = k / fps
                    frame, box = _render(background, photo, motion, t, k / max(1, hold - 1),
                                         photo_side)
                    frame += noise_rng.normal(0.0, noise, frame.shape).astype(np.float32)
                    writer.write(cv2.cvtColor(np.clip(frame + 0.5, 0, 255).astype(np.uint8),
                                              cv2.COLOR_RGB2BGR))
                    faces = [{"box": box, "identity": shot.identity, "enrolled": shot.enrolled,
                              "weight": 1.0}]
                    out.write(json.dumps({"frame": index, "faces": faces}) + "\n")
                    index += 1
                empty = cv2.cvtColor(np.clip(background + 0.5, 0, 255).astype(np.uint8),
                                     cv2.COLOR_RGB2BGR)
                for _ in range(gap):
                    writer.write(empty)
                    out.write(json.dumps({"frame": index, "faces": []}) + "\n")
                    index += 1
    finally:
        writer.release()
    return index


def _render(background: np.ndarray, photo: np.ndarray, m: _Motion, t: float, progress: float,
            side: int) -> tuple[np.ndarray, list[int]]:
    """The frame at time `t` s into the shot (`progress` 0..1) and the photo's clipped box."""
    height, width = background.shape[:2]
    ax, ay, period, phase = m.drift
    angle = 2 * math.pi * t / period + phase
    cx, cy = m.cx + ax * math.sin(angle), m.cy + ay * math.sin(1.3 * angle)
    s = max(16, round(side * m.zoom[0] * (1 + m.zoom[1] * progress)))
    resized = cv2.resize(photo, (s, s), interpolation=cv2.INTER_AREA if s < photo.shape[0]
                         else cv2.INTER_LINEAR).astype(np.float32)
    x1, y1 = round(cx - s / 2), round(cy - s / 2)
    fx1, fy1, fx2, fy2 = max(0, x1), max(0, y1), min(width, x1 + s), min(height, y1 + s)
    frame = background.copy()
    frame[fy1:fy2, fx1:fx2] = resized[fy1 - y1:fy2 - y1, fx1 - x1:fx2 - x1]
    mean_gain, wobble, wobble_period = m.gain
    gain = mean_gain + wobble * math.sin(2 * math.pi * t / wobble_period)
    frame *= gain * np.asarray(m.tint, np.float32)
    return frame, [fx1, fy1, fx2, fy2]
