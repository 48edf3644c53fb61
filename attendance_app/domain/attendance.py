"""Attendance vocabulary: statuses, records and the corrections made to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class AttendanceStatus(str, Enum):
    """What a record says about one person in one session."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"
    PRESENT_NOT_ON_ROSTER = "present (not on roster)"

    @property
    def counts_as_attended(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE,
                        AttendanceStatus.PRESENT_NOT_ON_ROSTER)


ARRIVAL_ACTION = "arrive"  # the correction the camera adds when an excused person arrives
ARRIVAL_BY = "camera"


class RecordSource(str, Enum):
    """Who made a record: the recogniser, a person by hand, or the session close."""

    RECOGNIZED = "recognized"
    MANUAL = "manual"
    SESSION_CLOSE = "session_close"


class LivenessCheck(str, Enum):
    """What the liveness check (issue 15) said about a recognised record: the face showed life
    (blink, 3-D head motion, expression), or it did not while it was watched ("liveness not
    shown": flagged for review), or a teacher looked at a flagged record or a suspect face and
    confirmed it was the person ("confirmed by teacher"). Records made by hand, at session
    close, or with the check off carry None."""

    LIVE = "live"
    NOT_SHOWN = "liveness not shown"
    CONFIRMED = "confirmed by teacher"


@dataclass(frozen=True)
class Correction:
    """A manual change to a record. Corrections are appended, never replacing the original.

    action: 'mark_present' | 'mark_late' | 'excuse' | 'mark_absent' | 'undo', or 'arrive': the
    camera recognised someone whose record was made by hand as excused or absent (by 'camera',
    `at` the moment of arrival; the excuse before it stays in the history).
    new_status: the status the record has after this correction (None for 'undo' means
    'back to the status before the previous correction').
    """

    record_id: int
    action: str
    new_status: AttendanceStatus | None
    by: str
    at: datetime
    reason: str = ""
    id: int | None = None


@dataclass(frozen=True)
class AttendanceRecord:
    """One person's attendance in one session. `status` is the original status as recorded;
    `effective_status` applies the corrections in order.

    `person_name`, `external_id` and `group` are copies stored with the record when it is made,
    so reports outlive a deleted person: after deletion `person_id` is None and the copies stay.
    """

    session_id: int
    person_id: int | None
    status: AttendanceStatus
    time: datetime
    similarity: float | None = None
    source: RecordSource = RecordSource.RECOGNIZED
    thumbnail_png: bytes | None = None
    id: int | None = None
    corrections: tuple[Correction, ...] = field(default_factory=tuple)
    person_name: str | None = None
    external_id: str | None = None
    group: str | None = None
    liveness: LivenessCheck | None = None

    @property
    def needs_liveness_review(self) -> bool:
        return self.liveness == LivenessCheck.NOT_SHOWN

    @property
    def arrival_time(self) -> datetime:
        """When the person arrived: the record's time, or the moment of the camera's 'arrive'
        correction while that correction is in force (a record made by hand for an excused
        person who then came)."""
        times: list[datetime] = [self.time]
        for c in self.corrections:
            if c.action == "undo":
                if len(times) > 1:
                    times.pop()
            elif c.new_status is not None:
                times.append(c.at if c.action == ARRIVAL_ACTION else times[-1])
        return times[-1]

    @property
    def effective_status(self) -> AttendanceStatus:
        history: list[AttendanceStatus] = [self.status]
        for c in self.corrections:
            if c.action == "undo":
                if len(history) > 1:
                    history.pop()
            elif c.new_status is not None:
                history.append(c.new_status)
        return history[-1]
