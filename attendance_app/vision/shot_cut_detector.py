"""ShotCutDetector: a cheap per-frame test for 'this is a different picture now'.

Each frame is shrunk to a 32x18 grey thumbnail (cv2 INTER_AREA, ~0.1 ms on 640x360, ~1 ms on
1080p) and compared with the previous frame's by mean absolute difference in grey levels. On the
Hamilton clip the three real cuts score 26-30 while every other frame pair scores at most 12.6
(median 2.4); the 1080p crowd clip, a moving hand-held shot, stays below 5.4. A frame of another
size (a camera renegotiating its resolution) is a cut too: nothing drawn on the old geometry can
be trusted. The same thumbnails also say when the picture is black or frozen, which a live
camera does when it is covered, unplugged mid-stream or its driver hangs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

THUMB_SIZE = (32, 18)  # (width, height): a 16:9 frame keeps its proportions
_BLACK_MEAN = 10.0  # grey level below which (with little contrast) a frame counts as black
_BLACK_STD = 4.0
_FROZEN_MAD = 0.05  # a live camera's sensor noise alone moves the thumbnail more than this


@dataclass(frozen=True)
class SceneChange:
    """What one frame showed: `cut` (with `reason` 'shot cut' or 'frame size changed'),
    `black` (nearly uniform dark picture), `frozen_frames` (how many frames in a row were
    identical to the one before, 0 when this one moved)."""

    cut: bool = False
    reason: str | None = None
    black: bool = False
    frozen_frames: int = 0


def thumbnail(rgb: np.ndarray) -> np.ndarray:
    """(18, 32) float32 grey thumbnail of an (H, W, 3) uint8 RGB frame."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, THUMB_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)


class ShotCutDetector:
    """Feed every processed frame to `observe` in order. `threshold` (grey levels, mean absolute
    difference of consecutive thumbnails) above which a cut is reported; None disables cut
    reports (size changes are still reported). `reset()` forgets the previous frame."""

    def __init__(self, threshold: float | None = 18.0) -> None:
        self.threshold = threshold
        self._previous: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None
        self._frozen = 0

    def reset(self) -> None:
        self._previous, self._shape, self._frozen = None, None, 0

    def observe(self, rgb: np.ndarray) -> SceneChange:
        """Compare `rgb` with the previous frame given; the first frame is never a cut."""
        thumb = thumbnail(rgb)
        black = float(thumb.mean()) < _BLACK_MEAN and float(thumb.std()) < _BLACK_STD
        previous, shape = self._previous, self._shape
        self._previous, self._shape = thumb, rgb.shape
        if previous is None:
            return SceneChange(black=black)
        if shape != rgb.shape:
            self._frozen = 0
            return SceneChange(cut=True, reason="frame size changed", black=black)
        difference = float(np.abs(thumb - previous).mean())
        self._frozen = self._frozen + 1 if difference <= _FROZEN_MAD else 0
        cut = self.threshold is not None and difference > self.threshold
        return SceneChange(cut=cut, reason="shot cut" if cut else None, black=black,
                           frozen_frames=self._frozen)
