"""LiveRecognizer's schedule and votes, with the real tracker and the real Gallery.

The detector and embedder are scripted stand-ins: a face's crop carries its face number and the
embedder turns it into a vector with a scripted cosine similarity to an enrolled template, so
each test states exactly which matches a track sees. Real MTCNN/FaceNet runs in
tests/integration/test_live_recognizer_hamilton.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from attendance_app.config import Settings
from attendance_app.domain.detection import Detection, FaceQuality
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.landmark_refinement import needs_refinement
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig

ADA, BOB = 1, 2
_BASIS = np.eye(512, dtype=np.float32)
GALLERY = Gallery.from_arrays(_BASIS[[ADA, BOB]], np.array([ADA, BOB]))
FRAME_RGB = np.zeros((360, 640, 3), np.uint8)


def _vector(person: int | None, similarity: float) -> np.ndarray:
    """A unit vector with cosine `similarity` to `person`'s template and ~0 to the other's."""
    v = np.zeros(512, np.float32)
    if person is not None:
        v[person] = similarity
    v[100] = np.sqrt(max(0.0, 1.0 - similarity ** 2))
    return v


class ScriptedFaces:
    """Detector + embedder stand-in. `faces[face_no](frame_index)` -> (x, size) or None for
    absent; `votes[face_no]` is consumed one (person, similarity) per embedding of that face."""

    def __init__(self, faces: dict[int, Callable[[int], tuple[float, float] | None]],
                 votes: dict[int, list[tuple[int | None, float]]]) -> None:
        self.faces, self.votes = faces, {k: list(v) for k, v in votes.items()}
        self.frame_index = 0
        self.embed_calls: list[int] = []
        self.embedded_at: dict[int, list[int]] = {k: [] for k in faces}
        self.scales: list[float] = []
        self.crop_frame_shapes: list[tuple[int, ...]] = []

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        self.scales.append(scale)
        detections = []
        for face_no, where in self.faces.items():
            placed = where(self.frame_index)
            if placed is not None:
                x, size = placed
                box = FaceBox(x, 100, x + size, 100 + size)
                marks = tuple((x + size * a, 100 + size * b) for a, b in
                              [(0.3, 0.4), (0.7, 0.4), (0.5, 0.6), (0.35, 0.8), (0.65, 0.8)])
                detections.append(Detection(box, 0.99, marks, FaceQuality(size, 100.0 + face_no, 0.0)))
        return detections

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        self.crop_frame_shapes.append(rgb.shape)
        face_no = next(k for k, w in self.faces.items()
                       if w(self.frame_index) and w(self.frame_index)[0] == detection.box.x1)
        crop = np.full((160, 160, 3), face_no, np.uint8)
        crop[1, 1, 0] = min(255, int(detection.box.width))  # tells views apart
        return crop

    def embed(self, crops: np.ndarray) -> np.ndarray:
        self.embed_calls.append(len(crops))
        rows = []
        for crop in crops:
            face_no = int(crop[0, 0, 0])
            self.embedded_at[face_no].append(self.frame_index)
            person, sim = self.votes[face_no].pop(0) if self.votes[face_no] else (None, 0.1)
            rows.append(_vector(person, sim))
        return np.stack(rows)


def _config(**changes) -> LiveRecognizerConfig:
    """Detection on every frame unless a test says otherwise: schedules are easier to state."""
    return LiveRecognizerConfig(**{"detect_every_frames": 1, **changes})


def _run(faces: ScriptedFaces, frames: int, config: LiveRecognizerConfig | None = None,
         gallery=GALLERY):
    recognizer = LiveRecognizer(faces, faces, lambda: gallery, config or _config(),
                                name_of={ADA: "Ada", BOB: "Bob"}.get)
    results = []
    for i in range(frames):
        faces.frame_index = i
        results.append(recognizer.process(Frame(i, i / 30.0, FRAME_RGB)))
    return recognizer, results


def _still(x: float = 100, size: float = 80) -> Callable[[int], tuple[float, float]]:
    return lambda i: (x, size)


def _sightings(results):
    return [s for r in results for s in r.sightings]


def _unknowns(results):
    return [u for r in results for u in r.unknowns]


def test_a_known_face_is_confirmed_after_three_agreeing_embeddings_spread_over_frames() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8)] * 10})
    recognizer, results = _run(faces, 60, _config(check_every_frames=4))
    assert faces.embedded_at[0] == [0, 4, 8]  # new, then every check_every_frames, then done
    [sighting] = _sightings(results)
    assert (sighting.person_id, sighting.frame_index) == (ADA, 8)
    assert sighting.similarity == pytest.approx(0.8, abs=1e-5)
    assert sighting.time_s - sighting.first_seen_s == pytest.approx(8 / 30.0)
    assert [r.tracks[0].state for r in results[7:9]] == ["checking", "confirmed"]
    assert results[-1].tracks[0].name == "Ada" and results[-1].tracks[0].person_id == ADA
    assert recognizer.stats.embeds == 3 and recognizer.stats.frames == 60


def test_a_stranger_becomes_unknown_once_with_a_snapshot_and_is_still_rechecked_slowly() -> None:
    config = _config(unknown_after_frames=4, check_every_frames=5,
                                  reembed_every_frames=10)
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.2)] * 20})
    recognizer, results = _run(faces, 50, config)
    [unknown] = _unknowns(results)
    assert unknown.time_s == pytest.approx(15 / 30.0)  # 4th embedding: frames 0, 5, 10, 15
    assert unknown.crop.shape == (160, 160, 3)
    assert unknown.best_similarity == pytest.approx(0.2, abs=1e-5)
    assert _sightings(results) == []
    assert results[-1].tracks[0].state == "unknown" and results[-1].tracks[0].person_id is None
    assert faces.embedded_at[0] == [0, 5, 10, 15, 25, 35, 45]  # then at the slower unknown rate


def test_a_vote_for_someone_else_restarts_the_count() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8), (ADA, 0.8), (BOB, 0.8), (ADA, 0.8),
                                              (ADA, 0.8), (ADA, 0.8)]})
    _, results = _run(faces, 60, _config(check_every_frames=5))
    [sighting] = _sightings(results)
    assert (sighting.person_id, sighting.frame_index) == (ADA, 25)  # the 6th embedding


def test_an_unconvincing_embedding_takes_one_vote_away() -> None:
    # 0.5 clears neither threshold; 0.58 is a match but below confirm_min_similarity 0.6
    votes = [(ADA, 0.8), (ADA, 0.8), (ADA, 0.5), (ADA, 0.58), (ADA, 0.8), (ADA, 0.8), (ADA, 0.8)]
    faces = ScriptedFaces({0: _still()}, {0: votes})
    config = _config(check_every_frames=5, confirm_min_similarity=0.6)
    _, results = _run(faces, 60, config)
    # votes 1, 2, 1, 0, 1, 2, 3: confirmed at the 7th embedding (frame 30)
    [sighting] = _sightings(results)
    assert sighting.frame_index == 30
    assert sighting.similarity == pytest.approx(0.8, abs=1e-5)  # only agreeing votes count


def test_an_ambiguous_match_within_the_runner_up_margin_never_confirms() -> None:
    gallery = Gallery.from_arrays(np.stack([_BASIS[ADA], _BASIS[ADA] * 0.98 + _BASIS[BOB] * 0.2]),
                                  np.array([ADA, BOB]))  # two look-alike templates
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.9)] * 20})
    _, results = _run(faces, 60, _config(runner_up_margin=0.05), gallery)
    assert _sightings(results) == []
    assert len(_unknowns(results)) == 1


def test_with_nobody_enrolled_every_face_ends_unknown() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.9)] * 20})
    _, results = _run(faces, 60, gallery=None)
    assert _sightings(results) == [] and len(_unknowns(results)) == 1


def test_the_faces_due_in_one_frame_are_embedded_in_one_batch() -> None:
    faces = ScriptedFaces({0: _still(50), 1: _still(300), 2: _still(500)},
                          {0: [(ADA, 0.8)] * 5, 1: [(BOB, 0.8)] * 5, 2: [(None, 0.0)] * 9})
    recognizer, results = _run(faces, 7)
    assert faces.embed_calls == [3, 3, 3]  # frames 0, 3, 6: all three together
    assert sorted(s.person_id for s in _sightings(results)) == [ADA, BOB]
    assert results[0].embedded == 3 and results[1].embedded == 0


def test_a_face_that_grows_notably_is_embedded_before_its_turn() -> None:
    faces = ScriptedFaces({0: lambda i: (100, 60 if i < 4 else 90)}, {0: [(ADA, 0.8)] * 9})
    _run(faces, 15, _config(check_every_frames=10))
    # 90 px >= 1.3 x 60 px at frame 4; the regular interval then counts from there
    assert faces.embedded_at[0] == [0, 4, 14]


def test_every_frame_mode_embeds_every_face_every_frame_and_still_confirms_once() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8)] * 40})
    recognizer, results = _run(faces, 30, _config(every_frame=True))
    assert faces.embedded_at[0] == list(range(30))
    [sighting] = _sightings(results)
    assert sighting.frame_index == 2


def test_a_face_that_leaves_and_comes_back_is_a_new_track_with_its_own_sighting() -> None:
    faces = ScriptedFaces({0: lambda i: None if 25 <= i < 45 else (100, 80)},
                          {0: [(ADA, 0.8)] * 10})
    _, results = _run(faces, 80, _config(max_missed_frames=10))
    sightings = _sightings(results)
    assert [s.person_id for s in sightings] == [ADA, ADA]
    assert sightings[0].track_id != sightings[1].track_id  # the policy debounces the person


def test_detection_runs_on_the_downscaled_frame_and_crops_on_the_full_one() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8)] * 3})
    recognizer, results = _run(faces, 3, _config(detect_scale=0.5))
    assert faces.scales == [0.5, 0.5, 0.5]
    assert faces.crop_frame_shapes == [FRAME_RGB.shape]
    assert set(results[0].stage_ms) >= {"decode", "detect", "embed", "match", "total"}


def test_the_config_takes_the_live_settings_by_name() -> None:
    settings = Settings(confirm_frames=4, reembed_every_frames=7, match_threshold=0.6)
    config = LiveRecognizerConfig.from_settings(settings, detect_scale=0.5)
    assert (config.confirm_frames, config.reembed_every_frames, config.match_threshold,
            config.confirm_min_similarity, config.detect_scale) == (
        4, 7, 0.6, settings.confirm_min_similarity, 0.5)



def test_the_vision_defaults_are_the_apps_defaults() -> None:
    # vision may not import config, so LiveRecognizerConfig repeats Settings' live defaults;
    # this keeps the two copies (and the tests built on LiveRecognizerConfig()) from drifting.
    # detect_max_side differs on purpose: vision sets no limit, the app shrinks to 640 px.
    from_app = LiveRecognizerConfig.from_settings(Settings())
    standalone = LiveRecognizerConfig()
    shared = [f for f in dataclasses.fields(LiveRecognizerConfig)
              if hasattr(Settings, f.name) and f.name != "detect_max_side"]
    assert len(shared) >= 8
    assert {f.name: getattr(from_app, f.name) for f in shared} == {
        f.name: getattr(standalone, f.name) for f in shared}

def test_detecting_every_other_frame_moves_the_boxes_in_between_and_still_confirms() -> None:
    faces = ScriptedFaces({0: lambda i: (100 + 4 * i, 80)}, {0: [(ADA, 0.8)] * 5})
    recognizer, results = _run(faces, 30, _config(detect_every_frames=2))
    assert len(faces.scales) == 15  # frames 0, 2, 4, ...
    assert [len(r.tracks) for r in results] == [1] * 30
    assert results[5].tracks[0].box.x1 == pytest.approx(100 + 4 * 5, abs=2.5)  # predicted
    assert results[5].stage_ms["detect"] == 0.0
    [sighting] = _sightings(results)
    assert sighting.frame_index == 8  # embedded on detection frames 0, 4, 8 (3 frames apart at least)


def test_a_large_frame_is_detected_at_a_size_capped_by_detect_max_side() -> None:
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8)] * 3})
    _run(faces, 2, _config(detect_max_side=320))
    assert faces.scales == [0.5, 0.5]  # 640 px wide frame
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.8)] * 3})
    _run(faces, 1, _config(detect_max_side=1280, detect_scale=0.8))
    assert faces.scales == [0.8]


@pytest.mark.parametrize("gap_frames, same_track", [(8, True), (15, False)])
def test_max_missed_frames_counts_frames_even_when_detecting_every_third_frame(
        gap_frames: int, same_track: bool) -> None:
    faces = ScriptedFaces({0: lambda i: None if 3 <= i < 3 + gap_frames else (100, 80)},
                          {0: [(None, 0.1)] * 20})
    _, results = _run(faces, 3 + gap_frames + 6,
                      _config(detect_every_frames=3, max_missed_frames=9))
    track_ids = {t.track_id for r in results for t in r.tracks}
    assert (len(track_ids) == 1) is same_track


def test_a_sighting_carries_its_best_views_embedding_and_the_smallest_runner_up_lead() -> None:
    # Bob's template is a look-alike of Ada's at 0.6; the lead varies with each vote.
    faces = ScriptedFaces({0: lambda i: (100, 60 + 5 * i)}, {0: [(ADA, 0.8), (ADA, 0.9),
                                                                  (ADA, 0.85)]})
    _, results = _run(faces, 9)
    [sighting] = _sightings(results)
    assert sighting.embedding is not None and sighting.embedding.shape == (512,)
    # the best view is the largest face: the third vote (frame 6), similarity 0.85
    assert float(sighting.embedding @ _BASIS[ADA]) == pytest.approx(0.85, abs=1e-5)
    assert sighting.quality == pytest.approx(90.0, abs=1e-3)
    assert sighting.margin == pytest.approx(0.8, abs=1e-5)  # Bob scores ~0 on every vote


def test_a_sighting_with_a_close_runner_up_reports_that_small_lead() -> None:
    # Bob's template: cosine 0.9 to Ada's, so a face at 0.9 to Ada scores 0.81 to Bob: a
    # confirmation (lead 0.09 > the 0.05 match margin) with a small lead.
    look_alike = _BASIS[ADA] * 0.9 + _BASIS[200] * np.sqrt(1 - 0.81)
    gallery = Gallery.from_arrays(np.stack([_BASIS[ADA], look_alike]), np.array([ADA, BOB]))
    faces = ScriptedFaces({0: _still()}, {0: [(ADA, 0.9)] * 3})
    _, results = _run(faces, 9, gallery=gallery)
    [sighting] = _sightings(results)
    assert sighting.person_id == ADA
    assert sighting.margin == pytest.approx(0.9 - 0.81, abs=1e-4)


class AligningFaces(ScriptedFaces):
    """An aligning embedder (SFace-like: prepare cuts the input) whose detector can refine;
    records the first landmark each prepared input was cut on."""

    uses_margin_crop = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cut_on: list[tuple[float, float]] = []

    def refine(self, rgb: np.ndarray, detection: Detection) -> Detection:
        if not needs_refinement(detection):  # MtcnnFaceDetector.refine's contract
            return detection
        marks = tuple((x + 1.5, y) for x, y in detection.landmarks)
        return Detection(detection.box, detection.probability, marks, detection.quality)

    def prepare(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        self.cut_on.append(detection.landmarks[0])
        return self.crop(rgb, detection)


@pytest.mark.parametrize(("refine", "size", "shift"),
                         [(True, 80, 1.5), (True, 200, 0.0), (False, 80, 0.0)])
def test_refined_landmarks_cut_the_aligned_input_of_small_faces_only(refine: bool, size: float,
                                                                     shift: float) -> None:
    faces = AligningFaces({0: _still(size=size)}, {0: [(ADA, 0.8)] * 10})
    _run(faces, 3, _config(refine_landmarks=refine))
    assert faces.cut_on and all(x == pytest.approx(100 + size * 0.3 + shift)
                                for x, _ in faces.cut_on)
