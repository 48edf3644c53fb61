"""SessionRepository: round trip, lookup by name and day, closing, ranges."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.session_repository import SessionRepository
from storage_factories import T0


@pytest.fixture
def sessions(app_db: AppDatabase) -> SessionRepository:
    return SessionRepository(app_db)


def _math(start: datetime = T0, name: str = "Math 101") -> Session:
    return Session(None, name, start, roster_group="Class 7B",
                   late_after=start + timedelta(minutes=10),
                   planned_end=start + timedelta(minutes=90))


def test_a_session_round_trips_with_every_time(sessions: SessionRepository) -> None:
    created = sessions.create(_math())
    assert created.id is not None
    assert created == Session(created.id, "Math 101", T0, "Class 7B", T0 + timedelta(minutes=10),
                              T0 + timedelta(minutes=90))
    assert sessions.get(created.id) == created
    with pytest.raises(NotFoundError):
        sessions.get(created.id + 1)


def test_sessions_are_found_by_name_and_day_latest_first(sessions: SessionRepository) -> None:
    morning = sessions.create(_math(T0))
    afternoon = sessions.create(_math(T0.replace(hour=14)))
    sessions.create(_math(T0 + timedelta(days=1)))
    sessions.create(_math(T0, name="Physics"))
    assert [s.id for s in sessions.find("math 101", date(2026, 11, 26))] == [afternoon.id,
                                                                             morning.id]
    assert sessions.find("Math 101", date(2026, 11, 25)) == []


def test_closing_records_the_end_once_and_refuses_an_end_before_the_start(
        sessions: SessionRepository) -> None:
    s = sessions.create(_math())
    assert [o.id for o in sessions.open_sessions()] == [s.id]
    with pytest.raises(ValidationError):
        sessions.close(s.id, T0 - timedelta(minutes=1))
    closed = sessions.close(s.id, T0 + timedelta(hours=1))
    assert closed.ended_at == T0 + timedelta(hours=1) and not closed.is_open
    assert sessions.close(s.id, T0 + timedelta(hours=2)).ended_at == T0 + timedelta(hours=1)
    assert sessions.open_sessions() == []


def test_listing_a_range_includes_the_start_and_excludes_the_end(
        sessions: SessionRepository) -> None:
    ids = [sessions.create(_math(T0 + timedelta(days=d))).id for d in range(4)]
    sessions.create(Session(None, "Club", T0 + timedelta(days=1), roster_group="7C"))
    in_range = sessions.list_in_range(date(2026, 11, 27), date(2026, 11, 29))
    assert [s.id for s in in_range if s.name == "Math 101"] == ids[1:3]
    assert len(in_range) == 3
    assert [s.id for s in sessions.list_in_range(T0, T0 + timedelta(days=9),
                                                 roster_group="Class 7B")] == ids
