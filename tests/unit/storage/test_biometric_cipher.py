"""BiometricCipher: AES-GCM round trips, tamper and wrong-key refusal, passphrase key check."""

from __future__ import annotations

import secrets

import numpy as np
import pytest

from attendance_app.domain.errors import AccessDeniedError, DatabaseError
from attendance_app.storage.biometric_cipher import (
    MAGIC,
    BiometricCipher,
    enable_encryption,
    is_encrypted,
    is_encryption_enabled,
    unlock,
)
from attendance_app.storage.database import AppDatabase, open_database

CONTEXT = "templates.embedding"


@pytest.fixture
def cipher() -> BiometricCipher:
    return BiometricCipher(secrets.token_bytes(32))


def test_an_embedding_round_trips_and_its_bytes_do_not_appear_in_the_blob(
        cipher: BiometricCipher) -> None:
    vector = np.random.default_rng(0).standard_normal(512).astype("<f4").tobytes()
    blob = cipher.encrypt(vector, CONTEXT)
    assert is_encrypted(blob) and blob.startswith(MAGIC)
    assert vector[:16] not in blob
    assert cipher.decrypt(blob, CONTEXT) == vector


def test_the_same_plaintext_encrypts_differently_each_time(cipher: BiometricCipher) -> None:
    assert cipher.encrypt(b"crop", CONTEXT) != cipher.encrypt(b"crop", CONTEXT)


def test_a_flipped_bit_is_detected(cipher: BiometricCipher) -> None:
    blob = bytearray(cipher.encrypt(b"face crop png", CONTEXT))
    blob[-1] ^= 1
    with pytest.raises(DatabaseError, match="altered"):
        cipher.decrypt(bytes(blob), CONTEXT)


def test_a_blob_moved_to_another_column_does_not_decrypt(cipher: BiometricCipher) -> None:
    blob = cipher.encrypt(b"snapshot", "unknown_faces.snapshot_png")
    with pytest.raises(DatabaseError):
        cipher.decrypt(blob, "face_crops.png")


def test_another_key_cannot_read_the_blob(cipher: BiometricCipher) -> None:
    blob = cipher.encrypt(b"template", CONTEXT)
    with pytest.raises(DatabaseError):
        BiometricCipher(secrets.token_bytes(32)).decrypt(blob, CONTEXT)


@pytest.mark.parametrize("blob", [b"", b"\x89PNG\r\n\x1a\n....", MAGIC + b"short"])
def test_plaintext_or_short_blobs_are_refused(cipher: BiometricCipher, blob: bytes) -> None:
    with pytest.raises(DatabaseError):
        cipher.decrypt(blob, CONTEXT)


def test_the_right_passphrase_unlocks_and_a_wrong_one_is_refused(tmp_path) -> None:
    with open_database(tmp_path / "a.db") as app_db:
        assert not is_encryption_enabled(app_db)
        made = enable_encryption(app_db, "my passphrase")
        blob = made.encrypt(b"crop", CONTEXT)
    with open_database(tmp_path / "a.db") as app_db:
        assert is_encryption_enabled(app_db)
        assert unlock(app_db, "my passphrase").decrypt(blob, CONTEXT) == b"crop"
        with pytest.raises(AccessDeniedError):
            unlock(app_db, "not my passphrase")


def test_encryption_cannot_be_enabled_twice(tmp_path) -> None:
    with open_database(tmp_path / "a.db") as app_db:
        enable_encryption(app_db, "one")
        with pytest.raises(DatabaseError):
            enable_encryption(app_db, "two")


def test_the_passphrase_is_not_stored(tmp_path) -> None:
    with open_database(tmp_path / "a.db") as app_db:
        enable_encryption(app_db, "very secret phrase")
        app_db.checkpoint()
        raw = app_db.path.read_bytes()
    assert b"very secret phrase" not in raw


def test_unlocking_a_database_without_encryption_is_a_clear_error(app_db: AppDatabase) -> None:
    with pytest.raises(DatabaseError, match="not enabled"):
        unlock(app_db, "anything")
