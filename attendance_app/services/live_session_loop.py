"""The headless live loop: frames from a source -> LiveRecognizer -> SessionRun records.

Live sources (camera, stream) are read by a LatestFrameGrabber so a slow pipeline always works on
the newest frame, and reconnect with back-off when they drop out. A video file or image folder is
processed frame by frame (every frame; the session ends at the end of the file unless looping).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from attendance_app.domain.attendance import AttendanceRecord
from attendance_app.services.camera_template_learner import CameraTemplateLearner
from attendance_app.services.liveness_gate import LivenessGate
from attendance_app.services.scene_notice import SceneNoticeLog
from attendance_app.services.session_run import SessionRun
from attendance_app.vision.frame_source import (Frame, FrameSource, ReconnectingSource,
                                                 StreamSource)
from attendance_app.vision.latest_frame_grabber import LatestFrameGrabber
from attendance_app.vision.live_recognizer import FrameResult, LiveRecognizer
from attendance_app.vision.read_ahead import ReadAhead


@dataclass
class LiveLoopSummary:
    frames: int = 0
    seconds: float = 0.0
    records: list[AttendanceRecord] = field(default_factory=list)
    unknown_tracks: int = 0
    corrupted_frames: int = 0
    camera_messages: list[str] = field(default_factory=list)
    pending_records: int = 0
    suspect_faces: int = 0
    camera_templates: int = 0  # learned during the loop

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def run_live_loop(source: FrameSource, recognizer: LiveRecognizer, run: SessionRun, *,
                  on_record: Callable[[AttendanceRecord], None] = lambda r: None,
                  on_frame: Callable[[FrameResult], None] = lambda r: None,
                  on_status: Callable[[str], None] = lambda m: None,
                  should_stop: Callable[[], bool] = lambda: False,
                  gate: LivenessGate | None = None,
                  learner: CameraTemplateLearner | None = None) -> LiveLoopSummary:
    """Run until the source ends or `should_stop()`; the caller closes the session.

    Each record is committed before `on_record` is called. `gate` applies the liveness policy
    (None: every sighting is recorded unmarked, as with liveness off). `learner` (the
    learn-camera-templates setting) sees every frame after its sightings were recorded and
    keeps the clearly confirmed views as camera templates. KeyboardInterrupt
    propagates after the source is released, so the caller can close the session cleanly.
    """
    summary = LiveLoopSummary()
    started = time.perf_counter()
    scene = SceneNoticeLog()

    def status(message: str) -> None:
        summary.camera_messages.append(message)
        on_status(message)

    if source.is_live:
        # A stream URL that is not up yet is retried; a missing camera index fails at once
        # with the list of cameras that exist.
        source = ReconnectingSource(source, on_status=status,
                                    retry_on_open=isinstance(source, StreamSource))
        reader = _GrabberReader(LatestFrameGrabber(source).start())
    else:
        source.open()
        # A file: frames read a detection interval ahead, so the recogniser detects the next
        # detection frame on a second thread meanwhile.
        reader = ReadAhead(source, recognizer.config.detect_every_frames)
    try:
        while not should_stop():
            frame = reader.next()
            if frame is None:
                break
            result = recognizer.process(frame, upcoming=reader.upcoming)
            summary.frames += 1
            _record_sightings(result, run, gate, summary, on_record)
            if learner is not None:
                summary.camera_templates += len(learner.process(result))
            for unknown in result.unknowns:
                run.on_unknown(unknown.crop, unknown.best_similarity)
                summary.unknown_tracks += 1
            notice = scene.observe(result.events)
            if notice:
                status(notice)
            if run.last_error:
                status(f"attendance not saved yet, will retry: {run.last_error}")
            on_frame(result)
        if gate is not None:  # the source ended: waiting sightings are decided now
            _collect(gate.close(), summary, on_record)
    finally:
        reader.close()
        summary.corrupted_frames = source.corrupted_frames
        summary.seconds = time.perf_counter() - started
        summary.pending_records = len(run.pending)
    return summary


def _record_sightings(result: FrameResult, run: SessionRun, gate: LivenessGate | None,
                      summary: LiveLoopSummary,
                      on_record: Callable[[AttendanceRecord], None]) -> None:
    if gate is not None:
        _collect(gate.process(result), summary, on_record)
        return
    # Every record committed now, a held one written on retry included, exactly once.
    for record in run.on_sightings(result.sightings):
        summary.records.append(record)
        on_record(record)


def _collect(outcome, summary: LiveLoopSummary,
             on_record: Callable[[AttendanceRecord], None]) -> None:
    summary.suspect_faces += outcome.suspects
    for record in outcome.records:
        summary.records.append(record)
        on_record(record)


class _GrabberReader:
    def __init__(self, grabber: LatestFrameGrabber) -> None:
        self._grabber = grabber

    def next(self) -> Frame | None:
        while True:
            frame = self._grabber.get(timeout=0.5)
            if frame is not None:
                return frame
            if self._grabber.finished:
                if self._grabber.error is not None:
                    raise self._grabber.error
                return None

    upcoming: tuple[Frame, ...] = ()  # a camera has no later frames

    def close(self) -> None:
        self._grabber.stop()
