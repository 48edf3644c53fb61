"""The Hamilton clip as a simulated webcam: real MTCNN, real FaceNet weights, real frames.

Lin-Manuel Miranda and Alex Lacamoire are enrolled from one photo each; the 275 frames run
through LiveRecognizer with its default configuration. Lin-Manuel must be confirmed, nobody else
ever (the audience shots show strangers, among them the Obamas). Skips where the data is absent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.frame_source import VideoFileSource
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.live_recognizer import (
    FrameResult,
    LiveRecognizer,
    LiveRecognizerConfig,
    RecognizerStats,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LIN, ALEX = 1, 2
CLIP_FRAMES = 275


@dataclass(frozen=True)
class HamiltonRun:
    results: list[FrameResult]
    stats: RecognizerStats
    seconds: float

    @property
    def sightings(self):
        return [s for r in self.results for s in r.sightings]

    @property
    def unknowns(self):
        return [u for r in self.results for u in r.unknowns]


def _enrol(detector: MtcnnFaceDetector, embedder, photos: dict[int, Path]) -> Gallery:
    crops = []
    for photo in photos.values():
        faces = detector.detect(load_image_rgb(photo))
        assert len(faces) == 1, f"{photo.name}: expected one face, found {len(faces)}"
        crops.append(detector.crop(load_image_rgb(photo), faces[0]))
    return Gallery.from_arrays(embedder.embed(np.stack(crops)), np.array(list(photos)))


@pytest.fixture(scope="module")
def hamilton(dataset, pretrained_embedder) -> HamiltonRun:
    folder = dataset("face_recognition_video")
    detector = MtcnnFaceDetector(min_face_size=20)
    gallery = _enrol(detector, pretrained_embedder, {
        LIN: folder / "lin-manuel-miranda.png", ALEX: folder / "alex-lacamoire.png"})
    recognizer = LiveRecognizer(detector, pretrained_embedder, lambda: gallery,
                                LiveRecognizerConfig())
    results = []
    started = time.perf_counter()
    with VideoFileSource(folder / "short_hamilton_clip.mp4") as source:
        while (frame := source.read()) is not None:
            results.append(recognizer.process(frame))
    run = HamiltonRun(results, recognizer.stats, time.perf_counter() - started)
    stage = {k: round(sum(r.stage_ms[k] for r in results) / len(results), 1)
             for k in results[0].stage_ms}
    print(f"\nHamilton: {len(results) / run.seconds:.1f} fps (as fast as possible), "
          f"{run.stats.embeds / len(results):.3f} embeds/frame, stage ms {stage}, "
          f"best similarity {run.stats.best_similarity_by_person}, sightings "
          f"{[(s.person_id, s.frame_index, round(s.time_s - s.first_seen_s, 2)) for s in run.sightings]}")
    return run


def test_every_frame_of_the_clip_is_processed(hamilton) -> None:
    assert [r.frame_index for r in hamilton.results] == list(range(CLIP_FRAMES))


def test_lin_manuel_is_confirmed_and_nobody_else_ever_is(hamilton) -> None:
    confirmed = [s.person_id for s in hamilton.sightings]
    assert LIN in confirmed
    assert set(confirmed) == {LIN}  # neither Alex nor any stranger under any name
    shown = {t.person_id for r in hamilton.results for t in r.tracks if t.state == "confirmed"}
    assert shown == {LIN}


def test_a_track_is_confirmed_at_most_once(hamilton) -> None:
    track_ids = [s.track_id for s in hamilton.sightings]
    assert len(track_ids) == len(set(track_ids))


def test_lin_manuel_is_confirmed_within_a_second_of_his_track_appearing(hamilton) -> None:
    first = min((s for s in hamilton.sightings if s.person_id == LIN), key=lambda s: s.time_s)
    assert first.time_s - first.first_seen_s < 1.0
    assert first.similarity >= LiveRecognizerConfig().confirm_min_similarity
    assert first.crop.shape == (160, 160, 3) and first.crop.dtype == np.uint8


def test_faces_are_embedded_far_less_often_than_they_are_shown(hamilton) -> None:
    # The naive pipeline embeds every face in every frame: one embedding per face shown.
    faces_shown = sum(len(r.tracks) for r in hamilton.results)
    assert hamilton.stats.embeds < hamilton.stats.frames / 2
    assert hamilton.stats.embeds < faces_shown / 4


def test_strangers_become_unknown_tracks_with_one_snapshot_each(hamilton) -> None:
    unknowns = hamilton.unknowns
    assert len(unknowns) >= 3  # the audience shot holds at least three clear faces
    assert len({u.track_id for u in unknowns}) == len(unknowns)
    assert all(u.crop.shape == (160, 160, 3) for u in unknowns)
    assert all(u.best_similarity < LiveRecognizerConfig().match_threshold for u in unknowns)


def test_alex_lacamoire_at_the_piano_is_found_and_compared(hamilton) -> None:
    # A ~25-px face in the first shot: his best similarity (about 0.4) is reported; that it never
    # becomes a record is asserted above (recognising him is a stretch goal, not a requirement).
    assert hamilton.stats.best_similarity_by_person.get(ALEX, -1.0) > 0.2
