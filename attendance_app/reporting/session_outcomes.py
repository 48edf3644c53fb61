"""Who was where: turns one session's roster and records into one outcome per person.

Shared by the session, person and group views so that all three count the same way:
a roster member without a record is absent; a record of someone not on the roster keeps its
status (present people off the roster are 'present (not on roster)'); corrections apply in order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, Correction
from attendance_app.reporting.report_inputs import SessionAttendance

STATUS_CODES: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.LATE: "L",
    AttendanceStatus.ABSENT: "A",
    AttendanceStatus.EXCUSED: "E",
    AttendanceStatus.PRESENT_NOT_ON_ROSTER: "N",
}
STATUS_LEGEND = "P present, L late, A absent, E excused, N present (not on roster)"


@dataclass(frozen=True)
class Outcome:
    """One person's result in one session. `record` is None for a roster member never seen.
    `key` identifies the person across sessions: the person id, or for a deleted person
    (person_id None) their stored name and external id."""

    key: Hashable
    name: str
    external_id: str | None
    group: str | None
    on_roster: bool
    record: AttendanceRecord | None

    @property
    def person_deleted(self) -> bool:
        return self.record is not None and self.record.person_id is None

    @property
    def status(self) -> AttendanceStatus:
        """The effective status: corrections applied, absent when there is no record."""
        if self.record is None:
            return AttendanceStatus.ABSENT
        status = self.record.effective_status
        # a deleted person was most likely on the roster then; only the living are visitors
        if not self.on_roster and status is AttendanceStatus.PRESENT and not self.person_deleted:
            return AttendanceStatus.PRESENT_NOT_ON_ROSTER
        return status

    @property
    def display_name(self) -> str:
        return f"{self.name} (deleted)" if self.person_deleted else self.name


def person_key(record: AttendanceRecord) -> Hashable:
    """How records of one person are recognised across sessions, also after deletion."""
    if record.person_id is not None:
        return record.person_id
    return ("deleted", record.person_name, record.external_id)


def session_outcomes(attendance: SessionAttendance) -> list[Outcome]:
    """Roster members first (sorted by name), then people recorded but not on the roster.
    When one person has several records the latest one counts."""
    latest: dict[Hashable, AttendanceRecord] = {}
    for record in sorted(attendance.records, key=lambda r: r.time):
        latest[person_key(record)] = record
    roster_ids = {entry.person_id for entry in attendance.roster}
    has_roster = bool(attendance.roster)
    outcomes = []
    for entry in sorted(attendance.roster, key=lambda e: _name_key(e.name)):
        record = latest.get(entry.person_id)
        outcomes.append(Outcome(entry.person_id, entry.name, entry.external_id, entry.group,
                                True, record))
    extras = [(key, r) for key, r in latest.items() if key not in roster_ids]
    for key, record in sorted(extras, key=lambda item: _name_key(_stored_name(item[1]))):
        # without a roster everyone recorded is simply present, not "off the roster"
        outcomes.append(Outcome(key, _stored_name(record), record.external_id, record.group,
                                not has_roster, record))
    return outcomes


def attendance_rate(statuses: Iterable[AttendanceStatus]) -> float | None:
    """Attended / expected, where expected = present + late + absent. Excused people and
    people off the roster are left out of both counts; None when nobody was expected."""
    attended = expected = 0
    for status in statuses:
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            attended += 1
            expected += 1
        elif status is AttendanceStatus.ABSENT:
            expected += 1
    return attended / expected if expected else None


def corrections_text(corrections: Iterable[Correction]) -> str:
    """'2026-11-26 09:40 alice: excuse -> excused (doctor's note); ...' in the order made."""
    parts = []
    for c in corrections:
        change = "undo" if c.action == "undo" else f"{c.action} -> {_status_word(c.new_status)}"
        text = f"{format_datetime(c.at)} {c.by}: {change}"
        parts.append(f"{text} ({c.reason})" if c.reason else text)
    return "; ".join(parts)


def format_datetime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def session_label(attendance: SessionAttendance) -> str:
    """A unique, readable column heading for a session: '2026-11-03 09:00 Math 101'."""
    return f"{format_datetime(attendance.session.started_at)} {attendance.session.name}"


def _stored_name(record: AttendanceRecord) -> str:
    return record.person_name or f"person #{record.person_id}"


def _status_word(status: AttendanceStatus | None) -> str:
    return status.value if status is not None else "?"


def _name_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)
