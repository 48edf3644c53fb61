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
    service = AttendanceService(db, people, Settings(late_after_minutes=10), clock=clock,
                                retry_interval_s=0.0)
    yield db, service, clock, ada, bob, eve
    db.close()


def test_first_sighting_is_recorded_once_later_ones_are_not_and_late_after_the_limit(env) -> None:
    db, service, clock, ada, bob, eve = env
    run = service.start_session("Math 101", "7B")
    clock.now = T0 + timedelta(minutes=2)
    (first,) = run.on_sighting(ada.id, 0.8, CROP)
    assert first.status is AttendanceStatus.PRESENT
    assert first.thumbnail_png is not None and first.person_name == "Ada"
    assert run.on_sighting(ada.id, 0.9, CROP) == []
    clock.now = T0 + timedelta(minutes=15)
    assert run.on_sighting(bob.id, 0.7)[0].status is AttendanceStatus.LATE
    assert run.on_sighting(eve.id, 0.7)[0].status is AttendanceStatus.PRESENT_NOT_ON_ROSTER
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
    assert run.on_sighting(bob.id, 0.9) == []  # a sighting racing the close adds nothing


def test_a_refused_write_is_kept_in_memory_and_written_on_the_next_event(env, monkeypatch) -> None:
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    _refuse_the_next_write(monkeypatch, "disk full (simulated)")
    assert run.on_sighting(ada.id, 0.8) == []
    assert len(run.pending) == 1 and "disk full" in run.last_error
    written = run.on_sighting(bob.id, 0.8)  # the next event flushes the held record first
    assert [r.person_name for r in written] == ["Ada", "Bob"]  # both reach the caller
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
    run.detach()  # what a crash does to the session's lock
    resumed = service.resume_session(run.session.id)
    assert resumed.on_sighting(ada.id, 0.9) == []


def test_a_record_written_on_retry_reaches_the_caller_exactly_once(env, monkeypatch) -> None:
    # Issue 14 item 4: the held record used to be committed by a later event and never returned.
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    _refuse_the_next_write(monkeypatch, "database is locked (simulated)")
    shown = list(run.on_sighting(ada.id, 0.8))
    shown += run.on_sighting(ada.id, 0.9)  # Ada again: no new decision, the held one is retried
    shown += run.on_sightings([])
    shown += run.close(T0 + timedelta(minutes=50))
    stored = AttendanceRepository(db).list_for_session(run.session.id)
    assert sorted(r.id for r in shown) == sorted(r.id for r in stored)
    assert len(shown) == len(stored) == 2  # Ada present, Bob absent: each shown once


def test_a_live_write_does_not_wait_five_seconds_behind_another_writer(env, tmp_path) -> None:
    # Issue 14 item 7: the window writes on its GUI thread; a CLI writer used to freeze it 5 s.
    import sqlite3
    import time

    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        started = time.perf_counter()
        assert run.on_sighting(ada.id, 0.8) == []
        waited = time.perf_counter() - started
        assert len(run.pending) == 1 and "locked" in run.last_error
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert waited < 1.0  # the 5 s busy timeout would be >= 5
    (record,) = run.on_sightings([])  # the next frame retries it
    assert record.person_name == "Ada" and run.pending == []


def test_an_interrupted_session_is_found_and_closed_with_its_absentees(env) -> None:
    # Issue 14 item 3: a session left open by a crash is resumed or closed at the next start.
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    clock.now = T0 + timedelta(minutes=3)
    run.on_sighting(ada.id, 0.8)
    assert service.interrupted_sessions() == []  # still running here: not interrupted
    run.detach()  # the process died: the OS released its lock
    (interrupted,) = service.interrupted_sessions()
    clock.now = T0 + timedelta(days=1)
    absent = service.close_interrupted(interrupted.id)
    assert [(r.person_name, r.status) for r in absent] == [("Bob", AttendanceStatus.ABSENT)]
    closed = service._sessions.get(interrupted.id)
    assert closed.ended_at == T0 + timedelta(minutes=3)  # its last record, not a day later
    assert service.interrupted_sessions() == []


def test_the_same_name_on_the_same_day_resumes_an_interrupted_session(env) -> None:
    db, service, clock, ada, bob, _ = env
    run = service.start_session("Math 101", "7B")
    run.on_sighting(ada.id, 0.8)
    with pytest.raises(ValidationError, match="another window"):
        service.resume_session(run.session.id)  # running here: refused, not doubled
    again, resumed = service.start_or_resume("Math 101", "7B")  # running: a new session
    assert not resumed and again.session.id != run.session.id
    again.close()
    run.detach()
    resumed_run, resumed = service.start_or_resume("math 101", "7B")
    assert resumed and resumed_run.session.id == run.session.id
    assert resumed_run.on_sighting(ada.id, 0.9) == []  # no duplicate record
    clock.now = T0 + timedelta(days=1)
    _, resumed = service.start_or_resume("Math 101", "7B")  # another day: a new session
    assert not resumed


def _refuse_the_next_write(monkeypatch, message: str) -> None:
    """The next record write fails with DatabaseError(message); later ones go through."""
    real_add = AttendanceRepository.add_or_get
    failures = {"left": 1}

    def flaky(self, record):
        if failures["left"]:
            failures["left"] -= 1
            raise DatabaseError(message)
        return real_add(self, record)

    monkeypatch.setattr(AttendanceRepository, "add_or_get", flaky)
