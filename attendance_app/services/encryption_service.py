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

Row binding (issue 14): every value is sealed with its table, column *and row id* as associated
data, so two rows' ciphertexts cannot be swapped undetected. Files encrypted before that hold
values bound to table and column only; `bind_rows` re-seals those in one transaction the first
time the file is unlocked (AppServices.unlock), and from then on the file refuses the old form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from attendance_app.domain.errors import ValidationError
from attendance_app.storage.backup import list_backups
from attendance_app.storage.database_copies import list_database_copies
from attendance_app.storage.biometric_cipher import (
    ROW_BOUND_KEY,
    ROW_MAGIC,
    BiometricCipher,
    enable_encryption,
    is_encrypted,
    is_encryption_enabled,
    is_row_bound,
    row_context,
    store_new_key,
    unlock,
)
from attendance_app.storage.biometric_columns import (
    BIOMETRIC_COLUMNS,
    cipher_for,
    make_value_opener,
    remember_cipher,
)
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.key_value_repository import KeyValueRepository

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
        sealed = _reseal_all(app_db, _clear_openers(), cipher)
    remember_cipher(app_db, cipher)
    return ConversionResult(sealed, scrub_files(app_db))


def change_passphrase(app_db: AppDatabase, old: str, new: str) -> ConversionResult:
    """Re-encrypt everything under a key from `new` (fresh salt), in one transaction.
    AccessDeniedError when `old` is wrong; ValidationError for a short new passphrase."""
    old_cipher = unlock(app_db, old)
    _check_new_passphrase(new)
    with app_db.transaction():
        openers = _cipher_openers(app_db, old_cipher)  # before the new key marks the file
        new_cipher = store_new_key(app_db, new)
        sealed = _reseal_all(app_db, openers, new_cipher)
    remember_cipher(app_db, new_cipher)
    # The old ciphertext is useless without the old key, but that key may be why the
    # passphrase is being changed: scrub it as well.
    return ConversionResult(sealed, scrub_files(app_db))


def bind_rows(app_db: AppDatabase, cipher: BiometricCipher) -> int:
    """Re-seal every value still bound to its table and column only, binding its row id too,
    in one transaction, then mark the file so the old form is refused from now on. Returns
    how many values were re-sealed (0 when the file is already bound or not encrypted)."""
    kv = KeyValueRepository(app_db)
    if not is_encryption_enabled(app_db) or kv.get(ROW_BOUND_KEY) is not None:
        return 0
    count = 0
    with app_db.transaction():
        if kv.get(ROW_BOUND_KEY) is not None:  # another process did it meanwhile
            return 0
        openers = _cipher_openers(app_db, cipher)
        for table, column in BIOMETRIC_COLUMNS:
            for batch in _batches(app_db, table, column):
                for row_id, blob in batch:
                    if is_row_bound(blob):
                        continue
                    plaintext = openers[(table, column)](blob, row_id)
                    app_db.conn.execute(
                        f"UPDATE {table} SET {column} = ? WHERE id = ?",
                        [cipher.encrypt(plaintext, row_context(table, column, row_id),
                                        ROW_MAGIC), row_id])
                    count += 1
        kv.set(ROW_BOUND_KEY, "1")
    app_db.checkpoint()
    return count


def scrub_files(app_db: AppDatabase) -> bool:
    """Checkpoint the WAL into the file, VACUUM (rewrites every page, dropping free ones) and
    checkpoint again so the -wal file is emptied. True when both checkpoints completed."""
    first = app_db.checkpoint()
    with app_db.translate_errors("compact the database"):
        app_db.conn.execute("VACUUM")
    return app_db.checkpoint() and first


def clear_text_backups(backups_dir: Path | str) -> list[Path]:
    """Backups that may hold biometric data in clear text: every database copy in the backups
    folder when encryption is turned on (made before it): the daily backups and also the
    pre-restore and damaged copies. Newest daily first, then the others by name."""
    daily = list_backups(backups_dir)
    others = [p for p in list_database_copies(backups_dir) if p not in daily]
    return daily + others


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} "
                              f"characters")


Opener = Callable[[bytes, int], bytes]


def _clear_openers() -> dict[tuple[str, str], Opener]:
    return {key: (lambda blob, row_id: bytes(blob)) for key in BIOMETRIC_COLUMNS}


def _cipher_openers(app_db: AppDatabase, cipher: BiometricCipher
                    ) -> dict[tuple[str, str], Opener]:
    return {(t, c): make_value_opener(app_db, cipher, t, c) for t, c in BIOMETRIC_COLUMNS}


def _reseal_all(app_db: AppDatabase, openers: dict[tuple[str, str], Opener],
                new: BiometricCipher) -> dict[str, int]:
    """Inside the caller's transaction: open every biometric value with `openers` (clear text
    or the old key) and store it sealed with `new`, bound to its row. Count per column."""
    sealed: dict[str, int] = {}
    for table, column in BIOMETRIC_COLUMNS:
        count = 0
        for batch in _batches(app_db, table, column):
            for row_id, blob in batch:
                plaintext = openers[(table, column)](blob, row_id)
                app_db.conn.execute(
                    f"UPDATE {table} SET {column} = ? WHERE id = ?",
                    [new.encrypt(plaintext, row_context(table, column, row_id), ROW_MAGIC),
                     row_id])
            count += len(batch)
        sealed[f"{table}.{column}"] = count
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
