"""Live recognition with detection on its own thread: the loop never waits for MTCNN, and the
detections that arrive are applied to the frame they were computed on."""

from __future__ import annotations

import time

import numpy as np
import pytest

from attendance_app.domain.detection import Detection
from attendance_app.vision.background_detector import BackgroundDetector
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig
from tests.unit.vision.indexed_faces import (ADA, TEMPLATE, AdaEmbedder, IndexedFaceDetector,
                                             indexed_frame)

DETECT_SECONDS = 0.03  # each detection of the fake detector


@pytest.fixture
def recognizer():
    detector = IndexedFaceDetector(delay_s=DETECT_SECONDS)
    gallery = Gallery.from_arrays(TEMPLATE, np.array([ADA]))
    rec = LiveRecognizer(detector, AdaEmbedder(), lambda: gallery,
                         LiveRecognizerConfig(async_detection=True, check_every_frames=1))
    yield rec, detector
    rec.close()


def test_the_loop_never_waits_for_detection_and_still_confirms_once(recognizer) -> None:
    rec, detector = recognizer
    results, durations = [], []
    for i in range(90):  # 3 s of a 30 fps camera
        started = time.perf_counter()
        results.append(rec.process(indexed_frame(i)))
        durations.append(time.perf_counter() - started)
        time.sleep(1 / 120)
    # No process() call waits for MTCNN (a waiting loop would take >= 30 ms once per detection;
    # one or two slow calls are allowed for a busy CI machine's scheduling).
    assert sum(d >= DETECT_SECONDS for d in durations) <= 2
    assert detector.threads == {"face-detector"}
    assert AdaEmbedder.threads == {"face-detector"}  # no network runs on the loop's thread
    assert 3 <= len(detector.detected_frames) < 90
    sightings = [s for r in results for s in r.sightings]
    assert [s.person_id for s in sightings] == [ADA]
    # The sighting belongs to the frame whose detection confirmed it, not the frame shown then.
    assert sightings[0].frame_index in detector.detected_frames


def test_boxes_shown_between_detections_are_moved_to_the_currentindexed_frame(recognizer) -> None:
    rec, detector = recognizer
    shown = []
    for i in range(60):
        result = rec.process(indexed_frame(i))
        shown += [(i, t.box.x1) for t in result.tracks]
        time.sleep(1 / 120)
    settled = [(i, x) for i, x in shown if i > detector.detected_frames[4]]
    assert settled, "tracks are shown on frames without a finished detection"
    # The face moves 2 px per frame: once the tracker's velocity has settled, the boxes shown
    # between detections follow it instead of standing still at the last detection.
    assert all(abs(x - (100 + 2 * i)) <= 3 for i, x in settled)
    xs = [x for _, x in settled]
    assert all(b > a for a, b in zip(xs, xs[1:]))


def test_a_detector_error_surfaces_in_the_loop() -> None:
    def broken(frame: Frame) -> tuple[list[Detection], None]:
        raise RuntimeError("camera frame broke MTCNN")

    worker = BackgroundDetector(broken)
    try:
        assert worker.submit(indexed_frame(0))
        assert worker.wait_idle(2.0)
        with pytest.raises(RuntimeError, match="broke"):
            worker.poll()
    finally:
        worker.close()
