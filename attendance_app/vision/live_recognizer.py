"""LiveRecognizer: detection + tracking + sparse embedding + vote-based confirmation per frame.

Frames are detected (every frame, or every k-th with the boxes moved in between) and tracked;
a track's face is embedded when the track is new, then every `check_every_frames` frames while
it is being checked, every `reembed_every_frames` frames once it is unknown, never once it is
confirmed, and earlier when the face has grown or sharpened notably. The crops of one frame go
to the embedder in one batch.

Confirmation (per track), with `m` the gallery's Match for one embedding of the track:
- an *agreeing vote* is `m.is_known and m.similarity >= confirm_min_similarity`. A vote for the
  track's current candidate adds one; a vote for another person restarts the count at one for
  that person. Any other embedding (unknown, too weak, ambiguous) takes one vote away (decay)
  and counts as a *miss*; an agreeing vote clears the misses.
- `confirm_frames` votes for the same person -> the track is `confirmed` and yields exactly one
  ConfirmedSighting (similarity = mean of the agreeing votes, crop = best view among them).
  Confirmed tracks are not embedded again.
- `unknown_after_frames` consecutive misses -> the track becomes `unknown` and yields exactly one
  UnknownTrackEvent with its best-view crop. It is still re-embedded at the slow rate and may
  later be confirmed (a face that turns towards the camera).
`every_frame=True` is the naive baseline: every face embedded in every frame, same votes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Literal, Protocol

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.match import Match
from attendance_app.vision.background_detector import BackgroundDetector
from attendance_app.vision.face_tracker import FaceTracker, Track, quality_score
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.liveness.liveness_state import LivenessState

TrackState = Literal["checking", "confirmed", "unknown"]


class FaceDetectorLike(Protocol):
    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]: ...

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray: ...


class FaceEmbedderLike(Protocol):
    def embed(self, crops: np.ndarray) -> np.ndarray: ...


class LivenessMonitorLike(Protocol):  # vision/liveness/liveness_monitor.LivenessMonitor
    def update(self, track_id: int, frame_rgb: np.ndarray, box: FaceBox,
               landmarks5: tuple, time_s: float) -> LivenessState: ...

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
    most this many pixels (1080p at 640: 1/3). `detect_every_frames` k > 1 detects on every k-th frame only (by frame index) and
    moves the tracks' boxes by their velocity in between (ignored with `every_frame`). `regrow_ratio` / `resharpen_ratio`: re-embed early when the face's size / sharpness
    reached this multiple of its value at the last embedding (at least `min_embed_gap_frames`
    after it). `async_detection`: MTCNN runs on a BackgroundDetector thread as often as it can
    and `process` never waits for it (camera-rate live views; ignored with `every_frame`)."""

    match_threshold: float = 0.55
    runner_up_margin: float = 0.05
    confirm_frames: int = 3
    confirm_min_similarity: float = 0.55
    unknown_after_frames: int = 6
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

    def __post_init__(self) -> None:
        if self.confirm_frames < 1 or self.unknown_after_frames < 1:
            raise ValueError("confirm_frames and unknown_after_frames must be >= 1")
        if min(self.check_every_frames, self.reembed_every_frames, self.detect_every_frames) < 1:
            raise ValueError("check_every_frames, reembed_every_frames and detect_every_frames "
                             "must be >= 1")
        if not 0.0 < self.detect_scale <= 1.0:
            raise ValueError("detect_scale must be in (0, 1]")

    @classmethod
    def from_settings(cls, settings: object, **overrides: object) -> "LiveRecognizerConfig":
        """Take every field that `settings` (e.g. config.Settings) has by the same name; vision
        must not import config, so this reads attributes by name."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls)
                  if hasattr(settings, f.name)}
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TrackView:
    """What to draw for one face in this frame."""

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
    `first_seen_s` the timestamp of the track's first frame; `crop` (160, 160, 3) uint8 RGB."""

    track_id: int
    person_id: int
    similarity: float
    time_s: float
    first_seen_s: float
    frame_index: int
    crop: np.ndarray


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
    embed, match, total (milliseconds); `embedded` counts the faces embedded in this frame."""

    frame_index: int
    timestamp_s: float
    tracks: list[TrackView]
    sightings: list[ConfirmedSighting]
    unknowns: list[UnknownTrackEvent]
    stage_ms: dict[str, float]
    embedded: int


@dataclass
class _TrackMemory:
    """Recognition state of one track (the tracker knows boxes, this knows identities)."""

    first_seen_s: float
    state: TrackState = "checking"
    candidate: int | None = None
    votes: int = 0
    misses: int = 0
    embeds: int = 0
    last_embed_frame: int = -(10**9)
    last_size: float = 0.0
    last_sharpness: float = 0.0
    person_id: int | None = None
    similarity: float = 0.0
    best_similarity: float = -1.0
    vote_similarities: list[float] = field(default_factory=list)
    vote_crop: np.ndarray | None = None
    vote_crop_score: float = -1.0
    view_crop: np.ndarray | None = None
    view_crop_score: float = -1.0


@dataclass
class RecognizerStats:
    """Running totals: frames, detections, embeddings, and each person's best similarity over
    all embeddings (best or runner-up candidate), for benchmarks and tuning."""

    frames: int = 0
    detections: int = 0
    embeds: int = 0
    best_similarity_by_person: dict[int, float] = field(default_factory=dict)


class LiveRecognizer:
    """Turns frames into track views, confirmed sightings and unknown-track events.

    `gallery_provider()` is called once per frame so enrolments made during a session count at
    once; None means nobody is enrolled (every face ends up unknown). `name_of(person_id)`
    labels the views. Not thread-safe: one recognizer per capture loop.
    """

    def __init__(self, detector: FaceDetectorLike, embedder: FaceEmbedderLike,
                 gallery_provider: Callable[[], GalleryLike | None],
                 config: LiveRecognizerConfig | None = None,
                 name_of: Callable[[int], str | None] | None = None,
                 liveness: LivenessMonitorLike | None = None) -> None:
        self._detector = detector
        self._liveness = liveness
        self._embedder = embedder
        self._gallery_provider = gallery_provider
        self.config = config or LiveRecognizerConfig()
        self._name_of = name_of or (lambda person_id: None)
        cfg = self.config
        detect_interval = 1 if cfg.every_frame else cfg.detect_every_frames
        # The tracker counts detection passes; the setting is in frames.
        self._tracker = FaceTracker(cfg.min_iou,
                                    math.ceil(cfg.max_missed_frames / detect_interval))
        self._memory: dict[int, _TrackMemory] = {}
        self._last_detect_index: int | None = None
        self._background = (BackgroundDetector(self._detect_and_embed)
                            if cfg.async_detection and not cfg.every_frame else None)
        self.stats = RecognizerStats()

    def close(self) -> None:
        """Stop the background detector thread, if any."""
        if self._background is not None:
            self._background.close()

    def process(self, frame: Frame) -> FrameResult:
        """Detect, track, embed the tracks that are due (one batch), vote, and report. On a frame
        between detections (detect_every_frames > 1) only the track boxes move."""
        cfg = self.config
        if self._background is not None:
            return self._process_async(frame)
        last = self._last_detect_index
        if (cfg.every_frame or cfg.detect_every_frames == 1 or last is None
                or not 0 <= frame.index - last < cfg.detect_every_frames):
            self._last_detect_index = frame.index
            return self._detect_and_recognise(frame)
        return self._coast(frame)

    def _coast(self, frame: Frame) -> FrameResult:
        started = time.perf_counter()
        views = self._views_at(frame.index)
        self.stats.frames += 1
        ms = (time.perf_counter() - started) * 1e3
        stage_ms = {"decode": frame.decode_ms, "detect": 0.0, "track": ms, "crop": 0.0,
                    "embed": 0.0, "match": 0.0, "total": ms + frame.decode_ms}
        return FrameResult(frame.index, frame.timestamp_s, views, [], [], stage_ms, 0)

    def _process_async(self, frame: Frame) -> FrameResult:
        """Apply detections that finished (on the frame they came from), hand the newest frame
        to the idle detector, and show the tracks where they should be now."""
        assert self._background is not None
        finished = self._background.poll()
        if self._background.idle:
            self._background.submit(frame)
        if finished is None:
            return self._coast(frame)
        done = self._recognise(finished.frame, finished.detections, finished.detect_ms,
                               finished.embeddings)
        views = self._views_at(frame.index)
        stage_ms = {**done.stage_ms, "decode": frame.decode_ms,
                    "total": done.stage_ms["total"] - done.stage_ms["detect"]
                    - finished.frame.decode_ms + frame.decode_ms}
        return FrameResult(frame.index, frame.timestamp_s, views, done.sightings, done.unknowns,
                           stage_ms, done.embedded)

    def _detect_rgb(self, rgb: np.ndarray) -> list[Detection]:
        return self._detector.detect(rgb, scale=self._scale_for(rgb))

    def _detect_and_embed(self, frame: Frame) -> tuple[list[Detection], np.ndarray | None]:
        """Worker-thread job: detect, then embed every face found (one batch), so the loop's
        thread never runs a network. Embedding all faces costs more than embedding only the due
        tracks, but it is spent off the loop."""
        detections = self._detect_rgb(frame.rgb)
        if not detections:
            return detections, None
        crops = np.stack([self._detector.crop(frame.rgb, d) for d in detections])
        return detections, self._embedder.embed(crops)

    def _detect_and_recognise(self, frame: Frame) -> FrameResult:
        t0 = time.perf_counter()
        detections = self._detect_rgb(frame.rgb)
        return self._recognise(frame, detections, (time.perf_counter() - t0) * 1e3)

    def _recognise(self, frame: Frame, detections: list[Detection], detect_ms: float,
                   precomputed: np.ndarray | None = None) -> FrameResult:
        """Track `detections` of `frame`, embed the due tracks (one batch; or take their rows of
        `precomputed`, the embeddings of `detections` made on the worker), match and vote."""
        clock = time.perf_counter
        t1 = clock()
        t0 = t1 - detect_ms / 1e3
        update = self._tracker.update(detections, frame.index)
        for lost in update.lost:
            self._memory.pop(lost.id, None)
        for new in update.new:
            self._memory[new.id] = _TrackMemory(first_seen_s=frame.timestamp_s)
        self._update_liveness(frame, update.seen, update.lost)
        due = [t for t in update.seen if self._is_due(t, self._memory[t.id], frame.index)]
        t2 = clock()
        crops = [self._detector.crop(frame.rgb, t.last_detection) for t in due]
        t3 = clock()
        if precomputed is not None:
            row_of = {id(d): row for row, d in enumerate(detections)}
            embeddings = precomputed[[row_of[id(t.last_detection)] for t in due]]
        else:
            embeddings = self._embedder.embed(np.stack(crops)) if crops else np.zeros((0, 512))
        t4 = clock()
        gallery = self._gallery_provider()
        matches = [self._match(gallery, e) for e in embeddings]
        t5 = clock()
        sightings, unknowns = [], []
        for track, crop, match in zip(due, crops, matches):
            event = self._vote(track, self._memory[track.id], crop, match, frame)
            if isinstance(event, ConfirmedSighting):
                sightings.append(event)
            elif isinstance(event, UnknownTrackEvent):
                unknowns.append(event)
        self.stats.frames += 1
        self.stats.detections += len(detections)
        self.stats.embeds += len(due)
        t6 = clock()
        stage_ms = {"decode": frame.decode_ms, "detect": (t1 - t0) * 1e3,
                    "track": (t2 - t1 + t6 - t5) * 1e3, "crop": (t3 - t2) * 1e3,
                    "embed": (t4 - t3) * 1e3, "match": (t5 - t4) * 1e3,
                    "total": (t6 - t0) * 1e3 + frame.decode_ms}
        return FrameResult(frame.index, frame.timestamp_s,
                           [self._view(t) for t in update.seen], sightings, unknowns,
                           stage_ms, len(due))

    def _update_liveness(self, frame: Frame, seen: list[Track], lost: list[Track]) -> None:
        """The liveness hook (issue 15): every detected track's face goes to the monitor."""
        if self._liveness is None:
            return
        for track in lost:
            self._liveness.forget(track.id)
        for track in seen:
            det = track.last_detection
            self._liveness.update(track.id, frame.rgb, det.box, det.landmarks, frame.timestamp_s)

    def reset(self) -> None:
        """Forget all tracks (new source or session); stats are kept."""
        if self._liveness is not None:
            self._liveness.reset()
        self._tracker.reset()
        self._memory.clear()
        self._last_detect_index = None
        if self._background is not None:  # a detection of the old source must not land later
            self._background.wait_idle(5.0)
            self._background.poll()

    def _scale_for(self, rgb: np.ndarray) -> float:
        cfg = self.config
        if cfg.detect_max_side is None:
            return cfg.detect_scale
        return min(cfg.detect_scale, cfg.detect_max_side / max(rgb.shape[0], rgb.shape[1]))

    def _is_due(self, track: Track, mem: _TrackMemory, frame_index: int) -> bool:
        cfg = self.config
        if cfg.every_frame or mem.embeds == 0:
            return True
        if mem.state == "confirmed":
            return False
        gap = frame_index - mem.last_embed_frame
        interval = cfg.check_every_frames if mem.state == "checking" else cfg.reembed_every_frames
        if gap >= interval:
            return True
        if gap < cfg.min_embed_gap_frames:
            return False
        size, sharpness = _size_and_sharpness(track.last_detection)
        return (size >= mem.last_size * cfg.regrow_ratio
                or (mem.last_sharpness > 0 and sharpness >= mem.last_sharpness * cfg.resharpen_ratio))

    def _match(self, gallery: GalleryLike | None, embedding: np.ndarray) -> Match:
        if gallery is None:
            return Match(best=None, runner_up=None, is_known=False)
        match = gallery.match(embedding, self.config.match_threshold, self.config.runner_up_margin)
        best = self.stats.best_similarity_by_person
        for candidate in (match.best, match.runner_up):
            if candidate is not None:
                best[candidate.person_id] = max(best.get(candidate.person_id, -1.0),
                                                candidate.similarity)
        return match

    def _vote(self, track: Track, mem: _TrackMemory, crop: np.ndarray, match: Match,
              frame: Frame) -> ConfirmedSighting | UnknownTrackEvent | None:
        cfg = self.config
        mem.embeds += 1
        mem.last_embed_frame = frame.index
        mem.last_size, mem.last_sharpness = _size_and_sharpness(track.last_detection)
        mem.similarity = match.similarity
        mem.best_similarity = max(mem.best_similarity, match.similarity)
        score = quality_score(track.last_detection)
        if score > mem.view_crop_score:
            mem.view_crop, mem.view_crop_score = crop, score
        if mem.state == "confirmed":
            return None  # every_frame mode keeps embedding; the identity is settled
        agrees = match.is_known and match.similarity >= cfg.confirm_min_similarity
        if agrees:
            if match.person_id != mem.candidate:
                mem.candidate, mem.votes = match.person_id, 0
                mem.vote_similarities, mem.vote_crop, mem.vote_crop_score = [], None, -1.0
            mem.votes += 1
            mem.misses = 0
            mem.vote_similarities.append(match.similarity)
            if score > mem.vote_crop_score:
                mem.vote_crop, mem.vote_crop_score = crop, score
        else:
            mem.votes = max(0, mem.votes - 1)
            mem.misses += 1
        mem.person_id = mem.candidate if mem.votes > 0 else None
        if mem.votes >= cfg.confirm_frames and mem.candidate is not None:
            mem.state, mem.person_id = "confirmed", mem.candidate
            assert mem.vote_crop is not None
            return ConfirmedSighting(track.id, mem.candidate,
                                     float(np.mean(mem.vote_similarities)), frame.timestamp_s,
                                     mem.first_seen_s, frame.index, mem.vote_crop)
        if mem.state == "checking" and mem.misses >= cfg.unknown_after_frames:
            mem.state = "unknown"
            assert mem.view_crop is not None
            return UnknownTrackEvent(track.id, mem.view_crop, mem.best_similarity,
                                     frame.timestamp_s)
        return None

    def _views_at(self, frame_index: int) -> list[TrackView]:
        """The tracks seen at their last detection, their boxes moved on to `frame_index`."""
        return [TrackView(t.id, t.box_at(frame_index), *self._view_fields(t))
                for t in self._tracker.tracks if t.missed == 0]

    def _view(self, track: Track) -> TrackView:
        return TrackView(track.id, track.box, *self._view_fields(track))

    def _view_fields(self, track: Track
                     ) -> tuple[TrackState, int | None, float, str | None, LivenessState | None]:
        mem = self._memory[track.id]
        pid = mem.person_id if mem.state == "confirmed" else None
        return (mem.state, pid, mem.similarity,
                self._name_of(pid) if pid is not None else None,
                self._liveness.state(track.id) if self._liveness is not None else None)


def _size_and_sharpness(detection: Detection) -> tuple[float, float]:
    size = min(detection.box.width, detection.box.height)
    return size, (detection.quality.sharpness if detection.quality is not None else 0.0)
