"""AttendanceService: start and resume sessions, correct records, list what happened.

A running session holds its SessionLock (services.session_lock) until it is closed, so a session
that is still open in the database but whose lock nobody holds was interrupted (crash, SIGKILL,
power loss). `interrupted_sessions()` lists those; the window asks whether to resume or close
each at start-up, and `start_or_resume` (the CLI's `run`) continues today's interrupted session
of the same name instead of starting a second one. Resuming never records anyone twice (the
policy knows who is already recorded); closing one records its absentees.
Corrections (issue 13) are made per person of a session: a person with a record gets a
Correction appended (who, when, why; the record itself never changes). A person the camera never
recorded (a roster member not seen yet, or absent with no record) first gets a MANUAL record
saying *absent* at the moment of the correction, and the wanted status is a correction on it, so
every manual change carries who/why and `undo` can take it back.
A person excused (or marked absent) by hand who then arrives is recognised as usual: the
arrival is the camera's 'arrive' correction on that record (present or late, at the arrival
time), so the report shows them present/late with the excuse still in the corrections.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from attendance_app.config import Settings
from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, RecordSource
from attendance_app.domain.attendance_policy import AttendancePolicy, make_correction
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.services.session_lock import (SessionLock, is_running_elsewhere,
                                                  session_lock_path)
from attendance_app.reporting.report_inputs import RosterEntry, SessionAttendance
from attendance_app.reporting.session_outcomes import Outcome, session_outcomes
from attendance_app.services.session_run import SessionRun
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository


# A live write waits this long for another program's lock before it is held and retried (the
# window writes from its GUI thread, which must not freeze; DESIGN.md section 3: ~50 ms).
LIVE_WRITE_TIMEOUT_MS = 50
LIVE_RETRY_INTERVAL_S = 1.0


class AttendanceService:
    def __init__(self, db, people: PeopleRepository, settings: Settings,
                 clock: Callable[[], datetime] = datetime.now, *,
                 write_timeout_ms: int | None = LIVE_WRITE_TIMEOUT_MS,
                 retry_interval_s: float = LIVE_RETRY_INTERVAL_S) -> None:
        self._db = db
        self._write_timeout_ms = write_timeout_ms
        self._retry_interval_s = retry_interval_s
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

    def start_or_resume(self, name: str, roster_group: str | None = None,
                        late_after: datetime | None = None, planned_end: datetime | None = None,
                        start: datetime | None = None) -> tuple[SessionRun, bool]:
        """Today's interrupted session called `name` resumed (True), else a new one started
        (False). A resumed session keeps its own roster, start and late-after time."""
        day = (start or self._clock()).date()
        for session in self._sessions.find(name, day):
            if session.is_open and not is_running_elsewhere(self._db.path, session.id):
                return self.resume_session(session.id), True
        return self.start_session(name, roster_group, late_after, planned_end, start), False

    def resume_session(self, session_id: int) -> SessionRun:
        """Continue an open session (after a crash or restart) without recording anyone twice.
        ValidationError when it is closed or another window or command is running it."""
        session = self._sessions.get(session_id)
        if not session.is_open:
            raise ValidationError(f"session {session.name!r} is already closed")
        return self._run_for(session, self._roster_ids(session.roster_group))

    def open_sessions(self) -> list[Session]:
        return self._sessions.open_sessions()

    def interrupted_sessions(self) -> list[Session]:
        """Open sessions no process is running (the app stopped without closing them)."""
        return [s for s in self._sessions.open_sessions()
                if not is_running_elsewhere(self._db.path, s.id)]

    def close_interrupted(self, session_id: int) -> list[AttendanceRecord]:
        """Close an interrupted session, recording its absentees; returns those records. It
        ends at its planned end, or else at its last record (not now: the crash may be days
        old, and "now" would report hours of a lesson that did not happen)."""
        run = self.resume_session(session_id)
        session = run.session
        times = [r.time for r in self._records.list_for_session(session_id)]
        end = max([session.started_at, *times])
        if session.planned_end is not None:
            end = max(end, min(session.planned_end, self._clock()))
        return run.close(end)

    def records(self, session_id: int) -> list[AttendanceRecord]:
        return self._records.list_for_session(session_id)

    def correct(self, record_id: int, action: str, by: str, reason: str = "") -> AttendanceRecord:
        """Add a correction (mark_present, mark_late, excuse, mark_absent, undo); the original
        record stays as it was and the correction keeps who, when and why."""
        record = self._records.get(record_id)
        self._records.add_correction(make_correction(record, action, by, self._clock(), reason))
        return self._records.get(record_id)

    def sessions(self, limit: int = 200) -> list[Session]:
        """The latest `limit` sessions, newest first (open ones included)."""
        found = self._sessions.list_in_range(date.min, date.max)
        return sorted(found, key=lambda s: (s.started_at, s.id or 0), reverse=True)[:limit]

    def get_session(self, session_id: int) -> Session:
        return self._sessions.get(session_id)

    def overview(self, session_id: int) -> list[Outcome]:
        """One outcome per roster member (enrolled by the session's start) and per person
        recorded, in the reports' order; a roster member without a record has `record` None."""
        session = self._sessions.get(session_id)
        members = self._people.list_all(group=session.roster_group) if session.roster_group \
            else []
        roster = [RosterEntry(p.id, p.name, p.external_id, p.group) for p in members
                  if p.created_at is None or p.created_at <= session.started_at]
        return session_outcomes(SessionAttendance(session, roster,
                                                  self._records.list_for_session(session_id)))

    def correct_person(self, session_id: int, person_id: int, status: str, by: str,
                       reason: str = "", run: SessionRun | None = None) -> AttendanceRecord:
        """Mark one person of a session present / late / excused / absent (see the module
        docstring). `run`: the open SessionRun of that session, so its policy learns that the
        person now has a record. Raises ValidationError (unknown status, no author, already
        that status) and NotFoundError (unknown session or person); nothing is written then."""
        wanted = _status(status)
        if not by or not by.strip():
            raise ValidationError("a correction needs the name of who made it")
        record = self._record_of(session_id, person_id)
        if record is None:
            record = self._manual_absent(session_id, person_id, run)
            if wanted is AttendanceStatus.ABSENT:
                return record
        return self.correct(record.id, _ACTION[wanted], by, reason)

    def undo_person(self, session_id: int, person_id: int, by: str) -> AttendanceRecord:
        """Undo the person's last correction in the session (ValidationError: none to undo)."""
        record = self._record_of(session_id, person_id)
        if record is None:
            raise ValidationError("this person has no record in the session: nothing to undo")
        return self.correct(record.id, "undo", by)

    def _record_of(self, session_id: int, person_id: int) -> AttendanceRecord | None:
        for record in self._records.list_for_session(session_id):
            if record.person_id == person_id:
                return record
        return None

    def _manual_absent(self, session_id: int, person_id: int,
                       run: SessionRun | None) -> AttendanceRecord:
        self._people.get(person_id)  # NotFoundError for an unknown person
        session = self._sessions.get(session_id)
        when = max(self._clock().replace(microsecond=0), session.started_at)
        if run is not None and run.session.id == session_id:
            return run.record_manual(person_id, AttendanceStatus.ABSENT, when)
        return self._records.add(AttendanceRecord(session_id, person_id,
                                                  AttendanceStatus.ABSENT, when,
                                                  source=RecordSource.MANUAL))

    def _roster_ids(self, group: str | None) -> set[int] | None:
        if not group:
            return None
        members = self._people.list_all(group=group)
        if not members:
            known = ", ".join(self._people.groups()) or "none yet"
            raise NotFoundError(f"no roster called {group!r} (groups: {known})")
        return {p.id for p in members}

    def _run_for(self, session: Session, roster: set[int] | None) -> SessionRun:
        assert session.id is not None
        lock = SessionLock(session_lock_path(Path(self._db.path), session.id))
        if not lock.acquire():
            raise ValidationError(f"session {session.name!r} is being run by another window or "
                                  f"command right now")
        records = self._records.list_for_session(session.id)
        policy = AttendancePolicy(session, roster, self._settings.record_not_on_roster,
                                  already_recorded={r.person_id for r in records
                                                    if r.person_id is not None})
        manual = {r.person_id for r in records
                  if r.source == RecordSource.MANUAL and r.person_id is not None}
        return SessionRun(self._db, session, policy, len(roster) if roster else None,
                          self._clock, write_timeout_ms=self._write_timeout_ms,
                          retry_interval_s=self._retry_interval_s, release=lock.release,
                          manual_ids=manual)


_ACTION: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "mark_present", AttendanceStatus.LATE: "mark_late",
    AttendanceStatus.EXCUSED: "excuse", AttendanceStatus.ABSENT: "mark_absent"}


def _status(word: str) -> AttendanceStatus:
    try:
        status = AttendanceStatus(str(word).strip().lower())
    except ValueError:
        status = None
    if status not in _ACTION:
        raise ValidationError(f"unknown status {word!r}; use present, late, excused or absent")
    return status
