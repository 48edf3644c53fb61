"""Retention: snapshots and thumbnails older than the settings' periods go, newer ones stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from attendance_app.config import Settings
from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.session import Session
from attendance_app.services.retention_service import RetentionResult, apply_retention
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository

NOW = datetime(2026, 11, 30, 12, 0)
SETTINGS = Settings(unknown_snapshot_retention_days=7, thumbnail_retention_days=30)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[AppDatabase]:
    with open_database(tmp_path / "attendance.db") as database:
        yield database


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _add_unknown(db: AppDatabase, created_days_ago: float) -> int:
    created = _days_ago(created_days_ago)
    return UnknownFaceRepository(db).add(created, b"\x89PNG snapshot", created_at=created).id


def _add_record(db: AppDatabase, taken_days_ago: float) -> int:
    when = _days_ago(taken_days_ago)
    person = PeopleRepository(db).add(f"Person {taken_days_ago}")
    session = SessionRepository(db).create(Session(None, "Math", when))
    return AttendanceRepository(db).add(AttendanceRecord(
        session.id, person.id, AttendanceStatus.PRESENT, when, 0.9,
        thumbnail_png=b"\x89PNG thumb")).id


def test_unknown_faces_older_than_the_snapshot_period_are_deleted_and_newer_ones_kept(
        db: AppDatabase) -> None:
    old, edge, fresh = _add_unknown(db, 8), _add_unknown(db, 7), _add_unknown(db, 6.9)
    result = apply_retention(db, SETTINGS, NOW)
    assert result.unknown_faces_deleted == 1
    remaining = {f.id for f in UnknownFaceRepository(db).list_pending()}
    assert remaining == {edge, fresh}  # exactly 7 days old is not yet "older than 7 days"
    assert old not in remaining


def test_old_thumbnails_are_erased_but_their_attendance_records_stay(db: AppDatabase) -> None:
    old, fresh = _add_record(db, 31), _add_record(db, 29)
    result = apply_retention(db, SETTINGS, NOW)
    records = AttendanceRepository(db)
    assert result.thumbnails_cleared == 1
    assert records.get(old).thumbnail_png is None
    assert records.get(old).status is AttendanceStatus.PRESENT
    assert records.get(fresh).thumbnail_png == b"\x89PNG thumb"


def test_a_second_pass_at_the_same_time_removes_nothing_more(db: AppDatabase) -> None:
    _add_unknown(db, 10)
    _add_record(db, 40)
    assert apply_retention(db, SETTINGS, NOW) == RetentionResult(1, 1)
    assert apply_retention(db, SETTINGS, NOW) == RetentionResult(0, 0)


def test_a_negative_period_is_refused_before_anything_is_deleted(db: AppDatabase) -> None:
    face = _add_unknown(db, 10)
    with pytest.raises(ValidationError, match="attendance thumbnails"):
        apply_retention(db, SETTINGS.with_changes(thumbnail_retention_days=-1), NOW)
    assert UnknownFaceRepository(db).get(face).snapshot_png is not None
