"""The administrator password: an scrypt hash in the database, and a guard for sensitive actions.

Enrolling, deleting, exporting, training/activating models and changing settings call
`require_admin(services, password_provider)` first; taking attendance does not. Nothing happens
while no password is set. The password is never stored: only `scrypt$N$r$p$salt$hash` (base64)
in the key-value table. Wrong passwords are counted in the same table with the time of the last
failure; from the third failure in a row every attempt is refused for an exponentially growing
pause (2 s, 4 s, ... up to 5 min). Because the count lives in the database, starting a new
process does not reset it, and an attempt made during the pause is refused without checking
the password, so guessing in parallel gains nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance_app.domain.errors import AccessDeniedError, ValidationError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.key_value_repository import KeyValueRepository

if TYPE_CHECKING:
    from attendance_app.services.app_services import AppServices

PASSWORD_KEY = "admin.password_hash"
FAILURES_KEY = "admin.failures"  # "<count> <unix time of the last failure>"
MIN_PASSWORD_LENGTH = 8
FREE_ATTEMPTS = 2
MAX_LOCKOUT_S = 300.0
# scrypt cost: 16 MiB and ~50 ms per check on a laptop; stored with the hash so it can grow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1

PasswordProvider = Callable[[], "str | None"]


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` for `password` with a fresh 16-byte random salt, at the current
    cost (SCRYPT_N/R/P, read at call time); verification uses the cost stored with the hash."""
    salt = secrets.token_bytes(16) if salt is None else salt
    n, r, p = SCRYPT_N, SCRYPT_R, SCRYPT_P
    digest = _scrypt(password, salt, n, r, p)
    return "$".join(["scrypt", str(n), str(r), str(p), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches a hash made by `hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def lockout_seconds(failures: int) -> float:
    """How long attempts are refused after `failures` wrong passwords in a row."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS), MAX_LOCKOUT_S)


@dataclass(frozen=True)
class FailureState:
    count: int = 0
    last_at: float = 0.0


class AdminGuard:
    """Sets, clears and checks the administrator password of one database."""

    def __init__(self, app_db: AppDatabase, clock: Callable[[], float] = time.time) -> None:
        self._app_db = app_db
        self._kv = KeyValueRepository(app_db)
        self._clock = clock

    @property
    def is_set(self) -> bool:
        return self._kv.get(PASSWORD_KEY) is not None

    def set_password(self, new_password: str) -> None:
        """Store the hash of `new_password` (ValidationError when shorter than 8 characters)."""
        if len(new_password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"the administrator password needs at least "
                                  f"{MIN_PASSWORD_LENGTH} characters")
        stored = hash_password(new_password)
        with self._app_db.transaction():
            self._kv.set(PASSWORD_KEY, stored)
            self._kv.delete(FAILURES_KEY)

    def clear_password(self) -> bool:
        """Remove the password (nothing is protected afterwards); True when one was set."""
        with self._app_db.transaction():
            self._kv.delete(FAILURES_KEY)
            return self._kv.delete(PASSWORD_KEY)

    def failures(self) -> FailureState:
        raw = self._kv.get(FAILURES_KEY)
        if not raw:
            return FailureState()
        try:
            count, last_at = raw.split()
            return FailureState(int(count), float(last_at))
        except ValueError:
            return FailureState()

    def seconds_locked(self) -> float:
        """Seconds until the next attempt is accepted (0 when it is accepted now)."""
        state = self.failures()
        wait = lockout_seconds(state.count) - (self._clock() - state.last_at)
        return max(0.0, wait)

    def require(self, password_provider: PasswordProvider) -> None:
        """Return when no password is set or the provided one is right; otherwise raise
        AccessDeniedError (missing, wrong, or asked again too soon after repeated failures).

        The pause is checked before asking (no dialog during a lockout) and checked again,
        with the verification and the failure count, in one write transaction (BEGIN
        IMMEDIATE): two processes guessing at once are serialised, so the second sees the
        first one's failure and its pause instead of a free attempt."""
        if self._kv.get(PASSWORD_KEY) is None:
            return
        self._refuse_while_locked()
        password = password_provider()
        if not password:
            raise AccessDeniedError("this action needs the administrator password")
        with self._app_db.transaction():
            stored = self._kv.get(PASSWORD_KEY)
            if stored is None:
                return  # cleared meanwhile: nothing is protected any more
            self._refuse_while_locked()
            if verify_password(password, stored):
                if self.failures().count:
                    self._kv.delete(FAILURES_KEY)
                return
            count = self.failures().count + 1
            self._kv.set(FAILURES_KEY, f"{count} {self._clock():.3f}")
        pause = lockout_seconds(count)
        after = f"; the next attempt is possible in {pause:.0f} s" if pause else ""
        raise AccessDeniedError(f"wrong administrator password{after}")

    def _refuse_while_locked(self) -> None:
        locked = self.seconds_locked()
        if locked > 0:
            raise AccessDeniedError(
                f"too many wrong administrator passwords: try again in {locked:.0f} s")


def require_admin(services: "AppServices", password_provider: PasswordProvider) -> None:
    """The guard for sensitive use-cases: see `AdminGuard.require`."""
    AdminGuard(services.db).require(password_provider)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
