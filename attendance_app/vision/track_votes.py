"""TrackMemory and cast_vote: the recognition state of one track and how an embedding's match
changes it (see live_recognizer's module docstring for the rule)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from attendance_app.domain.match import Match
from attendance_app.vision.face_tracker import Track, quality_score
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.track_verifier import ShownFace
from attendance_app.vision.live_types import (ConfirmedSighting, LiveRecognizerConfig,
                                               TrackState, UnknownTrackEvent)

RECENT_EMBEDDINGS = 3  # the track's own history a new embedding is checked against
# A track checked this long with this many misses in a row and no agreeing vote is unknown even
# when fewer embeddings than unknown_after_frames came (a loaded machine detects rarely).
_MIN_MISSES_BY_TIME = 3


@dataclass
class TrackMemory:
    """Recognition state of one track (the tracker knows boxes, this knows identities).
    `signature` is the face-region signature at the last embedding (track_verifier), `recent`
    the last few embeddings; `suspect` is set when the face may have changed and cleared by the
    embedding that verifies it; while suspect, no name is shown."""

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
    vote_embedding: np.ndarray | None = None  # of vote_crop's view
    vote_margin: float = 2.0  # smallest best - runner-up lead among the votes
    view_crop: np.ndarray | None = None
    view_crop_score: float = -1.0
    signature: np.ndarray | None = None
    recent: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=RECENT_EMBEDDINGS))
    suspect: bool = False
    # The frame on which the track last turned suspect: only an embedding of that frame or a
    # later one may clear it (a result computed on the worker from an older frame describes the
    # face from before the change; issue 11).
    suspect_frame: int = -1
    # The face-region signature on the last frame shown (continuity: an abrupt change between
    # two frames hides the name at once), and the first frame from which the face has drifted
    # from `signature` (re-verify at the next detection, name kept; None: no drift).
    shown: ShownFace | None = None
    drift_frame: int | None = None
    watch_until_frame: int = -1  # re-embedded at every detection up to this frame (a drift)
    # The current run of shown frames each nearly the same as the one before (less change than
    # a live face makes: a still picture, or one fading into another), the face signature
    # where that run began, and whether the track is suspect because it faded from there.
    smooth_steps: int = 0
    fade_anchor: np.ndarray | None = None
    fade_anchor_frame: int = -1  # while suspect of fading: since when it has looked like the anchor
    still_drift: bool = False
    declining: bool = False  # the last embedding matched the person less well than the votes


def size_and_sharpness(track: Track) -> tuple[float, float]:
    detection = track.last_detection
    size = min(detection.box.width, detection.box.height)
    return size, (detection.quality.sharpness if detection.quality is not None else 0.0)


NO_RUNNER_UP_MARGIN = 2.0  # the widest cosine gap: nobody else is enrolled


def vote_margin(match: Match) -> float:
    """How far the best candidate leads the runner-up person."""
    if match.best is None or match.runner_up is None:
        return NO_RUNNER_UP_MARGIN
    return match.best.similarity - match.runner_up.similarity


def cast_vote(cfg: LiveRecognizerConfig, track: Track, mem: TrackMemory, crop: np.ndarray,
              match: Match, frame: Frame, embedding: np.ndarray | None = None
              ) -> ConfirmedSighting | UnknownTrackEvent | None:
    """Count one embedding's `match` for `track` (embedded on `frame`); returns the sighting or
    unknown event it completes, if any."""
    mem.embeds += 1
    mem.last_embed_frame = frame.index
    mem.last_size, mem.last_sharpness = size_and_sharpness(track)
    mem.similarity = match.similarity
    mem.best_similarity = max(mem.best_similarity, match.similarity)
    score = quality_score(track.last_detection)
    if score > mem.view_crop_score:
        mem.view_crop, mem.view_crop_score = crop, score
    if mem.state == "confirmed":
        return None  # re-embedded to verify; the identity is settled while it agrees
    agrees = match.is_known and match.similarity >= cfg.confirm_min_similarity
    if agrees:
        if match.person_id != mem.candidate:
            mem.candidate, mem.votes = match.person_id, 0
            mem.vote_similarities, mem.vote_crop, mem.vote_crop_score = [], None, -1.0
            mem.vote_embedding, mem.vote_margin = None, NO_RUNNER_UP_MARGIN
        mem.votes += 1
        mem.misses = 0
        mem.vote_similarities.append(match.similarity)
        mem.vote_margin = min(mem.vote_margin, vote_margin(match))
        if score > mem.vote_crop_score:
            mem.vote_crop, mem.vote_crop_score = crop, score
            mem.vote_embedding = embedding
    else:
        mem.votes = max(0, mem.votes - 1)
        mem.misses += 1
    mem.person_id = mem.candidate if mem.votes > 0 else None
    if mem.votes >= cfg.confirm_frames and mem.candidate is not None:
        mem.state, mem.person_id = "confirmed", mem.candidate
        assert mem.vote_crop is not None
        return ConfirmedSighting(track.id, mem.candidate,
                                 float(np.mean(mem.vote_similarities)), frame.timestamp_s,
                                 mem.first_seen_s, frame.index, mem.vote_crop,
                                 mem.vote_embedding, float(mem.vote_margin),
                                 float(mem.vote_crop_score))
    if mem.state == "checking" and (mem.misses >= cfg.unknown_after_frames or (
            mem.misses >= _MIN_MISSES_BY_TIME
            and frame.timestamp_s - mem.first_seen_s >= cfg.unknown_after_s)):
        mem.state = "unknown"
        assert mem.view_crop is not None
        return UnknownTrackEvent(track.id, mem.view_crop, mem.best_similarity,
                                 frame.timestamp_s)
    return None
