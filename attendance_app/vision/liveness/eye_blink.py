"""EyeBlinkCue: a blink is a short dip of eye openness below its recent level and back.

A printed or displayed photo keeps its eyes as they were photographed; tilting it changes the
eyelid gap and the face height together, which eye_openness cancels. Samples arrive at the
detection rate (~10 per second at 30 fps, detection every third frame); a blink lasts
100-400 ms, so it is one to four samples.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from attendance_app.vision.liveness.liveness_state import LivenessConfig
from attendance_app.vision.liveness.mesh_geometry import eye_openness

_BASELINE_S = 2.0  # the open-eye level is the median over this many seconds
_MIN_BASELINE = 4  # samples needed before a dip can count
_MAX_CLOSED_S = 0.6  # a dip longer than this is looking down or a pose change, not a blink


class EyeBlinkCue:
    """Counts blinks of one track from its mesh samples."""

    def __init__(self, config: LivenessConfig) -> None:
        self._cfg = config
        self._history: deque[tuple[float, float]] = deque()
        self._closed_since: float | None = None
        self.blinks = 0

    def update(self, time_s: float, xy: np.ndarray) -> bool:
        """Feed one sample ((468, 2) points at `time_s` seconds); True when it ends a blink."""
        value = eye_openness(xy)
        while self._history and self._history[0][0] < time_s - _BASELINE_S:
            self._history.popleft()
        baseline = (float(np.median([v for _, v in self._history]))
                    if len(self._history) >= _MIN_BASELINE else None)
        ended = False
        if baseline is not None and baseline > 0:
            if value < self._cfg.blink_drop * baseline:
                if self._closed_since is None:
                    self._closed_since = time_s
                return False  # closed samples stay out of the baseline
            if self._closed_since is not None and value > self._cfg.blink_recover * baseline:
                ended = time_s - self._closed_since <= _MAX_CLOSED_S
                self._closed_since = None
                self.blinks += int(ended)
        self._history.append((time_s, value))
        return ended
