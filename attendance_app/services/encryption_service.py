"""Encryption at rest of the biometric data: turn it on for an existing database, change the
passphrase, say where things stand.

Encrypted: face crops, templates, unknown-face snapshots and attendance thumbnails (the columns
in `storage.biometric_columns.BIOMETRIC_COLUMNS`). Not encrypted, on purpose: people's names,
external ids and groups, sessions, attendance records and corrections, models and settings, so
reports and the people list work without the passphrase.

Turning it on converts every existing row in one transaction (a crash leaves the database as it
was, all clear text, with encryption off), then checkpoints the WAL and VACUUMs so that the old
clear-text pages are gone from the database and WAL files. Backups made before stay clear text:
`clear_text_backups` lists them so the caller can warn or delete them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from attendance_app.domain.errors import ValidationError
from attendance_app.storage.backup import list_backups
from attendance_app.storage.biometric_cipher import (
    BiometricCipher,
    enable_encryption,
    is_encrypted,
    is_encryption_enabled,
    store_new_key,
    unlock,
)
from attendance_app.storage.biometric_columns import (
    BIOMETRIC_COLUMNS,
    cipher_for,
    remember_cipher,
)
from attendance_app.storage.database import AppDatabase

MIN_PASSPHRASE_LENGTH = 8
_BATCH = 256  # rows re-sealed per query, so a large crop table is never held in memory whole


@dataclass(frozen=True)
class ColumnCount:
    """How many values of one biometric column are stored encrypted and in clear text."""

    column: str  # "table.column"
    encrypted: int
    clear: int


@dataclass(frozen=True)
class EncryptionStatus:
    enabled: bool
    unlocked: bool  # a key for this file is known in this process
    columns: tuple[ColumnCount, ...]


@dataclass(frozen=True)
class ConversionResult:
    """What enabling (or re-keying) did: values sealed per column, and whether the WAL could be
    emptied (False while another program holds an old snapshot open: old pages may remain in
    the -wal file until it closes)."""

    sealed: dict[str, int]
    scrubbed: bool


def status(app_db: AppDatabase) -> EncryptionStatus:
    """Whether encryption is on and unlocked here, and the values per column by kind."""
    counts = []
    for table, column in BIOMETRIC_COLUMNS:
        encrypted = clear = 0
        for batch in _batches(app_db, table, column):
            for _, blob in batch:
                if is_encrypted(blob):
                    encrypted += 1
                else:
                    clear += 1
        counts.append(ColumnCount(f"{table}.{column}", encrypted, clear))
    return EncryptionStatus(enabled=is_encryption_enabled(app_db),
                            unlocked=cipher_for(app_db) is not None, columns=tuple(counts))


def enable(app_db: AppDatabase, passphrase: str) -> ConversionResult:
    """Turn encryption on with `passphrase`: every stored biometric value is encrypted in one
    transaction, then the files are scrubbed of the clear text. The key is remembered for this
    file, so the running process keeps working. Raises ValidationError for a short passphrase,
    DatabaseError when encryption is already on."""
    _check_new_passphrase(passphrase)
    with app_db.transaction():
        cipher = enable_encryption(app_db, passphrase)
        sealed = _reseal_all(app_db, None, cipher)
    remember_cipher(app_db, cipher)
    return ConversionResult(sealed, scrub_files(app_db))


def change_passphrase(app_db: AppDatabase, old: str, new: str) -> ConversionResult:
    """Re-encrypt everything under a key from `new` (fresh salt), in one transaction.
    AccessDeniedError when `old` is wrong; ValidationError for a short new passphrase."""
    old_cipher = unlock(app_db, old)
    _check_new_passphrase(new)
    with app_db.transaction():
        new_cipher = store_new_key(app_db, new)
        sealed = _reseal_all(app_db, old_cipher, new_cipher)
    remember_cipher(app_db, new_cipher)
    # The old ciphertext is useless without the old key, but that key may be why the
    # passphrase is being changed: scrub it as well.
    return ConversionResult(sealed, scrub_files(app_db))


def scrub_files(app_db: AppDatabase) -> bool:
    """Checkpoint the WAL into the file, VACUUM (rewrites every page, dropping free ones) and
    checkpoint again so the -wal file is emptied. True when both checkpoints completed."""
    first = app_db.checkpoint()
    with app_db.translate_errors("compact the database"):
        app_db.conn.execute("VACUUM")
    return app_db.checkpoint() and first


def clear_text_backups(backups_dir: Path | str) -> list[Path]:
    """Backups that may hold biometric data in clear text: every backup that exists when
    encryption is turned on (made before it). Newest first."""
    return list_backups(backups_dir)


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} "
                              f"characters")


def _reseal_all(app_db: AppDatabase, old: BiometricCipher | None,
                new: BiometricCipher) -> dict[str, int]:
    """Inside the caller's transaction: decrypt every biometric value with `old` (None: it is
    clear text) and store it encrypted with `new`. Returns the count per column."""
    sealed: dict[str, int] = {}
    for table, column in BIOMETRIC_COLUMNS:
        context = f"{table}.{column}"
        count = 0
        for batch in _batches(app_db, table, column):
            for row_id, blob in batch:
                plaintext = bytes(blob) if old is None else old.decrypt(blob, context)
                app_db.conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?",
                                    [new.encrypt(plaintext, context), row_id])
            count += len(batch)
        sealed[context] = count
    return sealed


def _batches(app_db: AppDatabase, table: str, column: str) -> Iterator[list[tuple[int, bytes]]]:
    """(id, blob) rows with a value, by id, `_BATCH` at a time (safe to update as it goes)."""
    last_id = 0
    while True:
        batch = app_db.conn.execute(
            f"SELECT id, {column} FROM {table} WHERE id > ? AND {column} IS NOT NULL "
            f"ORDER BY id LIMIT ?", [last_id, _BATCH]).fetchall()
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]
