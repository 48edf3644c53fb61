"""LivenessMonitor: per-track liveness from the cues, fed where the recogniser updates a track.

For each detection of a track the monitor first *measures* the sample (observation_gate, then
FaceMesh on the face and the screen/print cues bezel_edges / screen_pattern: everything that
needs the frame) and then *judges* it (liveness_judge: blinks, the motion between this sample
and earlier ones, the verdict): judging needs only the measurements, so recorded measurements
replay the monitor exactly (scripts/liveness_choose_thresholds.py). A live track is not
examined again (its cost ends there).
"""

from __future__ import annotations

import time
from typing import Protocol

import cv2
import numpy as np

from attendance_app.domain.detection import Point
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_mesh import FaceMesh
from attendance_app.vision.liveness.bezel_edges import border_sides
from attendance_app.vision.liveness.liveness_judge import Measurement, TrackJudge
from attendance_app.vision.liveness.liveness_state import LivenessConfig, LivenessState
from attendance_app.vision.liveness.observation_gate import rejection_reason
from attendance_app.vision.liveness.pixel_planarity import face_patch
from attendance_app.vision.liveness.screen_pattern import spectral_peak_ratio


class LandmarkerLike(Protocol):
    def landmarks(self, rgb: np.ndarray, box: FaceBox,
                  eyes: tuple[Point, Point] | None = None) -> FaceMesh | None: ...


class LivenessStats:
    """Cost accounting: samples examined and milliseconds spent (FaceMesh + cues)."""

    def __init__(self) -> None:
        self.samples = 0
        self.total_ms = 0.0


class LivenessMonitor:
    """One per capture loop (not thread-safe). `trace=True` keeps every sample's measurement
    per track and keeps examining live tracks (for choosing thresholds offline: the recorded
    measurements replay the judge without the video)."""

    def __init__(self, landmarker: LandmarkerLike, config: LivenessConfig | None = None,
                 trace: bool = False) -> None:
        self._landmarker = landmarker
        self.config = config or LivenessConfig()
        self._tracks: dict[int, TrackJudge] = {}
        self._measurements: dict[int, list[Measurement]] = {}
        self._trace = trace
        self.stats = LivenessStats()

    @property
    def tracing(self) -> bool:
        return self._trace

    def state(self, track_id: int) -> LivenessState:
        track = self._tracks.get(track_id)
        return track.state if track is not None else LivenessState()

    def forget(self, track_id: int) -> None:
        self._tracks.pop(track_id, None)
        self._measurements.pop(track_id, None)

    def reset(self) -> None:
        self._tracks.clear()
        self._measurements.clear()

    def measurements_of(self, track_id: int) -> list[Measurement]:
        """The recorded measurements of a track (empty unless tracing)."""
        return list(self._measurements.get(track_id, []))

    def update(self, track_id: int, frame_rgb: np.ndarray, box: FaceBox,
               landmarks5: tuple[Point, ...], time_s: float) -> LivenessState:
        """Examine the track's face in this frame ((H, W, 3) uint8 RGB; `box` and the detector's
        five `landmarks5` in its pixels; `time_s` the frame's timestamp) and return its state."""
        track = self._tracks.get(track_id)
        if track is None:
            track = self._tracks[track_id] = TrackJudge(self.config)
        if track.state.is_live and not self._trace:  # settled; tracing keeps recording cues
            return track.state
        started = time.perf_counter()
        sample = self.measure(frame_rgb, box, landmarks5, time_s)
        state = track.judge(sample)
        if self._trace:
            self._measurements.setdefault(track_id, []).append(sample)
        self.stats.samples += 1
        self.stats.total_ms += (time.perf_counter() - started) * 1e3
        return state

    def measure(self, rgb: np.ndarray, box: FaceBox, landmarks5: tuple[Point, ...],
                time_s: float) -> Measurement:
        """Everything of one sample that needs the frame: the gate's reason (None when usable),
        the FaceMesh points and the screen/print cues."""
        cfg = self.config
        grey, local = _grey_around(rgb, box)
        size = float(min(box.width, box.height))
        reason = rejection_reason(grey, local, cfg, frame_shape=rgb.shape[:2], frame_box=box)
        if reason is not None:
            return Measurement(time_s, size, reason)
        mesh = self._landmarker.landmarks(rgb, box, (landmarks5[0], landmarks5[1]))
        if mesh is None:
            return Measurement(time_s, size, "no face landmarks found")
        return Measurement(time_s, size, None, mesh.points, border_sides(grey, local),
                           spectral_peak_ratio(grey, local), face_patch(grey, local))


def _grey_around(rgb: np.ndarray, box: FaceBox) -> tuple[np.ndarray, FaceBox]:
    """Grey levels of the region the cues look at (the bezel ring: 2.6 face sides around the
    face's centre) and the box in that region's pixels; converting only it saves most of a
    full-frame conversion on 1080p frames."""
    side = 1.3 * max(box.width, box.height)
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    h, w = rgb.shape[:2]
    x0, y0 = int(max(0, cx - side)), int(max(0, cy - side))
    x1, y1 = int(min(w, cx + side + 1)), int(min(h, cy + side + 1))
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    return grey, FaceBox(box.x1 - x0, box.y1 - y0, box.x2 - x0, box.y2 - y0)
