"""Deleting a person leaves none of their biometric bytes in the database or WAL files."""

from __future__ import annotations

from pathlib import Path

from attendance_app.storage.database import AppDatabase
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository, encode_embedding
from storage_factories import fake_png, register_model, unit_vector


def _raw_bytes(db_path: Path) -> bytes:
    parts = [db_path, Path(f"{db_path}-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def test_a_deleted_persons_embedding_and_crop_bytes_are_gone_from_the_files(
        app_db: AppDatabase) -> None:
    people = PeopleRepository(app_db)
    model = register_model(app_db)
    ada, grace = people.add("Ada"), people.add("Grace")
    embedding = encode_embedding(unit_vector(42))
    crop_png = fake_png(42, 20000)  # spans overflow pages
    crop = FaceCropRepository(app_db).add(ada.id, crop_png)
    templates = TemplateRepository(app_db)
    templates.add(ada.id, model.id, unit_vector(42), crop_id=crop.id)
    templates.add(grace.id, model.id, unit_vector(7))
    # Several writes after the insert, so the bytes sit in WAL frames and in the main file.
    app_db.checkpoint()
    for i in range(20):
        people.add(f"Filler {i}")
    raw = _raw_bytes(app_db.path)
    assert embedding[:64] in raw and crop_png[-64:] in raw  # the scan can see them

    people.delete(ada.id)

    raw = _raw_bytes(app_db.path)
    for start in range(0, len(embedding), 64):
        assert embedding[start:start + 64] not in raw
    for start in range(8, len(crop_png), 500):
        assert crop_png[start:start + 64] not in raw
    assert encode_embedding(unit_vector(7))[:64] in raw  # Grace's template is untouched


def test_a_deletion_inside_a_larger_transaction_is_scrubbed_when_it_commits(
        app_db: AppDatabase) -> None:
    people = PeopleRepository(app_db)
    model = register_model(app_db)
    ada = people.add("Ada")
    TemplateRepository(app_db).add(ada.id, model.id, unit_vector(43))
    embedding = encode_embedding(unit_vector(43))
    with app_db.transaction():
        people.delete(ada.id)
        people.add("Someone else")
    raw = _raw_bytes(app_db.path)
    for start in range(0, len(embedding), 64):
        assert embedding[start:start + 64] not in raw
