"""The liveness benchmark: per-track liveness on real clips and on generated attack videos.

Each video is played frame by frame like the live view does it: MTCNN on every
`detect_every_frames`-th frame (longer side at most `detect_max_side`), the FaceTracker joining
detections into tracks, and the LivenessMonitor fed each detected track's face. Recognition is
left out: liveness does not depend on who the face is.

Figures (ISO/IEC 30107-3 terms, counted per video for attacks and per track for real faces):
- APCER: share of attack videos in which *any* track was ever accepted as live (every face in a
  generated attack video is an attack, so one live track anywhere is a miss).
- BPCER: share of assessed real tracks not live within `bpcer_window_s` of their first
  sighting. A real track is assessed when it went live or was watched (usable samples) for at
  least `bpcer_window_s`; the others (too small, too short, at the edge) are counted apart as
  `not_assessed`, with the reasons they stayed unknown.
- time to live: seconds from a real track's first sighting to *live* (median, 90th percentile).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.face_tracker import FaceTracker
from attendance_app.vision.frame_source import VideoFileSource
from attendance_app.services.benchmarks.liveness_traces import RecordedTrack, save_tracks
from attendance_app.vision.liveness.liveness_judge import Measurement
from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor
from attendance_app.vision.liveness.liveness_state import LivenessState


@dataclass
class TrackOutcome:
    """One track of one video: when it was seen, when (if ever) it went live, its last state."""

    video: str
    track_id: int
    first_s: float
    last_s: float
    live_at_s: float | None = None
    state: LivenessState = field(default_factory=LivenessState)
    reasons: Counter = field(default_factory=Counter)
    samples: list[Measurement] = field(default_factory=list)  # recorded when tracing

    @property
    def time_to_live_s(self) -> float | None:
        return None if self.live_at_s is None else self.live_at_s - self.first_s


@dataclass
class VideoRun:
    video: str
    frames: int
    tracks: list[TrackOutcome]
    liveness_ms: float
    liveness_samples: int
    wall_s: float


def track_liveness(video: Path, detector: MtcnnFaceDetector,
                   make_monitor: Callable[[], LivenessMonitor], *, detect_every_frames: int = 3,
                   detect_max_side: int = 640, max_seconds: float | None = None,
                   start_seconds: float = 0.0) -> VideoRun:
    """Play `video` (frames before `start_seconds` and after `max_seconds` skipped) and return
    every track's liveness outcome."""
    monitor = make_monitor()
    tracker = FaceTracker(0.3, math.ceil(10 / detect_every_frames))
    outcomes: dict[int, TrackOutcome] = {}
    source = VideoFileSource(video)
    source.open()
    started, frames = time.perf_counter(), 0
    try:
        while (frame := source.read()) is not None:
            t = frame.timestamp_s
            if max_seconds is not None and t > max_seconds:
                break
            frames += 1
            if t < start_seconds or frame.index % detect_every_frames:
                continue
            h, w = frame.rgb.shape[:2]
            dets = detector.detect(frame.rgb, scale=min(1.0, detect_max_side / max(h, w)))
            update = tracker.update(dets, frame.index)
            for lost in update.lost:
                monitor.forget(lost.id)
            for track in update.seen:
                out = outcomes.setdefault(track.id, TrackOutcome(video.name, track.id, t, t))
                det = track.last_detection
                state = monitor.update(track.id, frame.rgb, det.box, det.landmarks, t)
                out.last_s, out.state = t, state
                if state.status == "unknown":
                    out.reasons[state.reason.split(" (")[0]] += 1
                if state.is_live and out.live_at_s is None:
                    out.live_at_s = t
                if monitor.tracing:
                    out.samples = monitor.measurements_of(track.id)
    finally:
        source.close()
    return VideoRun(video.name, frames, list(outcomes.values()), monitor.stats.total_ms,
                    monitor.stats.samples, time.perf_counter() - started)


def summarise(real: Sequence[VideoRun], attacks: Sequence[VideoRun], bpcer_window_s: float,
              load_average: float | None = None) -> dict[str, Any]:
    """The JSON figures described in the module docstring."""
    attack_hits = [r.video for r in attacks if any(t.live_at_s is not None for t in r.tracks)]
    assessed, not_assessed = [], []
    for run in real:
        for t in run.tracks:
            watched = t.state.observed_s >= bpcer_window_s or t.live_at_s is not None
            (assessed if watched else not_assessed).append(t)
    late = [t for t in assessed if t.time_to_live_s is None or t.time_to_live_s > bpcer_window_s]
    ttl = sorted(t.time_to_live_s for t in assessed if t.time_to_live_s is not None)
    reasons: Counter = Counter()
    for t in not_assessed:
        reasons.update(t.reasons)
    runs = list(real) + list(attacks)
    samples = sum(r.liveness_samples for r in runs)
    frames = sum(r.frames for r in runs)
    total_ms = sum(r.liveness_ms for r in runs)
    return {
        "apcer": round(len(attack_hits) / len(attacks), 4) if attacks else None,
        "attack_videos": len(attacks), "attacks_accepted": attack_hits,
        "attack_tracks": sum(len(r.tracks) for r in attacks),
        "attack_tracks_suspect": sum(t.state.status == "suspect" for r in attacks for t in r.tracks),
        "bpcer": round(len(late) / len(assessed), 4) if assessed else None,
        "bpcer_window_s": bpcer_window_s, "real_tracks_assessed": len(assessed),
        "real_tracks_not_live_in_window": len(late),
        "real_tracks_not_assessed": len(not_assessed),
        "not_assessed_reasons": dict(reasons.most_common(5)),
        "time_to_live_median_s": _quantile(ttl, 0.5), "time_to_live_p90_s": _quantile(ttl, 0.9),
        "ms_per_sample": round(total_ms / samples, 2) if samples else None,
        "ms_per_frame": round(total_ms / frames, 2) if frames else None,
        "per_video": {r.video: {"tracks": len(r.tracks),
                                "live": sum(t.live_at_s is not None for t in r.tracks),
                                "suspect": sum(t.state.status == "suspect" for t in r.tracks)}
                      for r in runs},
        "load_average": load_average,
    }


def _quantile(values: list[float], q: float) -> float | None:
    return round(float(np.quantile(values, q)), 3) if values else None


def video_files(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the .mp4/.avi/.mov files in it (sorted)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix.lower() in (".mp4", ".avi", ".mov"))
        else:
            files.append(p)
    return files


def run_liveness_benchmark(real: Sequence[Path], attacks: Sequence[Path],
                           detector: MtcnnFaceDetector, make_monitor: Callable[[], LivenessMonitor],
                           *, bpcer_window_s: float = 4.0, detect_every_frames: int = 3,
                           detect_max_side: int = 640, max_seconds: float | None = None,
                           progress: Callable[[int, int, str], bool] | None = None,
                           traces_to: Path | None = None) -> dict[str, Any]:
    """Play every video (see track_liveness) and summarise; `progress(done, total, name)`.
    `traces_to`: write each track's measurements there (gzip JSON, see liveness_traces; the
    monitors must trace), after every video so a stopped run keeps what it measured."""
    import os

    videos = [(v, True) for v in real] + [(v, False) for v in attacks]
    real_runs: list[VideoRun] = []
    attack_runs: list[VideoRun] = []
    for done, (video, is_real) in enumerate(videos):
        if progress is not None:
            progress(done, len(videos), video.name)
        run = track_liveness(video, detector, make_monitor, detect_every_frames=detect_every_frames,
                             detect_max_side=detect_max_side, max_seconds=max_seconds)
        (real_runs if is_real else attack_runs).append(run)
        if traces_to is not None:
            save_tracks(traces_to, [RecordedTrack(f"{label}:{r.video}", t.track_id, t.first_s,
                                                  t.last_s, t.samples)
                                    for label, runs in (("real", real_runs), ("attack", attack_runs))
                                    for r in runs for t in r.tracks])
    return summarise(real_runs, attack_runs, bpcer_window_s, round(os.getloadavg()[0], 2))
