"""AttendanceService and SessionRun over a real SQLite file: the attendance policy applied and
stored, a refused write kept in memory and retried, corrections appended, resumption."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from attendance_app.config import Settings
from attendance_app.domain.attendance import AttendanceStatus
from attendance_app.domain.errors import DatabaseError, NotFoundError, ValidationError
from attendance_app.services.attendance_service import AttendanceService
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository

T0 = datetime(2026, 11, 26, 9, 0, 0)
CROP = np.full((160, 160, 3), 120, np.uint8)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(tmp_path: Path):
    db = open_database(tmp_path / "attendance.db")
    people = PeopleRepository(db)
    ada = people.add("Ada", group="7B", external_id="S1")
    bob = people.add("Bob", group="7B")
    eve = people.add("Eve", group="8A")
    clock = Clock()
    service = AttendanceService(db, people, Settings(late_after_minutes=10), clock=clock)
    yield db, service, clock, ada, bob, eve
    db.close()


def test_first_sighting_is_recorded_once_later_ones_are_not_and_late_after_the_limit(env) -> None:
    db, service, clock, ada, bob, eve = env
    run = service.start_session("Math 101", "7B")
    clock.now = T0 + timedelta(minutes=2)
    first = run.on_sighting(ada.id, 0.8, CROP)
    assert first is not None and first.status is AttendanceStatus.PRESENT
    assert first.thumbnail_png is not None and first.person_name == "Ada"
    assert run.on_sighting(ada.id, 0.9, CROP) is None
    clock.now = T0 + timedelta(minutes=15)
    assert run.on_sighting(bob.id, 0.7).status is AttendanceStatus.LATE
    assert run.on_sighting(eve.id, 0.7).status is AttendanceStatus.PRESENT_NOT_ON_ROSTER
    assert len(AttendanceRepository(db).list_for_session(run.session.id)) == 3


def test_closing_records_absentees_and_ends_the_session(env) -> None:
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    run.on_sighting(ada.id, 0.8)
    clock.now = T0 + timedelta(minutes=50)
    absent = run.close()
    assert [(r.person_name, r.status) for r in absent] == [("Bob", AttendanceStatus.ABSENT)]
    assert run.session.ended_at == clock.now
    assert run.summary()["present"] == 1 and run.summary()["absent"] == 1
    assert run.on_sighting(bob.id, 0.9) is None  # a sighting racing the close adds nothing


def test_a_refused_write_is_kept_in_memory_and_written_on_the_next_event(env, monkeypatch) -> None:
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    real_add = AttendanceRepository.add_or_get
    failures = {"left": 1}

    def flaky(self, record):
        if failures["left"]:
            failures["left"] -= 1
            raise DatabaseError("disk full (simulated)")
        return real_add(self, record)

    monkeypatch.setattr(AttendanceRepository, "add_or_get", flaky)
    assert run.on_sighting(ada.id, 0.8) is None
    assert len(run.pending) == 1 and "disk full" in run.last_error
    run.on_sighting(bob.id, 0.8)  # the next event flushes the held record first
    assert run.pending == [] and run.last_error is None
    names = sorted(r.person_name for r in AttendanceRepository(db).list_for_session(run.session.id))
    assert names == ["Ada", "Bob"]


def test_close_refuses_to_end_the_session_while_records_cannot_be_written(env, monkeypatch) -> None:
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")

    def always_fails(self, record):
        raise DatabaseError("database is locked (simulated)")

    monkeypatch.setattr(AttendanceRepository, "add_or_get", always_fails)
    with pytest.raises(DatabaseError, match="kept in memory"):
        run.close()
    assert run.session.ended_at is None and len(run.pending) == 2


def test_an_unknown_roster_is_refused_with_the_groups_that_exist(env) -> None:
    _, service, *_ = env
    with pytest.raises(NotFoundError, match="7B"):
        service.start_session("Math 101", "Class 9Z")


def test_corrections_are_appended_with_who_and_why_and_can_be_undone(env) -> None:
    _, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    run.on_sighting(ada.id, 0.8)
    (bob_absent,) = run.close()
    excused = service.correct(bob_absent.id, "excuse", by="Ms Smith", reason="doctor's note")
    assert excused.status is AttendanceStatus.ABSENT  # the original stays
    assert excused.effective_status is AttendanceStatus.EXCUSED
    assert excused.corrections[-1].by == "Ms Smith"
    undone = service.correct(bob_absent.id, "undo", by="Ms Smith")
    assert undone.effective_status is AttendanceStatus.ABSENT
    with pytest.raises(ValidationError):
        service.correct(bob_absent.id, "undo", by="Ms Smith")


def test_a_resumed_session_does_not_record_anyone_twice(env) -> None:
    _, service, clock, ada, *_ = env
    run = service.start_session("Math 101", "7B")
    run.on_sighting(ada.id, 0.8)
    resumed = service.resume_session(run.session.id)  # e.g. after a crash
    assert resumed.on_sighting(ada.id, 0.9) is None
