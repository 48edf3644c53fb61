"""Who was where: turns one session's roster and records into one outcome per person.

Shared by the session, person and group views so that all three count the same way:
a roster member without a record is absent; a record of someone not on the roster keeps its
status (present people off the roster are 'present (not on roster)'); corrections apply in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, Correction
from attendance_app.reporting.report_inputs import NamedRecord, SessionAttendance

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
    """One person's result in one session. `record` is None for a roster member never seen."""

    person_id: int
    name: str
    external_id: str | None
    group: str | None
    on_roster: bool
    person_deleted: bool
    record: AttendanceRecord | None

    @property
    def status(self) -> AttendanceStatus:
        """The effective status: corrections applied, absent when there is no record."""
        if self.record is None:
            return AttendanceStatus.ABSENT
        status = self.record.effective_status
        if not self.on_roster and status is AttendanceStatus.PRESENT and not self.person_deleted:
            return AttendanceStatus.PRESENT_NOT_ON_ROSTER
        return status

    @property
    def display_name(self) -> str:
        return f"{self.name} (deleted)" if self.person_deleted else self.name


def session_outcomes(attendance: SessionAttendance) -> list[Outcome]:
    """Roster members first (sorted by name), then people recorded but not on the roster.
    When one person has several records the latest one counts."""
    latest: dict[int, NamedRecord] = {}
    for named in sorted(attendance.records, key=lambda n: n.record.time):
        latest[named.record.person_id] = named
    roster_ids = {entry.person_id for entry in attendance.roster}
    has_roster = bool(attendance.roster)
    outcomes = []
    for entry in sorted(attendance.roster, key=lambda e: _name_key(e.name)):
        named = latest.get(entry.person_id)
        outcomes.append(Outcome(
            entry.person_id, named.person_name if named else entry.name, entry.external_id,
            entry.group, True, bool(named and named.person_deleted),
            named.record if named else None))
    extras = [n for pid, n in latest.items() if pid not in roster_ids]
    for named in sorted(extras, key=lambda n: _name_key(n.person_name)):
        # without a roster everyone recorded is simply present, not "off the roster"
        outcomes.append(Outcome(
            named.record.person_id, named.person_name, named.external_id, named.group,
            not has_roster, named.person_deleted, named.record))
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


def _status_word(status: AttendanceStatus | None) -> str:
    return status.value if status is not None else "?"


def _name_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)
