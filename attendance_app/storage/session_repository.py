"""SessionRepository: lessons, meetings or shifts during which attendance is taken."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from attendance_app.domain.errors import NotFoundError
from attendance_app.domain.session import Session
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.time_codec import from_db, to_db


class SessionRepository:
    """Sessions stored in one AppDatabase."""

    def __init__(self, app_db: AppDatabase) -> None:
        self._app_db = app_db

    def create(self, session: Session) -> Session:
        """Store a new session (its `id` is ignored) and return it with the id it got."""
        with self._app_db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO sessions (name, roster_group, started_at, late_after, planned_end, "
                "ended_at) VALUES (?, ?, ?, ?, ?, ?)",
                [session.name.strip(), session.roster_group, to_db(session.started_at),
                 to_db(session.late_after), to_db(session.planned_end), to_db(session.ended_at)])
            return self.get(inserted_id(cursor))

    def get(self, session_id: int) -> Session:
        sessions = self._select("WHERE id = ?", [session_id])
        if not sessions:
            raise NotFoundError(f"no session with id {session_id}")
        return sessions[0]

    def find(self, name: str, on: date) -> list[Session]:
        """Sessions with this name (case-insensitive) started on the calendar day `on`, latest
        first: a resumed "Math 101" finds today's session."""
        day = on.date() if isinstance(on, datetime) else on
        start = datetime.combine(day, datetime.min.time())
        return self._select(
            "WHERE name = ? COLLATE NOCASE AND started_at >= ? AND started_at < ? "
            "ORDER BY started_at DESC, id DESC",
            [name.strip(), to_db(start), to_db(start + timedelta(days=1))])

    def open_sessions(self) -> list[Session]:
        """Sessions not closed yet (e.g. after a crash), oldest first."""
        return self._select("WHERE ended_at IS NULL ORDER BY started_at, id", [])

    def close(self, session_id: int, ended_at: datetime) -> Session:
        """Record the session's end. Closing a closed session changes nothing and returns it.
        Raises NotFoundError, or ValidationError when `ended_at` is before the start."""
        with self._app_db.transaction() as db:
            session = self.get(session_id)
            if session.ended_at is not None:
                return session
            Session(session.id, session.name, session.started_at, ended_at=ended_at)  # validates
            db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [to_db(ended_at),
                                                                          session_id])
            return self.get(session_id)

    def list_in_range(self, start: datetime | date, end: datetime | date,
                      *, roster_group: str | None = None) -> list[Session]:
        """Sessions that started in [start, end), oldest first; a date means its midnight.
        Optionally only one roster group's sessions."""
        where = "WHERE started_at >= ? AND started_at < ?"
        params: list[Any] = [to_db(_as_datetime(start)), to_db(_as_datetime(end))]
        if roster_group is not None:
            where += " AND roster_group = ?"
            params.append(roster_group)
        return self._select(where + " ORDER BY started_at, id", params)

    def _select(self, where: str, params: list[Any]) -> list[Session]:
        cursor = self._app_db.conn.execute(f"SELECT * FROM sessions {where}", params)
        columns = [d[0] for d in cursor.description]
        return [_to_session(dict(zip(columns, row))) for row in cursor.fetchall()]


def _as_datetime(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time())


def _to_session(row: dict[str, Any]) -> Session:
    started = from_db(row["started_at"])
    assert started is not None  # NOT NULL column
    return Session(id=row["id"], name=row["name"], started_at=started,
                   roster_group=row["roster_group"], late_after=from_db(row["late_after"]),
                   planned_end=from_db(row["planned_end"]), ended_at=from_db(row["ended_at"]))
