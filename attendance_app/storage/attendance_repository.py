"""AttendanceRepository: attendance records and the corrections appended to them.

A record is unique per (session, person): adding a second one for the same person returns the
existing record instead (the live recogniser may race itself; the file has the last word).
Each record carries copies of the person's name, external id and group taken when it was made,
so it survives the person's deletion (person_id then becomes NULL, the thumbnail is erased).
Corrections are appended, never replacing the original status.

Only the face thumbnail is biometric: with encryption at rest enabled it is stored sealed (see
biometric_columns); names, statuses and times stay clear text so reports need no passphrase.
While the database is locked, records are read without their thumbnail (None) and a new record
is stored without it (a record is never refused for want of its picture).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from attendance_app.domain.attendance import (
    AttendanceRecord,
    AttendanceStatus,
    Correction,
    LivenessCheck,
    RecordSource,
)
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.biometric_cipher import BiometricCipher
from attendance_app.storage.biometric_columns import BiometricColumn, next_row_id
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.time_codec import from_db, now, to_db

CORRECTION_ACTIONS = ("mark_present", "mark_late", "excuse", "mark_absent", "undo",
                      "arrive")  # the camera: an excused person came after all

_RECORD_COLUMNS = ("session_id", "person_id", "person_name", "external_id", "group_name",
                   "status", "time", "similarity", "source", "thumbnail_png", "created_at",
                   "liveness")


class AttendanceRepository:
    """Attendance records in one AppDatabase."""

    def __init__(self, app_db: AppDatabase, cipher: BiometricCipher | None = None) -> None:
        self._app_db = app_db
        self._thumbnail = BiometricColumn(app_db, "attendance_records", "thumbnail_png", cipher)

    def add(self, record: AttendanceRecord) -> AttendanceRecord:
        """Store `record` (its id is ignored) or return the one the person already has in that
        session. Raises NotFoundError for an unknown session or person."""
        return self.add_or_get(record)[0]

    def add_or_get(self, record: AttendanceRecord) -> tuple[AttendanceRecord, bool]:
        """Like `add`, also saying whether a new record was written (False: it existed)."""
        status, source = AttendanceStatus(record.status), RecordSource(record.source)
        with self._app_db.transaction() as db:
            # Under the write lock; while locked the record is kept without its picture.
            record_id = next_row_id(self._app_db, "attendance_records")
            thumbnail = self._thumbnail.sealer(drop_when_locked=True)(record.thumbnail_png,
                                                                      record_id)
            name, external_id, group = self._identity(record)
            values = [record_id, record.session_id, record.person_id, name, external_id, group,
                      status.value, to_db(record.time), record.similarity, source.value,
                      thumbnail, to_db(now()),
                      None if record.liveness is None else LivenessCheck(record.liveness).value]
            try:
                cursor = db.execute(
                    f"INSERT INTO attendance_records (id, {', '.join(_RECORD_COLUMNS)}) VALUES "
                    f"({', '.join('?' * (len(_RECORD_COLUMNS) + 1))}) "
                    "ON CONFLICT (session_id, person_id) DO NOTHING", values)
            except sqlite3.IntegrityError as exc:
                raise NotFoundError(f"no session with id {record.session_id}") from exc
            if cursor.rowcount == 1:
                return self.get(inserted_id(cursor)), True
            row = db.execute("SELECT id FROM attendance_records WHERE session_id = ? AND "
                             "person_id = ?", [record.session_id, record.person_id]).fetchone()
            return self.get(int(row[0])), False

    def set_liveness(self, record_id: int, liveness: LivenessCheck | None) -> AttendanceRecord:
        """Change a record's liveness mark (a flagged track that showed life later). Raises
        NotFoundError for an unknown record."""
        value = None if liveness is None else LivenessCheck(liveness).value
        with self._app_db.transaction() as db:
            cursor = db.execute("UPDATE attendance_records SET liveness = ? WHERE id = ?",
                                [value, record_id])
        if cursor.rowcount != 1:
            raise NotFoundError(f"no attendance record with id {record_id}")
        return self.get(record_id)

    def get(self, record_id: int) -> AttendanceRecord:
        """One record with its corrections. Raises NotFoundError."""
        records = self._select("WHERE r.id = ?", [record_id])
        if not records:
            raise NotFoundError(f"no attendance record with id {record_id}")
        return records[0]

    def list_for_session(self, session_id: int) -> list[AttendanceRecord]:
        """A session's records with their corrections, in the order they were taken."""
        return self._select("WHERE r.session_id = ? ORDER BY r.time, r.id", [session_id])

    def recorded_person_ids(self, session_id: int) -> set[int]:
        """Ids of the (still existing) people who have a record in the session."""
        rows = self._app_db.conn.execute(
            "SELECT person_id FROM attendance_records WHERE session_id = ? AND person_id IS NOT "
            "NULL", [session_id]).fetchall()
        return {int(r[0]) for r in rows}

    def list_for_person(self, person_id: int, start: datetime | date | None = None,
                        end: datetime | date | None = None) -> list[AttendanceRecord]:
        """A person's records with record time in [start, end) (open ends when None)."""
        where, params = _time_range("WHERE r.person_id = ?", [person_id], start, end)
        return self._select(where + " ORDER BY r.time, r.id", params)

    def list_for_group(self, group: str, start: datetime | date | None = None,
                       end: datetime | date | None = None) -> list[AttendanceRecord]:
        """Records in [start, end) of sessions whose roster is `group`, plus records of people
        who were in `group` when recorded (e.g. seen in a session without a roster)."""
        where, params = _time_range(
            "WHERE (s.roster_group = ? OR r.group_name = ?)", [group, group], start, end)
        return self._select(where + " ORDER BY r.time, r.id", params)

    def add_correction(self, correction: Correction) -> Correction:
        """Append a correction to its record and return it with its id. Raises ValidationError
        for an unknown action (or a missing status), NotFoundError for an unknown record."""
        if correction.action not in CORRECTION_ACTIONS:
            raise ValidationError(f"unknown correction {correction.action!r}; expected one of "
                                  f"{', '.join(CORRECTION_ACTIONS)}")
        if correction.action != "undo" and correction.new_status is None:
            raise ValidationError(f"the correction {correction.action!r} needs a new status")
        if not correction.by.strip():
            raise ValidationError("a correction must say who made it")
        new_status = (None if correction.new_status is None
                      else AttendanceStatus(correction.new_status).value)
        with self._app_db.transaction() as db:
            self.get(correction.record_id)
            cursor = db.execute(
                "INSERT INTO corrections (record_id, action, new_status, by_user, at, reason) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [correction.record_id, correction.action, new_status, correction.by.strip(),
                 to_db(correction.at), correction.reason or ""])
            row = db.execute("SELECT * FROM corrections WHERE id = ?",
                             [cursor.lastrowid]).fetchone()
        return _to_correction(row)

    def clear_thumbnails_before(self, cutoff: datetime) -> int:
        """Retention: erase the face thumbnails of records taken before `cutoff` (the records
        stay). Returns how many were erased."""
        with self._app_db.transaction() as db:
            erased = db.execute("UPDATE attendance_records SET thumbnail_png = NULL WHERE "
                                "thumbnail_png IS NOT NULL AND time < ?",
                                [to_db(cutoff)]).rowcount
        if erased:
            self._app_db.checkpoint()
        return int(erased)

    def _identity(self, record: AttendanceRecord) -> tuple[str, str | None, str | None]:
        """Name, external id and group to copy onto the record: the person's current ones."""
        if record.person_id is None:
            if not record.person_name:
                raise ValidationError("an attendance record needs a person or a stored name")
            return record.person_name, record.external_id, record.group
        row = self._app_db.conn.execute(
            "SELECT name, external_id, group_name FROM people WHERE id = ?",
            [record.person_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no person with id {record.person_id}")
        return row[0], row[1], row[2]

    def _select(self, where: str, params: list[Any]) -> list[AttendanceRecord]:
        conn = self._app_db.conn
        cursor = conn.execute(
            "SELECT r.* FROM attendance_records r JOIN sessions s ON s.id = r.session_id "
            + where, params)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        corrections: dict[int, list[Correction]] = defaultdict(list)
        ids = [row["id"] for row in rows]
        for chunk_start in range(0, len(ids), 500):  # stay below SQLite's variable limit
            chunk = ids[chunk_start:chunk_start + 500]
            for c in conn.execute(
                    f"SELECT * FROM corrections WHERE record_id IN ({', '.join('?' * len(chunk))})"
                    " ORDER BY id", chunk):
                corrections[c[1]].append(_to_correction(c))
        open_thumbnail = self._thumbnail.opener(withhold_when_locked=True)
        return [_to_record(row, tuple(corrections[row["id"]]), open_thumbnail) for row in rows]


def _time_range(where: str, params: list[Any], start: datetime | date | None,
                end: datetime | date | None) -> tuple[str, list[Any]]:
    if start is not None:
        where, params = where + " AND r.time >= ?", [*params, to_db(_as_datetime(start))]
    if end is not None:
        where, params = where + " AND r.time < ?", [*params, to_db(_as_datetime(end))]
    return where, params


def _as_datetime(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _to_correction(row: tuple[Any, ...]) -> Correction:
    cid, record_id, action, new_status, by_user, at, reason = row[:7]  # then uid (sync)
    moment = from_db(at)
    assert moment is not None  # NOT NULL column
    return Correction(record_id=record_id, action=action,
                      new_status=None if new_status is None else AttendanceStatus(new_status),
                      by=by_user, at=moment, reason=reason, id=cid)


def _to_record(row: dict[str, Any], corrections: tuple[Correction, ...],
               open_thumbnail: Callable[[bytes | None, int], bytes | None]) -> AttendanceRecord:
    moment = from_db(row["time"])
    assert moment is not None  # NOT NULL column
    return AttendanceRecord(
        session_id=row["session_id"], person_id=row["person_id"],
        status=AttendanceStatus(row["status"]), time=moment, similarity=row["similarity"],
        source=RecordSource(row["source"]), thumbnail_png=open_thumbnail(row["thumbnail_png"], row["id"]),
        id=row["id"],
        corrections=corrections, person_name=row["person_name"],
        external_id=row["external_id"], group=row["group_name"],
        liveness=None if row.get("liveness") is None else LivenessCheck(row["liveness"]))
