"""Issue 14 item 10: encrypted biometric values are bound to their row, values sealed before
that are re-sealed at the first unlock, and the key is forgotten when its container closes."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import DatabaseError
from attendance_app.services import encryption_service
from attendance_app.services.app_services import AppServices
from attendance_app.storage.biometric_cipher import (MAGIC, ROW_BOUND_KEY, BiometricCipher,
                                                     enable_encryption, is_row_bound)
from attendance_app.storage.biometric_columns import cipher_for, is_locked, remember_cipher
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.key_value_repository import KeyValueRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository, encode_embedding
from storage_factories import fake_png, register_model, unit_vector

PASSPHRASE = "correct horse battery staple"
pytestmark = pytest.mark.usefixtures("empty_keyring")


def _two_people(app_db: AppDatabase) -> tuple[int, int]:
    model = register_model(app_db)
    people = PeopleRepository(app_db)
    ada, bob = people.add("Ada"), people.add("Bob")
    templates = TemplateRepository(app_db)
    templates.add(ada.id, model.id, unit_vector(1))
    templates.add(bob.id, model.id, unit_vector(2))
    return model.id, ada.id


def _swap_template_blobs(app_db: AppDatabase) -> None:
    (a_id, a_blob), (b_id, b_blob) = app_db.conn.execute(
        "SELECT id, embedding FROM templates ORDER BY id").fetchall()
    app_db.conn.execute("UPDATE templates SET embedding = ? WHERE id = ?", [b_blob, a_id])
    app_db.conn.execute("UPDATE templates SET embedding = ? WHERE id = ?", [a_blob, b_id])


def test_two_peoples_encrypted_templates_swapped_in_the_file_are_refused(app_db) -> None:
    remember_cipher(app_db, enable_encryption(app_db, PASSPHRASE))
    model_id, _ = _two_people(app_db)
    _swap_template_blobs(app_db)  # what someone with write access to the file could do
    with pytest.raises(DatabaseError, match="does not decrypt"):
        TemplateRepository(app_db).load_gallery(model_id)


def test_encrypted_values_of_every_column_are_stored_row_bound(app_db) -> None:
    remember_cipher(app_db, enable_encryption(app_db, PASSPHRASE))
    _, ada = _two_people(app_db)
    FaceCropRepository(app_db).add(ada, fake_png(3))
    for sql in ("SELECT embedding FROM templates", "SELECT png FROM face_crops"):
        assert all(is_row_bound(r[0]) for r in app_db.conn.execute(sql)), sql


def _legacy_file(app_db: AppDatabase) -> tuple[BiometricCipher, np.ndarray]:
    """A file as encryption before issue 14 left it: values bound to table.column only."""
    cipher = enable_encryption(app_db, PASSPHRASE)
    KeyValueRepository(app_db).delete(ROW_BOUND_KEY)
    model = register_model(app_db)
    person = PeopleRepository(app_db).add("Ada")
    vector = unit_vector(7)
    app_db.conn.execute(
        "INSERT INTO templates (person_id, model_id, embedding, created_at) VALUES (?, ?, ?, "
        "'2026-11-26T09:00:00')",
        [person.id, model.id, cipher.encrypt(encode_embedding(vector), "templates.embedding")])
    return cipher, vector


def test_values_sealed_before_row_binding_are_resealed_at_the_first_unlock(tmp_path) -> None:
    paths = AppPaths(tmp_path / "data").ensure()
    services = AppServices.open(paths, Settings())
    try:
        _legacy_file(services.db)
        assert services.db.conn.execute(
            "SELECT embedding FROM templates").fetchone()[0].startswith(MAGIC)
        services.unlock(PASSPHRASE)
        (blob,) = services.db.conn.execute("SELECT embedding FROM templates").fetchone()
        assert is_row_bound(blob)
        assert KeyValueRepository(services.db).get(ROW_BOUND_KEY) == "1"
        vectors, _ = TemplateRepository(services.db).load_gallery(1)
        assert vectors.shape == (1, 512)
    finally:
        services.close()


def test_after_resealing_an_old_format_value_put_into_the_file_is_refused(app_db) -> None:
    cipher, vector = _legacy_file(app_db)
    remember_cipher(app_db, cipher)
    assert encryption_service.bind_rows(app_db, cipher) == 1
    # An old-format blob (say, from an old backup) pasted back in: no longer accepted.
    app_db.conn.execute("UPDATE templates SET embedding = ?", [
        cipher.encrypt(encode_embedding(vector), "templates.embedding")])
    with pytest.raises(DatabaseError, match="old format"):
        TemplateRepository(app_db).load_gallery(1)


def test_the_key_is_forgotten_when_the_container_that_was_given_it_closes(tmp_path) -> None:
    paths = AppPaths(tmp_path / "data").ensure()
    main = AppServices.open(paths, Settings())
    encryption_service.enable(main.db, PASSPHRASE)
    main.close()
    main = AppServices.open(paths, Settings(), passphrase=PASSPHRASE)
    worker = AppServices.open(paths, Settings())  # borrows the key (a worker thread's container)
    assert not worker.biometrics_locked
    worker.close()
    assert not main.biometrics_locked  # a borrower closing does not lock the owner
    main.lock()
    assert main.biometrics_locked and cipher_for(main.db) is None
    main.unlock(PASSPHRASE)
    main.close()
    after = AppServices.open(paths, Settings())
    try:
        assert is_locked(after.db)  # forgotten on close
    finally:
        after.close()
