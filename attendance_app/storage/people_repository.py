"""PeopleRepository: enrolled people, looked up by id, name or external id.

Deleting a person removes their crops, templates and linked unknown-face snapshots (foreign-key
cascades), erases the thumbnails on their attendance records (which stay, with the copied name,
for reports), and checkpoints the WAL so that, with secure_delete on, the bytes are gone from
the files on disk.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.domain.person import Person
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.time_codec import from_db, now, to_db

_UNSET: Any = object()

_SELECT = """
SELECT p.*, (SELECT count(*) FROM templates t WHERE t.person_id = p.id {model_filter})
       AS template_count
FROM people p
"""


class PeopleRepository:
    """People stored in one AppDatabase (use it from the thread that opened the database)."""

    def __init__(self, app_db: AppDatabase) -> None:
        self._app_db = app_db

    def add(self, name: str, *, external_id: str | None = None, group: str | None = None,
            consent_at: datetime | None = None, consent_by: str | None = None,
            consent_version: str | None = None, created_at: datetime | None = None) -> Person:
        """Store a new person. Raises ValidationError for an empty name or a taken external id."""
        name = _clean_name(name)
        row = {"name": name, "external_id": _blank_to_none(external_id),
               "group_name": _blank_to_none(group), "consent_at": to_db(consent_at),
               "consent_by": consent_by, "consent_version": consent_version,
               "created_at": to_db(created_at or now())}
        with self._app_db.transaction() as db:
            try:
                cursor = db.execute(
                    f"INSERT INTO people ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()))
            except sqlite3.IntegrityError as exc:
                raise _duplicate_external_id(row["external_id"]) from exc
            return self.get(inserted_id(cursor))

    def get(self, person_id: int, *, model_id: int | None = None) -> Person:
        """The person with this id; template_count counts `model_id`'s templates (all if None)."""
        rows = self._select("WHERE p.id = ?", [person_id], model_id)
        if not rows:
            raise NotFoundError(f"no person with id {person_id}")
        return rows[0]

    def find_by_external_id(self, external_id: str) -> Person | None:
        rows = self._select("WHERE p.external_id = ?", [external_id])
        return rows[0] if rows else None

    def find_by_name(self, name: str) -> list[Person]:
        """People whose name equals `name`, ignoring case and surrounding spaces."""
        return self._select("WHERE p.name = ? COLLATE NOCASE ORDER BY p.id", [name.strip()])

    def resolve(self, name_or_id: str | int) -> Person:
        """The one person meant by a user's argument: an int is an id; a string is tried as an
        external id, then (if all digits) as an id, then as a name. Raises NotFoundError when
        nobody matches and ValidationError when a name is shared by several people."""
        if isinstance(name_or_id, int):
            return self.get(name_or_id)
        text = name_or_id.strip()
        by_external = self.find_by_external_id(text) if text else None
        if by_external is not None:
            return by_external
        if text.isdigit():
            try:
                return self.get(int(text))
            except NotFoundError:
                pass
        matches = self.find_by_name(text) if text else []
        if not matches:
            raise NotFoundError(f"no person called or numbered {name_or_id!r}")
        if len(matches) > 1:
            ids = ", ".join(f"{p.id}" + (f" ({p.external_id})" if p.external_id else "")
                            for p in matches)
            raise ValidationError(f"{len(matches)} people are called {text!r} (ids {ids}); "
                                  f"use the id or external id instead")
        return matches[0]

    def list_all(self, *, group: str | None = None, model_id: int | None = None) -> list[Person]:
        """Everyone (or one group's members), sorted by name, with their template counts."""
        if group is None:
            return self._select("ORDER BY p.name COLLATE NOCASE, p.id", [], model_id)
        return self._select("WHERE p.group_name = ? ORDER BY p.name COLLATE NOCASE, p.id",
                            [group], model_id)

    def search(self, text: str, *, model_id: int | None = None) -> list[Person]:
        """People whose name, external id or group contains `text` (case-insensitive)."""
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        return self._select(
            "WHERE p.name LIKE ? ESCAPE '\\' OR p.external_id LIKE ? ESCAPE '\\' "
            "OR p.group_name LIKE ? ESCAPE '\\' ORDER BY p.name COLLATE NOCASE, p.id",
            [pattern, pattern, pattern], model_id)

    def groups(self) -> list[str]:
        """The distinct group names in use, sorted: the rosters a session can pick."""
        rows = self._app_db.conn.execute(
            "SELECT DISTINCT group_name FROM people WHERE group_name IS NOT NULL "
            "ORDER BY group_name COLLATE NOCASE").fetchall()
        return [r[0] for r in rows]

    def rename_group(self, old: str, new: str) -> int:
        """Move everyone in group `old` to `new` (one statement); returns how many moved."""
        with self._app_db.transaction() as db:
            return int(db.execute("UPDATE people SET group_name = ? WHERE group_name = ?",
                                  [_blank_to_none(new), old]).rowcount)

    def update(self, person_id: int, *, name: str = _UNSET, external_id: str | None = _UNSET,
               group: str | None = _UNSET, consent_at: datetime | None = _UNSET,
               consent_by: str | None = _UNSET,
               consent_version: str | None = _UNSET) -> Person:
        """Change the given fields only. Raises NotFoundError / ValidationError."""
        changes: dict[str, Any] = {}
        if name is not _UNSET:
            changes["name"] = _clean_name(name)
        if external_id is not _UNSET:
            changes["external_id"] = _blank_to_none(external_id)
        if group is not _UNSET:
            changes["group_name"] = _blank_to_none(group)
        if consent_at is not _UNSET:
            changes["consent_at"] = to_db(consent_at)
        if consent_by is not _UNSET:
            changes["consent_by"] = consent_by
        if consent_version is not _UNSET:
            changes["consent_version"] = consent_version
        with self._app_db.transaction() as db:
            self.get(person_id)
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                try:
                    db.execute(f"UPDATE people SET {assignments} WHERE id = ?",
                               [*changes.values(), person_id])
                except sqlite3.IntegrityError as exc:
                    raise _duplicate_external_id(changes.get("external_id")) from exc
            return self.get(person_id)

    def stored_identity(self, person_id: int) -> tuple[int, str]:
        """(id, created_at exactly as stored): names this person in copies of the file too,
        where the id alone may belong to someone enrolled later. Raises NotFoundError."""
        row = self._app_db.conn.execute("SELECT id, created_at FROM people WHERE id = ?",
                                        [person_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no person with id {person_id}")
        return int(row[0]), str(row[1])

    def delete_identities(self, identities: list[tuple[int, str]]) -> int:
        """Delete the people named by (id, created_at) that are still here (re-applying
        recorded erasures after a restore); returns how many were deleted."""
        wanted = set(identities)
        present = [i for i in wanted if self._app_db.conn.execute(
            "SELECT 1 FROM people WHERE id = ? AND created_at = ?", list(i)).fetchone()]
        if not present:
            return 0  # the usual case: read-only, no write lock taken at every start
        deleted = 0
        with self._app_db.transaction() as db:
            for person_id, created_at in present:
                deleted += db.execute("DELETE FROM people WHERE id = ? AND created_at = ?",
                                      [person_id, created_at]).rowcount
        if deleted:
            self._app_db.checkpoint()
        return deleted

    def delete(self, person_id: int) -> Person:
        """Remove a person and everything biometric about them; returns who was removed.

        Attendance records stay (name copied on them, person_id NULL, thumbnail erased).
        Raises NotFoundError for an unknown id.
        """
        with self._app_db.transaction() as db:
            person = self.get(person_id)
            db.execute("DELETE FROM people WHERE id = ?", [person_id])
        # Outside the transaction: the WAL still holds the old pages until it is checkpointed.
        self._app_db.checkpoint()
        return person

    def _select(self, where: str, params: list[Any], model_id: int | None = None) -> list[Person]:
        model_filter = "" if model_id is None else "AND t.model_id = ?"
        sql = _SELECT.format(model_filter=model_filter) + where
        full_params = ([] if model_id is None else [model_id]) + params
        cursor = self._app_db.conn.execute(sql, full_params)
        columns = [d[0] for d in cursor.description]
        return [_to_person(dict(zip(columns, row))) for row in cursor.fetchall()]


def _to_person(row: dict[str, Any]) -> Person:
    return Person(id=row["id"], name=row["name"], external_id=row["external_id"],
                  group=row["group_name"], consent_at=from_db(row["consent_at"]),
                  consent_by=row["consent_by"], consent_version=row["consent_version"],
                  created_at=from_db(row["created_at"]), template_count=row["template_count"])


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError("a person needs a name")
    return cleaned


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _duplicate_external_id(external_id: str | None) -> ValidationError:
    return ValidationError(f"the external id {external_id!r} already belongs to someone else")
