"""Biometric columns: how repositories seal face data on write and open it on read.

Four columns hold biometric data: face crops, templates, unknown-face snapshots and attendance
thumbnails (`BIOMETRIC_COLUMNS`). Everything else (names, groups, sessions, attendance rows) stays
clear text, so reports, people lists and backups work without the passphrase.

Which key applies is decided from the database's state at every call, not from the blob bytes
(a float32 embedding could begin with the magic bytes by chance):
- encryption off (no key check value stored): bytes are stored and returned as they are;
- encryption on and a key known for this file: sealed with AES-GCM, opened strictly;
- encryption on and no key ("locked"): writes and reads of biometric bytes raise
  AccessDeniedError saying how to give the passphrase.

Keyring: an unlocked key is remembered for the database *file*, process-wide, so every
connection the app opens on that file later (worker threads, the gallery loader, the GUI's
background containers) can use it without asking again. An entry only applies while the file
still carries the key check value it was unlocked against: restoring an older backup or
changing the passphrase elsewhere makes it stale, and stale keys are never used to write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from attendance_app.domain.errors import AccessDeniedError, DatabaseError
from attendance_app.storage.biometric_cipher import (CHECK_KEY, ROW_BOUND_KEY, ROW_MAGIC,
                                                     BiometricCipher, is_row_bound, row_context,
                                                     unlock)
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.key_value_repository import KeyValueRepository

PASSPHRASE_ENV = "ATTENDANCE_APP_PASSPHRASE"

# (table, column) of every blob that is biometric data; "table.column#row_id" is the AEAD context.
BIOMETRIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("face_crops", "png"),
    ("face_crops", "context_png"),  # issue 12: the wider, native-resolution face context
    ("templates", "embedding"),
    ("unknown_faces", "snapshot_png"),
    ("attendance_records", "thumbnail_png"),
)

LOCKED_MESSAGE = (
    "the face data in this database is encrypted and no passphrase was given: set the "
    f"{PASSPHRASE_ENV} environment variable or run the command in a terminal to be asked "
    "(the window asks at start-up)")


class _KeyringEntry(NamedTuple):
    cipher: BiometricCipher
    check_value: str  # the file's key check value when it was unlocked


_keyring: dict[str, _KeyringEntry] = {}
_keyring_lock = threading.Lock()


def _file_key(path: Path | str) -> str:
    return str(Path(path).resolve())


def remember_cipher(app_db: AppDatabase, cipher: BiometricCipher) -> None:
    """Use `cipher` for this database file from now on, in every connection of this process."""
    check = KeyValueRepository(app_db).get(CHECK_KEY)
    if check is None:
        raise ValueError("encryption is not enabled for this database: no key to remember")
    with _keyring_lock:
        _keyring[_file_key(app_db.path)] = _KeyringEntry(cipher, check)


def forget_cipher(path: Path | str) -> None:
    """Drop the remembered key of one database file (e.g. when the window closes it)."""
    with _keyring_lock:
        _keyring.pop(_file_key(path), None)


def forget_all_ciphers() -> None:
    """Drop every remembered key (tests; a process that wants to lock everything again)."""
    with _keyring_lock:
        _keyring.clear()


def cipher_for(app_db: AppDatabase) -> BiometricCipher | None:
    """The key remembered for this file while it still matches the file's key check value."""
    with _keyring_lock:
        entry = _keyring.get(_file_key(app_db.path))
    if entry is None:
        return None
    if KeyValueRepository(app_db).get(CHECK_KEY) != entry.check_value:
        return None  # restored from a backup or re-keyed since: this key no longer applies
    return entry.cipher


def unlock_database(app_db: AppDatabase, passphrase: str) -> BiometricCipher:
    """Check `passphrase` against the file (AccessDeniedError when wrong) and remember the key."""
    cipher = unlock(app_db, passphrase)
    remember_cipher(app_db, cipher)
    return cipher


def is_locked(app_db: AppDatabase) -> bool:
    """True when the file's biometric data is encrypted and no key for it is known here."""
    return (KeyValueRepository(app_db).get(CHECK_KEY) is not None
            and cipher_for(app_db) is None)


Blob = bytes | None


class BiometricColumn:
    """Seals and opens the values of one biometric column for a repository.

    `cipher`: a key to use regardless of the keyring (tests, re-keying); None to decide from the
    database's state at each call (see the module docstring).
    """

    def __init__(self, app_db: AppDatabase, table: str, column: str,
                 cipher: BiometricCipher | None = None) -> None:
        if (table, column) not in BIOMETRIC_COLUMNS:
            raise ValueError(f"{table}.{column} is not a biometric column")
        self._app_db = app_db
        self.table, self.column = table, column
        self.context = f"{table}.{column}"
        self._cipher = cipher

    def _current_cipher(self) -> BiometricCipher | None:
        """The key for this call; None when encryption is off. AccessDeniedError when locked."""
        if self._cipher is not None:
            return self._cipher
        cipher = cipher_for(self._app_db)
        if cipher is None and KeyValueRepository(self._app_db).get(CHECK_KEY) is not None:
            raise AccessDeniedError(LOCKED_MESSAGE)
        return cipher

    def seal(self, plaintext: Blob, row_id: int) -> Blob:
        """The value to store for `plaintext` in row `row_id` (None stays None)."""
        return self.sealer()(plaintext, row_id)

    def sealer(self, *, drop_when_locked: bool = False) -> Callable[[Blob, int], Blob]:
        """`seal` with the key chosen once, for writing many values in one go. The key is only
        looked for when a value is present, so rows without images can be written while
        locked. The row id is sealed in: the value decrypts in that row only.

        drop_when_locked: while locked, store None instead of refusing. For attendance
        thumbnails: a record must never be lost for want of its picture.
        """
        chosen: list[BiometricCipher | None] = []

        def seal_one(plaintext: Blob, row_id: int) -> Blob:
            if plaintext is None:
                return None
            if not chosen:
                try:
                    chosen.append(self._current_cipher())
                except AccessDeniedError:
                    if not drop_when_locked:
                        raise
                    return None
            cipher = chosen[0]
            if cipher is None:
                return bytes(plaintext)
            return cipher.encrypt(plaintext, row_context(self.table, self.column, row_id),
                                  ROW_MAGIC)

        return seal_one

    def opener(self, *, withhold_when_locked: bool = False) -> Callable[[Blob, int], Blob]:
        """A function turning a stored value of row `row_id` into plaintext, the key chosen
        once per query and only when a value is present (so a query with no images works
        while locked). DatabaseError for a value sealed for another row, column or key.

        withhold_when_locked: while locked, give None instead of refusing. For rows whose image
        is an extra (attendance records, unknown faces), so reports still list them.
        """
        chosen: list[Callable[[bytes, int], Blob]] = []

        def open_one(blob: Blob, row_id: int) -> Blob:
            if blob is None:
                return None
            if not chosen:
                chosen.append(self._choose_opener(withhold_when_locked))
            return chosen[0](blob, row_id)

        return open_one

    def _choose_opener(self, withhold_when_locked: bool) -> Callable[[bytes, int], Blob]:
        try:
            cipher = self._current_cipher()
        except AccessDeniedError:
            if not withhold_when_locked:
                raise
            return lambda blob, row_id: None
        if cipher is None:
            return lambda blob, row_id: bytes(blob)
        return make_value_opener(self._app_db, cipher, self.table, self.column)


def next_row_id(app_db: AppDatabase, table: str) -> int:
    """The id the next row of `table` gets, for sealing a value before its row exists. Call it
    inside the inserting transaction (the write lock is held, so nobody takes the id first)
    and insert with that explicit id; it is what SQLite would choose (largest id + 1)."""
    if table not in {t for t, _ in BIOMETRIC_COLUMNS}:
        raise ValueError(f"{table} has no biometric column")
    row = app_db.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


def make_value_opener(app_db: AppDatabase, cipher: BiometricCipher, table: str,
                      column: str) -> Callable[[bytes, int], bytes]:
    """Decrypts values of one column: format 2 against its row id; format 1 (no row id) only
    while the file has not been re-sealed yet (`ROW_BOUND_KEY` unset)."""
    legacy_ok = KeyValueRepository(app_db).get(ROW_BOUND_KEY) is None
    legacy_context = f"{table}.{column}"

    def open_value(blob: bytes, row_id: int) -> bytes:
        if is_row_bound(blob):
            return cipher.decrypt(blob, row_context(table, column, row_id))
        if not legacy_ok:
            raise DatabaseError(f"a stored {legacy_context} value (row {row_id}) is in the old "
                                f"format that is not bound to its row: it was put there after "
                                f"the file was re-sealed, so it is refused")
        return cipher.decrypt(blob, legacy_context)

    return open_value
