"""LocalSyncStore: the kiosk side of sync in its own SQLite file (outbox out, server changes in).

The outbox rows are written by triggers (migration 3 "kiosk sync") in the same transaction as
the row they announce. `next_batch` turns the oldest rows into a PushBatch, reading each row
as it is now (a row deleted meanwhile is simply acknowledged); `acknowledge` removes them once
the server committed them. A crash between the two re-sends them: the server ignores repeats.

`apply` writes a server PullPage in one transaction holding the `sync_apply_guard` row, so
the triggers do not echo it back: deletions first (with the same cascade and WAL checkpoint as
a local delete, so secure_delete scrubs the bytes), then people (skipping tombstoned ones),
then templates of models this kiosk has.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from attendance_app.domain.errors import AccessDeniedError
from attendance_app.storage.biometric_cipher import BiometricCipher
from attendance_app.storage.biometric_columns import BiometricColumn
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.key_value_repository import KeyValueRepository
from attendance_app.storage.pg_server import PERSON_FIELDS, PullPage, PushBatch
from attendance_app.storage.time_codec import now, to_db

KIOSK_ID_KEY = "sync.kiosk_id"
PULLED_VERSION_KEY = "sync.pulled_version"
SERVER_ID_KEY = "sync.server_id"


@dataclass
class OutboxBatch:
    ids: list[int]
    batch: PushBatch


@dataclass
class Applied:
    deleted: int = 0
    people: int = 0
    templates: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.deleted or self.people or self.templates)


class LocalSyncStore:
    """Outbox, pulled-version bookkeeping and applying server changes, on one AppDatabase."""

    def __init__(self, app_db: AppDatabase, cipher: BiometricCipher | None = None) -> None:
        self._db = app_db
        self._kv = KeyValueRepository(app_db)
        self._embedding = BiometricColumn(app_db, "templates", "embedding", cipher)

    # ----------------------------------------------------------- bookkeeping
    def kiosk_id(self) -> str:
        """This data dir's kiosk id (a UUID made once)."""
        value = self._kv.get(KIOSK_ID_KEY)
        if value is None:
            value = str(uuid.uuid4())
            self._kv.set(KIOSK_ID_KEY, value)
        return value

    def pulled_version(self) -> int:
        return int(self._kv.get(PULLED_VERSION_KEY, "0") or 0)

    def set_pulled_version(self, version: int) -> None:
        self._kv.set(PULLED_VERSION_KEY, str(int(version)))

    def pending_count(self) -> int:
        return int(self._db.conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])

    def pending_records(self) -> int:
        return int(self._db.conn.execute(
            "SELECT count(*) FROM sync_outbox WHERE kind = 'record'").fetchone()[0])

    # ----------------------------------------------------------------- outbox
    def next_batch(self, limit: int = 1000) -> OutboxBatch:
        """The oldest `limit` outbox rows as one PushBatch (empty when nothing waits)."""
        rows = self._db.conn.execute(
            "SELECT id, kind, local_id, payload, created_at FROM sync_outbox ORDER BY id LIMIT ?",
            [limit]).fetchall()
        batch = PushBatch()
        handled: list[int] = []
        open_embedding = self._embedding.opener()  # raises on first use while locked
        for outbox_id, kind, local_id, payload, created_at in rows:
            extra = json.loads(payload or "{}")
            if kind == "record":
                _append(batch.records, self._record(local_id))
            elif kind == "correction":
                _append(batch.corrections, self._correction(local_id))
            elif kind == "person":
                _append(batch.people, self._person(local_id, extra, created_at))
            elif kind == "template":
                try:
                    _append(batch.templates, self._template(local_id, open_embedding))
                except AccessDeniedError:  # encrypted and locked: templates wait, records go
                    continue
            elif kind == "person_delete":
                batch.deletions.append({"uid": extra["uid"], "at": created_at})
            handled.append(outbox_id)
        return OutboxBatch(handled, batch)

    def acknowledge(self, ids: list[int]) -> None:
        """Remove delivered outbox rows."""
        with self._db.transaction() as db:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                db.execute(f"DELETE FROM sync_outbox WHERE id IN ({', '.join('?' * len(chunk))})",
                           chunk)

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        cursor = self._db.conn.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row))

    def _record(self, record_id: int) -> dict[str, Any] | None:
        return self._one(
            "SELECT r.uid, s.uid AS session_uid, s.name AS session_name, s.roster_group, "
            "s.started_at AS session_started_at, s.late_after, s.planned_end, "
            "p.uid AS person_uid, r.person_name, r.external_id, r.group_name, r.status, r.time, "
            "r.similarity, r.source, r.created_at FROM attendance_records r "
            "JOIN sessions s ON s.id = r.session_id LEFT JOIN people p ON p.id = r.person_id "
            "WHERE r.id = ?", [record_id])

    def _correction(self, correction_id: int) -> dict[str, Any] | None:
        return self._one(
            "SELECT c.uid, r.uid AS record_uid, c.action, c.new_status, c.by_user, c.at, "
            "c.reason FROM corrections c JOIN attendance_records r ON r.id = c.record_id "
            "WHERE c.id = ?", [correction_id])

    def _person(self, person_id: int, extra: dict[str, Any],
                written_at: str) -> dict[str, Any] | None:
        row = self._one("SELECT uid, created_at FROM people WHERE id = ?", [person_id])
        changed = extra.get("changed") or []
        if row is None or not changed:
            return None
        return {"uid": row["uid"], "created_at": row["created_at"], "changed": changed,
                "values": extra.get("values") or {}, "at": written_at}

    def _template(self, template_id: int,
                  open_embedding: Callable[[bytes | None, int], bytes | None]
                  ) -> dict[str, Any] | None:
        row = self._one(
            "SELECT t.uid, p.uid AS person_uid, m.sha256 AS model_key, t.embedding, t.created_at "
            "FROM templates t JOIN people p ON p.id = t.person_id JOIN models m ON "
            "m.id = t.model_id WHERE t.id = ?", [template_id])
        if row is not None:
            # the server never sees a sealed blob (sealed values are bound to their row id)
            row["embedding"] = open_embedding(row["embedding"], template_id)
        return row

    # ------------------------------------------------------------------ apply
    def apply(self, page: PullPage, model_for_key: Callable[[str], int | None]) -> Applied:
        """Write a server page locally without echoing it; checkpoints after deletions."""
        applied = Applied()
        models: dict[str, int | None] = {}
        with self._db.transaction() as db:
            db.execute("INSERT INTO sync_apply_guard (id) VALUES (1)")
            for uid in page.deletions:
                applied.deleted += db.execute("DELETE FROM people WHERE uid = ?", [uid]).rowcount
                db.execute("INSERT OR IGNORE INTO sync_tombstones (uid, deleted_at) VALUES (?, ?)",
                           [uid, to_db(now())])
            for person in page.people:
                applied.people += self._apply_person(db, person, applied)
            for template in page.templates:
                key = template["model_key"]
                if key not in models:
                    models[key] = model_for_key(key)
                    if models[key] is None:
                        applied.skipped.append(f"templates of model {key[:12]}: this kiosk "
                                               "does not have that model")
                model_id = models[key]
                if model_id is not None:
                    applied.templates += self._apply_template(db, template, model_id)
            db.execute("DELETE FROM sync_apply_guard")
            db.execute("INSERT INTO settings_kv (key, value) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value", [PULLED_VERSION_KEY,
                                                                str(page.up_to)])
        if applied.deleted:
            self._db.checkpoint()  # the deleted pages leave the WAL (secure_delete zeroes them)
        return applied

    def _apply_person(self, db: Any, person: dict[str, Any], applied: Applied) -> int:
        uid = person["uid"]
        if db.execute("SELECT 1 FROM sync_tombstones WHERE uid = ?", [uid]).fetchone():
            return 0
        values = [person[f] for f in PERSON_FIELDS]
        try:
            cursor = db.execute(
                f"UPDATE people SET {', '.join(f'{f} = ?' for f in PERSON_FIELDS)} WHERE uid = ?",
                [*values, uid])
            if cursor.rowcount == 0:
                db.execute(f"INSERT INTO people (uid, {', '.join(PERSON_FIELDS)}, created_at) "
                           f"VALUES (?, {', '.join('?' * len(PERSON_FIELDS))}, ?)",
                           [uid, *values, person["created_at"] or to_db(now())])
        except sqlite3.IntegrityError:
            applied.skipped.append(f"person {person['name']!r}: external id "
                                   f"{person['external_id']!r} is taken by someone else here")
            return 0
        return 1

    def _apply_template(self, db: Any, template: dict[str, Any], model_id: int) -> int:
        person = db.execute("SELECT id FROM people WHERE uid = ?",
                            [template["person_uid"]]).fetchone()
        if person is None:
            return 0
        # An explicit id, so the sealed value can be bound to its row (issue 14).
        template_id = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM templates"
                                     ).fetchone()[0])
        blob = self._embedding.sealer()(template["embedding"], template_id)
        cursor = db.execute(
            "INSERT INTO templates (id, uid, person_id, crop_id, model_id, embedding, created_at) "
            "VALUES (?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
            [template_id, template["uid"], person[0], model_id, blob,
             template["created_at"] or to_db(now())])
        return int(cursor.rowcount)


def _append(items: list[dict[str, Any]], item: dict[str, Any] | None) -> None:
    if item is not None:
        items.append(item)
