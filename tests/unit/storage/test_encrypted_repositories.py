"""Encryption at rest through the repositories: sealed in the files, the same values back with
the passphrase, refused without it, and clear text untouched when encryption is off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus
from attendance_app.domain.errors import AccessDeniedError
from attendance_app.domain.session import Session
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.backup import backup_database, restore_database
from attendance_app.storage.biometric_cipher import enable_encryption, is_encrypted
from attendance_app.storage.biometric_columns import (
    PASSPHRASE_ENV,
    forget_all_ciphers,
    is_locked,
    remember_cipher,
    unlock_database,
)
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.template_repository import TemplateRepository, encode_embedding
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from storage_factories import T0, fake_png, register_model, unit_vector

PASSPHRASE = "correct horse battery staple"


pytestmark = pytest.mark.usefixtures("empty_keyring")


@pytest.fixture
def encrypted_db(app_db: AppDatabase) -> AppDatabase:
    remember_cipher(app_db, enable_encryption(app_db, PASSPHRASE))
    return app_db


def _raw_bytes(db_path: Path) -> bytes:
    parts = [db_path, Path(f"{db_path}-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def _assert_absent(secret: bytes, raw: bytes, step: int = 64) -> None:
    """No 32-byte window of `secret` (past a PNG signature) appears anywhere in `raw`."""
    for start in range(8, len(secret) - 32, step):
        assert secret[start:start + 32] not in raw, f"clear bytes found at offset {start}"


class Enrolled:
    """One person enrolled through the repositories, with every kind of biometric value."""

    def __init__(self, app_db: AppDatabase) -> None:
        self.model = register_model(app_db)
        self.person = PeopleRepository(app_db).add("Ada Lovelace", group="Math")
        self.crop_png, self.snapshot_png, self.thumb_png = (
            fake_png(1, 20000), fake_png(2, 5000), fake_png(3, 2000))
        self.embedding = unit_vector(11)
        self.crop = FaceCropRepository(app_db).add(self.person.id, self.crop_png)
        TemplateRepository(app_db).add(self.person.id, self.model.id, self.embedding,
                                       crop_id=self.crop.id)
        self.session = SessionRepository(app_db).create(Session(None, "Math 101", T0))
        self.unknown = UnknownFaceRepository(app_db).add(T0, self.snapshot_png,
                                                         session_id=self.session.id)
        self.record = AttendanceRepository(app_db).add(AttendanceRecord(
            self.session.id, self.person.id, AttendanceStatus.PRESENT, T0, 0.91,
            thumbnail_png=self.thumb_png))


def test_enrolment_writes_leave_no_clear_biometric_bytes_in_the_database_or_wal_files(
        encrypted_db: AppDatabase) -> None:
    enrolled = Enrolled(encrypted_db)
    raw = _raw_bytes(encrypted_db.path)
    assert b"Ada Lovelace" in raw  # the scan sees clear text: names stay readable on purpose
    _assert_absent(encode_embedding(enrolled.embedding), raw, step=16)
    _assert_absent(enrolled.crop_png, raw)
    _assert_absent(enrolled.snapshot_png, raw)
    _assert_absent(enrolled.thumb_png, raw)
    encrypted_db.checkpoint()  # and once everything moved from the WAL into the main file
    raw = _raw_bytes(encrypted_db.path)
    _assert_absent(encode_embedding(enrolled.embedding), raw, step=16)
    _assert_absent(enrolled.crop_png, raw)


def test_every_biometric_column_is_stored_sealed(encrypted_db: AppDatabase) -> None:
    Enrolled(encrypted_db)
    conn = encrypted_db.conn
    for sql in ("SELECT png FROM face_crops", "SELECT embedding FROM templates",
                "SELECT snapshot_png FROM unknown_faces",
                "SELECT thumbnail_png FROM attendance_records"):
        assert all(is_encrypted(row[0]) for row in conn.execute(sql)), sql


def test_with_the_right_passphrase_a_new_connection_reads_the_same_arrays_and_bytes(
        encrypted_db: AppDatabase) -> None:
    enrolled = Enrolled(encrypted_db)
    forget_all_ciphers()  # as after a restart
    with open_database(encrypted_db.path) as fresh:
        unlock_database(fresh, PASSPHRASE)
        embeddings, ids = TemplateRepository(fresh).load_gallery(enrolled.model.id)
        np.testing.assert_array_equal(embeddings[0], enrolled.embedding)
        assert ids.tolist() == [enrolled.person.id]
        np.testing.assert_array_equal(
            TemplateRepository(fresh).embeddings_for_person(enrolled.person.id)[0],
            enrolled.embedding)
        assert FaceCropRepository(fresh).list_for_person(enrolled.person.id)[0].png == \
            enrolled.crop_png
        assert [c.png for c in FaceCropRepository(fresh).iter_all()] == [enrolled.crop_png]
        assert UnknownFaceRepository(fresh).get(enrolled.unknown.id).snapshot_png == \
            enrolled.snapshot_png
        assert AttendanceRepository(fresh).get(enrolled.record.id).thumbnail_png == \
            enrolled.thumb_png


def test_a_wrong_passphrase_is_refused_and_unlocks_nothing(encrypted_db: AppDatabase) -> None:
    enrolled = Enrolled(encrypted_db)
    forget_all_ciphers()
    with pytest.raises(AccessDeniedError, match="wrong passphrase"):
        unlock_database(encrypted_db, "not the passphrase")
    assert is_locked(encrypted_db)
    with pytest.raises(AccessDeniedError, match=PASSPHRASE_ENV):
        TemplateRepository(encrypted_db).load_gallery(enrolled.model.id)


def test_without_the_passphrase_biometric_reads_and_writes_are_refused_saying_how_to_give_it(
        encrypted_db: AppDatabase) -> None:
    enrolled = Enrolled(encrypted_db)
    forget_all_ciphers()
    crops, templates = FaceCropRepository(encrypted_db), TemplateRepository(encrypted_db)
    for read in (lambda: templates.load_gallery(enrolled.model.id),
                 lambda: templates.embeddings_for_person(enrolled.person.id),
                 lambda: crops.list_for_person(enrolled.person.id),
                 lambda: crops.get(enrolled.crop.id),
                 lambda: list(crops.iter_all())):
        with pytest.raises(AccessDeniedError, match=PASSPHRASE_ENV):
            read()
    with pytest.raises(AccessDeniedError):
        crops.add(enrolled.person.id, fake_png(9))
    with pytest.raises(AccessDeniedError):
        templates.add(enrolled.person.id, enrolled.model.id, unit_vector(9))
    with pytest.raises(AccessDeniedError):
        UnknownFaceRepository(encrypted_db).add(T0, fake_png(10))
    assert crops.count_for_person(enrolled.person.id) == 1  # nothing was written
    assert templates.count_for_model(enrolled.model.id) == 1


def test_while_locked_records_and_unknown_faces_are_listed_without_their_images(
        encrypted_db: AppDatabase) -> None:
    enrolled = Enrolled(encrypted_db)
    forget_all_ciphers()
    [record] = AttendanceRepository(encrypted_db).list_for_session(enrolled.session.id)
    assert (record.person_name, record.status, record.thumbnail_png) == \
        ("Ada Lovelace", AttendanceStatus.PRESENT, None)
    [face] = UnknownFaceRepository(encrypted_db).list_for_session(enrolled.session.id)
    assert face.snapshot_png is None
    # A record is never lost for want of its picture: it is kept, without the thumbnail.
    other = PeopleRepository(encrypted_db).add("Grace Hopper")
    kept = AttendanceRepository(encrypted_db).add(AttendanceRecord(
        enrolled.session.id, other.id, AttendanceStatus.LATE, T0, 0.8,
        thumbnail_png=fake_png(12)))
    assert kept.status is AttendanceStatus.LATE
    assert encrypted_db.conn.execute("SELECT thumbnail_png FROM attendance_records WHERE id = ?",
                                     [kept.id]).fetchone()[0] is None


def test_queries_with_no_biometric_values_work_while_locked(encrypted_db: AppDatabase) -> None:
    model = register_model(encrypted_db)
    person = PeopleRepository(encrypted_db).add("Nobody Yet")
    forget_all_ciphers()
    embeddings, ids = TemplateRepository(encrypted_db).load_gallery(model.id)
    assert embeddings.shape == (0, 512) and ids.shape == (0,)
    assert FaceCropRepository(encrypted_db).list_for_person(person.id) == []


def test_without_encryption_the_stored_bytes_are_the_clear_values_as_before(
        app_db: AppDatabase) -> None:
    enrolled = Enrolled(app_db)
    conn = app_db.conn
    assert conn.execute("SELECT png FROM face_crops").fetchone()[0] == enrolled.crop_png
    assert conn.execute("SELECT embedding FROM templates").fetchone()[0] == \
        encode_embedding(enrolled.embedding)
    assert conn.execute("SELECT snapshot_png FROM unknown_faces").fetchone()[0] == \
        enrolled.snapshot_png
    assert not is_locked(app_db)


def test_a_key_unlocked_for_a_file_is_not_used_after_an_unencrypted_backup_is_restored(
        app_db: AppDatabase, tmp_path: Path) -> None:
    # Writing with a key the file no longer knows would make that data unreadable forever.
    model = register_model(app_db)
    person = PeopleRepository(app_db).add("Ada")
    clear_backup = backup_database(app_db.path, tmp_path / "before.db")
    remember_cipher(app_db, enable_encryption(app_db, PASSPHRASE))
    app_db.close()
    restore_database(clear_backup, app_db.path)
    with open_database(app_db.path) as restored:
        TemplateRepository(restored).add(person.id, model.id, unit_vector(5))
        blob = restored.conn.execute("SELECT embedding FROM templates").fetchone()[0]
        assert blob == encode_embedding(unit_vector(5))
        assert not is_locked(restored)
