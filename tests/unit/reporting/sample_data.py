"""Known sessions and records for the reporting tests: every status, a correction and its
undo, a person deleted later, a visitor, and names that break naive exporters."""

from __future__ import annotations

from datetime import datetime

from attendance_app.domain.attendance import (
    AttendanceRecord, AttendanceStatus, Correction, RecordSource)
from attendance_app.domain.session import Session
from attendance_app.reporting.report_inputs import (
    NamedRecord, RosterEntry, SessionAttendance)

GROUP = "Class 7B"
FORMULA_NAME = "=cmd|' /C calc'!A0"
COMMA_NAME = 'Smith, John "Jack"'
TRICKY_NAMES = ("Zoë Ångström", "Дмитрий", "李雷", COMMA_NAME, FORMULA_NAME)
GENERATED_AT = datetime(2026, 11, 30, 18, 0)

ADA, ZOE, DMITRY, LI, SMITH, FORMULA, GRACE, ALAN = range(1, 9)
ROSTER = (
    RosterEntry(ADA, "Ada Lovelace", "S1", GROUP),
    RosterEntry(ZOE, "Zoë Ångström", "S2", GROUP),
    RosterEntry(DMITRY, "Дмитрий", "S3", GROUP),
    RosterEntry(LI, "李雷", "S4", GROUP),
    RosterEntry(SMITH, COMMA_NAME, "S5", GROUP),
    RosterEntry(FORMULA, FORMULA_NAME, "S6", GROUP),
)


def session(day: int, hour: int = 9, name: str = "Math 101", session_id: int = 1) -> Session:
    start = datetime(2026, 11, day, hour, 0)
    return Session(session_id, name, start, GROUP, late_after=start.replace(minute=10),
                   planned_end=start.replace(hour=hour + 1, minute=30),
                   ended_at=start.replace(hour=hour + 1, minute=30))


def record(person_id: int, status: AttendanceStatus, at: datetime, similarity: float | None = None,
           corrections: tuple[Correction, ...] = (), source: RecordSource = RecordSource.RECOGNIZED,
           session_id: int = 1) -> AttendanceRecord:
    return AttendanceRecord(session_id, person_id, status, at, similarity, source,
                            id=person_id * 100 + at.day, corrections=corrections)


def math_session(day: int = 26, session_id: int = 1) -> SessionAttendance:
    """Ada present, Zoë late, Dmitry never seen (absent), Li absent then excused, Smith
    marked absent then undone (present), the formula name present, Grace present but deleted
    since, Alan a visitor off the roster."""
    s = session(day, session_id=session_id)
    at = s.started_at
    excuse = Correction(LI * 100 + day, "excuse", AttendanceStatus.EXCUSED, "alice",
                        at.replace(hour=11), "doctor's note")
    to_absent = Correction(SMITH * 100 + day, "mark_absent", AttendanceStatus.ABSENT, "bob",
                           at.replace(minute=40), "left early?")
    undo = Correction(SMITH * 100 + day, "undo", None, "bob", at.replace(minute=45), "mistake")
    records = [
        NamedRecord(record(ADA, AttendanceStatus.PRESENT, at.replace(minute=2), 0.91,
                           session_id=session_id), "Ada Lovelace", "S1", GROUP),
        NamedRecord(record(ZOE, AttendanceStatus.LATE, at.replace(minute=15), 0.78,
                           session_id=session_id), "Zoë Ångström", "S2", GROUP),
        NamedRecord(record(LI, AttendanceStatus.ABSENT, at.replace(hour=10, minute=30),
                           source=RecordSource.SESSION_CLOSE, corrections=(excuse,),
                           session_id=session_id), "李雷", "S4", GROUP),
        NamedRecord(record(SMITH, AttendanceStatus.PRESENT, at.replace(minute=4), 0.85,
                           corrections=(to_absent, undo), session_id=session_id),
                    COMMA_NAME, "S5", GROUP),
        NamedRecord(record(FORMULA, AttendanceStatus.PRESENT, at.replace(minute=5), 0.66,
                           session_id=session_id), FORMULA_NAME, "S6", GROUP),
        NamedRecord(record(GRACE, AttendanceStatus.PRESENT, at.replace(minute=3), 0.88,
                           session_id=session_id), "Grace Hopper", "S7", GROUP,
                    person_deleted=True),
        NamedRecord(record(ALAN, AttendanceStatus.PRESENT_NOT_ON_ROSTER, at.replace(minute=20),
                           0.81, session_id=session_id), "Alan Turing", "V1", "Visitors"),
    ]
    return SessionAttendance(s, ROSTER, records)


def big_session(people: int = 30) -> SessionAttendance:
    """A realistic class: `people` members, most present, every 7th late, every 9th absent."""
    s = session(26)
    roster = [RosterEntry(1000 + i, f"Student {i:02d} {name}", f"S{1000 + i}", GROUP)
              for i, name in enumerate(
                  ["Müller", "Ångström", "Дмитриев", "O'Brien", "García", "Nowak", "Łukasz"]
                  * (people // 7 + 1))][:people]
    records = []
    for i, entry in enumerate(roster):
        if i % 9 == 4:
            continue
        late = i % 7 == 3
        records.append(NamedRecord(
            record(entry.person_id, AttendanceStatus.LATE if late else AttendanceStatus.PRESENT,
                   s.started_at.replace(minute=12 + i % 20 if late else i % 9),
                   0.6 + (i % 35) / 100), entry.name, entry.external_id, GROUP))
    return SessionAttendance(s, roster, records)
