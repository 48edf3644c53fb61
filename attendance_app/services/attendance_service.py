"""AttendanceService: start and resume sessions, correct records, list what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from attendance_app.config import Settings
from attendance_app.domain.attendance import AttendanceRecord
from attendance_app.domain.attendance_policy import AttendancePolicy, make_correction
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.services.session_run import SessionRun
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository


class AttendanceService:
    def __init__(self, db, people: PeopleRepository, settings: Settings,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self._db = db
        self._people = people
        self._settings = settings
        self._clock = clock
        self._sessions = SessionRepository(db)
        self._records = AttendanceRepository(db)

    def start_session(self, name: str, roster_group: str | None = None,
                      late_after: datetime | None = None, planned_end: datetime | None = None,
                      start: datetime | None = None) -> SessionRun:
        """Create and open a session. The roster is the group's members at start; an unknown
        group is refused. `late_after` defaults to start + the late-after setting."""
        start = (start or self._clock()).replace(microsecond=0)
        roster = self._roster_ids(roster_group)
        if late_after is None:
            late_after = start + timedelta(minutes=self._settings.late_after_minutes)
        session = self._sessions.create(Session(
            id=None, name=name.strip(), started_at=start, roster_group=roster_group or None,
            late_after=late_after, planned_end=planned_end))
        return self._run_for(session, roster)

    def resume_session(self, session_id: int) -> SessionRun:
        """Continue an open session (after a crash or restart) without recording anyone twice."""
        session = self._sessions.get(session_id)
        if not session.is_open:
            raise ValidationError(f"session {session.name!r} is already closed")
        return self._run_for(session, self._roster_ids(session.roster_group))

    def open_sessions(self) -> list[Session]:
        return self._sessions.open_sessions()

    def records(self, session_id: int) -> list[AttendanceRecord]:
        return self._records.list_for_session(session_id)

    def correct(self, record_id: int, action: str, by: str, reason: str = "") -> AttendanceRecord:
        """Add a correction (mark_present, mark_late, excuse, mark_absent, undo); the original
        record stays as it was and the correction keeps who, when and why."""
        record = self._records.get(record_id)
        self._records.add_correction(make_correction(record, action, by, self._clock(), reason))
        return self._records.get(record_id)

    def _roster_ids(self, group: str | None) -> set[int] | None:
        if not group:
            return None
        members = self._people.list_all(group=group)
        if not members:
            known = ", ".join(self._people.groups()) or "none yet"
            raise NotFoundError(f"no roster called {group!r} (groups: {known})")
        return {p.id for p in members}

    def _run_for(self, session: Session, roster: set[int] | None) -> SessionRun:
        policy = AttendancePolicy(session, roster, self._settings.record_not_on_roster,
                                  already_recorded=self._records.recorded_person_ids(session.id))
        return SessionRun(self._db, session, policy, len(roster) if roster else None, self._clock)
