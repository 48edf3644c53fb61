"""Plain inputs of the report views: what a service reads from the database and hands over.

They hold domain objects and a few strings only, so a service can fill them from any store and
tests can build them by hand. Records carry copies of the person's name, external id and group
(see AttendanceRecord): a person deleted after the session (person_id None) still appears under
the stored name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from attendance_app.domain.attendance import AttendanceRecord
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.session import Session


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of calendar days. `start` after `end` raises ValidationError."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            # datetime is a date subclass; comparing the two raises TypeError later
            object.__setattr__(self, "start", _as_date(self.start))
            object.__setattr__(self, "end", _as_date(self.end))
        if self.start > self.end:
            raise ValidationError(
                f"the date range starts {self.start.isoformat()} after it ends "
                f"{self.end.isoformat()}")

    def contains(self, moment: date | datetime) -> bool:
        return self.start <= _as_date(moment) <= self.end

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class RosterEntry:
    """Someone expected at a session (a member of its roster group). `person_id` links the
    entry to attendance records."""

    person_id: int
    name: str
    external_id: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class SessionAttendance:
    """One session with its roster (empty when the session has no roster group) and every
    record taken in it. A roster member without a record counts as absent."""

    session: Session
    roster: Sequence[RosterEntry] = ()
    records: Sequence[AttendanceRecord] = ()


@dataclass(frozen=True)
class PersonAttendance:
    """One person over a period: the sessions they were expected at or recorded in. Each
    session's `records` should hold at most this person's record (others are ignored)."""

    person: RosterEntry
    period: DateRange
    sessions: Sequence[SessionAttendance] = ()


@dataclass(frozen=True)
class GroupAttendance:
    """A group (class, course, team) over a period: its current members and its sessions.
    People recorded in a session but not members (visitors, since-deleted people) get rows
    too."""

    group: str
    period: DateRange
    members: Sequence[RosterEntry] = ()
    sessions: Sequence[SessionAttendance] = ()


@dataclass(frozen=True)
class UnknownFaceEvent:
    """A face seen during a session that matched nobody well enough. `best_guess_name` and
    `similarity` describe the closest enrolled person (None when the gallery was empty);
    `status` is the review state, e.g. 'open', 'assigned to Ada', 'dismissed'."""

    time: datetime
    session_name: str
    best_guess_name: str | None = None
    similarity: float | None = None
    status: str = "open"
    id: int | None = None


@dataclass(frozen=True)
class UnknownFaceLog:
    """Unknown-face events over a period (the service selects them; the view also filters)."""

    period: DateRange
    events: Sequence[UnknownFaceEvent] = field(default_factory=tuple)


def _as_date(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
