"""Known sessions and records for the reporting tests: every status, a correction and its
undo, a person deleted later, a visitor, and names that break naive exporters."""

from __future__ import annotations

from datetime import datetime

from attendance_app.domain.attendance import (
    AttendanceRecord, AttendanceStatus, Correction, RecordSource)
from attendance_app.domain.session import Session
from attendance_app.reporting.report_inputs import RosterEntry, SessionAttendance

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
           session_id: int = 1, name: str = "", external_id: str | None = None,
           group: str | None = GROUP, deleted: bool = False) -> AttendanceRecord:
    """A record with the stored copies of the person's details; `deleted` clears person_id
    the way storage does when the person is removed later."""
    return AttendanceRecord(session_id, None if deleted else person_id, status, at, similarity,
                            source, id=session_id * 1000 + person_id, corrections=corrections,
                            person_name=name or None, external_id=external_id, group=group)


def math_session(day: int = 26, session_id: int = 1) -> SessionAttendance:
    """Ada present, Zoë late, Dmitry never seen (absent), Li absent then excused, Smith
    marked absent then undone (present), the formula name present, Grace present but deleted
    since, Alan a visitor off the roster."""
    s = session(day, session_id=session_id)
    at = s.started_at
    excuse = Correction(session_id * 1000 + LI, "excuse", AttendanceStatus.EXCUSED, "alice",
                        at.replace(hour=11), "doctor's note")
    to_absent = Correction(session_id * 1000 + SMITH, "mark_absent", AttendanceStatus.ABSENT, "bob",
                           at.replace(minute=40), "left early?")
    undo = Correction(session_id * 1000 + SMITH, "undo", None, "bob", at.replace(minute=45), "mistake")
    def rec(person_id: int, status: AttendanceStatus, moment: datetime, **details):
        entry = next((e for e in ROSTER if e.person_id == person_id), None)
        if entry is not None:
            details.setdefault("name", entry.name)
            details.setdefault("external_id", entry.external_id)
        return record(person_id, status, moment, session_id=session_id, **details)

    records = [
        rec(ADA, AttendanceStatus.PRESENT, at.replace(minute=2), similarity=0.91),
        rec(ZOE, AttendanceStatus.LATE, at.replace(minute=15), similarity=0.78),
        rec(LI, AttendanceStatus.ABSENT, at.replace(hour=10, minute=30),
            source=RecordSource.SESSION_CLOSE, corrections=(excuse,)),
        rec(SMITH, AttendanceStatus.PRESENT, at.replace(minute=4), similarity=0.85,
            corrections=(to_absent, undo)),
        rec(FORMULA, AttendanceStatus.PRESENT, at.replace(minute=5), similarity=0.66),
        rec(GRACE, AttendanceStatus.PRESENT, at.replace(minute=3), similarity=0.88,
            name="Grace Hopper", external_id="S7", deleted=True),
        rec(ALAN, AttendanceStatus.PRESENT_NOT_ON_ROSTER, at.replace(minute=20), similarity=0.81,
            name="Alan Turing", external_id="V1", group="Visitors"),
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
        records.append(record(
            entry.person_id, AttendanceStatus.LATE if late else AttendanceStatus.PRESENT,
            s.started_at.replace(minute=12 + i % 20 if late else i % 9), 0.6 + (i % 35) / 100,
            name=entry.name, external_id=entry.external_id))
    return SessionAttendance(s, roster, records)
