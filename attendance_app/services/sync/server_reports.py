"""Reports across rooms: the server's people, sessions and records as a throw-away SQLite file,
so every report (session, person, group) is built by the same ReportService code as a
kiosk's own reports, and a group's week spans every kiosk.

The snapshot holds no biometric data (the server keeps no thumbnails, templates are not
copied) and lives in a private temporary folder removed when the block ends. Sessions are
those of the records (a session with no record yet does not exist on the server).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from attendance_app.services.report_service import ReportService
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.pg_server import PgServer, connect

_SESSION_COLUMNS = ("session_uid", "session_name", "roster_group", "session_started_at",
                    "late_after", "planned_end")


@contextlib.contextmanager
def server_report_service(dsn: str) -> Iterator[ReportService]:
    """A ReportService over a snapshot of the server; SyncServerError when unusable."""
    server = connect(dsn)
    try:
        with tempfile.TemporaryDirectory(prefix="attendance-report-") as folder:
            db = open_database(Path(folder) / "server-snapshot.db")
            try:
                copy_server(server, db)
                yield ReportService(db)
            finally:
                db.close()
    finally:
        server.close()


def copy_server(server: PgServer, db: AppDatabase) -> None:
    """Copy people, sessions, records and corrections into an empty app database."""
    people = server.fetch_rows("SELECT uid::text AS uid, name, external_id, group_name, "
                               "consent_at, created_at FROM people")
    records = server.fetch_rows("SELECT *, uid::text AS uid, session_uid::text AS session_uid, "
                                "person_uid::text AS person_uid FROM attendance_records "
                                "ORDER BY attendance_records.time, attendance_records.uid")
    corrections = server.fetch_rows("SELECT *, uid::text AS uid, record_uid::text AS record_uid "
                                    "FROM corrections "
                                    "ORDER BY corrections.received_at, corrections.uid")
    with db.transaction() as tx:
        tx.execute("INSERT INTO sync_apply_guard (id) VALUES (1)")  # a snapshot sends nothing
        person_ids = {}
        for p in people:
            cursor = tx.execute(
                "INSERT INTO people (uid, name, external_id, group_name, consent_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [p["uid"], p["name"], p["external_id"], p["group_name"], p["consent_at"],
                 p["created_at"] or "1970-01-01T00:00:00"])
            person_ids[p["uid"]] = cursor.lastrowid
        session_ids: dict[str, int] = {}
        record_ids: dict[str, int] = {}
        for r in records:
            if r["session_uid"] not in session_ids:
                cursor = tx.execute(
                    "INSERT INTO sessions (uid, name, roster_group, started_at, late_after, "
                    "planned_end) VALUES (?, ?, ?, ?, ?, ?)", [r[c] for c in _SESSION_COLUMNS])
                session_ids[r["session_uid"]] = int(cursor.lastrowid)
            cursor = tx.execute(
                "INSERT INTO attendance_records (uid, session_id, person_id, person_name, "
                "external_id, group_name, status, time, similarity, source, created_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, person_id) DO NOTHING",
                [r["uid"], session_ids[r["session_uid"]], person_ids.get(r["person_uid"]),
                 r["person_name"], r["external_id"], r["group_name"], r["status"], r["time"],
                 r["similarity"], r["source"], r["created_at"]])
            if cursor.rowcount:
                record_ids[r["uid"]] = int(cursor.lastrowid)
        for c in corrections:
            if c["record_uid"] in record_ids:
                tx.execute("INSERT INTO corrections (uid, record_id, action, new_status, by_user, "
                           "at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [c["uid"], record_ids[c["record_uid"]], c["action"], c["new_status"],
                            c["by_user"], c["at"], c["reason"]])
        tx.execute("DELETE FROM sync_apply_guard")
