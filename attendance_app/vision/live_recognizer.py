"""LiveRecognizer: detection + tracking + sparse embedding + vote-based confirmation per frame,
with the identity under every box re-verified whenever the picture may have changed (ADR 11).

Frames are detected (every frame, or every k-th with the boxes moved in between) and tracked;
a track's face is embedded when the track is new, then every `check_every_frames` frames while
it is being checked, every `reembed_every_frames` frames once it is unknown, never once it is
confirmed unless its identity must be re-verified, and earlier when the face has grown or
sharpened notably. The crops of one frame go to the embedder in one batch.

Confirmation (per track), with `m` the gallery's Match for one embedding of the track:
- an *agreeing vote* is `m.is_known and m.similarity >= confirm_min_similarity`. A vote for the
  track's current candidate adds one; a vote for another person restarts the count at one for
  that person. Any other embedding (unknown, too weak, ambiguous) takes one vote away (decay)
  and counts as a *miss*; an agreeing vote clears the misses.
- `confirm_frames` votes for the same person -> the track is `confirmed` and yields exactly one
  ConfirmedSighting (similarity = mean of the agreeing votes, crop = best view among them).
- `unknown_after_frames` consecutive misses -> the track becomes `unknown` and yields exactly one
  UnknownTrackEvent with its best-view crop. It is still re-embedded at the slow rate and may
  later be confirmed (a face that turns towards the camera).

Re-verification: a shot cut or a change of frame size ends every track at once. A weak tracker
match, a size jump or a changed face signature (track_verifier) makes the track *suspect*: its
name is hidden from that frame on and it is re-embedded on the next detection; an embedding
unlike the track's recent ones, or a confirmed track matching someone else, ends the track and a
new one (new id, checking, no votes) starts on the same face with that embedding as its first
vote; one that no longer clearly matches the track's person (below the threshold or the
runner-up margin) keeps the track suspect and unnamed until an embedding matches again. Votes therefore never cross a change of face. With detection on a background thread, a
result computed on a frame before the last cut is dropped, and names are checked against the
current frame's pixels on every frame.
`every_frame=True` is the naive baseline: every face embedded in every frame, same votes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.match import Match
from attendance_app.vision.background_detector import BackgroundDetector, FinishedDetection
from attendance_app.vision.detection_lookahead import DetectionLookahead
from attendance_app.vision.face_tracker import FaceTracker, Track
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.liveness.liveness_state import LivenessState
from attendance_app.vision.live_types import (ConfirmedSighting, FaceDetectorLike,
                                               LivenessMonitorLike,
                                               FaceEmbedderLike, FrameResult, GalleryLike,
                                               LiveRecognizerConfig, RecognizerStats,
                                               TrackState, TrackView, UnknownTrackEvent)
from attendance_app.vision.shot_cut_detector import ShotCutDetector
from attendance_app.vision.thread_budget import configure_threads
from attendance_app.vision.track_verifier import (ShownFace, TrackVerifier, VerifierSettings,
                                                   face_signature)
from attendance_app.vision.track_votes import TrackMemory, cast_vote, size_and_sharpness

__all__ = ["ConfirmedSighting", "FrameResult", "LiveRecognizer", "LiveRecognizerConfig",
           "RecognizerStats", "TrackState", "TrackView", "UnknownTrackEvent"]


# A fade is told from a live face by a run of at least this many shown frames, each nearly the
# same picture as the one before.
_FADE_MIN_STEPS = 3
# A face suspect of fading is named again once it has looked the same for this many frames
# (0.3 s at 30 fps: a 0.5-1 s dissolve changes the face well past `appearance_stable_correlation`
# in that time, so it is not taken for settled half-way).
_FADE_SETTLE_FRAMES = 9


class LiveRecognizer:
    """Turns frames into track views, confirmed sightings and unknown-track events.

    `gallery_provider()` is called once per frame so enrolments made during a session count at
    once; None means nobody is enrolled (every face ends up unknown). `name_of(person_id)`
    labels the views; it is called for every view, so people renamed or enrolled mid-session
    show their current name. Not thread-safe: one recognizer per capture loop.
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
        self._memory: dict[int, TrackMemory] = {}
        self._last_detect_index: int | None = None
        self._cuts = ShotCutDetector(cfg.cut_threshold)
        self._cut_index = -1  # frame index of the last cut: older async results are stale
        self._verifier = TrackVerifier(VerifierSettings(
            cfg.verify_min_iou, cfg.verify_max_size_ratio, cfg.appearance_min_correlation,
            cfg.self_min_similarity, cfg.appearance_stable_correlation,
            cfg.appearance_search_cells, cfg.continuity_min_correlation,
            cfg.continuity_max_colour_distance, cfg.smooth_step_correlation))
        threads = cfg.torch_threads
        on_start = (lambda: configure_threads(threads)) if threads else None
        if on_start is not None:
            on_start()
        self._background = (BackgroundDetector(self._detect_and_embed, on_start=on_start)
                            if cfg.async_detection and not cfg.every_frame else None)
        self._on_start = on_start
        self._lookahead: DetectionLookahead | None = None  # made on the first `upcoming` frames
        self.stats = RecognizerStats()

    def close(self) -> None:
        """Stop the background detector thread, if any."""
        if self._background is not None:
            self._background.close()
        if self._lookahead is not None:
            self._lookahead.close()

    def process(self, frame: Frame, upcoming: Sequence[Frame] = ()) -> FrameResult:
        """Check the scene, then detect, track, embed the tracks that are due (one batch), vote,
        and report. On a frame between detections (detect_every_frames > 1) only the track
        boxes move and the names are checked against the frame's pixels. `upcoming`: frames
        of the same source already decoded after this one (a file read ahead); the next one
        due for detection is detected on a second thread meanwhile (DetectionLookahead), with
        the same result as detecting it when its turn comes."""
        cfg = self.config
        events = self._observe_scene(frame)
        if self._background is not None:
            return self._process_async(frame, events)
        last = self._last_detect_index
        if (cfg.every_frame or cfg.detect_every_frames == 1 or last is None
                or not 0 <= frame.index - last < cfg.detect_every_frames):
            self._last_detect_index = frame.index
            self._look_ahead(frame.index, upcoming)
            ahead = self._lookahead.take(frame) if self._lookahead is not None else None
            if ahead is not None:  # detect_ms: the worker's time, as in the paced mode
                return self._recognise(frame, ahead[0], ahead[1], events=events)
            t0 = time.perf_counter()
            detections = self._detect_rgb(frame.rgb)
            return self._recognise(frame, detections, (time.perf_counter() - t0) * 1e3,
                                   events=events)
        self._look_ahead(last, upcoming)
        return self._coast(frame, events)

    def _look_ahead(self, last_detect_index: int, upcoming: Sequence[Frame]) -> None:
        """Start detecting the upcoming frame the schedule detects next (the naive
        every-frame baseline stays sequential)."""
        if not upcoming or self.config.every_frame or not self.config.lookahead_detection:
            return
        due = last_detect_index + self.config.detect_every_frames
        frame = next((f for f in upcoming if f.index == due), None)
        if frame is None:
            return
        if self._lookahead is None:
            self._lookahead = DetectionLookahead(self._detect_rgb, on_start=self._on_start)
        self._lookahead.start(frame)

    def reset(self) -> None:
        """Forget all tracks (new source or session); stats are kept."""
        self._end_all()
        self._cuts.reset()
        self._cut_index = -1
        if self._background is not None:  # a detection of the old source must not land later
            self._background.wait_idle(5.0)
            self._background.poll()

    # ------------------------------------------------------------------ scene and modes
    def _observe_scene(self, frame: Frame) -> list[str]:
        """Shot cut or new frame size: every track ends now, before anything is drawn."""
        change = self._cuts.observe(frame.rgb)
        events: list[str] = []
        if change.cut:
            self._end_all()
            self._cut_index = frame.index
            self.stats.cuts += 1
            events.append(change.reason or "shot cut")
        if change.black:
            events.append("black frame")
        if change.frozen_frames and change.frozen_frames % 30 == 0:
            events.append(f"picture unchanged for {change.frozen_frames} frames")
        return events

    def _end_all(self) -> None:
        if self._liveness is not None:  # liveness evidence never crosses a cut either
            self._liveness.reset()
        self._tracker.reset()
        self._memory.clear()
        self._last_detect_index = None

    def _coast(self, frame: Frame, events: list[str]) -> FrameResult:
        started = time.perf_counter()
        views = self._views_at(frame)
        self.stats.frames += 1
        ms = (time.perf_counter() - started) * 1e3
        stage_ms = {"decode": frame.decode_ms, "detect": 0.0, "track": ms, "crop": 0.0,
                    "embed": 0.0, "match": 0.0, "total": ms + frame.decode_ms}
        return FrameResult(frame.index, frame.timestamp_s, views, [], [], stage_ms, 0,
                           tuple(events))

    def _process_async(self, frame: Frame, events: list[str]) -> FrameResult:
        """Apply a detection that finished (on the frame it came from) unless a cut came after
        that frame, hand the newest frame to the idle detector, and show the tracks where they
        should be now, names checked against this frame."""
        assert self._background is not None
        finished = self._background.poll()
        if self._background.idle:
            self._background.submit(frame)
        if finished is not None and not self._still_valid(finished, frame):
            self.stats.stale_detections += 1
            events.append("stale detection dropped")
            finished = None
        if finished is None:
            return self._coast(frame, events)
        done = self._recognise(finished.frame, finished.detections, finished.detect_ms,
                               finished.embeddings, shown=False)
        views = self._views_at(frame)
        stage_ms = {**done.stage_ms, "decode": frame.decode_ms,
                    "total": done.stage_ms["total"] - done.stage_ms["detect"]
                    - finished.frame.decode_ms + frame.decode_ms}
        return FrameResult(frame.index, frame.timestamp_s, views, done.sightings, done.unknowns,
                           stage_ms, done.embedded, tuple(events))

    def _still_valid(self, finished: FinishedDetection, frame: Frame) -> bool:
        """A result from before the last cut, or of another frame size, describes faces that
        are no longer there."""
        return (finished.frame.index >= self._cut_index
                and finished.frame.index <= frame.index
                and finished.frame.rgb.shape == frame.rgb.shape)

    # ------------------------------------------------------------------ detect, embed
    def _detect_rgb(self, rgb: np.ndarray) -> list[Detection]:
        return self._detector.detect(rgb, scale=self._scale_for(rgb))

    def _crop_and_embed(self, rgb: np.ndarray, detections: list[Detection]
                        ) -> tuple[list[np.ndarray], np.ndarray]:
        """The one place a face becomes an embedding, one batch: (crops, (N, D) embeddings).
        `crops` are the detector's margin crops (thumbnails, snapshots, signatures); the
        embedder's input is the same crop for embedders that take it (FaceNet), else the
        embedder's own prepare() (SFace aligns the face on its five landmarks)."""
        crops = [self._detector.crop(rgb, d) for d in detections]
        if not crops:
            return crops, np.zeros((0, 512), np.float32)
        if getattr(self._embedder, "uses_margin_crop", True):
            inputs = crops
        else:
            inputs = [self._embedder.prepare(rgb, self._aligned_on(rgb, d)) for d in detections]
        return crops, self._embedder.embed(np.stack(inputs))

    def _aligned_on(self, rgb: np.ndarray, detection: Detection) -> Detection:
        """The detection whose landmarks the aligned input is cut on: refined for small faces
        when the config asks (`refine_landmarks`) and the detector can."""
        refine = getattr(self._detector, "refine", None)
        if self.config.refine_landmarks and refine is not None:
            refined: Detection = refine(rgb, detection)  # a no-op for a face that is not small
            return refined
        return detection

    def _detect_and_embed(self, frame: Frame) -> tuple[list[Detection], np.ndarray | None]:
        """Worker-thread job: detect, then embed every face found (one batch), so the loop's
        thread never runs a network. Embedding all faces costs more than embedding only the due
        tracks, but it is spent off the loop."""
        detections = self._detect_rgb(frame.rgb)
        if not detections:
            return detections, None
        return detections, self._crop_and_embed(frame.rgb, detections)[1]

    def _recognise(self, frame: Frame, detections: list[Detection], detect_ms: float,
                   precomputed: np.ndarray | None = None,
                   events: list[str] | None = None, shown: bool = True) -> FrameResult:
        """Track `detections` of `frame`, verify the tracks whose face may have changed, embed
        the due tracks (one batch; or take their rows of `precomputed`, the embeddings of
        `detections` made on the worker), match and vote."""
        clock = time.perf_counter
        t1 = clock()
        t0 = t1 - detect_ms / 1e3
        update = self._tracker.update(detections, frame.index)
        for lost in update.lost:
            self._memory.pop(lost.id, None)
        for new in update.new:
            self._memory[new.id] = TrackMemory(first_seen_s=frame.timestamp_s)
        self._update_liveness(frame, update.seen, update.lost)
        for track in update.seen:
            self._check_track(track, self._memory[track.id], frame, shown)
        # Embeddings made on the detector thread are already paid for: every track uses its
        # own (a vote, or a free re-verification of a confirmed track), so votes keep pace with
        # the detections however slow the machine makes them.
        due = [t for t in update.seen if precomputed is not None
               or self._is_due(t, self._memory[t.id], frame.index)]
        t2 = clock()
        if precomputed is not None:
            crops = [self._detector.crop(frame.rgb, t.last_detection) for t in due]
            t3 = clock()
            row_of = {id(d): row for row, d in enumerate(detections)}
            embeddings = precomputed[[row_of[id(t.last_detection)] for t in due]]
        else:  # crop and embed are one call (one place to swap the embedder); timed as embed
            t3 = t2
            crops, embeddings = self._crop_and_embed(frame.rgb, [t.last_detection for t in due])
        t4 = clock()
        gallery = self._gallery_provider()
        matches = [self._match(gallery, e) for e in embeddings]
        t5 = clock()
        sightings, unknowns = [], []
        for track, crop, embedding, match in zip(due, crops, embeddings, matches):
            event = self._verify_and_vote(track, crop, embedding, match, frame)
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
        seen = sorted((t for t in self._tracker.tracks if t.last_frame == frame.index
                       and t.missed == 0), key=lambda t: t.id)
        return FrameResult(frame.index, frame.timestamp_s, [self._view(t) for t in seen],
                           sightings, unknowns, stage_ms, len(due), tuple(events or ()))

    # ------------------------------------------------------------------ verification
    def _check_track(self, track: Track, mem: TrackMemory, frame: Frame,
                     shown: bool = True) -> None:
        """On a detection frame, mark a confirmed track suspect (name hidden) when its match was
        weak or its size jumped, or, on a frame that is shown (`shown`), when its face region
        changed abruptly since the previous frame shown; a slow drift from the look at its last
        embedding only asks for a re-embedding (see _note_appearance). Checking and unknown
        tracks are re-embedded on their schedule anyway (every 3 / 10 frames), and every
        re-embedding is checked against the track's own recent ones, so they need no trigger:
        their names are not shown and their votes cannot cross a change."""
        if mem.state != "confirmed":
            return
        if mem.suspect:
            return
        if track.previous_box is not None and self._verifier.geometry_suspect(
                track.match_iou, track.previous_box, track.box):
            self._make_suspect(mem, frame.index)
        elif shown:
            self._note_appearance(mem, frame, track.box)
        elif self._verifier.appearance_changed(mem.signature, frame.rgb, track.box):
            mem.drift_frame = frame.index if mem.drift_frame is None else mem.drift_frame
            mem.watch_until_frame = frame.index + self.config.drift_watch_frames

    def _note_appearance(self, mem: TrackMemory, frame: Frame, box: FaceBox) -> None:
        """Compare a confirmed track's face on a shown frame with the frame shown before it
        (an abrupt change: a face swapped in place; suspect, name hidden at once), with its
        look where its current run of tiny steps began (a fade: suspect until it settles) and
        with its look at the last embedding (a drift: a head turning, a slow dissolve;
        re-embedded at the next detections, the name stays until an embedding disagrees)."""
        if mem.shown is not None and self._verifier.smooth_step(mem.shown, frame.rgb):
            mem.smooth_steps += 1
        else:  # a step only a live face makes (or the first frame): a new run starts here
            mem.smooth_steps, mem.fade_anchor = 0, face_signature(frame.rgb, box)
        # Every frame nearly the same as the one before for a while, and yet far from the look
        # where that run began: one picture fading into another. The anchor is not moved by
        # embeddings that agree (a dissolve would drag it along: SFace still matches the old
        # person at 0.86-1.0 of the confirming similarity half-way through), only by a live step.
        fading = (mem.smooth_steps >= _FADE_MIN_STEPS
                  and self._verifier.appearance_changed(mem.fade_anchor, frame.rgb, box))
        if self._verifier.continuity_broken(mem.shown, frame.rgb):
            self._make_suspect(mem, frame.index)
        elif fading:
            # Hide the name now rather than after the next (in paced views, late) embedding;
            # it is named again only once it stops changing.
            self._make_suspect(mem, frame.index)
            mem.still_drift = True
            mem.fade_anchor, mem.fade_anchor_frame = face_signature(frame.rgb, box), frame.index
            mem.watch_until_frame = frame.index + self.config.drift_watch_frames
        elif (mem.drift_frame is None
              and self._verifier.appearance_changed(mem.signature, frame.rgb, box)):
            if mem.declining:
                # The last embedding already matched its person less well than at
                # confirmation, and now the face drifts: a dissolve under way.
                self._make_suspect(mem, frame.index)
            else:
                mem.drift_frame = frame.index
            # A face that drifted once may go on changing: re-embed it at every detection
            # for a while, so a dissolve is caught half-way rather than when it trips again.
            mem.watch_until_frame = frame.index + self.config.drift_watch_frames
        mem.shown = ShownFace.of(frame.rgb, box)

    def _make_suspect(self, mem: TrackMemory, frame_index: int) -> None:
        mem.suspect, mem.suspect_frame = True, frame_index
        self.stats.verifications += 1

    def _verify_and_vote(self, track: Track, crop: np.ndarray, embedding: np.ndarray,
                         match: Match, frame: Frame
                         ) -> ConfirmedSighting | UnknownTrackEvent | None:
        mem = self._memory[track.id]
        confirmed = mem.person_id if mem.state == "confirmed" else None
        if mem.embeds and self._verifier.embedding_disagrees(list(mem.recent), embedding,
                                                             match, confirmed):
            # Someone else is under the box: the old track ends, its votes with it.
            fresh = self._tracker.restart(track)
            self._memory.pop(track.id, None)
            mem = self._memory[fresh.id] = TrackMemory(first_seen_s=frame.timestamp_s)
            track = fresh
            self.stats.tracks_ended_by_verification += 1
        event = cast_vote(self.config, track, mem, crop, match, frame,
                          np.asarray(embedding, np.float32))
        if mem.suspect and frame.index < mem.suspect_frame:
            # Computed (on the worker) on a frame from before the face changed: it says nothing
            # about the face there now. The track stays suspect, unnamed, and its references
            # stay as they were until an embedding of a later frame verifies it.
            return event
        if mem.state == "confirmed" and (match.person_id != mem.person_id
                                         or self._weakened(mem, match)):
            # Not someone else (that ended the track above), but no longer clearly its person
            # either: too weak, too close to a runner-up, or far below the similarity it was
            # confirmed with, as a face half-way through a dissolve into a stranger is. The
            # name is hidden until an embedding matches again, and the references stay those
            # of the last matching view (so a dissolve cannot drag them along).
            if not mem.suspect:
                self._make_suspect(mem, frame.index)
            return event
        mem.declining = (mem.state == "confirmed" and self._similarity_ratio(mem, match)
                         < self.config.steady_min_similarity_ratio)
        if mem.declining and mem.drift_frame is not None and not mem.suspect:
            self._make_suspect(mem, frame.index)  # it drifted and now matches less well
        if mem.declining:
            # Still its person, but matching less well than at confirmation: a shown name
            # stays (a hidden one stays hidden), and the references stay those of the stronger
            # view, so a dissolve cannot drag them along.
            return event
        if not mem.suspect or not mem.still_drift or self._fade_over(mem, frame, track.box):
            mem.recent.append(np.asarray(embedding, np.float32))
            mem.signature = face_signature(frame.rgb, track.box)
            if mem.suspect:  # the frames shown while it was suspect were not compared
                mem.shown, mem.smooth_steps = None, 0
            mem.suspect = mem.still_drift = False
            if mem.drift_frame is not None and frame.index >= mem.drift_frame:
                mem.drift_frame = None  # the drifted face is verified: the new reference
        # else: a fading face agreed but may still be changing: it stays suspect (no name) and
        # is verified again at the next detection, against the references from before the fade.
        return event

    def _fade_over(self, mem: TrackMemory, frame: Frame, box: FaceBox) -> bool:
        """A face suspect of fading has stopped changing: on this (embedded) frame it looks as
        it did at `fade_anchor`, at least `_FADE_SETTLE_FRAMES` frames earlier. When it does not,
        the wait starts again from this frame (a fade that goes on keeps its name hidden; a
        still face that turned is named again once it has held still that long)."""
        current = face_signature(frame.rgb, box)
        same = self._verifier.settled(mem.fade_anchor, current)
        if same and frame.index - mem.fade_anchor_frame >= _FADE_SETTLE_FRAMES:
            return True
        if not same:
            mem.fade_anchor, mem.fade_anchor_frame = current, frame.index
        return False

    def _weakened(self, mem: TrackMemory, match: Match) -> bool:
        """The track's person still matches, but at less than `hold_min_similarity_ratio` of
        the mean similarity of the votes that confirmed it."""
        return self._similarity_ratio(mem, match) < self.config.hold_min_similarity_ratio

    @staticmethod
    def _similarity_ratio(mem: TrackMemory, match: Match) -> float:
        """This match's similarity over the mean of the votes that confirmed the track."""
        if not mem.vote_similarities:
            return 1.0
        return match.similarity / max(float(np.mean(mem.vote_similarities)), 1e-6)

    def _scale_for(self, rgb: np.ndarray) -> float:
        cfg = self.config
        if cfg.detect_max_side is None:
            return cfg.detect_scale
        return float(min(cfg.detect_scale, cfg.detect_max_side / max(rgb.shape[0], rgb.shape[1])))

    def _is_due(self, track: Track, mem: TrackMemory, frame_index: int) -> bool:
        cfg = self.config
        if (cfg.every_frame or mem.embeds == 0 or mem.suspect or mem.drift_frame is not None
                or frame_index <= mem.watch_until_frame):
            return True
        if mem.state == "confirmed":
            return False
        gap = frame_index - mem.last_embed_frame
        interval = cfg.check_every_frames if mem.state == "checking" else cfg.reembed_every_frames
        if gap >= interval:
            return True
        if gap < cfg.min_embed_gap_frames:
            return False
        size, sharpness = size_and_sharpness(track)
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

    # ------------------------------------------------------------------ views
    def _views_at(self, frame: Frame) -> list[TrackView]:
        """The tracks seen at their last detection, their boxes moved on to `frame`; a
        confirmed track whose face region changed abruptly turns suspect here, so its name
        disappears on this very frame (_note_appearance)."""
        views = []
        for track in self._tracker.tracks:
            if track.missed:
                continue
            box = track.box_at(frame.index)
            mem = self._memory[track.id]
            if mem.state == "confirmed" and not mem.suspect:
                self._note_appearance(mem, frame, box)
            views.append(TrackView(track.id, box, *self._view_fields(track)))
        return views

    def _update_liveness(self, frame: Frame, seen: list[Track], lost: list[Track]) -> None:
        """The liveness hook (issue 15): every detected track's face goes to the monitor."""
        if self._liveness is None:
            return
        for track in lost:
            self._liveness.forget(track.id)
        for track in seen:
            det = track.last_detection
            self._liveness.update(track.id, frame.rgb, det.box, det.landmarks, frame.timestamp_s)

    def _view(self, track: Track) -> TrackView:
        return TrackView(track.id, track.box, *self._view_fields(track))

    def _view_fields(self, track: Track
                     ) -> tuple[TrackState, int | None, float, str | None, LivenessState | None]:
        mem = self._memory[track.id]
        liveness = self._liveness.state(track.id) if self._liveness is not None else None
        if mem.state == "confirmed" and mem.suspect:
            return "checking", None, mem.similarity, None, liveness  # being re-verified: no name
        pid = mem.person_id if mem.state == "confirmed" else None
        return (mem.state, pid, mem.similarity,
                self._name_of(pid) if pid is not None else None, liveness)
