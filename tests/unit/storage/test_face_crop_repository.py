"""FaceCropRepository: crops with quality round trip, per person, and take their templates along."""

from __future__ import annotations

import pytest

from attendance_app.domain.detection import FaceQuality
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from storage_factories import T0, fake_png, register_model, unit_vector


def test_a_crop_round_trips_with_its_quality_and_source(app_db: AppDatabase) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    crops = FaceCropRepository(app_db)
    quality = FaceQuality(size_px=120.0, sharpness=42.5, yaw_degrees=-3.0)
    crop = crops.add(ada.id, fake_png(7), quality, source="ada1.jpg", created_at=T0)
    assert crops.get(crop.id) == crop
    assert (crop.png, crop.quality, crop.source, crop.created_at) == (fake_png(7), quality,
                                                                       "ada1.jpg", T0)
    bare = crops.add(ada.id, fake_png(8))
    assert bare.quality is None
    assert [c.id for c in crops.list_for_person(ada.id)] == [crop.id, bare.id]
    assert crops.count_for_person(ada.id) == 2


def test_only_png_bytes_for_known_people_are_accepted(app_db: AppDatabase) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    crops = FaceCropRepository(app_db)
    with pytest.raises(ValidationError):
        crops.add(ada.id, b"\xff\xd8\xff\xe0 a jpeg")
    with pytest.raises(NotFoundError):
        crops.add(ada.id + 100, fake_png())


def test_iterating_all_crops_reads_every_one_in_batches(app_db: AppDatabase) -> None:
    people = PeopleRepository(app_db)
    crops = FaceCropRepository(app_db)
    ids = [crops.add(people.add(f"P{i}").id, fake_png(i, 100)).id for i in range(7)]
    assert [c.id for c in crops.iter_all(batch_size=3)] == ids


def test_deleting_a_crop_deletes_the_templates_embedded_from_it(app_db: AppDatabase) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    model = register_model(app_db)
    crops, templates = FaceCropRepository(app_db), TemplateRepository(app_db)
    keep, drop = crops.add(ada.id, fake_png(1)), crops.add(ada.id, fake_png(2))
    templates.add(ada.id, model.id, unit_vector(1), crop_id=keep.id)
    templates.add(ada.id, model.id, unit_vector(2), crop_id=drop.id)
    crops.delete(drop.id)
    embeddings, _ = templates.load_gallery(model.id)
    assert embeddings.shape == (1, 512)
    assert embeddings[0] == pytest.approx(unit_vector(1))
    with pytest.raises(NotFoundError):
        crops.delete(drop.id)
