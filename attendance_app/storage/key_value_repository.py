"""KeyValueRepository: small named values kept inside the database (`settings_kv` table).

For state that must travel with the data rather than with settings.json: e.g. the
administrator password's scrypt hash, an encryption salt, or the date of the last retention run.
"""

from __future__ import annotations

from attendance_app.storage.database import AppDatabase


class KeyValueRepository:
    """String values by key in one AppDatabase."""

    def __init__(self, app_db: AppDatabase) -> None:
        self._app_db = app_db

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._app_db.conn.execute("SELECT value FROM settings_kv WHERE key = ?",
                                        [key]).fetchone()
        return default if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any earlier value."""
        with self._app_db.transaction() as db:
            db.execute("INSERT INTO settings_kv (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])

    def delete(self, key: str) -> bool:
        """Remove `key`; True when it existed."""
        with self._app_db.transaction() as db:
            return db.execute("DELETE FROM settings_kv WHERE key = ?", [key]).rowcount == 1

    def keys_with_prefix(self, prefix: str) -> list[str]:
        """Every key starting with `prefix` (literal, not a pattern), sorted."""
        rows = self._app_db.conn.execute("SELECT key FROM settings_kv WHERE substr(key, 1, ?) = ?"
                                         " ORDER BY key", [len(prefix), prefix]).fetchall()
        return [str(r[0]) for r in rows]
