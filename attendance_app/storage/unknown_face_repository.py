"""UnknownFaceRepository: snapshots of unrecognised faces awaiting review, and their expiry.

Privacy: a reviewed snapshot (dismissed or enrolled) loses its image at once; pending ones
expire after the retention period (`delete_older_than`). Snapshots linked to a person (as best
guess or as enrolled) disappear when that person is deleted (foreign-key cascade).

With encryption at rest enabled the snapshots are stored sealed (see biometric_columns). While
the database is locked, adding a snapshot raises AccessDeniedError and faces are listed without
their snapshot (None), so reports keep working.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.biometric_cipher import BiometricCipher
from attendance_app.storage.biometric_columns import BiometricColumn, next_row_id
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.time_codec import from_db, now, to_db
from attendance_app.storage.unknown_face import UnknownFace


class UnknownFaceRepository:
    """Unknown faces in one AppDatabase."""

    def __init__(self, app_db: AppDatabase, cipher: BiometricCipher | None = None) -> None:
        self._app_db = app_db
        self._snapshot = BiometricColumn(app_db, "unknown_faces", "snapshot_png", cipher)

    def add(self, time: datetime, snapshot_png: bytes | None, *, session_id: int | None = None,
            best_person_id: int | None = None, best_similarity: float | None = None,
            created_at: datetime | None = None,
            liveness_reason: str | None = None) -> UnknownFace:
        """Store a pending unknown face. Raises NotFoundError for an unknown session/person.
        `liveness_reason` marks a *suspect* face: it matched `best_person_id` but the liveness
        check (policy require) never saw it live, for the reason given."""
        with self._app_db.transaction() as db:
            unknown_id = next_row_id(self._app_db, "unknown_faces")
            sealed = self._snapshot.seal(snapshot_png, unknown_id)  # under the write lock
            try:
                cursor = db.execute(
                    "INSERT INTO unknown_faces (id, session_id, time, snapshot_png, "
                    "best_person_id, best_similarity, status, created_at, liveness_reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                    [unknown_id, session_id, to_db(time), sealed, best_person_id,
                     best_similarity, to_db(created_at or now()), liveness_reason])
            except sqlite3.IntegrityError as exc:
                raise NotFoundError(f"session {session_id} or person {best_person_id} does not "
                                    f"exist") from exc
            return self.get(inserted_id(cursor))

    def get(self, unknown_id: int) -> UnknownFace:
        faces = self._select("WHERE id = ?", [unknown_id])
        if not faces:
            raise NotFoundError(f"no unknown face with id {unknown_id}")
        return faces[0]

    def list_pending(self, session_id: int | None = None) -> list[UnknownFace]:
        """Faces awaiting review (of one session, or all), oldest first."""
        if session_id is None:
            return self._select("WHERE status = 'pending' ORDER BY time, id", [])
        return self._select("WHERE status = 'pending' AND session_id = ? ORDER BY time, id",
                            [session_id])

    def list_for_session(self, session_id: int) -> list[UnknownFace]:
        """Every unknown face of a session, reviewed or not, oldest first (for reports)."""
        return self._select("WHERE session_id = ? ORDER BY time, id", [session_id])

    def dismiss(self, unknown_id: int) -> UnknownFace:
        """Mark as not worth enrolling and erase the snapshot. Raises NotFoundError."""
        return self._review(unknown_id, "dismissed", None)

    def mark_enrolled(self, unknown_id: int, person_id: int) -> UnknownFace:
        """Record that the face was enrolled as `person_id` (the crop now lives with that
        person) and erase the snapshot. Raises NotFoundError for an unknown face or person."""
        return self._review(unknown_id, "enrolled", person_id)

    def delete_older_than(self, days: int, *, now_: datetime | None = None) -> int:
        """Retention: delete unknown faces created more than `days` days ago (reviewed or not).
        Returns how many were deleted."""
        if days < 0:
            raise ValidationError("a retention period cannot be negative")
        cutoff = (now_ or now()) - timedelta(days=days)
        with self._app_db.transaction() as db:
            removed = db.execute("DELETE FROM unknown_faces WHERE created_at < ?",
                                 [to_db(cutoff)]).rowcount
        if removed:
            self._app_db.checkpoint()
        return int(removed)

    def _review(self, unknown_id: int, status: str, person_id: int | None) -> UnknownFace:
        with self._app_db.transaction() as db:
            self.get(unknown_id)
            try:
                db.execute("UPDATE unknown_faces SET status = ?, enrolled_person_id = ?, "
                           "snapshot_png = NULL WHERE id = ?", [status, person_id, unknown_id])
            except sqlite3.IntegrityError as exc:
                raise NotFoundError(f"no person with id {person_id}") from exc
            face = self.get(unknown_id)
        self._app_db.checkpoint()
        return face

    def _select(self, where: str, params: list[Any]) -> list[UnknownFace]:
        cursor = self._app_db.conn.execute(f"SELECT * FROM unknown_faces {where}", params)
        columns = [d[0] for d in cursor.description]
        open_snapshot = self._snapshot.opener(withhold_when_locked=True)
        return [_to_unknown(dict(zip(columns, row)), open_snapshot) for row in cursor.fetchall()]


def _to_unknown(row: dict[str, Any], open_snapshot: Callable[[bytes | None, int], bytes | None]
                ) -> UnknownFace:
    time, created = from_db(row["time"]), from_db(row["created_at"])
    assert time is not None and created is not None  # NOT NULL columns
    return UnknownFace(id=row["id"], time=time, created_at=created, session_id=row["session_id"],
                       snapshot_png=open_snapshot(row["snapshot_png"], row["id"]),
                       best_person_id=row["best_person_id"],
                       best_similarity=row["best_similarity"], status=row["status"],
                       enrolled_person_id=row["enrolled_person_id"],
                       liveness_reason=row.get("liveness_reason"))
