"""Detection one frame-slot ahead (a file read ahead): the next detection frame is detected on a
second thread, and everything the recogniser reports is what it reports without the lookahead,
also across a shot cut that moves the detection schedule."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from attendance_app.domain.detection import Detection
from attendance_app.vision.detection_lookahead import DetectionLookahead
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig
from tests.unit.vision.indexed_faces import (ADA, TEMPLATE, AdaEmbedder, IndexedFaceDetector,
                                             indexed_frame)

CUT_AT = 20  # the picture turns bright here: a shot cut, detection restarts on this frame


def _frames(count: int) -> list[Frame]:
    return [indexed_frame(index, 200 if index >= CUT_AT else 40) for index in range(count)]


def _run(frames: list[Frame], ahead: int, lookahead: bool = True):
    detector = IndexedFaceDetector()
    gallery = Gallery.from_arrays(TEMPLATE, np.array([ADA]))
    recognizer = LiveRecognizer(detector, AdaEmbedder(), lambda: gallery,
                                LiveRecognizerConfig(lookahead_detection=lookahead,
                                                     torch_threads=None),
                                name_of={ADA: "Ada"}.get)
    report = []
    try:
        for i, frame in enumerate(frames):
            result = recognizer.process(frame, upcoming=tuple(frames[i + 1:i + 1 + ahead]))
            report.append((result.frame_index, result.events,
                           [(t.track_id, t.box, t.name, t.state) for t in result.tracks],
                           [(s.person_id, s.frame_index) for s in result.sightings]))
    finally:
        recognizer.close()
    return report, detector


def test_frames_read_ahead_change_nothing_the_recogniser_reports() -> None:
    frames = _frames(40)
    plain, plain_detector = _run(frames, ahead=0)
    ahead, ahead_detector = _run(frames, ahead=3)
    assert ahead == plain
    assert any(s for *_, s in plain)  # Ada is confirmed: the comparison covers votes too
    assert any("shot cut" in str(events) for _, events, *_ in plain)
    # every frame the plain run detected was detected (the cut frame among them); the only
    # possible extra is the one started on the old schedule just before the cut (unused; not
    # run at all when it was still queued when dropped)
    assert set(plain_detector.detected_frames) <= set(ahead_detector.detected_frames)
    extra = set(ahead_detector.detected_frames) - set(plain_detector.detected_frames)
    assert extra <= {CUT_AT + 1}
    assert CUT_AT in plain_detector.detected_frames
    assert any(name.startswith("detect-ahead") for name in ahead_detector.threads)
    assert plain_detector.threads == {threading.current_thread().name}


def test_the_lookahead_can_be_turned_off() -> None:
    frames = _frames(12)
    _, detector = _run(frames, ahead=3, lookahead=False)
    assert detector.threads == {threading.current_thread().name}


def test_a_frame_never_started_or_of_another_source_is_not_taken() -> None:
    detector = IndexedFaceDetector()
    lookahead = DetectionLookahead(detector.detect)
    first, second, other = _frames(3)[0], _frames(3)[1], _frames(3)[1]
    try:
        lookahead.start(first)
        lookahead.start(second)
        assert lookahead.take(other) is None  # same index, other pixels: another source
        assert lookahead.take(first) is None  # older than a frame already asked for: dropped
        lookahead.start(second)
        found = lookahead.take(second)
        assert found is not None and found[0][0].box.x1 == 102 and found[1] >= 0
        assert lookahead.used == 1
    finally:
        lookahead.close()


def test_a_detector_error_comes_back_from_take() -> None:
    def broken(rgb: np.ndarray) -> list[Detection]:
        raise RuntimeError("camera unplugged")

    lookahead = DetectionLookahead(broken)
    frame = _frames(1)[0]
    try:
        lookahead.start(frame)
        with pytest.raises(RuntimeError, match="camera unplugged"):
            lookahead.take(frame)
    finally:
        lookahead.close()
