"""ReportService: reads sessions, rosters and records from the database and builds the report
tables (session, person, group, unknown faces); `export` writes them as CSV, XLSX or PDF.

Who was expected: the members of a session's roster group who were already enrolled when the
session started (someone enrolled later cannot have been expected, and counting them absent
would lower their rate unfairly), plus anyone with a record. Records keep the name stored when
they were made, so people deleted since still appear under that name.

Every lookup and check happens before anything is written: a bad date range or an unknown
session, group or person raises ValidationError / NotFoundError and leaves no file behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from attendance_app.domain.errors import NotFoundError
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.reporting.export import export_report
from attendance_app.reporting.group_report import build_group_report
from attendance_app.reporting.person_report import build_person_report
from attendance_app.reporting.report_inputs import (
    DateRange, GroupAttendance, PersonAttendance, RosterEntry, SessionAttendance,
    UnknownFaceEvent, UnknownFaceLog)
from attendance_app.reporting.report_table import ReportTable
from attendance_app.reporting.session_report import build_session_report
from attendance_app.reporting.unknown_faces_report import build_unknown_faces_report
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face import UnknownFace
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository


class ReportService:
    """Report tables over one database. `clock` stamps the tables' generated-at time."""

    def __init__(self, db: AppDatabase, clock=datetime.now) -> None:
        self._sessions = SessionRepository(db)
        self._records = AttendanceRepository(db)
        self._people = PeopleRepository(db)
        self._unknowns = UnknownFaceRepository(db)
        self._clock = clock

    # ------------------------------------------------------------------ sessions
    def find_sessions(self, name: str, on: date, at: time | None = None) -> list[Session]:
        """Sessions called `name` (any case) that started on `on`, oldest first; with `at`,
        only the one(s) started at that hour and minute. Raises NotFoundError naming the
        sessions that do exist that day."""
        found = sorted(self._sessions.find(name, on), key=lambda s: (s.started_at, s.id or 0))
        if at is not None:
            found = [s for s in found if (s.started_at.hour, s.started_at.minute)
                     == (at.hour, at.minute)]
        if not found:
            raise NotFoundError(self._no_session_message(name, on, at))
        return found

    def session_reports(self, name: str, on: date, at: time | None = None) -> list[ReportTable]:
        """One table per session called `name` on `on` (oldest first). Several sessions of one
        name on one day (a morning and an afternoon lesson) get distinct sheet names."""
        sessions = self.find_sessions(name, on, at)
        tables = [build_session_report(self._session_attendance(s), self._clock())
                  for s in sessions]
        if len(tables) == 1:
            return tables
        return [replace(t, sheet_name=f"Session {s.started_at:%H.%M}")
                for t, s in zip(tables, sessions)]

    def session_report_by_id(self, session_id: int) -> ReportTable:
        """The report of one session by its id (the Sessions tab). NotFoundError when unknown."""
        return build_session_report(self._session_attendance(self._sessions.get(session_id)),
                                    self._clock())

    def session_report(self, name: str, on: date) -> ReportTable:
        """The latest session called `name` on `on`; when there were several, the subtitle
        says so (use `session_reports` to get all of them)."""
        sessions = self.find_sessions(name, on)
        table = build_session_report(self._session_attendance(sessions[-1]), self._clock())
        if len(sessions) > 1:
            earlier = ", ".join(f"{s.started_at:%H:%M}" for s in sessions[:-1])
            table = replace(table, subtitle=f"{table.subtitle} (latest of {len(sessions)} "
                                            f"sessions that day; earlier at {earlier})")
        return table

    # -------------------------------------------------------------------- people
    def person_report(self, name_or_external_id: str, start: date, end: date) -> ReportTable:
        """Sessions in [start, end] (inclusive days) where the person was expected (their group
        was the roster and they were enrolled by then) or recorded. The person is found by
        external id, numeric id or name (see PeopleRepository.resolve)."""
        period = DateRange(start, end)
        person = self._people.resolve(name_or_external_id)
        entry = _roster_entry(person)
        sessions = []
        for session in self._sessions_in(period):
            mine = [r for r in self._records.list_for_session(session.id)
                    if r.person_id == person.id]
            expected = session.roster_group is not None and \
                session.roster_group == person.group and _enrolled_by(person, session)
            if mine or expected:
                sessions.append(SessionAttendance(session, (entry,) if expected else (), mine))
        return build_person_report(PersonAttendance(entry, period, sessions), self._clock())

    # -------------------------------------------------------------------- groups
    def group_report(self, group: str, start: date, end: date) -> ReportTable:
        """The sessions in [start, end] whose roster is `group`: a people x sessions matrix of
        the current members plus anyone recorded there (visitors, people deleted since).
        Raises NotFoundError when no person and no session has ever used the group name."""
        period = DateRange(start, end)
        group = group.strip()
        if group not in self.known_groups():
            known = ", ".join(self.known_groups()) or "none yet"
            raise NotFoundError(f"no group called {group!r} (groups: {known})")
        members = self._people.list_all(group=group)
        sessions = [self._session_attendance(s, members)
                    for s in self._sessions_in(period) if s.roster_group == group]
        return build_group_report(
            GroupAttendance(group, period, [_roster_entry(p) for p in members], sessions),
            self._clock())

    def known_groups(self) -> list[str]:
        """Group names of current people and of every session roster ever used, sorted."""
        rosters = {s.roster_group for s in self._sessions.list_in_range(date.min, date.max)
                   if s.roster_group}
        return sorted(set(self._people.groups()) | rosters, key=lambda g: (g.casefold(), g))

    # ------------------------------------------------------------- unknown faces
    def unknown_faces_report(self, start: date, end: date) -> ReportTable:
        """Unknown faces seen in [start, end]: those of the sessions in the period, plus
        pending ones that belong to no session."""
        period = DateRange(start, end)
        sessions = self._sessions_in(period)
        names = {s.id: s.name for s in sessions}
        faces = [f for s in sessions for f in self._unknowns.list_for_session(s.id)]
        faces += [f for f in self._unknowns.list_pending() if f.session_id is None]
        events = [self._unknown_event(f, names.get(f.session_id, "(no session)"))
                  for f in faces if period.contains(f.time)]
        return build_unknown_faces_report(UnknownFaceLog(period, events), self._clock())

    # -------------------------------------------------------------------- export
    @staticmethod
    def export(tables: ReportTable | Sequence[ReportTable], fmt: str,
               path: str | os.PathLike[str]) -> Path:
        """Write the table(s) atomically as 'csv', 'xlsx' or 'pdf'; returns the path."""
        return export_report(tables, fmt, path)

    # ----------------------------------------------------------------- internals
    def _session_attendance(self, session: Session,
                            members: Sequence[Person] | None = None) -> SessionAttendance:
        """The session's roster (see module docstring) and all its records."""
        if members is None:
            members = self._people.list_all(group=session.roster_group) \
                if session.roster_group else []
        roster = [_roster_entry(p) for p in members if _enrolled_by(p, session)]
        return SessionAttendance(session, roster, self._records.list_for_session(session.id))

    def _sessions_in(self, period: DateRange) -> list[Session]:
        return self._sessions.list_in_range(period.start, period.end + timedelta(days=1))

    def _unknown_event(self, face: UnknownFace, session_name: str) -> UnknownFaceEvent:
        return UnknownFaceEvent(
            time=face.time, session_name=session_name,
            best_guess_name=self._name_of(face.best_person_id),
            similarity=face.best_similarity, status=self._review_status(face), id=face.id)

    def _review_status(self, face: UnknownFace) -> str:
        if face.status == "pending":
            return "open"
        if face.status == "enrolled":
            name = self._name_of(face.enrolled_person_id)
            return f"enrolled as {name}" if name else "enrolled"
        return face.status

    def _name_of(self, person_id: int | None) -> str | None:
        if person_id is None:
            return None
        try:
            return self._people.get(person_id).name
        except NotFoundError:
            return None

    def _no_session_message(self, name: str, on: date, at: time | None) -> str:
        when = on.isoformat() + (f" at {at:%H:%M}" if at else "")
        that_day = self._sessions.list_in_range(on, on + timedelta(days=1))
        listed = ", ".join(f"{s.name!r} at {s.started_at:%H:%M}" for s in that_day)
        return (f"no session called {name!r} on {when}; sessions that day: "
                f"{listed or 'none'}")


def _roster_entry(person: Person) -> RosterEntry:
    return RosterEntry(person.id, person.name, person.external_id, person.group)


def _enrolled_by(person: Person, session: Session) -> bool:
    """Whether the person existed when the session started (unknown enrolment time: yes)."""
    return person.created_at is None or person.created_at <= session.started_at
