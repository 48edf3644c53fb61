"""Turning encryption on for a database that already holds face data, changing the passphrase,
and the container (AppServices) unlocking at open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus
from attendance_app.domain.errors import AccessDeniedError, DatabaseError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.services import encryption_service
from attendance_app.services.app_services import AppServices
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.biometric_cipher import BiometricCipher, is_encryption_enabled
from attendance_app.storage.biometric_columns import (
    forget_all_ciphers,
    is_locked,
    unlock_database,
)
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.template_repository import TemplateRepository, encode_embedding
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository

PASSPHRASE = "correct horse battery staple"
T0 = datetime(2026, 11, 26, 9, 0)


pytestmark = pytest.mark.usefixtures("empty_keyring")


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data")


@pytest.fixture
def db(paths: AppPaths) -> Iterator[AppDatabase]:
    with open_database(paths.db_path) as database:
        yield database


def _png(seed: int, size: int) -> bytes:
    rng = np.random.default_rng(seed)
    return b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, size, dtype=np.uint8).tobytes()


def _vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
    return v / np.linalg.norm(v)


class ClearData:
    """Face data written before encryption existed: several people, every biometric column."""

    def __init__(self, db: AppDatabase, people: int = 3) -> None:
        self.model = ModelRepository(db).register("casia", "converted", "/m.pt", "ab" * 32,
                                                  activate=True)
        session = SessionRepository(db).create(Session(None, "Math", T0))
        self.secrets: list[bytes] = []
        self.crops: dict[int, bytes] = {}
        self.vectors: dict[int, np.ndarray] = {}
        for i in range(people):
            person = PeopleRepository(db).add(f"Person {i}")
            crop_png, snapshot, thumb = _png(100 + i, 20000), _png(200 + i, 4000), _png(300 + i,
                                                                                       1500)
            crop = FaceCropRepository(db).add(person.id, crop_png)
            TemplateRepository(db).add(person.id, self.model.id, _vector(i), crop_id=crop.id)
            UnknownFaceRepository(db).add(T0, snapshot, session_id=session.id)
            AttendanceRepository(db).add(AttendanceRecord(
                session.id, person.id, AttendanceStatus.PRESENT, T0, 0.9, thumbnail_png=thumb))
            self.crops[person.id], self.vectors[person.id] = crop_png, _vector(i)
            self.secrets += [crop_png, snapshot, thumb, encode_embedding(_vector(i))]


def _raw_bytes(db_path: Path) -> bytes:
    parts = [db_path, Path(f"{db_path}-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def _clear_fragments_found(secrets: list[bytes], raw: bytes) -> int:
    return sum(secret[start:start + 32] in raw
               for secret in secrets for start in range(8, len(secret) - 32, 48))


def _assert_reads_back(db: AppDatabase, data: ClearData) -> None:
    embeddings, ids = TemplateRepository(db).load_gallery(data.model.id)
    for row, person_id in zip(embeddings, ids):
        np.testing.assert_array_equal(row, data.vectors[int(person_id)])
    for person_id, png in data.crops.items():
        assert FaceCropRepository(db).list_for_person(person_id)[0].png == png


def test_enabling_converts_existing_rows_and_leaves_no_clear_bytes_in_the_files(
        db: AppDatabase) -> None:
    data = ClearData(db)
    assert _clear_fragments_found(data.secrets, _raw_bytes(db.path)) > 0  # the scan can see

    result = encryption_service.enable(db, PASSPHRASE)

    # the fixture's crops carry no wider context image (issue 12's optional column)
    assert result.sealed == {"face_crops.png": 3, "face_crops.context_png": 0,
                             "templates.embedding": 3, "unknown_faces.snapshot_png": 3,
                             "attendance_records.thumbnail_png": 3}
    assert result.scrubbed
    assert _clear_fragments_found(data.secrets, _raw_bytes(db.path)) == 0
    state = encryption_service.status(db)
    assert state.enabled and state.unlocked
    assert all(c.clear == 0 for c in state.columns)
    assert sum(c.encrypted for c in state.columns) == 12  # 3 rows in each filled column
    _assert_reads_back(db, data)  # the running process keeps working with the remembered key


def test_after_enabling_a_restart_needs_the_passphrase_and_reads_the_same_data(
        db: AppDatabase) -> None:
    data = ClearData(db)
    encryption_service.enable(db, PASSPHRASE)
    forget_all_ciphers()
    assert is_locked(db)
    with pytest.raises(AccessDeniedError):
        TemplateRepository(db).load_gallery(data.model.id)
    with pytest.raises(AccessDeniedError, match="wrong passphrase"):
        encryption_service.change_passphrase(db, "a wrong guess", "whatever new one")
    unlock_database(db, PASSPHRASE)
    _assert_reads_back(db, data)


def test_a_failure_while_converting_leaves_everything_clear_and_encryption_off(
        db: AppDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ClearData(db)
    real_encrypt, calls = BiometricCipher.encrypt, []

    def encrypt_then_fail(self: BiometricCipher, plaintext: bytes, context: str,
                          *magic: bytes) -> bytes:
        calls.append(context)
        if len(calls) > 5:  # the key check value and a few rows, then the "crash"
            raise OSError("disk refused the write")
        return real_encrypt(self, plaintext, context, *magic)

    monkeypatch.setattr(BiometricCipher, "encrypt", encrypt_then_fail)
    with pytest.raises(OSError):
        encryption_service.enable(db, PASSPHRASE)
    monkeypatch.undo()
    assert not is_encryption_enabled(db)
    assert all(c.encrypted == 0 for c in encryption_service.status(db).columns)
    _assert_reads_back(db, data)


def test_enabling_twice_or_with_a_short_passphrase_is_refused(db: AppDatabase) -> None:
    ClearData(db, people=1)
    with pytest.raises(ValidationError, match="at least"):
        encryption_service.enable(db, "short")
    assert not is_encryption_enabled(db)
    encryption_service.enable(db, PASSPHRASE)
    with pytest.raises(DatabaseError, match="already enabled"):
        encryption_service.enable(db, "another passphrase")


def test_changing_the_passphrase_re_encrypts_everything_and_retires_the_old_one(
        db: AppDatabase) -> None:
    data = ClearData(db)
    encryption_service.enable(db, PASSPHRASE)
    before = db.conn.execute("SELECT embedding FROM templates ORDER BY id").fetchall()

    result = encryption_service.change_passphrase(db, PASSPHRASE, "a brand new passphrase")

    assert result.sealed["templates.embedding"] == 3
    assert db.conn.execute("SELECT embedding FROM templates ORDER BY id").fetchall() != before
    _assert_reads_back(db, data)  # the new key is remembered at once
    forget_all_ciphers()
    with pytest.raises(AccessDeniedError):
        unlock_database(db, PASSPHRASE)
    unlock_database(db, "a brand new passphrase")
    _assert_reads_back(db, data)


def test_app_services_open_with_the_passphrase_unlocks_and_a_wrong_one_is_refused(
        paths: AppPaths) -> None:
    with open_database(paths.db_path) as db:
        data = ClearData(db, people=2)
        encryption_service.enable(db, PASSPHRASE)
    forget_all_ciphers()

    locked = AppServices.open(paths, Settings())
    try:
        assert locked.encryption_enabled and locked.biometrics_locked
        assert [p.name for p in locked.people.list_people()] == ["Person 0", "Person 1"]
        with pytest.raises(AccessDeniedError):
            locked.people.thumbnail_png(next(iter(data.crops)))
    finally:
        locked.close()
    with pytest.raises(AccessDeniedError):
        AppServices.open(paths, Settings(), passphrase="not it at all")

    services = AppServices.open(paths, Settings(), passphrase=PASSPHRASE)
    try:
        assert not services.biometrics_locked
        person_id = next(iter(data.crops))
        assert services.people.thumbnail_png(person_id) == data.crops[person_id]
        # The gallery loads on its own connection: the key remembered for the file applies.
        assert len(services.gallery.current()) == 2
    finally:
        services.close()


def test_clear_text_backups_lists_pre_restore_and_damaged_copies_too(tmp_path: Path) -> None:
    # Issue 14 item 2: only the daily backups were listed; the other copies hold clear data too.
    from attendance_app.storage.backup import backup_database

    db = open_database(tmp_path / "attendance.db")
    db.close()
    backups = tmp_path / "backups"
    made = [backup_database(tmp_path / "attendance.db", backups / name) for name in
            ("attendance-2026-11-30.db", "pre-restore-20261130-101500.db",
             "damaged-20261130-101700.db")]
    (backups / "notes.txt").write_text("not a database")
    assert sorted(encryption_service.clear_text_backups(backups)) == sorted(made)
