"""CameraTemplateLearner over a real SQLite file (RepositoryCameraTemplates) and the benchmark's
in-memory store: accepted sightings become capped camera templates the gallery sees at once;
look-alikes and faces that never show life are not learned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attendance_app.domain.camera_template_policy import CameraTemplatePolicy
from attendance_app.domain.face_box import FaceBox
from attendance_app.services.benchmarks.learning_benchmark import InMemoryTemplates
from attendance_app.services.camera_template_learner import CameraTemplateLearner
from attendance_app.services.camera_template_store import RepositoryCameraTemplates
from attendance_app.services.gallery_provider import GalleryProvider
from attendance_app.storage.database import open_database
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.live_recognizer import ConfirmedSighting, FrameResult, TrackView
from attendance_app.vision.liveness.liveness_state import LivenessState

CROP = np.zeros((160, 160, 3), np.uint8)
POLICY = CameraTemplatePolicy(min_margin=0.10, min_quality=60.0, max_per_person=2)


def _unit(i: int, dim: int = 512) -> np.ndarray:
    v = np.zeros(dim, np.float32)
    v[i] = 1.0
    return v


def _sighting(track: int, person: int, margin: float = 0.3, quality: float = 90.0,
              t: float = 1.0, vector: int = 7) -> ConfirmedSighting:
    return ConfirmedSighting(track, person, 0.8, t, 0.0, int(t * 30), CROP, _unit(vector),
                             margin, quality)


def _frame(t: float, sightings=(), live_tracks=()) -> FrameResult:
    views = [TrackView(tid, FaceBox(0, 0, 50, 50), "confirmed", None, 0.8,
                       liveness=LivenessState("live", "blink")) for tid in live_tracks]
    return FrameResult(int(t * 30), t, views, list(sightings), [], {}, 0)


def test_accepted_sightings_are_stored_capped_and_reach_the_gallery(tmp_path: Path) -> None:
    db = open_database(tmp_path / "attendance.db")
    try:
        person = PeopleRepository(db).add("Ada")
        model = ModelRepository(db).register("casia", "converted", "/models/casia.pt",
                                             "ab" * 32, activate=True)
        TemplateRepository(db).add(person.id, model.id, _unit(0))
        gallery = GalleryProvider(lambda: TemplateRepository(db).load_gallery(model.id))
        before = len(gallery.current())
        learner = CameraTemplateLearner(POLICY, RepositoryCameraTemplates(db, model.id, gallery))
        for k in range(3):
            learner.process(_frame(k + 1.0, [_sighting(k, person.id, vector=10 + k)]))
        learner.process(_frame(5.0, [_sighting(9, person.id, margin=0.05)]))  # a look-alike
        rows = TemplateRepository(db).list_for_person(person.id)
        assert [r.source for r in rows] == ["enrolment", "camera", "camera"]
        assert len(learner.learned) == 3 and learner.refused == {"runner-up too close": 1}
        assert before == 1 and len(gallery.current()) == 3  # invalidated, reloaded
        scores = gallery.current().person_scores(_unit(12))
        assert scores[person.id] == pytest.approx(1.0)  # the newest learned view is there
        assert gallery.current().person_scores(_unit(10))[person.id] == pytest.approx(0.0)
    finally:
        db.close()


def test_with_liveness_checked_only_a_track_that_shows_life_in_time_is_learned() -> None:
    store = InMemoryTemplates(np.stack([_unit(0)]), np.array([1]))
    learner = CameraTemplateLearner(POLICY, store, liveness_checked=True, wait_s=2.0)
    assert learner.process(_frame(1.0, [_sighting(1, 1), _sighting(2, 1, vector=8)])) == []
    assert [t.track_id for t in learner.process(_frame(1.5, live_tracks=[1]))] == [1]
    assert learner.process(_frame(3.5)) == []  # track 2 never showed life: dropped
    assert store.camera_count() == 1 and learner.refused == {"no live face": 1}
    assert len(store.gallery()) == 2


def test_the_in_memory_store_keeps_the_newest_views_per_person() -> None:
    store = InMemoryTemplates(np.stack([_unit(0), _unit(1)]), np.array([1, 2]))
    for k in range(4):
        store.add_camera_template(1, _unit(10 + k), CROP, 2)
    gallery = store.gallery()
    assert isinstance(gallery, Gallery) and len(gallery) == 4
    assert gallery.person_scores(_unit(13))[1] == pytest.approx(1.0)
    assert gallery.person_scores(_unit(10))[1] == pytest.approx(0.0)
