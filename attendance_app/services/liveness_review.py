"""LivenessReview: a teacher confirms or rejects what the liveness check doubted (issue 15).

Two kinds of doubt reach the teacher:
- a *flagged record* (policy flag): the person was recorded, marked "liveness not shown".
  Confirm: the mark becomes "confirmed by teacher" (the status stays). Reject: a correction to
  absent, with who and why, through AttendanceService.correct_person (undoable like any
  correction; the mark stays "liveness not shown" as the evidence of why).
- a *suspect face* (policy require): no record was written; an unknown-face snapshot carries
  the matched person and the reason. Confirm: the person gets a record through the correction
  mechanism (present, or late when the face was seen after the late-after time), marked
  "confirmed by teacher", and the snapshot is closed as attributed to that person (the
  unknown_faces status 'enrolled' with that person's id: "resolved as this person"). Reject:
  the snapshot is dismissed (erased), no record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, LivenessCheck
from attendance_app.domain.errors import ValidationError
from attendance_app.services.attendance_service import AttendanceService
from attendance_app.services.session_run import SessionRun
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face import UnknownFace
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository

log = logging.getLogger(__name__)
SUSPECT_LABEL = "possible photo/screen"
_ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass(frozen=True)
class SuspectFace:
    """A pending suspect face of a session: who it looked like and why it was held back."""

    unknown_id: int
    session_id: int | None
    person_id: int | None
    time: datetime
    similarity: float | None
    reason: str
    snapshot_png: bytes | None


class LivenessReview:
    def __init__(self, db, attendance: AttendanceService) -> None:
        self._attendance = attendance
        self._records = AttendanceRepository(db)
        self._sessions = SessionRepository(db)
        self._unknowns = UnknownFaceRepository(db)

    def suspects(self, session_id: int) -> list[SuspectFace]:
        """The session's suspect faces still awaiting review, oldest first."""
        return [_suspect(u) for u in self._unknowns.list_pending(session_id) if u.is_suspect]

    def confirm_record(self, session_id: int, person_id: int, by: str) -> AttendanceRecord:
        """The flagged record is the person after all: mark it "confirmed by teacher"."""
        record = self._flagged(session_id, person_id)
        _need_author(by)
        log.info("liveness: %s confirmed record %s (session %s)", by, record.id, session_id)
        return self._records.set_liveness(record.id, LivenessCheck.CONFIRMED)  # type: ignore[arg-type]

    def reject_record(self, session_id: int, person_id: int, by: str,
                      run: SessionRun | None = None) -> AttendanceRecord:
        """The flagged record was a photo or screen: correct it to absent (who, when, why)."""
        self._flagged(session_id, person_id)
        return self._attendance.correct_person(
            session_id, person_id, AttendanceStatus.ABSENT.value, by,
            f"rejected: {SUSPECT_LABEL} (liveness not shown)", run)

    def confirm_suspect(self, unknown_id: int, by: str,
                        run: SessionRun | None = None) -> AttendanceRecord:
        """The suspect face is the person it matched: give them a record (see the module
        docstring). `run`: the open SessionRun, used when it is the face's session. Raises
        ValidationError for a face that is not a pending suspect."""
        face = self._pending_suspect(unknown_id)
        if run is not None and run.session.id != face.session_id:
            run = None
        _need_author(by)
        assert face.session_id is not None and face.best_person_id is not None
        session = self._sessions.get(face.session_id)
        existing = next((r for r in self._records.list_for_session(session.id or 0)
                         if r.person_id == face.best_person_id), None)
        if existing is not None and existing.effective_status in _ATTENDED:
            record = existing  # recorded meanwhile (seen live later): nothing to add
        else:
            late = session.late_after is not None and face.time > session.late_after
            status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
            record = self._attendance.correct_person(
                face.session_id, face.best_person_id, status.value, by,
                f"confirmed: {SUSPECT_LABEL} seen {face.time:%H:%M:%S} "
                f"({face.liveness_reason})", run)
            record = self._records.set_liveness(record.id, LivenessCheck.CONFIRMED)  # type: ignore[arg-type]
        self._unknowns.mark_enrolled(unknown_id, face.best_person_id)
        return record

    def reject_suspect(self, unknown_id: int) -> None:
        """The suspect face was a photo or screen: dismiss it (the snapshot is erased)."""
        self._pending_suspect(unknown_id)
        self._unknowns.dismiss(unknown_id)

    def _flagged(self, session_id: int, person_id: int) -> AttendanceRecord:
        record = next((r for r in self._records.list_for_session(session_id)
                       if r.person_id == person_id), None)
        if record is None or record.liveness is not LivenessCheck.NOT_SHOWN:
            raise ValidationError("this record is not flagged “liveness not shown”")
        return record

    def _pending_suspect(self, unknown_id: int) -> UnknownFace:
        face = self._unknowns.get(unknown_id)
        if not face.is_suspect or face.status != "pending" or face.best_person_id is None \
                or face.session_id is None:
            raise ValidationError("this face is not a suspect face awaiting review")
        return face


def _need_author(by: str) -> None:
    if not by or not by.strip():
        raise ValidationError("a review needs the name of who made it")


def _suspect(face: UnknownFace) -> SuspectFace:
    return SuspectFace(face.id, face.session_id, face.best_person_id, face.time,
                       face.best_similarity, face.liveness_reason or "", face.snapshot_png)
