"""A real SQLite database with known sessions, records and corrections for the report tests.

Built through the repositories only, so it holds exactly what the app would store. The expected
figures below were worked out by hand from this story (not by the code under test):

Class 7B (enrolled 2026-10-01): Ada (S1), Zoë (S2), Дмитрий (S3), 'Smith, John "Jack"' (S4),
the formula-like name (S5), Grace (S6, deleted after the sessions); Newcomer (S8) enrolled
2026-11-20. Alan (S7) is in Class 8A and visits.

  S1 Math 101 2026-11-03 09:00  Ada P, Zoë L, Дмитрий A->excused, Smith P, formula A,
                                Grace P, Alan N                         rate 4/5
  Physics     2026-11-10 10:00  no roster: Alan P, Zoë P                (not a 7B session)
  S2 Math 101 2026-11-26 09:00  Ada L, Zoë P, Дмитрий P, Smith A, formula no record,
                                Newcomer no record, Grace A (mark_present then undo)  rate 3/7
  S3 Math 101 2026-11-26 14:00  Ada P only                              rate 1/6
  S4 Math 101 2026-12-01 09:00  Ada P                                   (outside November)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from attendance_app.domain.attendance import (
    AttendanceRecord, AttendanceStatus, Correction, RecordSource)
from attendance_app.domain.session import Session
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository

GROUP = "Class 7B"
SESSION_NAME = "Math 101"
COMMA_NAME = 'Smith, John "Jack"'
FORMULA_NAME = "=cmd|' /C calc'!A0"
ZOE = "Zoë Ångström"
DMITRY = "Дмитрий"
GRACE = "Grace Hopper"
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
SESSION_DAY = date(2026, 11, 26)

ENROLLED = datetime(2026, 10, 1, 8, 0)
P, L, A = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT
N = AttendanceStatus.PRESENT_NOT_ON_ROSTER

# Hand-worked figures (see the module docstring).
GROUP_MATRIX = {  # name -> (S1, S2, S3 codes, attendance rate or None)
    "Ada Lovelace": ("P", "L", "P", 1.0),
    ZOE: ("L", "P", "A", 2 / 3),
    DMITRY: ("E", "P", "A", 1 / 2),
    COMMA_NAME: ("P", "A", "A", 1 / 3),
    FORMULA_NAME: ("A", "A", "A", 0.0),
    "Newcomer": ("", "A", "A", 0.0),
    f"{GRACE} (deleted)": ("P", "A", "", 1 / 2),
    "Alan Turing": ("N", "", "", None),
}
GROUP_SESSION_RATES = (4 / 5, 3 / 7, 1 / 6)
GROUP_OVERALL_RATE = 8 / 18
SESSION_MORNING = {  # S2: name -> effective status
    "Ada Lovelace": "late", ZOE: "present", DMITRY: "present", COMMA_NAME: "absent",
    FORMULA_NAME: "absent", "Newcomer": "absent", f"{GRACE} (deleted)": "absent",
}
SESSION_MORNING_RATE = 3 / 7
ZOE_NOVEMBER = {"Sessions": 4, "Attended": 3, "Late": 1, "Absent": 1, "Excused": 0,
                "Attendance rate": 0.75}
ZOE_NOVEMBER_STATUSES = ["late", "present", "present", "absent"]  # S1, Physics, S2, S3


@dataclass(frozen=True)
class ReportDatabase:
    """Where the database is and the ids a test may need."""

    data_dir: Path
    db_path: Path
    session_ids: dict[str, int]
    person_ids: dict[str, int]


def build_report_database(data_dir: Path) -> ReportDatabase:
    """Create `data_dir/attendance.db` holding the story of the module docstring."""
    db_path = data_dir / "attendance.db"
    with open_database(db_path) as db:
        people, sessions = PeopleRepository(db), SessionRepository(db)
        records, unknowns = AttendanceRepository(db), UnknownFaceRepository(db)
        ids = {}
        for name, ext, group, enrolled in [
                ("Ada Lovelace", "S1", GROUP, ENROLLED), (ZOE, "S2", GROUP, ENROLLED),
                (DMITRY, "S3", GROUP, ENROLLED), (COMMA_NAME, "S4", GROUP, ENROLLED),
                (FORMULA_NAME, "S5", GROUP, ENROLLED), (GRACE, "S6", GROUP, ENROLLED),
                ("Alan Turing", "S7", "Class 8A", ENROLLED),
                ("Newcomer", "S8", GROUP, datetime(2026, 11, 20, 12, 0))]:
            ids[ext] = people.add(name, external_id=ext, group=group, consent_at=enrolled,
                                  consent_by="admin", consent_version="v1",
                                  created_at=enrolled).id

        def session(name: str, start: datetime, roster: str | None) -> int:
            created = sessions.create(Session(None, name, start, roster_group=roster,
                                              late_after=start + timedelta(minutes=10)))
            return sessions.close(created.id, start + timedelta(hours=1)).id

        def record(session_id: int, ext: str, status: AttendanceStatus, at: datetime,
                   similarity: float | None = None) -> int:
            source = RecordSource.SESSION_CLOSE if status is A else RecordSource.RECOGNIZED
            return records.add(AttendanceRecord(session_id, ids[ext], status, at, similarity,
                                                source, thumbnail_png=b"png")).id

        def correct(record_id: int, action: str, new: AttendanceStatus | None,
                    at: datetime, reason: str = "") -> None:
            records.add_correction(Correction(record_id, action, new, "teacher", at, reason))

        s1 = session(SESSION_NAME, datetime(2026, 11, 3, 9, 0), GROUP)
        t = datetime(2026, 11, 3, 9, 0)
        record(s1, "S1", P, t.replace(minute=2), 0.91)
        record(s1, "S2", L, t.replace(minute=15), 0.80)
        excused = record(s1, "S3", A, t.replace(hour=10))
        correct(excused, "excuse", AttendanceStatus.EXCUSED, t.replace(hour=11),
                "doctor's note, signed")
        record(s1, "S4", P, t.replace(minute=3), 0.77)
        record(s1, "S5", A, t.replace(hour=10))
        record(s1, "S6", P, t.replace(minute=4), 0.88)
        record(s1, "S7", N, t.replace(minute=6), 0.83)
        unknowns.dismiss(unknowns.add(t.replace(minute=20), b"snap", session_id=s1,
                                      best_similarity=0.31).id)

        physics = session("Physics", datetime(2026, 11, 10, 10, 0), None)
        record(physics, "S7", P, datetime(2026, 11, 10, 10, 1), 0.9)
        record(physics, "S2", P, datetime(2026, 11, 10, 10, 2), 0.9)

        s2 = session(SESSION_NAME, datetime(2026, 11, 26, 9, 0), GROUP)
        t = datetime(2026, 11, 26, 9, 0)
        record(s2, "S1", L, t.replace(minute=20), 0.86)
        record(s2, "S2", P, t.replace(minute=1), 0.93)
        record(s2, "S3", P, t.replace(minute=2), 0.74)
        record(s2, "S4", A, t.replace(hour=10))
        undone = record(s2, "S6", A, t.replace(hour=10))
        correct(undone, "mark_present", P, t.replace(hour=10, minute=5))
        correct(undone, "undo", None, t.replace(hour=10, minute=6), "wrong person")
        unknowns.add(t.replace(minute=30), b"snap", session_id=s2,
                     best_person_id=ids["S1"], best_similarity=0.41)

        s3 = session(SESSION_NAME, datetime(2026, 11, 26, 14, 0), GROUP)
        record(s3, "S1", P, datetime(2026, 11, 26, 14, 1), 0.9)

        s4 = session(SESSION_NAME, datetime(2026, 12, 1, 9, 0), GROUP)
        record(s4, "S1", P, datetime(2026, 12, 1, 9, 1), 0.9)
        unknowns.add(datetime(2026, 12, 1, 9, 30), b"snap", session_id=s4)
        unknowns.add(datetime(2026, 11, 15, 12, 0), b"snap")  # no session

        people.delete(ids["S6"])  # Grace leaves: her records keep the stored name
    return ReportDatabase(data_dir, db_path, {"S1": s1, "Physics": physics, "S2": s2,
                                              "S3": s3, "S4": s4}, ids)
