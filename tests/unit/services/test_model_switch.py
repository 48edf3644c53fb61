"""Model switch vs enrolment (issue 12; trust review issue 14 item 1): the active model's
templates cover everyone, whatever the interleaving; per-model thresholds; stranded people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from attendance_app.config import Settings
from attendance_app.domain.consent import Consent
from attendance_app.domain.errors import ValidationError
from attendance_app.services.model_service import ModelService
from attendance_app.storage.database import open_database
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.image_io import encode_png


class TinyEmbedder:
    """Deterministic stand-in for a network (the networks are tested elsewhere): a crop's mean
    colour, projected to `dim` and normalised; prepare_stored records the landmarks it got."""

    uses_margin_crop = True

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.landmarks_seen: list = []
        self.projection = np.random.default_rng(dim).standard_normal((3, dim))

    def prepare_stored(self, crop, landmarks, context=None):
        self.landmarks_seen.append(landmarks)
        return crop

    def embed(self, crops):
        v = np.asarray(crops, np.float64).mean(axis=(1, 2)) @ self.projection
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


@dataclass
class World:
    db: object
    service: ModelService
    facenet_id: int
    sface_id: int


def _crop(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (160, 160, 3)).astype(np.uint8)


@pytest.fixture
def world(tmp_path: Path):
    db = open_database(tmp_path / "a.db")
    repo = ModelRepository(db)
    facenet = repo.register("facenet", "converted", tmp_path / "f.pt", "aa" * 32, activate=True)
    sface = repo.register("sface", "converted", tmp_path / "s.onnx", "bb" * 32,
                          architecture="sface", match_threshold=0.4, match_margin=0.03)
    service = ModelService(db, tmp_path)
    service._embedders[(facenet.id, False)] = TinyEmbedder(512)
    service._embedders[(sface.id, False)] = TinyEmbedder(128)
    yield World(db, service, facenet.id, sface.id)
    db.close()


def _enrol(world: World, name: str, seed: int, keep_crops: bool = True):
    from attendance_app.services.enrollment_service import EnrollmentService

    class NoGallery:
        def invalidate(self):
            pass

    settings = Settings(keep_crops=keep_crops)
    enrolment = EnrollmentService(world.db, lambda: None, world.service, NoGallery(),
                                  PeopleRepository(world.db), settings)
    consent = Consent(True, "test", __import__("datetime").datetime(2026, 1, 1))
    landmarks = [((50.0, 60.0), (100.0, 60.0), (75.0, 90.0), (55.0, 115.0), (95.0, 115.0))]
    return enrolment.enroll_crops(name, [_crop(seed)], consent, landmarks=landmarks)


def _people_with_templates(world: World, model_id: int) -> set[int]:
    return set(TemplateRepository(world.db).count_per_person(model_id))


def test_a_person_enrolled_while_the_switch_re_embeds_gets_a_template_of_the_new_model(world):
    first = _enrol(world, "Ann", 1)
    enrolled_meanwhile = []

    def progress(done, total, message):
        if not enrolled_meanwhile:  # another thread enrols while re-embedding runs
            enrolled_meanwhile.append(_enrol(world, "Bob", 2))
        return True

    world.service.activate(world.sface_id, progress)
    assert ModelRepository(world.db).active().id == world.sface_id
    assert _people_with_templates(world, world.sface_id) == {first.id, enrolled_meanwhile[0].id}


def test_an_enrolment_that_embedded_before_a_switch_is_written_for_the_new_model(world,
                                                                                 monkeypatch):
    original = world.service.embed_stored
    calls = []

    def switch_after_first_embedding(embedder, crops, landmarks, contexts=None):
        out = original(embedder, crops, landmarks, contexts)
        if not calls:  # the switch commits between enrolment's embedding and its write
            ModelRepository(world.db).set_active(world.sface_id)
        calls.append(embedder.dim)
        return out

    monkeypatch.setattr(world.service, "embed_stored", switch_after_first_embedding)
    person = _enrol(world, "Cy", 3)
    assert calls == [512, 128]
    assert person.id in _people_with_templates(world, world.sface_id)
    assert person.id not in _people_with_templates(world, world.facenet_id)


def test_crops_are_stored_with_their_landmarks_and_re_embedded_with_them(world):
    _enrol(world, "Dee", 4)
    crop = FaceCropRepository(world.db).list_for_person(1)[0]
    assert crop.landmarks is not None and crop.landmarks[2] == (75.0, 90.0)
    sface = world.service._embedders[(world.sface_id, False)]
    world.service.activate(world.sface_id)
    assert sface.landmarks_seen[-1] == crop.landmarks


def test_a_switch_is_refused_when_someone_has_no_crops_unless_forced(world):
    person = _enrol(world, "Eve", 5, keep_crops=False)
    with pytest.raises(ValidationError, match="no stored face crops"):
        world.service.activate(world.sface_id)
    assert ModelRepository(world.db).active().id == world.facenet_id
    world.service.activate(world.sface_id, force=True)
    assert person.id not in _people_with_templates(world, world.sface_id)


def test_each_model_brings_its_own_threshold_and_margin(world):
    settings = Settings(match_threshold=0.6, runner_up_margin=0.07)
    assert world.service.match_policy(settings) == (0.6, 0.07)  # FaceNet carries none
    world.service.activate(world.sface_id)
    assert world.service.match_policy(settings) == (0.4, 0.03)
    world.service.activate(world.facenet_id)
    assert world.service.match_policy(settings) == (0.6, 0.07)  # SFace's value is not left
