"""Backups: online copy, verified restore (even over a damaged file), daily rotation."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from attendance_app.domain.errors import DatabaseError, ValidationError
from attendance_app.storage import migrations
from attendance_app.storage.backup import (
    backup_database,
    daily_backup,
    list_backups,
    restore_database,
    rotate_backups,
)
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.people_repository import PeopleRepository


def _names(db_path: Path) -> list[str]:
    with open_database(db_path) as app_db:
        return [p.name for p in PeopleRepository(app_db).list_all()]


def test_a_backup_restores_the_data_as_it_was(app_db: AppDatabase, tmp_path: Path) -> None:
    people = PeopleRepository(app_db)
    people.add("Ada")
    dest = backup_database(app_db.path, tmp_path / "backups" / "b.db")
    people.add("Grace")
    app_db.close()
    restore_database(dest, tmp_path / "data" / "attendance.db")
    assert _names(tmp_path / "data" / "attendance.db") == ["Ada"]


def test_a_backup_is_one_private_self_contained_file(app_db: AppDatabase, tmp_path: Path) -> None:
    PeopleRepository(app_db).add("Ada")
    dest = backup_database(app_db.path, tmp_path / "backups" / "b.db")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert stat.S_IMODE(dest.parent.stat().st_mode) == 0o700
    assert not Path(f"{dest}-wal").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT name FROM people").fetchall() == [("Ada",)]


def test_a_backup_works_while_another_connection_is_writing(app_db: AppDatabase,
                                                            tmp_path: Path) -> None:
    PeopleRepository(app_db).add("Committed")
    app_db.conn.execute("BEGIN IMMEDIATE")
    app_db.conn.execute("INSERT INTO people (name, created_at) VALUES ('Uncommitted', 'x')")
    try:
        dest = backup_database(app_db.path, tmp_path / "b.db")
    finally:
        app_db.conn.execute("ROLLBACK")
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT name FROM people").fetchall() == [("Committed",)]


def test_restore_replaces_a_database_too_damaged_to_open(app_db: AppDatabase,
                                                         tmp_path: Path) -> None:
    PeopleRepository(app_db).add("Ada")
    dest = backup_database(app_db.path, tmp_path / "b.db")
    db_path = app_db.path
    app_db.close()
    db_path.write_bytes(b"garbage" * 1000)
    restore_database(dest, db_path)
    assert _names(db_path) == ["Ada"]
    assert list(db_path.parent.glob("attendance.db.damaged-*"))  # kept aside, not destroyed


def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(app_db: AppDatabase,
                                                                    tmp_path: Path) -> None:
    PeopleRepository(app_db).add("Ada")
    not_db = tmp_path / "photo.jpg"
    not_db.write_bytes(b"\xff\xd8\xff" + b"x" * 5000)
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        restore_database(not_db, app_db.path)
    newer = backup_database(app_db.path, tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseError, match="newer"):
        restore_database(newer, app_db.path)
    assert [p.name for p in PeopleRepository(app_db).list_all()] == ["Ada"]


def test_daily_backups_are_made_once_a_day_and_rotated(app_db: AppDatabase,
                                                       tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "notes.txt").write_text("not a backup")
    made = [daily_backup(app_db.path, backups, keep=3, today=date(2026, 11, d))
            for d in (20, 21, 22, 23)]
    assert all(made)
    assert daily_backup(app_db.path, backups, keep=3, today=date(2026, 11, 23)) is None
    assert [p.name for p in list_backups(backups)] == [
        "attendance-2026-11-23.db", "attendance-2026-11-22.db", "attendance-2026-11-21.db"]
    assert (backups / "notes.txt").exists()
    assert [p.name for p in rotate_backups(backups, keep=1)] == [
        "attendance-2026-11-22.db", "attendance-2026-11-21.db"]
    with pytest.raises(ValidationError):
        rotate_backups(backups, keep=0)
