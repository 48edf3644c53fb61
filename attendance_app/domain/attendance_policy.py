"""AttendancePolicy: turns confirmed sightings into at most one attendance decision per person.

Pure rules, no I/O and no clock of its own: every time is passed in, so the rules are tested with
explicit datetimes. The service persists the decisions and corrections this module produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.attendance import (
    ARRIVAL_ACTION,
    ARRIVAL_BY,
    AttendanceRecord,
    AttendanceStatus,
    Correction,
    LivenessCheck,
    RecordSource,
)
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.session import Session


@dataclass(frozen=True)
class AttendanceDecision:
    """A record to write: who, which status, when, how sure (cosine similarity, None when not
    from the recogniser) and who made it. `session_id` is the session's id (None for an unsaved
    session)."""

    session_id: int | None
    person_id: int
    status: AttendanceStatus
    time: datetime
    similarity: float | None
    source: RecordSource

    def to_record(self, thumbnail_png: bytes | None = None,
                  liveness: LivenessCheck | None = None) -> AttendanceRecord:
        """The AttendanceRecord to persist. Raises ValidationError when the session is unsaved."""
        if self.session_id is None:
            raise ValidationError("save the session before recording attendance")
        return AttendanceRecord(session_id=self.session_id, person_id=self.person_id,
                                status=self.status, time=self.time, similarity=self.similarity,
                                source=self.source, thumbnail_png=thumbnail_png,
                                liveness=liveness)


class AttendancePolicy:
    """The attendance rules of one session.

    `roster`: ids of the people expected (None: no roster, everyone recognised is recorded
    present or late). `record_not_on_roster`: whether an enrolled person outside the roster is
    recorded as PRESENT_NOT_ON_ROSTER (True) or ignored (False). `already_recorded`: person ids
    that have a record from earlier (a resumed session), so they are not recorded twice.
    """

    def __init__(self, session: Session, roster: set[int] | None,
                 record_not_on_roster: bool = True,
                 already_recorded: Iterable[int] = ()) -> None:
        self._session = session
        self._roster = frozenset(roster) if roster is not None else None
        self._record_not_on_roster = record_not_on_roster
        self._recorded: set[int] = set(already_recorded)
        self._closed_at: datetime | None = session.ended_at

    @property
    def recorded_person_ids(self) -> frozenset[int]:
        return frozenset(self._recorded)

    @property
    def is_closed(self) -> bool:
        return self._closed_at is not None

    def on_sighting(self, person_id: int, time: datetime,
                    similarity: float) -> AttendanceDecision | None:
        """Decision for a confirmed sighting, or None when nothing is to be recorded: the person
        already has a record (debounce), is off the roster and those are ignored, or the session
        is closed (a sighting racing the close must not add a record)."""
        if self.is_closed or person_id in self._recorded:
            return None
        if self._roster is not None and person_id not in self._roster:
            if not self._record_not_on_roster:
                return None
            status = AttendanceStatus.PRESENT_NOT_ON_ROSTER
        else:
            status = self._arrival_status(time)
        self._recorded.add(person_id)
        return AttendanceDecision(self._session.id, person_id, status, time, similarity,
                                  RecordSource.RECOGNIZED)

    def mark_present_manually(self, person_id: int, time: datetime) -> AttendanceDecision:
        """A record made by hand for someone the camera did not confirm (present or late by the
        same rule). Raises ValidationError when the person already has a record: correct that
        record instead."""
        if person_id in self._recorded:
            raise ValidationError("this person already has a record: correct it instead")
        self._recorded.add(person_id)
        return AttendanceDecision(self._session.id, person_id, self._arrival_status(time), time,
                                  None, RecordSource.MANUAL)

    def close(self, time: datetime) -> list[AttendanceDecision]:
        """Close the session: one ABSENT decision per roster member without a record, ordered by
        person id. Closing again returns an empty list (never a second absence)."""
        if self.is_closed:
            return []
        if time < self._session.started_at:
            raise ValidationError("a session cannot end before it starts")
        self._closed_at = time
        missing = sorted((self._roster or frozenset()) - self._recorded)
        self._recorded.update(missing)
        return [AttendanceDecision(self._session.id, pid, AttendanceStatus.ABSENT, time, None,
                                   RecordSource.SESSION_CLOSE) for pid in missing]

    def arrival_status(self, time: datetime) -> AttendanceStatus:
        """Present, or late when `time` is after the session's late-after time."""
        return self._arrival_status(time)

    def _arrival_status(self, time: datetime) -> AttendanceStatus:
        late_after = self._session.late_after
        return (AttendanceStatus.LATE if late_after is not None and time > late_after
                else AttendanceStatus.PRESENT)


_ACTION_STATUS: dict[str, AttendanceStatus] = {
    "mark_present": AttendanceStatus.PRESENT,
    "mark_late": AttendanceStatus.LATE,
    "excuse": AttendanceStatus.EXCUSED,
    "mark_absent": AttendanceStatus.ABSENT,
}


def make_correction(record: AttendanceRecord, action: str, by: str, at: datetime,
                    reason: str = "") -> Correction:
    """A Correction to append to a saved record; the original record is never changed.

    action: 'mark_present' | 'mark_late' | 'excuse' | 'mark_absent' | 'undo'. Raises
    ValidationError for an unsaved record, an unknown action, a missing author, a change to the
    status the record already has, or an undo with nothing left to undo.
    """
    if record.id is None:
        raise ValidationError("only a saved record can be corrected")
    if not by or not by.strip():
        raise ValidationError("a correction needs the name of who made it")
    if action == "undo":
        if not _undoable(record):
            raise ValidationError("there is no correction to undo")
        return Correction(record.id, "undo", None, by.strip(), at, reason)
    if action not in _ACTION_STATUS:
        raise ValidationError(f"unknown correction {action!r}; use one of "
                              f"{', '.join([*_ACTION_STATUS, 'undo'])}")
    new_status = _ACTION_STATUS[action]
    if record.effective_status is new_status:
        raise ValidationError(f"the record is already {new_status.value}")
    return Correction(record.id, action, new_status, by.strip(), at, reason)


def awaits_arrival(record: AttendanceRecord) -> bool:
    """A record made by hand that says the person did not come (excused, or marked absent
    before the close): if the camera then recognises them, they did come after all."""
    return (record.source == RecordSource.MANUAL and record.id is not None
            and record.effective_status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT))


def arrival_correction(record: AttendanceRecord, status: AttendanceStatus, at: datetime,
                       similarity: float) -> Correction:
    """The camera's correction for a person recognised at `at` whose record says excused or
    absent (awaits_arrival): the arrival is recorded as `status` (present or late) and the
    excuse before it stays in the history. ValidationError when the record awaits none."""
    if not awaits_arrival(record):
        raise ValidationError("only a hand-made excused or absent record can get an arrival")
    was = record.effective_status.value
    return Correction(record.id, ARRIVAL_ACTION, status, ARRIVAL_BY, at,  # type: ignore[arg-type]
                      f"recognised at {at:%H:%M} while marked {was} "
                      f"(similarity {similarity:.2f})")


def mark_present(record: AttendanceRecord, by: str, at: datetime, reason: str = "") -> Correction:
    return make_correction(record, "mark_present", by, at, reason)


def excuse(record: AttendanceRecord, by: str, at: datetime, reason: str = "") -> Correction:
    return make_correction(record, "excuse", by, at, reason)


def undo(record: AttendanceRecord, by: str, at: datetime, reason: str = "") -> Correction:
    return make_correction(record, "undo", by, at, reason)


def _undoable(record: AttendanceRecord) -> bool:
    # Replays the corrections the way AttendanceRecord.effective_status does.
    depth = 0
    for c in record.corrections:
        if c.action == "undo":
            depth = max(0, depth - 1)
        elif c.new_status is not None:
            depth += 1
    return depth > 0
