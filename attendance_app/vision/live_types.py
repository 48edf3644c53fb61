"""The live pipeline's vocabulary: its configuration and what one processed frame yields.

Split out of live_recognizer.py so that the recognizer, the track verifier and the vote keeping
share one set of types; live_recognizer re-exports all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal, Protocol

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.vision.liveness.liveness_state import LivenessState
from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.match import Match

TrackState = Literal["checking", "confirmed", "unknown"]


class FaceDetectorLike(Protocol):
    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]: ...

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray: ...


class FaceEmbedderLike(Protocol):
    def embed(self, crops: np.ndarray) -> np.ndarray: ...

    def prepare(self, frame_rgb: np.ndarray, detection: Detection) -> np.ndarray: ...


class LivenessMonitorLike(Protocol):  # vision/liveness/liveness_monitor.LivenessMonitor
    def update(self, track_id: int, frame_rgb: np.ndarray, box: FaceBox,
               landmarks5: tuple[tuple[float, float], ...], time_s: float) -> LivenessState: ...

    def state(self, track_id: int) -> LivenessState: ...

    def forget(self, track_id: int) -> None: ...

    def reset(self) -> None: ...


class GalleryLike(Protocol):
    def match(self, query: np.ndarray, threshold: float, margin: float = 0.0) -> Match: ...


@dataclass(frozen=True)
class LiveRecognizerConfig:
    """Tuning of the live loop. Similarities are cosine similarities; *_frames are counts of
    frames except `unknown_after_frames` and `confirm_frames`, which count embeddings of a track.
    `detect_scale` in (0, 1]: MTCNN runs on the frame resized by it, crops come from the full
    frame; `detect_max_side` lowers that scale further so the detected frame's longer side is at
    most this many pixels (1080p at 640: 1/3). `detect_every_frames` k > 1 detects on every k-th
    frame only (by frame index) and moves the tracks' boxes by their velocity in between (ignored
    with `every_frame`). `regrow_ratio` / `resharpen_ratio`: re-embed early when the face's size /
    sharpness reached this multiple of its value at the last embedding (at least
    `min_embed_gap_frames` after it). `async_detection`: MTCNN runs on a BackgroundDetector
    thread as often as it can and `process` never waits for it (camera-rate live views; ignored
    with `every_frame`).

    Identity re-verification (ADR 11): `cut_threshold` is the mean absolute difference (grey
    levels 0-255) between two consecutive frames' 32x18 thumbnails above which the shot has cut
    and every track ends (None: never). A confirmed track turns suspect (name hidden, re-embedded
    at once) when it was matched with IoU below `verify_min_iou`, its box side changed by more
    than `verify_max_size_ratio`, or its face changed abruptly between two shown frames: at the
    previous frame's box, the grey signature (searched `appearance_search_cells` cells each way)
    correlates below `continuity_min_correlation` or the colour histogram moved further than
    `continuity_max_colour_distance`. A slower drift from the look at the last embedding
    (searched correlation below `appearance_min_correlation`) only asks for a re-embedding at
    each detection for `drift_watch_frames`; the name is hidden at once only when the last
    embedding already matched below `steady_min_similarity_ratio` of the confirming votes' mean
    similarity, or when every shown step since the reference correlated at least
    `smooth_step_correlation` (a picture fading, not a live face moving). Every re-embedding must
    agree with the track's own recent embeddings (cosine to their mean at least
    `self_min_similarity`) and, once confirmed, with its person, or the track ends and a new one
    starts as checking with no votes; one matching its person below `hold_min_similarity_ratio`
    of the confirming mean hides the name. A fading face whose signature still changes between
    two detections (correlation below `appearance_stable_correlation`, None: no such test) stays
    suspect and unnamed even when its embedding agrees.

    `unknown_after_s`: a checking track with at least 3 misses in a row is also declared unknown
    once it has been seen this many seconds (paced views on a loaded machine embed rarely).

    `torch_threads`: torch's and OpenCV's pools are set to this many threads when the recognizer
    is made, and its detector thread sets it for itself (thread_budget; None leaves them alone).

    `lookahead_detection`: when the caller passes frames decoded ahead (a file), the next
    detection frame among them is detected on a second thread (DetectionLookahead).

    `refine_landmarks`: an aligning embedder's input (SFace) is cut on landmarks found again on
    an enlarged full-resolution view of each small face (vision/landmark_refinement.py, ~30 ms
    per such face embedded), as photos are; a detector without `refine` ignores it.
    """

    match_threshold: float = 0.55
    runner_up_margin: float = 0.05
    confirm_frames: int = 3
    confirm_min_similarity: float = 0.55
    unknown_after_frames: int = 6
    unknown_after_s: float = 1.0
    check_every_frames: int = 3
    reembed_every_frames: int = 10
    detect_scale: float = 1.0
    detect_max_side: int | None = None
    detect_every_frames: int = 3
    async_detection: bool = False
    every_frame: bool = False
    regrow_ratio: float = 1.3
    resharpen_ratio: float = 1.5
    min_embed_gap_frames: int = 2
    min_iou: float = 0.3
    max_missed_frames: int = 10
    cut_threshold: float | None = 18.0
    verify_min_iou: float = 0.5
    verify_max_size_ratio: float = 1.4
    appearance_min_correlation: float = 0.9
    self_min_similarity: float = 0.45
    appearance_stable_correlation: float | None = 0.97
    appearance_search_cells: int = 3
    continuity_min_correlation: float = 0.45
    continuity_max_colour_distance: float = 0.3
    hold_min_similarity_ratio: float = 0.7
    steady_min_similarity_ratio: float = 0.85
    drift_watch_frames: int = 9
    smooth_step_correlation: float = 0.97
    torch_threads: int | None = 1
    lookahead_detection: bool = True
    refine_landmarks: bool = False

    def __post_init__(self) -> None:
        if self.confirm_frames < 1 or self.unknown_after_frames < 1:
            raise ValueError("confirm_frames and unknown_after_frames must be >= 1")
        if min(self.check_every_frames, self.reembed_every_frames, self.detect_every_frames) < 1:
            raise ValueError("check_every_frames, reembed_every_frames and detect_every_frames "
                             "must be >= 1")
        if not 0.0 < self.detect_scale <= 1.0:
            raise ValueError("detect_scale must be in (0, 1]")
        if self.verify_max_size_ratio < 1.0:
            raise ValueError("verify_max_size_ratio must be >= 1")

    @classmethod
    def from_settings(cls, settings: object, **overrides: object) -> "LiveRecognizerConfig":
        """Take every field that `settings` (e.g. config.Settings) has by the same name; vision
        must not import config, so this reads attributes by name."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls)
                  if hasattr(settings, f.name)}
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class TrackView:
    """What to draw for one face in this frame. `name`/`person_id` are None unless the track is
    confirmed and its face still looks as it did when last verified."""

    track_id: int
    box: FaceBox
    state: TrackState
    person_id: int | None
    similarity: float
    name: str | None = None
    liveness: LivenessState | None = None  # None when no LivenessMonitor is attached


@dataclass(frozen=True)
class ConfirmedSighting:
    """A track confirmed as `person_id` (once per track). `time_s` is the frame's timestamp,
    `first_seen_s` the timestamp of the track's first frame; `crop` (160, 160, 3) uint8 RGB.
    For learning camera templates: `embedding` is the embedding of that crop's view (the best
    of the confirming votes), `margin` the smallest lead of the best over the runner-up
    person among the confirming votes (2.0 with nobody else enrolled), `quality` the crop's
    face_tracker.quality_score (its shorter side in pixels, discounted for blur and yaw)."""

    track_id: int
    person_id: int
    similarity: float
    time_s: float
    first_seen_s: float
    frame_index: int
    crop: np.ndarray
    embedding: np.ndarray | None = None
    margin: float = 0.0
    quality: float = 0.0


@dataclass(frozen=True)
class UnknownTrackEvent:
    """A track nobody matched (once per track): its best-view crop for later review."""

    track_id: int
    crop: np.ndarray
    best_similarity: float
    time_s: float


@dataclass(frozen=True)
class FrameResult:
    """Everything one processed frame produced. `stage_ms` keys: decode, detect, track, crop,
    embed, match, total (milliseconds); `embedded` counts the faces embedded in this frame.
    `events` names what the pipeline noticed in this frame ('shot cut', 'frame size changed',
    'stale detection dropped', ...) for status lines and logs."""

    frame_index: int
    timestamp_s: float
    tracks: list[TrackView]
    sightings: list[ConfirmedSighting]
    unknowns: list[UnknownTrackEvent]
    stage_ms: dict[str, float]
    embedded: int
    events: tuple[str, ...] = ()


@dataclass
class RecognizerStats:
    """Running totals: frames, detections, embeddings, each person's best similarity over all
    embeddings (best or runner-up candidate), and how often identity re-verification acted:
    `cuts` (shot cuts, every track ended), `verifications` (re-embeddings forced by a jump or an
    appearance change), `tracks_ended_by_verification`, `stale_detections` (async results from
    before a cut or frame-size change, dropped)."""

    frames: int = 0
    detections: int = 0
    embeds: int = 0
    best_similarity_by_person: dict[int, float] = field(default_factory=dict)
    cuts: int = 0
    verifications: int = 0
    tracks_ended_by_verification: int = 0
    stale_detections: int = 0
