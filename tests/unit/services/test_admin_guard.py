"""The administrator password: scrypt hash only, right/wrong/missing, persisted slow-down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_app.domain.errors import AccessDeniedError, ValidationError
from attendance_app.services.admin_guard import (
    FAILURES_KEY,
    PASSWORD_KEY,
    AdminGuard,
    hash_password,
    lockout_seconds,
    verify_password,
)
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.key_value_repository import KeyValueRepository

PASSWORD = "correct horse battery"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app_db(tmp_path: Path) -> Iterator[AppDatabase]:
    database = open_database(tmp_path / "data" / "attendance.db")
    yield database
    database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def guard(app_db: AppDatabase, clock: FakeClock) -> AdminGuard:
    guard = AdminGuard(app_db, clock=clock)
    guard.set_password(PASSWORD)
    return guard


def _never_asked() -> str:
    raise AssertionError("the password must not be asked for")


def test_without_a_password_everything_is_allowed_without_asking(app_db: AppDatabase) -> None:
    AdminGuard(app_db).require(_never_asked)


def test_the_right_password_is_accepted(guard: AdminGuard) -> None:
    guard.require(lambda: PASSWORD)


@pytest.mark.parametrize("given", ["wrong password", "", None, PASSWORD.upper(), PASSWORD + " "])
def test_a_wrong_or_missing_password_is_refused(guard: AdminGuard, given: str | None) -> None:
    with pytest.raises(AccessDeniedError):
        guard.require(lambda: given)


def test_the_password_is_stored_only_as_a_salted_scrypt_hash(guard: AdminGuard,
                                                             app_db: AppDatabase) -> None:
    stored = KeyValueRepository(app_db).get(PASSWORD_KEY)
    assert stored is not None and stored.startswith("scrypt$")
    assert PASSWORD not in stored
    raw = app_db.path.read_bytes() + Path(f"{app_db.path}-wal").read_bytes()
    assert PASSWORD.encode() not in raw


def test_the_same_password_hashes_differently_each_time_because_of_the_salt() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$x$y", "scrypt$x$8$1$AAAA$AAAA",
                                    "scrypt$16384$8$1$!!$AAAA"])
def test_a_garbled_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_password(PASSWORD, stored)


def test_a_password_shorter_than_eight_characters_is_refused(app_db: AppDatabase) -> None:
    with pytest.raises(ValidationError):
        AdminGuard(app_db).set_password("short")
    assert not AdminGuard(app_db).is_set


def test_clearing_the_password_unprotects_everything(guard: AdminGuard) -> None:
    assert guard.clear_password() is True
    guard.require(_never_asked)
    assert guard.clear_password() is False


def test_the_first_two_wrong_passwords_cost_no_waiting(guard: AdminGuard) -> None:
    for _ in range(2):
        with pytest.raises(AccessDeniedError):
            guard.require(lambda: "nope nope")
    assert guard.seconds_locked() == 0
    guard.require(lambda: PASSWORD)


def test_repeated_wrong_passwords_lock_out_for_growing_pauses(guard: AdminGuard,
                                                              clock: FakeClock) -> None:
    pauses = []
    for _ in range(5):
        with pytest.raises(AccessDeniedError):
            guard.require(lambda: "nope nope")
        pauses.append(guard.seconds_locked())
        clock.now += pauses[-1]  # wait out the pause before the next guess
    assert pauses == [0, 0, 2, 4, 8]


def test_during_a_lockout_even_the_right_password_is_refused_without_asking(
        guard: AdminGuard, clock: FakeClock) -> None:
    for _ in range(3):
        with pytest.raises(AccessDeniedError):
            guard.require(lambda: "nope nope")
    with pytest.raises(AccessDeniedError, match="try again in 2 s"):
        guard.require(_never_asked)
    clock.now += 2
    guard.require(lambda: PASSWORD)


def test_the_failure_count_survives_a_restart_and_resets_after_success(
        guard: AdminGuard, app_db: AppDatabase, clock: FakeClock) -> None:
    for _ in range(3):
        with pytest.raises(AccessDeniedError):
            guard.require(lambda: "nope nope")
    restarted = AdminGuard(open_database(app_db.path), clock=clock)
    assert restarted.failures().count == 3
    assert restarted.seconds_locked() == 2
    clock.now += 2
    restarted.require(lambda: PASSWORD)
    assert KeyValueRepository(app_db).get(FAILURES_KEY) is None


def test_lockouts_are_capped_at_five_minutes() -> None:
    assert lockout_seconds(2) == 0
    assert lockout_seconds(3) == 2
    assert lockout_seconds(100) == 300


def test_two_processes_guessing_at_once_cannot_both_get_a_free_attempt(
        guard: AdminGuard, app_db: AppDatabase, clock: FakeClock) -> None:
    """Issue 14 item 5: check, verify and count are one transaction. While this process waits
    for its password (a dialog), another process uses up the free attempts; this attempt must
    then meet the lockout instead of being verified."""
    other_db = app_db.reopen()  # a second connection: another process on the same file
    other = AdminGuard(other_db, clock=clock)

    def provider() -> str:
        for guess in ("wrong-1", "wrong-2", "wrong-3"):
            with pytest.raises(AccessDeniedError):
                other.require(lambda g=guess: g)
        return PASSWORD  # even the right password: a lockout is in force now

    try:
        with pytest.raises(AccessDeniedError, match="try again"):
            guard.require(provider)
        assert guard.failures().count == 3  # the lockout was not reset by a verified guess
    finally:
        other_db.close()
