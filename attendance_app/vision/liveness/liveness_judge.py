"""TrackJudge: the verdict of one track from its measured samples (no frames needed).

A sample's Measurement (from LivenessMonitor.measure) holds the gate's reason, the FaceMesh
points and the screen/print cue values. The judge feeds the cues: blinks (eye_blink), the
motion between this sample and one about `pair_gap_s` earlier (homography residual:
nonrigid_motion; rigid 3-D fit: head_rotation), on the mesh points `motion_points` names, and
the screen/print count. With `pixel_rule` "and" a motion pair counts only when the face's
own pixels agree (pixel_planarity: tracked texture breaks one homography too), because
FaceMesh's points can leave one plane on a turning photo. A track is *live* once it blinked or showed enough motion that no flat
picture makes; *suspect* after `suspect_after_s` of usable observation without that, or sooner
when screen/print cues keep appearing; *unknown* (with the reason) until then. `replay` runs a
judge over recorded measurements: the same code the live monitor runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from attendance_app.vision.liveness.eye_blink import EyeBlinkCue
from attendance_app.vision.liveness.head_rotation import is_3d_rotation, rigid_3d_residual
from attendance_app.vision.liveness.liveness_state import LivenessConfig, LivenessState
from attendance_app.vision.liveness.mesh_geometry import PINNED_POINTS, inter_ocular
from attendance_app.vision.liveness.nonrigid_motion import homography_residual, is_nonrigid
from attendance_app.vision.liveness.pixel_planarity import pixel_planar_residual

_MAX_STEP_S = 0.5  # a gap between usable samples counts as at most this much observation
_KEEP_S = 2.0  # usable samples kept per track for motion pairs


@dataclass(frozen=True)
class Measurement:
    """One sample of a track as measured on its frame. `reason`: why it is unusable (then
    `points` is None), else None; `points` (468, 3) FaceMesh points in frame pixels; `sides`
    bezel/print border sides seen; `peak` spectral peak ratio; `size` shorter box side (px);
    `patch` the grey face patch (pixel_planarity.face_patch) the pixel-motion cue tracks."""

    time_s: float
    size: float
    reason: str | None
    points: np.ndarray | None = None
    sides: int = 0
    peak: float = 0.0
    patch: np.ndarray | None = None


@dataclass(frozen=True)
class Motion:
    """Residuals of one motion pair (landmarks: RMS / inter-ocular distance; `pixel`: tracked
    texture, fraction of the box side, None when not measured or too little texture) and
    whether it counted."""

    planar: float
    rigid: float
    kind: str  # "rotation", "nonrigid" or "" (no evidence)
    pixel: float | None = None


def pair_motion(ref: np.ndarray, cur: np.ndarray, config: LivenessConfig) -> tuple[float, float]:
    """(homography residual, rigid 3-D residual) from `ref` (468, 3) to `cur` (468, 3) on the
    points `config.motion_points` selects ("all" 468, or "pinned": the texture-pinned eye,
    brow, nose and lip points, see mesh_geometry.PINNED_POINTS)."""
    scale = (inter_ocular(ref[:, :2]) + inter_ocular(cur[:, :2])) / 2
    if config.motion_points == "pinned":
        ref, cur = ref[list(PINNED_POINTS)], cur[list(PINNED_POINTS)]
    return (homography_residual(ref[:, :2], cur[:, :2], scale),
            rigid_3d_residual(ref, cur[:, :2], scale))


def pair_pixel_motion(ref: Measurement, cur: Measurement, config: LivenessConfig) -> float | None:
    """Pixel-motion residual between the two samples' face patches (pixel_planarity), None
    when either has no patch or the texture is too poor to track."""
    if ref.patch is None or cur.patch is None:
        return None
    return pixel_planar_residual(ref.patch, cur.patch, config.pixel_quantile)


def pixel_agrees(pixel: float | None, config: LivenessConfig) -> bool:
    """The pixels also leave one plane; no measurement (no patch, no texture) never agrees."""
    return pixel is not None and pixel > config.pixel_residual


class TrackJudge:
    """The liveness state machine of one track."""

    def __init__(self, config: LivenessConfig) -> None:
        self.config = config
        self.blink = EyeBlinkCue(config)
        self.samples: deque[Measurement] = deque()
        self.observed_s = 0.0
        self.last_usable_s: float | None = None
        self.rotation = 0
        self.nonrigid = 0
        self.screen = 0
        self.counted_until_s = -float("inf")  # end of the last motion pair that counted
        self.state = LivenessState()
        self.last_motion: Motion | None = None

    def judge(self, sample: Measurement) -> LivenessState:
        """Feed one measured sample (in time order) and return the track's new state."""
        self.last_motion = None
        if sample.reason is not None or sample.points is None:
            self.state = self._verdict(sample.reason or "no face landmarks found")
            return self.state
        cfg = self.config
        if self.last_usable_s is not None:
            self.observed_s += min(_MAX_STEP_S, max(0.0, sample.time_s - self.last_usable_s))
        self.last_usable_s = sample.time_s
        self.blink.update(sample.time_s, sample.points[:, :2])
        ref = next((s for s in reversed(self.samples)
                    if s.time_s <= sample.time_s - cfg.pair_gap_s), None)
        if ref is not None and ref.points is not None:
            planar, rigid = pair_motion(ref.points, sample.points, cfg)
            kind = ""
            if is_3d_rotation(planar, rigid, cfg.planar_residual, cfg.rigid_ratio,
                              cfg.max_residual):
                kind = "rotation"
            elif is_nonrigid(planar, rigid, cfg.nonrigid_residual, cfg.max_residual):
                kind = "nonrigid"
            pixel = None
            if cfg.pixel_rule == "alone" and planar < cfg.max_residual:
                pixel = pair_pixel_motion(ref, sample, cfg)
                kind = ("rotation" if rigid < cfg.rigid_ratio * planar else "nonrigid") \
                    if pixel_agrees(pixel, cfg) else ""
            elif kind and cfg.pixel_rule == "and":  # measured only when the landmarks say so
                pixel = pair_pixel_motion(ref, sample, cfg)
                kind = kind if pixel_agrees(pixel, cfg) else ""
            # With disjoint_pairs a pair counts only when it shares no sample with the last pair
            # that counted: pairs sharing a sample can both come from one landmark glitch.
            if kind and cfg.disjoint_pairs and ref.time_s <= self.counted_until_s:
                kind = ""
            if kind:
                self.counted_until_s = sample.time_s
                if kind == "rotation":
                    self.rotation += 1
                else:
                    self.nonrigid += 1
            self.last_motion = Motion(planar, rigid, kind, pixel)
        self.screen += int(sample.sides >= cfg.bezel_sides or sample.peak > cfg.spectral_peak)
        self.samples.append(sample)
        while self.samples and self.samples[0].time_s < sample.time_s - _KEEP_S:
            self.samples.popleft()
        self.state = self._verdict(None)
        return self.state

    def _verdict(self, reason: str | None) -> LivenessState:
        cfg = self.config
        evidence = {"blinks": self.blink.blinks, "rotation": self.rotation,
                    "nonrigid": self.nonrigid, "screen": self.screen}
        need = cfg.motion_pairs_live * (2 if self.screen >= cfg.screen_samples_suspect else 1)
        score = self.blink.blinks * cfg.motion_pairs_live + self.rotation + self.nonrigid
        observed = self.observed_s
        if score >= need:
            return LivenessState("live", _live_reason(evidence), observed, evidence)
        if self.screen >= cfg.screen_samples_suspect:
            return LivenessState("suspect", "screen or print border around the face",
                                 observed, evidence)
        if observed >= cfg.suspect_after_s:
            return LivenessState("suspect", f"no blink or 3-D motion in {observed:.1f} s",
                                 observed, evidence)
        if self.state.status == "suspect":
            return LivenessState("suspect", self.state.reason, observed, evidence)
        return LivenessState("unknown", reason or "watching for a blink or head motion",
                             observed, evidence)


def replay(samples: Iterable[Measurement], config: LivenessConfig) -> list[LivenessState]:
    """The states a monitor with `config` gives a track with these recorded samples."""
    judge = TrackJudge(config)
    return [judge.judge(s) for s in samples]


def _live_reason(evidence: dict[str, int]) -> str:
    shown = [name for name in ("blinks", "rotation", "nonrigid") if evidence[name]]
    return "showed " + ", ".join(shown)
