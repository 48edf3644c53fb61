"""LivenessMonitor: per-track liveness from the cues, fed where the recogniser updates a track.

For each detection of a track: gate the sample (observation_gate), run FaceMesh on the face,
then feed the cues: blinks (eye_blink), the motion between this sample and one about
`pair_gap_s` earlier (homography residual: nonrigid_motion; rigid 3-D fit: head_rotation) and
the screen/print cues (bezel_edges, screen_pattern). A track is *live* once it blinked or
showed enough motion that no flat picture makes; *suspect* after `suspect_after_s` of usable
observation without that, or sooner when screen/print cues keep appearing; *unknown* (with the
reason) until then. A live track is not examined again (its cost ends there).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from attendance_app.domain.detection import Point
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_mesh import FaceMesh
from attendance_app.vision.liveness.bezel_edges import border_sides
from attendance_app.vision.liveness.eye_blink import EyeBlinkCue
from attendance_app.vision.liveness.head_rotation import is_3d_rotation, rigid_3d_residual
from attendance_app.vision.liveness.liveness_state import LivenessConfig, LivenessState
from attendance_app.vision.liveness.mesh_geometry import eye_openness, inter_ocular
from attendance_app.vision.liveness.nonrigid_motion import homography_residual, is_nonrigid
from attendance_app.vision.liveness.observation_gate import rejection_reason
from attendance_app.vision.liveness.screen_pattern import spectral_peak_ratio

_MAX_STEP_S = 0.5  # a gap between usable samples counts as at most this much observation
_KEEP_S = 2.0  # mesh samples kept per track for motion pairs


class LandmarkerLike(Protocol):
    def landmarks(self, rgb: np.ndarray, box: FaceBox,
                  eyes: tuple[Point, Point] | None = None) -> FaceMesh | None: ...


@dataclass
class _Sample:
    time_s: float
    points: np.ndarray  # (468, 3)
    scale: float  # inter-ocular distance, pixels


@dataclass
class _TrackLiveness:
    blink: EyeBlinkCue
    samples: deque[_Sample] = field(default_factory=deque)
    observed_s: float = 0.0
    last_usable_s: float | None = None
    rotation: int = 0
    nonrigid: int = 0
    screen: int = 0
    state: LivenessState = field(default_factory=LivenessState)
    trace: list[dict[str, float]] = field(default_factory=list)


@dataclass
class LivenessStats:
    """Cost accounting: samples examined and milliseconds spent (FaceMesh + cues)."""

    samples: int = 0
    total_ms: float = 0.0


class LivenessMonitor:
    """One per capture loop (not thread-safe). `trace=True` keeps each sample's raw cue values
    per track and keeps examining live tracks (for choosing thresholds offline; see
    scripts/liveness_cue_dump.py)."""

    def __init__(self, landmarker: LandmarkerLike, config: LivenessConfig | None = None,
                 trace: bool = False) -> None:
        self._landmarker = landmarker
        self.config = config or LivenessConfig()
        self._tracks: dict[int, _TrackLiveness] = {}
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

    def reset(self) -> None:
        self._tracks.clear()

    def trace_of(self, track_id: int) -> list[dict[str, float]]:
        track = self._tracks.get(track_id)
        return list(track.trace) if track is not None else []

    def update(self, track_id: int, frame_rgb: np.ndarray, box: FaceBox,
               landmarks5: tuple[Point, ...], time_s: float) -> LivenessState:
        """Examine the track's face in this frame ((H, W, 3) uint8 RGB; `box` and the detector's
        five `landmarks5` in its pixels; `time_s` the frame's timestamp) and return its state."""
        track = self._tracks.get(track_id)
        if track is None:
            track = self._tracks[track_id] = _TrackLiveness(EyeBlinkCue(self.config))
        if track.state.is_live and not self._trace:  # settled; tracing keeps recording cues
            return track.state
        started = time.perf_counter()
        track.state = self._examine(track, frame_rgb, box, landmarks5, time_s)
        self.stats.samples += 1
        self.stats.total_ms += (time.perf_counter() - started) * 1e3
        return track.state

    def _examine(self, track: _TrackLiveness, rgb: np.ndarray, box: FaceBox,
                 landmarks5: tuple[Point, ...], time_s: float) -> LivenessState:
        cfg = self.config
        grey, local = _grey_around(rgb, box)
        reason = rejection_reason(grey, local, cfg, frame_shape=rgb.shape[:2], frame_box=box)
        mesh = None if reason else self._landmarker.landmarks(rgb, box, (landmarks5[0], landmarks5[1]))
        if reason is None and mesh is None:
            reason = "no face landmarks found"
        if reason is not None:
            return self._verdict(track, reason)
        assert mesh is not None
        if track.last_usable_s is not None:
            track.observed_s += min(_MAX_STEP_S, max(0.0, time_s - track.last_usable_s))
        track.last_usable_s = time_s
        sample = _Sample(time_s, mesh.points, inter_ocular(mesh.xy))
        blinked = track.blink.update(time_s, mesh.xy)
        planar, rigid = self._motion(track, sample)
        sides, peak = border_sides(grey, local), spectral_peak_ratio(grey, local)
        if planar is not None and rigid is not None:
            if is_3d_rotation(planar, rigid, cfg.planar_residual, cfg.rigid_ratio,
                              cfg.max_residual):
                track.rotation += 1
            elif is_nonrigid(planar, rigid, cfg.nonrigid_residual, cfg.max_residual):
                track.nonrigid += 1
        track.screen += int(sides >= cfg.bezel_sides or peak > cfg.spectral_peak)
        track.samples.append(sample)
        while track.samples and track.samples[0].time_s < time_s - _KEEP_S:
            track.samples.popleft()
        if self._trace:
            track.trace.append({"t": time_s, "planar": -1.0 if planar is None else planar,
                                "rigid": -1.0 if rigid is None else rigid,
                                "openness_blink": float(blinked),
                                "openness": eye_openness(mesh.xy), "sides": float(sides),
                                "peak": peak, "size": min(box.width, box.height)})
        return self._verdict(track, None)

    def _motion(self, track: _TrackLiveness, sample: _Sample) -> tuple[float | None, float | None]:
        """Residuals (homography, rigid 3-D) against the newest sample at least `pair_gap_s`
        older than `sample`; (None, None) when there is none yet."""
        ref = next((s for s in reversed(track.samples)
                    if s.time_s <= sample.time_s - self.config.pair_gap_s), None)
        if ref is None:
            return None, None
        scale = (ref.scale + sample.scale) / 2
        cur_xy = sample.points[:, :2]
        return (homography_residual(ref.points[:, :2], cur_xy, scale),
                rigid_3d_residual(ref.points, cur_xy, scale))

    def _verdict(self, track: _TrackLiveness, reason: str | None) -> LivenessState:
        cfg = self.config
        evidence = {"blinks": track.blink.blinks, "rotation": track.rotation,
                    "nonrigid": track.nonrigid, "screen": track.screen}
        need = cfg.motion_pairs_live * (2 if track.screen >= cfg.screen_samples_suspect else 1)
        score = track.blink.blinks * cfg.motion_pairs_live + track.rotation + track.nonrigid
        observed = track.observed_s
        if score >= need:
            return LivenessState("live", _live_reason(evidence), observed, evidence)
        if track.screen >= cfg.screen_samples_suspect:
            return LivenessState("suspect", "screen or print border around the face",
                                 observed, evidence)
        if observed >= cfg.suspect_after_s:
            return LivenessState("suspect", f"no blink or 3-D motion in {observed:.1f} s",
                                 observed, evidence)
        if track.state.status == "suspect":
            return LivenessState("suspect", track.state.reason, observed, evidence)
        return LivenessState("unknown", reason or "watching for a blink or head motion",
                             observed, evidence)


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


def _live_reason(evidence: dict[str, int]) -> str:
    shown = [name for name in ("blinks", "rotation", "nonrigid") if evidence[name]]
    return "showed " + ", ".join(shown)
