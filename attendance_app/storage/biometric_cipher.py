"""BiometricCipher: optional encryption at rest of templates, crops and snapshots.

AES-256-GCM (the `cryptography` library) with a key derived from a passphrase by scrypt. Each
blob gets a fresh random 96-bit nonce and is stored as `MAGIC | nonce | ciphertext+tag`; the
row's table, column and row id are bound in as associated data (format 2, `ROW_MAGIC`), so a
blob copied into another column *or another row* (two people's templates swapped) does not
decrypt. Format 1 (`MAGIC`, table and column only) is what databases encrypted before issue 14
hold: it is read until the encryption service re-seals them (at the first unlock), after which
the file refuses it (`ROW_BOUND_KEY`). The salt and a key check value (the encryption of a fixed text) live in the
key-value table, so a wrong passphrase is refused at start-up instead of failing on every read.
The repositories use it through `biometric_columns.BiometricColumn`; converting existing rows
and changing the passphrase live in `services.encryption_service`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from attendance_app.domain.errors import AccessDeniedError, DatabaseError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.key_value_repository import KeyValueRepository

MAGIC = b"AAE1"  # marks an encrypted blob (and its format version): 1 = table.column bound
ROW_MAGIC = b"AAE2"  # format 2: table.column#row_id bound
ROW_BOUND_KEY = "cipher.row_bound"  # "1" once every value of the file is in format 2
NONCE_BYTES = 12
SALT_KEY = "cipher.salt"
CHECK_KEY = "cipher.key_check"
_CHECK_TEXT = b"attendance_app key check"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1


class BiometricCipher:
    """Encrypts and decrypts blobs with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256 key is 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_passphrase(cls, passphrase: str, salt: bytes) -> "BiometricCipher":
        key = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                             p=SCRYPT_P, maxmem=256 * 1024 * 1024, dklen=32)
        return cls(key)

    def encrypt(self, plaintext: bytes, context: str, magic: bytes = MAGIC) -> bytes:
        """`magic | nonce | ciphertext+tag`; `context` (e.g. "face_crops.png#12") is
        authenticated. `magic` says which format the context follows (MAGIC or ROW_MAGIC)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return magic + nonce + self._aead.encrypt(nonce, bytes(plaintext), context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        """The plaintext of `encrypt`. Raises DatabaseError for a blob that is not ours, was
        altered, belongs to another column, or was made with another key."""
        blob = bytes(blob)
        if not is_encrypted(blob) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
            raise DatabaseError(f"a stored {context} value is not encrypted data")
        nonce = blob[len(MAGIC):len(MAGIC) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise DatabaseError(f"a stored {context} value does not decrypt: it was altered or "
                                f"made with another passphrase") from exc


def is_encrypted(blob: bytes | None) -> bool:
    return blob is not None and bytes(blob[:len(MAGIC)]) in (MAGIC, ROW_MAGIC)


def is_row_bound(blob: bytes | None) -> bool:
    """True for a format-2 blob (its row id is authenticated)."""
    return blob is not None and bytes(blob[:len(ROW_MAGIC)]) == ROW_MAGIC


def row_context(table: str, column: str, row_id: int) -> str:
    """The associated data of a format-2 value: which table, column and row it belongs to."""
    return f"{table}.{column}#{int(row_id)}"


def is_encryption_enabled(app_db: AppDatabase) -> bool:
    return KeyValueRepository(app_db).get(CHECK_KEY) is not None


def enable_encryption(app_db: AppDatabase, passphrase: str) -> BiometricCipher:
    """Create the salt and key check value for `passphrase` (refused when already enabled).
    Existing plaintext blobs are not converted here."""
    kv = KeyValueRepository(app_db)
    if kv.get(CHECK_KEY) is not None:
        raise DatabaseError("encryption at rest is already enabled for this database")
    return store_new_key(app_db, passphrase)


def store_new_key(app_db: AppDatabase, passphrase: str) -> BiometricCipher:
    """Derive a key for `passphrase` with a fresh salt and store its salt and key check value,
    replacing any earlier ones (re-keying: the caller re-encrypts the blobs in the same
    transaction, or they become unreadable)."""
    kv = KeyValueRepository(app_db)
    salt = secrets.token_bytes(16)
    cipher = BiometricCipher.from_passphrase(passphrase, salt)
    with app_db.transaction():
        kv.set(SALT_KEY, base64.b64encode(salt).decode("ascii"))
        kv.set(CHECK_KEY, base64.b64encode(cipher.encrypt(_CHECK_TEXT, CHECK_KEY)).decode())
        # The caller (re-)seals every value in format 2 in this transaction.
        kv.set(ROW_BOUND_KEY, "1")
    return cipher


def unlock(app_db: AppDatabase, passphrase: str) -> BiometricCipher:
    """The cipher for a database with encryption enabled; AccessDeniedError for a wrong
    passphrase (checked against the stored key check value, nothing else is read)."""
    kv = KeyValueRepository(app_db)
    salt, check = kv.get(SALT_KEY), kv.get(CHECK_KEY)
    if salt is None or check is None:
        raise DatabaseError("encryption at rest is not enabled for this database")
    cipher = BiometricCipher.from_passphrase(passphrase, base64.b64decode(salt))
    try:
        if cipher.decrypt(base64.b64decode(check), CHECK_KEY) != _CHECK_TEXT:
            raise AccessDeniedError("wrong passphrase for the encrypted biometric data")
    except DatabaseError as exc:
        raise AccessDeniedError("wrong passphrase for the encrypted biometric data") from exc
    return cipher
