"""SessionRun: one open session taking attendance; every decision is committed as it is made.

Records are written (and committed: WAL + synchronous=FULL) before anyone is told about them, so a
crash never loses a record that was shown or printed. If the database refuses a write (locked,
disk full), the decision stays in memory in `pending`, is retried on a later event (`poll`, at
most every `retry_interval_s`) and at close, and the failure is reported through `last_error`;
nothing is dropped silently.

Every event method returns *all* the records committed during the call, oldest first: a record
held in `pending` and written later comes out of the call that wrote it, so each committed record
reaches the window or stdout exactly once.

`write_timeout_ms`: how long a live write waits for another program's lock (the window calls
from its GUI thread and must not freeze behind a CLI writer; the SQLite default here is 5 s). A
write that meets a lock fails fast and is retried; `close` always waits the full busy timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, LivenessCheck
from attendance_app.domain.attendance_policy import (AttendanceDecision, AttendancePolicy,
                                                     arrival_correction, awaits_arrival)
from attendance_app.domain.errors import AttendanceAppError, DatabaseError
from attendance_app.domain.session import Session
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from attendance_app.vision.image_io import encode_png


class SessionRun:
    """Applies the attendance policy of one session and stores what it decides."""

    def __init__(self, db, session: Session, policy: AttendancePolicy, roster_size: int | None,
                 clock: Callable[[], datetime] = datetime.now, *,
                 write_timeout_ms: int | None = None, retry_interval_s: float = 0.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 release: Callable[[], None] | None = None,
                 manual_ids: Iterable[int] = ()) -> None:
        self._db = db
        self.session = session
        self._policy = policy
        self.roster_size = roster_size
        self._clock = clock
        self._records = AttendanceRepository(db)
        self._unknowns = UnknownFaceRepository(db)
        self.pending: list[tuple[AttendanceDecision, bytes | None, LivenessCheck | None]] = []
        self.last_error: str | None = None
        self._write_timeout_ms = write_timeout_ms
        self._retry_interval_s = retry_interval_s
        self._monotonic = monotonic
        self._last_failure_at: float | None = None
        self._release = release  # gives up the session's lock (after close or detach)
        # People whose record was made by hand: if it says excused or absent and the camera
        # then recognises them, their arrival is added to it (`_arrive`), once.
        self._manual_ids: set[int] = set(manual_ids)

    # ----------------------------------------------------------------- events
    def on_sighting(self, person_id: int, similarity: float, crop: np.ndarray | None = None,
                    when: datetime | None = None,
                    liveness: LivenessCheck | None = None) -> list[AttendanceRecord]:
        """A confirmed sighting. Returns every record committed by this call, oldest first:
        this sighting's (unless already recorded / off the roster and ignored / session
        closed / not written yet, see `pending`) and any held earlier that were written now.
        `liveness` is stored on the record (None: not checked)."""
        when = when or self._clock()
        decision = self._policy.on_sighting(person_id, when, similarity)
        if decision is not None:
            thumbnail = encode_png(crop) if crop is not None else None
            self.pending.append((decision, thumbnail, liveness))
        elif person_id in self._manual_ids and not self._policy.is_closed:
            return self._flush_live() + self._arrive(person_id, when, similarity)
        return self._flush_live()

    def on_sightings(self, sightings: Iterable[Any]) -> list[AttendanceRecord]:
        """All confirmed sightings of one frame (objects with person_id, similarity, crop);
        call it for every frame, even with none, so held records are retried. Returns every
        record committed by this call, each once."""
        written: list[AttendanceRecord] = []
        for s in sightings:
            written.extend(self.on_sighting(s.person_id, s.similarity, s.crop))
        return written + self.poll()

    def poll(self) -> list[AttendanceRecord]:
        """Retry the held records when the retry interval has passed; the records written."""
        return self._flush_live() if self.pending else []

    def on_unknown(self, crop: np.ndarray, best_similarity: float,
                   best_person_id: int | None = None, when: datetime | None = None):
        """Keep one snapshot of an unknown track for later review (enrol or dismiss)."""
        try:
            with self._live_timeout():
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

    def mark_present(self, person_id: int, when: datetime | None = None
                     ) -> list[AttendanceRecord]:
        """A manual record for someone the camera did not confirm: the records committed by
        this call, the manual one last. DatabaseError when it could not be written yet."""
        decision = self._policy.mark_present_manually(person_id, when or self._clock())
        self.pending.append((decision, None, None))
        with self._live_timeout():
            written = self.flush_pending()
        if not written or self.pending:
            raise DatabaseError(self.last_error or "the record could not be written yet")
        return written

    def record_manual(self, person_id: int, status: AttendanceStatus,
                      when: datetime | None = None) -> AttendanceRecord:
        """A manual record with `status` for someone without one (the policy then knows them,
        so a later sighting adds nothing). Raises ValidationError when they have a record."""
        decision = self._policy.mark_present_manually(person_id, when or self._clock())
        self.pending.append((replace(decision, status=status), None, None))
        self._manual_ids.add(person_id)
        written = self.flush_pending()
        if not written:
            raise DatabaseError(self.last_error or "the record could not be written yet")
        return written[-1]

    def close(self, when: datetime | None = None) -> list[AttendanceRecord]:
        """End the session: absent records for roster members never seen, session closed.
        Returns every record committed by this call (held ones first, then the absences)."""
        when = when or self._clock()
        when = max(when, self.session.started_at)
        for decision in self._policy.close(when):
            self.pending.append((decision, None, None))
        written = self.flush_pending()
        if self.pending:
            raise DatabaseError(f"{len(self.pending)} record(s) could not be written: "
                                f"{self.last_error}. They are kept in memory; try again.")
        self.session = SessionRepository(self._db).close(self.session.id, when)
        self.detach()
        return written

    def detach(self) -> None:
        """Stop running this session here without closing it: it stays open, and another
        window or command (or this one) may resume it."""
        if self._release is not None:
            release, self._release = self._release, None
            release()

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
    def _arrive(self, person_id: int, when: datetime, similarity: float
                ) -> list[AttendanceRecord]:
        """A person marked excused (or absent) by hand is recognised: the arrival is added to
        their record as the camera's correction (present or late by the usual rule), once; a
        record corrected to present meanwhile, or an arrival the teacher undid, is left alone.
        A refused write is reported in `last_error` and tried again at the next sighting."""
        try:
            with self._live_timeout():
                record = next((r for r in self._records.list_for_session(self.session.id)
                               if r.person_id == person_id), None)
                if record is None or not awaits_arrival(record) or any(
                        c.action == "arrive" for c in record.corrections):
                    self._manual_ids.discard(person_id)
                    return []
                status = self._policy.arrival_status(when)
                self._records.add_correction(arrival_correction(record, status, when,
                                                                similarity))
                updated = self._records.get(record.id)  # type: ignore[arg-type]
        except AttendanceAppError as exc:
            self.last_error = f"the arrival of an excused person was not written yet: {exc}"
            return []
        self._manual_ids.discard(person_id)
        return [updated]

    def _flush_live(self) -> list[AttendanceRecord]:
        """`flush_pending` for live events: not again before the retry interval after a failure,
        and waiting at most `write_timeout_ms` for a lock."""
        if (self._last_failure_at is not None
                and self._monotonic() - self._last_failure_at < self._retry_interval_s):
            return []
        with self._live_timeout():
            return self.flush_pending()

    @contextlib.contextmanager
    def _live_timeout(self) -> Iterator[None]:
        if self._write_timeout_ms is None:
            yield
            return
        with self._db.busy_timeout(self._write_timeout_ms):
            yield

    def flush_pending(self) -> list[AttendanceRecord]:
        """Write the decisions held in memory, oldest first; stop at the first failure."""
        written: list[AttendanceRecord] = []
        while self.pending:
            decision, thumbnail, liveness = self.pending[0]
            try:
                record, _ = self._records.add_or_get(decision.to_record(thumbnail, liveness))
            except DatabaseError as exc:
                self.last_error = str(exc)
                self._last_failure_at = self._monotonic()
                break
            self.pending.pop(0)
            written.append(record)
            self.last_error = None
            self._last_failure_at = None
        return written
