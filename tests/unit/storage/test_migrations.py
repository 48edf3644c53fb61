"""Migrations: ordered, transactional, idempotent, recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attendance_app.storage import migrations
from attendance_app.storage.database import open_database
from attendance_app.storage.migrations import Migration, apply_migrations


def _conn(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_a_fresh_file_gets_every_step_recorded(db_path: Path) -> None:
    open_database(db_path).close()
    conn = _conn(db_path)
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == [m.version for m in migrations.REGISTRY]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION


def test_reopening_applies_nothing_twice(db_path: Path) -> None:
    open_database(db_path).close()
    open_database(db_path).close()
    conn = _conn(db_path)
    assert apply_migrations(conn) == []
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(
        migrations.REGISTRY)


def test_a_failing_step_leaves_the_file_at_the_previous_version(tmp_path: Path) -> None:
    conn = _conn(tmp_path / "m.db")

    def good(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                  "description TEXT, applied_at TEXT)")
        c.execute("CREATE TABLE a (x)")

    def bad(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE b (x)")
        raise RuntimeError("step 2 breaks")

    registry = [Migration(1, "good", good), Migration(2, "bad", bad)]
    with pytest.raises(RuntimeError):
        apply_migrations(conn, registry)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" in tables and "b" not in tables


def test_steps_must_be_registered_in_order() -> None:
    with pytest.raises(RuntimeError, match="out of order"):
        migrations.migration(migrations.LATEST_VERSION + 5, "skips a number")(lambda c: None)


def test_foreign_keys_in_the_schema_are_consistent(db_path: Path) -> None:
    with open_database(db_path) as app_db:
        assert app_db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
