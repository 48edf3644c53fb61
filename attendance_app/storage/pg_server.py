"""PgServer: the kiosks' shared PostgreSQL server (psycopg 3), seen from one kiosk.

Connection strings are libpq's (`host=... dbname=...` or `postgresql://...`); the password is
never part of what the app stores: libpq reads it from PGPASSWORD or its passfile (~/.pgpass,
PGPASSFILE). Every failure is a SyncServerError whose message says what to do; none contains
the connection string's password.

One connection in autocommit mode: LISTEN needs it, writes use explicit transactions.
Payload shapes (dicts) are those built by storage.sync_outbox (push) and consumed by
storage.sync_apply (pull).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg

from attendance_app.domain.errors import SyncServerError
from attendance_app.storage import pg_schema

PERSON_FIELDS = ("name", "external_id", "group_name", "consent_at", "consent_by",
                 "consent_version")
_RECORD_COLUMNS = ("uid", "kiosk_id", "session_uid", "session_name", "roster_group",
                   "session_started_at", "late_after", "planned_end", "person_uid", "person_name",
                   "external_id", "group_name", "status", "time", "similarity", "source",
                   "created_at")
_CORRECTION_COLUMNS = ("uid", "record_uid", "kiosk_id", "action", "new_status", "by_user", "at",
                       "reason")
TEMPLATE_PAGE = 5000


@dataclass
class PushBatch:
    """What one kiosk delivers in one transaction."""

    records: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)  # uid, changed, values, at
    templates: list[dict[str, Any]] = field(default_factory=list)  # uid, person_uid, model_key..
    deletions: list[dict[str, Any]] = field(default_factory=list)  # uid, at

    def __len__(self) -> int:
        return (len(self.records) + len(self.corrections) + len(self.people)
                + len(self.templates) + len(self.deletions))


@dataclass
class PullPage:
    """Changes after a version: apply deletions, then people, then templates."""

    deletions: list[str]
    people: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    up_to: int  # the version the kiosk has seen once this page is applied
    more: bool  # another page follows


def connect(dsn: str, *, timeout_s: float = 3.0) -> "PgServer":
    """Connect and check the server (PostgreSQL >= 15) and its schema (this app's version).
    Raises SyncServerError with the reason and what to do."""
    conn = _open(dsn, timeout_s)
    server = PgServer(conn)
    try:
        server.require_compatible()
    except BaseException:
        conn.close()
        raise
    return server


def connect_for_init(dsn: str, *, timeout_s: float = 5.0) -> "PgServer":
    """A connection for `server init`: checks only the server version."""
    server = PgServer(_open(dsn, timeout_s))
    try:
        server.check_server_version()
    except BaseException:
        server.close()
        raise
    return server


def _open(dsn: str, timeout_s: float) -> psycopg.Connection:
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=max(1, round(timeout_s)),
                               application_name="attendance-app")
    except psycopg.ProgrammingError as exc:  # libpq could not parse the string
        raise SyncServerError(f"the server connection string is not valid ({_first_line(exc)}); "
                              "expected e.g. 'host=server.local dbname=attendance user=kiosk'"
                              ) from None
    except psycopg.OperationalError as exc:
        text = _first_line(exc)
        if "password authentication failed" in text or "no password supplied" in text:
            raise SyncServerError(
                f"the server refused the password ({text}); set PGPASSWORD or put the password "
                "in the libpq passfile (~/.pgpass)") from None
        if "does not exist" in text:
            raise SyncServerError(f"the server has no such database or user ({text})") from None
        raise SyncServerError(f"cannot reach the server ({text}); working offline") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class PgServer:
    """Schema checks, delivery (push), pulls by version and change notifications."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self._listening = False

    # ------------------------------------------------------------------ schema
    def check_server_version(self) -> int:
        """The server's version number; SyncServerError below PostgreSQL 15."""
        # current_setting (not libpq's report) so a test can stand in an older server.
        number = int(self._scalar("SELECT current_setting('server_version_num')"))
        if number < pg_schema.MIN_SERVER_VERSION_NUM:
            raise SyncServerError(
                f"the server runs PostgreSQL {number // 10000}.{number % 10000}; this app needs "
                f"PostgreSQL 15 or newer")
        return number

    def schema_version(self) -> int | None:
        """The app schema version on the server; None when `server init` never ran."""
        if self._scalar("SELECT to_regclass('app_schema') IS NOT NULL") is False:
            return None
        return int(self._scalar("SELECT version FROM app_schema"))

    def require_compatible(self) -> None:
        self.check_server_version()
        version = self.schema_version()
        if version is None or version < pg_schema.SCHEMA_VERSION:
            raise SyncServerError(
                f"the server's schema is {'missing' if version is None else f'version {version}'}"
                f"; run `attendance-app server init` (this app uses version "
                f"{pg_schema.SCHEMA_VERSION})")
        if version > pg_schema.SCHEMA_VERSION:
            raise SyncServerError(
                f"the server's schema is version {version}, newer than this app understands "
                f"({pg_schema.SCHEMA_VERSION}); update the app on this kiosk. Working offline.")

    def init_schema(self) -> list[int]:
        """Create or migrate the schema (one transaction); the versions applied. Refuses a
        schema newer than this app."""
        with self._translate("create the schema"), self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [pg_schema.WRITE_LOCK])
            current = self.schema_version() or 0
            if current > pg_schema.SCHEMA_VERSION:
                raise SyncServerError(
                    f"the server's schema is version {current}, newer than this app "
                    f"({pg_schema.SCHEMA_VERSION}); refusing to touch it. Update the app.")
            return pg_schema.apply_steps(self.conn.execute, current)

    # ------------------------------------------------------------------ push
    def push(self, batch: PushBatch, kiosk_id: str) -> None:
        """Deliver a batch in one transaction; repeating it changes nothing (idempotent)."""
        versioned = bool(batch.people or batch.templates or batch.deletions)
        with self._translate("deliver changes"), self.conn.transaction():
            cur = self.conn.cursor()
            if versioned:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [pg_schema.WRITE_LOCK])
            for deletion in batch.deletions:
                self._delete_person(cur, deletion, kiosk_id)
            for person in batch.people:
                self._upsert_person(cur, person, kiosk_id)
            if batch.templates:
                cur.executemany(
                    "INSERT INTO templates (uid, person_uid, model_key, embedding, created_at, "
                    "version) SELECT %(uid)s, %(person_uid)s, %(model_key)s, %(embedding)s, "
                    "%(created_at)s, nextval('sync_version') WHERE EXISTS (SELECT 1 FROM people "
                    "WHERE uid = %(person_uid)s) ON CONFLICT (uid) DO NOTHING", batch.templates)
            if batch.records:
                cur.executemany(_insert_sql("attendance_records", _RECORD_COLUMNS),
                                [{**r, "kiosk_id": kiosk_id} for r in batch.records])
            if batch.corrections:
                cur.executemany(_insert_sql("corrections", _CORRECTION_COLUMNS),
                                [{**c, "kiosk_id": kiosk_id} for c in batch.corrections])
            if versioned:
                cur.execute("SELECT pg_notify(%s, %s)", [pg_schema.CHANGES_CHANNEL, kiosk_id])

    def _delete_person(self, cur: psycopg.Cursor, deletion: dict[str, Any], kiosk_id: str) -> None:
        uid = deletion["uid"]
        cur.execute("DELETE FROM people WHERE uid = %s", [uid])  # templates cascade
        cur.execute("DELETE FROM people_history WHERE person_uid = %s", [uid])
        cur.execute("UPDATE attendance_records SET person_uid = NULL WHERE person_uid = %s", [uid])
        cur.execute("INSERT INTO deletions (person_uid, deleted_at, deleted_by, version) VALUES "
                    "(%s, %s, %s, nextval('sync_version')) ON CONFLICT (person_uid) DO NOTHING",
                    [uid, deletion.get("at"), kiosk_id])

    def _upsert_person(self, cur: psycopg.Cursor, person: dict[str, Any], kiosk_id: str) -> None:
        """Last writer wins per field (by the time the kiosk wrote it); the value that lost, or
        was overwritten, goes to people_history."""
        uid, at, values = person["uid"], person["at"], person["values"]
        cur.execute("SELECT 1 FROM deletions WHERE person_uid = %s", [uid])
        if cur.fetchone():
            return  # deleted elsewhere: an edit never brings a person back
        cur.execute(f"SELECT {', '.join(PERSON_FIELDS)}, field_at FROM people WHERE uid = %s "
                    "FOR UPDATE", [uid])
        row = cur.fetchone()
        changed = [f for f in person["changed"] if f in PERSON_FIELDS]
        if row is None:
            cur.execute(
                f"INSERT INTO people (uid, {', '.join(PERSON_FIELDS)}, created_at, field_at, "
                f"version, updated_by) VALUES (%s, {', '.join(['%s'] * len(PERSON_FIELDS))}, "
                "%s, %s, nextval('sync_version'), %s)",
                [uid, *[values.get(f) for f in PERSON_FIELDS], person.get("created_at"),
                 json.dumps({f: at for f in PERSON_FIELDS}), kiosk_id])
            return
        current = dict(zip(PERSON_FIELDS, row[:-1]))
        field_at: dict[str, str] = dict(row[-1] or {})
        updates: dict[str, Any] = {}
        for name in changed:
            incoming, stored = values.get(name), current[name]
            if incoming == stored:
                continue
            wins = at >= field_at.get(name, "")
            cur.execute("INSERT INTO people_history (person_uid, field, old_value, new_value, "
                        "winner, written_at, written_by) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [uid, name, stored, incoming, "incoming" if wins else "server", at,
                         kiosk_id])
            if wins:
                updates[name], field_at[name] = incoming, at
        if updates:
            assignments = ", ".join(f"{name} = %s" for name in updates)
            cur.execute(f"UPDATE people SET {assignments}, field_at = %s, updated_by = %s, "
                        "updated_at = now(), version = nextval('sync_version') WHERE uid = %s",
                        [*updates.values(), json.dumps(field_at), kiosk_id, uid])

    # ------------------------------------------------------------------ pull
    def pull(self, since: int, template_page: int = TEMPLATE_PAGE) -> PullPage:
        """Changes with a version above `since`: every deletion and person, and up to
        `template_page` templates (oldest first)."""
        with self._translate("read changes"), self.conn.transaction():
            cur = self.conn.cursor()
            # Shared side of the writers' lock: a delivery that already drew versions commits
            # before this reads, so `up_to` never passes a change not yet visible.
            cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [pg_schema.WRITE_LOCK])
            cur.execute("SELECT person_uid::text, version FROM deletions WHERE version > %s",
                        [since])
            deletions = cur.fetchall()
            cur.execute(f"SELECT uid::text, {', '.join(PERSON_FIELDS)}, created_at, version "
                        "FROM people WHERE version > %s ORDER BY version", [since])
            names = ["uid", *PERSON_FIELDS, "created_at", "version"]
            people = [dict(zip(names, r)) for r in cur.fetchall()]
            cur.execute("SELECT uid::text, person_uid::text, model_key, embedding, created_at, "
                        "version FROM templates WHERE version > %s ORDER BY version LIMIT %s",
                        [since, template_page + 1])
            names = ["uid", "person_uid", "model_key", "embedding", "created_at", "version"]
            templates = [dict(zip(names, r)) for r in cur.fetchall()]
            more = len(templates) > template_page
            templates = templates[:template_page]
            if more:
                up_to = int(templates[-1]["version"])
            else:
                cur.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM sync_version")
                sequence = cur.fetchone()
                assert sequence is not None  # a one-row sequence relation
                up_to = max([since, int(sequence[0]),
                             *[int(v) for _, v in deletions], *[p["version"] for p in people]])
        for t in templates:
            t["embedding"] = bytes(t["embedding"])
        return PullPage([uid for uid, _ in deletions], people, templates, up_to, more)

    def listen(self) -> None:
        with self._translate("listen for changes"):
            self.conn.execute(f"LISTEN {pg_schema.CHANGES_CHANNEL}")
        self._listening = True

    def wait_for_change(self, timeout_s: float) -> bool:
        """Block up to `timeout_s` for a change notification; True when one came."""
        if not self._listening:
            self.listen()
        with self._translate("wait for changes"):
            for _ in self.conn.notifies(timeout=timeout_s, stop_after=1):
                return True
        return False

    # --------------------------------------------------------------- queries
    def fetch_rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read-only query as dicts (reports, status, tests)."""
        with self._translate("read"):
            cur = self.conn.execute(sql, params or [])
            names = [d.name for d in cur.description or []]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()

    def _scalar(self, sql: str) -> Any:
        with self._translate("read"):
            row = self.conn.execute(sql).fetchone()
        return None if row is None else row[0]

    def _translate(self, action: str) -> "_Translate":
        return _Translate(action)


class _Translate:
    """Context manager: psycopg errors -> SyncServerError naming the action."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if exc is not None and isinstance(exc, psycopg.Error):
            raise SyncServerError(f"could not {self.action} on the server: "
                                  f"{_first_line(exc)}") from None


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"({', '.join(f'%({c})s' for c in columns)}) ON CONFLICT (uid) DO NOTHING")
