"""SessionRun: one open session taking attendance; every decision is committed as it is made.

Records are written (and committed: WAL + synchronous=FULL) before anyone is told about them, so a
crash never loses a record that was shown or printed. If the database refuses a write (locked,
disk full), the decision stays in memory in `pending`, is retried on the next event and at close,
and the failure is reported through `last_error`; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, LivenessCheck
from attendance_app.domain.attendance_policy import AttendanceDecision, AttendancePolicy
from attendance_app.domain.errors import AttendanceAppError, DatabaseError
from attendance_app.domain.session import Session
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from attendance_app.vision.image_io import encode_png


class SessionRun:
    """Applies the attendance policy of one session and stores what it decides."""

    def __init__(self, db, session: Session, policy: AttendancePolicy, roster_size: int | None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self._db = db
        self.session = session
        self._policy = policy
        self.roster_size = roster_size
        self._clock = clock
        self._records = AttendanceRepository(db)
        self._unknowns = UnknownFaceRepository(db)
        self.pending: list[tuple[AttendanceDecision, bytes | None, LivenessCheck | None]] = []
        self.last_error: str | None = None

    # ----------------------------------------------------------------- events
    def on_sighting(self, person_id: int, similarity: float, crop: np.ndarray | None = None,
                    when: datetime | None = None,
                    liveness: LivenessCheck | None = None) -> AttendanceRecord | None:
        """A confirmed sighting: the new record, or None (already recorded / off the roster and
        ignored / session closed / could not be written yet, see `pending`). `liveness` is
        stored on the record (None: not checked)."""
        decision = self._policy.on_sighting(person_id, when or self._clock(), similarity)
        if decision is None:
            self.flush_pending()
            return None
        thumbnail = encode_png(crop) if crop is not None else None
        self.pending.append((decision, thumbnail, liveness))
        written = self.flush_pending()
        return written[-1] if written else None

    def on_unknown(self, crop: np.ndarray, best_similarity: float,
                   best_person_id: int | None = None, when: datetime | None = None):
        """Keep one snapshot of an unknown track for later review (enrol or dismiss)."""
        try:
            return self._unknowns.add(when or self._clock(), encode_png(crop),
                                      session_id=self.session.id,
                                      best_person_id=best_person_id,
                                      best_similarity=float(best_similarity))
        except AttendanceAppError as exc:
            self.last_error = f"could not keep an unknown-face snapshot: {exc}"
            return None

    def on_suspect(self, crop: np.ndarray, similarity: float, person_id: int, reason: str,
                   when: datetime | None = None):
        """A face that matched `person_id` but never showed liveness (policy require): no
        record; one snapshot goes to the review queue marked suspect with `reason`."""
        try:
            return self._unknowns.add(when or self._clock(), encode_png(crop),
                                      session_id=self.session.id, best_person_id=person_id,
                                      best_similarity=float(similarity),
                                      liveness_reason=reason)
        except AttendanceAppError as exc:
            self.last_error = f"could not keep a suspect-face snapshot: {exc}"
            return None

    def mark_liveness(self, record_id: int, liveness: LivenessCheck) -> AttendanceRecord | None:
        """A flagged record's track showed life after all: update its mark (None on failure,
        see `last_error`)."""
        try:
            return self._records.set_liveness(record_id, liveness)
        except AttendanceAppError as exc:
            self.last_error = f"could not update the liveness mark: {exc}"
            return None

    def mark_present(self, person_id: int, when: datetime | None = None) -> AttendanceRecord:
        """A manual record for someone the camera did not confirm."""
        decision = self._policy.mark_present_manually(person_id, when or self._clock())
        self.pending.append((decision, None, None))
        written = self.flush_pending()
        if not written:
            raise DatabaseError(self.last_error or "the record could not be written yet")
        return written[-1]

    def close(self, when: datetime | None = None) -> list[AttendanceRecord]:
        """End the session: absent records for roster members never seen, session closed."""
        when = when or self._clock()
        when = max(when, self.session.started_at)
        for decision in self._policy.close(when):
            self.pending.append((decision, None, None))
        written = self.flush_pending()
        if self.pending:
            raise DatabaseError(f"{len(self.pending)} record(s) could not be written: "
                                f"{self.last_error}. They are kept in memory; try again.")
        self.session = SessionRepository(self._db).close(self.session.id, when)
        return written

    # ---------------------------------------------------------------- queries
    def records(self) -> list[AttendanceRecord]:
        return self._records.list_for_session(self.session.id)

    def summary(self) -> dict[str, int]:
        """Counts per effective status, plus roster size and how many of it attended."""
        counts: dict[str, int] = {s.value: 0 for s in AttendanceStatus}
        for record in self.records():
            counts[record.effective_status.value] += 1
        attended = counts["present"] + counts["late"]
        return {**counts, "attended_from_roster": attended,
                "roster_size": self.roster_size if self.roster_size is not None else -1}

    # -------------------------------------------------------------- internals
    def flush_pending(self) -> list[AttendanceRecord]:
        """Write the decisions held in memory, oldest first; stop at the first failure."""
        written: list[AttendanceRecord] = []
        while self.pending:
            decision, thumbnail, liveness = self.pending[0]
            try:
                record, _ = self._records.add_or_get(decision.to_record(thumbnail, liveness))
            except DatabaseError as exc:
                self.last_error = str(exc)
                break
            self.pending.pop(0)
            written.append(record)
            self.last_error = None
        return written
