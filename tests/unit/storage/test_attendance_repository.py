"""AttendanceRepository: idempotent records, corrections, queries, and deleted people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from attendance_app.domain.attendance import (
    AttendanceRecord,
    AttendanceStatus,
    Correction,
    RecordSource,
)
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from storage_factories import T0, fake_png

P = AttendanceStatus.PRESENT


@pytest.fixture
def records(app_db: AppDatabase) -> AttendanceRepository:
    return AttendanceRepository(app_db)


def _session(app_db: AppDatabase, start=T0, group: str | None = "7B", name="Math") -> Session:
    return SessionRepository(app_db).create(Session(None, name, start, roster_group=group))


def test_a_record_round_trips_with_the_persons_details_copied(app_db: AppDatabase,
                                                              records: AttendanceRepository
                                                              ) -> None:
    ada = PeopleRepository(app_db).add("Ada", external_id="S1", group="7B")
    s = _session(app_db)
    stored = records.add(AttendanceRecord(s.id, ada.id, AttendanceStatus.LATE, T0, 0.91,
                                          RecordSource.RECOGNIZED, thumbnail_png=fake_png(1)))
    assert stored.id is not None
    assert (stored.status, stored.time, stored.similarity, stored.source) == (
        AttendanceStatus.LATE, T0, 0.91, RecordSource.RECOGNIZED)
    assert (stored.person_name, stored.external_id, stored.group) == ("Ada", "S1", "7B")
    assert stored.thumbnail_png == fake_png(1)
    assert records.get(stored.id) == stored


def test_a_second_record_for_the_same_person_and_session_returns_the_first(
        app_db: AppDatabase, records: AttendanceRepository) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    s = _session(app_db)
    first, created = records.add_or_get(AttendanceRecord(s.id, ada.id, P, T0, 0.9))
    again, created_again = records.add_or_get(
        AttendanceRecord(s.id, ada.id, AttendanceStatus.LATE, T0 + timedelta(minutes=20), 0.95))
    assert created and not created_again
    assert again == first
    assert len(records.list_for_session(s.id)) == 1
    assert records.recorded_person_ids(s.id) == {ada.id}


def test_records_need_an_existing_session_and_person(app_db: AppDatabase,
                                                     records: AttendanceRepository) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    s = _session(app_db)
    with pytest.raises(NotFoundError):
        records.add(AttendanceRecord(s.id + 1, ada.id, P, T0))
    with pytest.raises(NotFoundError):
        records.add(AttendanceRecord(s.id, ada.id + 1, P, T0))


def test_corrections_are_appended_in_order_and_never_replace_the_original(
        app_db: AppDatabase, records: AttendanceRepository) -> None:
    li = PeopleRepository(app_db).add("Li")
    s = _session(app_db)
    rec = records.add(AttendanceRecord(s.id, li.id, AttendanceStatus.ABSENT, T0,
                                       source=RecordSource.SESSION_CLOSE))
    c1 = records.add_correction(Correction(rec.id, "excuse", AttendanceStatus.EXCUSED,
                                           "teacher", T0 + timedelta(hours=1), "doctor's note"))
    records.add_correction(Correction(rec.id, "undo", None, "head", T0 + timedelta(hours=2)))
    assert c1.id is not None and c1.reason == "doctor's note"
    stored = records.list_for_session(s.id)[0]
    assert [c.action for c in stored.corrections] == ["excuse", "undo"]
    assert stored.corrections[0] == c1
    assert stored.status is AttendanceStatus.ABSENT
    assert stored.effective_status is AttendanceStatus.ABSENT
    records.add_correction(Correction(rec.id, "mark_present", P, "teacher", T0))
    assert records.get(rec.id).effective_status is P


def test_malformed_corrections_are_refused(app_db: AppDatabase,
                                           records: AttendanceRepository) -> None:
    li = PeopleRepository(app_db).add("Li")
    rec = records.add(AttendanceRecord(_session(app_db).id, li.id, P, T0))
    with pytest.raises(ValidationError):
        records.add_correction(Correction(rec.id, "delete", None, "t", T0))
    with pytest.raises(ValidationError):
        records.add_correction(Correction(rec.id, "excuse", None, "t", T0))
    with pytest.raises(NotFoundError):
        records.add_correction(Correction(rec.id + 1, "excuse", AttendanceStatus.EXCUSED, "t", T0))


def test_records_are_listed_per_person_and_per_group_within_a_range(
        app_db: AppDatabase, records: AttendanceRepository) -> None:
    people = PeopleRepository(app_db)
    ada, bob = people.add("Ada", group="7B"), people.add("Bob", group="7C")
    days = [_session(app_db, T0 + timedelta(days=d), group="7B") for d in range(3)]
    club = _session(app_db, T0 + timedelta(hours=5), group=None, name="Club")
    for s in days:
        records.add(AttendanceRecord(s.id, ada.id, P, s.started_at))
    records.add(AttendanceRecord(days[1].id, bob.id, AttendanceStatus.PRESENT_NOT_ON_ROSTER,
                                 days[1].started_at))
    records.add(AttendanceRecord(club.id, ada.id, P, club.started_at))
    records.add(AttendanceRecord(club.id, bob.id, P, club.started_at))
    ada_range = records.list_for_person(ada.id, T0, T0 + timedelta(days=2))
    assert [r.session_id for r in ada_range] == [days[0].id, club.id, days[1].id]
    assert len(records.list_for_person(ada.id)) == 4
    group = records.list_for_group("7B", T0, T0 + timedelta(days=2))
    # 7B's sessions (with visitor Bob) plus Ada's club visit; not Bob's club visit
    assert [(r.person_name, r.session_id) for r in group] == [
        ("Ada", days[0].id), ("Ada", club.id), ("Ada", days[1].id), ("Bob", days[1].id)]


def test_a_deleted_persons_records_stay_under_their_name_without_the_thumbnail(
        app_db: AppDatabase, records: AttendanceRepository) -> None:
    people = PeopleRepository(app_db)
    grace = people.add("Grace", external_id="S9", group="7B")
    s = _session(app_db)
    rec = records.add(AttendanceRecord(s.id, grace.id, P, T0, 0.9, thumbnail_png=fake_png(3)))
    people.delete(grace.id)
    kept = records.get(rec.id)
    assert kept.person_id is None
    assert (kept.person_name, kept.external_id, kept.group) == ("Grace", "S9", "7B")
    assert kept.thumbnail_png is None and kept.status is P


def test_thumbnails_expire_but_records_stay(app_db: AppDatabase,
                                            records: AttendanceRepository) -> None:
    people = PeopleRepository(app_db)
    old_s, new_s = _session(app_db, T0), _session(app_db, T0 + timedelta(days=40))
    ada = people.add("Ada")
    old = records.add(AttendanceRecord(old_s.id, ada.id, P, T0, thumbnail_png=fake_png(1)))
    new = records.add(AttendanceRecord(new_s.id, ada.id, P, new_s.started_at,
                                       thumbnail_png=fake_png(2)))
    assert records.clear_thumbnails_before(T0 + timedelta(days=30)) == 1
    assert records.get(old.id).thumbnail_png is None
    assert records.get(new.id).thumbnail_png == fake_png(2)
