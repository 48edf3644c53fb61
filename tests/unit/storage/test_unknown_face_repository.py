"""UnknownFaceRepository: pending review, dismiss/enrol erase the snapshot, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from attendance_app.domain.errors import NotFoundError
from attendance_app.domain.session import Session
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from storage_factories import T0, fake_png


@pytest.fixture
def unknowns(app_db: AppDatabase) -> UnknownFaceRepository:
    return UnknownFaceRepository(app_db)


def test_an_unknown_face_round_trips_as_pending(app_db: AppDatabase,
                                                unknowns: UnknownFaceRepository) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    s = SessionRepository(app_db).create(Session(None, "Math", T0))
    face = unknowns.add(T0, fake_png(1), session_id=s.id, best_person_id=ada.id,
                        best_similarity=0.41, created_at=T0)
    assert unknowns.get(face.id) == face
    assert (face.status, face.snapshot_png, face.best_similarity) == ("pending", fake_png(1),
                                                                      0.41)
    assert [f.id for f in unknowns.list_pending()] == [face.id]
    assert [f.id for f in unknowns.list_pending(session_id=s.id)] == [face.id]
    with pytest.raises(NotFoundError):
        unknowns.add(T0, None, session_id=s.id + 1)


def test_reviewing_a_face_takes_it_off_the_pending_list_and_erases_the_snapshot(
        app_db: AppDatabase, unknowns: UnknownFaceRepository) -> None:
    ada = PeopleRepository(app_db).add("Ada")
    dismissed = unknowns.add(T0, fake_png(1))
    enrolled = unknowns.add(T0, fake_png(2))
    waiting = unknowns.add(T0, fake_png(3))
    assert unknowns.dismiss(dismissed.id).status == "dismissed"
    marked = unknowns.mark_enrolled(enrolled.id, ada.id)
    assert (marked.status, marked.enrolled_person_id, marked.snapshot_png) == ("enrolled",
                                                                               ada.id, None)
    assert unknowns.get(dismissed.id).snapshot_png is None
    assert [f.id for f in unknowns.list_pending()] == [waiting.id]
    with pytest.raises(NotFoundError):
        unknowns.mark_enrolled(waiting.id, ada.id + 1)
    with pytest.raises(NotFoundError):
        unknowns.dismiss(999)


def test_faces_older_than_the_retention_period_are_deleted(
        unknowns: UnknownFaceRepository) -> None:
    old = unknowns.add(T0, fake_png(1), created_at=T0 - timedelta(days=8))
    recent = unknowns.add(T0, fake_png(2), created_at=T0 - timedelta(days=6))
    assert unknowns.delete_older_than(7, now_=T0) == 1
    with pytest.raises(NotFoundError):
        unknowns.get(old.id)
    assert unknowns.get(recent.id).snapshot_png == fake_png(2)


def test_deleting_a_person_deletes_the_unknown_faces_linked_to_them(
        app_db: AppDatabase, unknowns: UnknownFaceRepository) -> None:
    people = PeopleRepository(app_db)
    ada, bob = people.add("Ada"), people.add("Bob")
    near_miss = unknowns.add(T0, fake_png(1), best_person_id=ada.id, best_similarity=0.5)
    enrolled = unknowns.mark_enrolled(unknowns.add(T0, fake_png(2)).id, ada.id)
    other = unknowns.add(T0, fake_png(3), best_person_id=bob.id)
    people.delete(ada.id)
    for gone in (near_miss, enrolled):
        with pytest.raises(NotFoundError):
            unknowns.get(gone.id)
    assert unknowns.get(other.id).snapshot_png == fake_png(3)
