"""AppDatabase: creation, pragmas, permissions, refusals, transactions and locking."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from attendance_app.domain.errors import DatabaseError
from attendance_app.storage import migrations
from attendance_app.storage.database import AppDatabase, open_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_private_to_the_user(db_path: Path) -> None:
    open_database(db_path).close()
    assert _mode(db_path) == 0o600
    assert _mode(db_path.parent) == 0o700


def test_the_wal_file_is_private_too(app_db: AppDatabase) -> None:
    app_db.db["settings_kv"].insert({"key": "k", "value": "v"})
    wal = Path(str(app_db.path) + "-wal")
    assert wal.exists()
    assert _mode(wal) == 0o600


def test_pragmas_make_writes_durable_and_deletes_secure(app_db: AppDatabase) -> None:
    pragma = lambda name: app_db.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("secure_delete") == 1
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000


def test_a_fresh_database_is_at_the_latest_schema_and_sound(app_db: AppDatabase) -> None:
    assert app_db.schema_version == migrations.LATEST_VERSION
    assert app_db.integrity_check() == []
    assert {"people", "face_crops", "templates", "models", "sessions", "attendance_records",
            "corrections", "unknown_faces"} <= set(app_db.db.table_names())


def test_a_file_that_is_not_a_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is a shopping list, not a database" * 100)
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        open_database(bogus)
    assert bogus.read_bytes().startswith(b"this is a shopping list")  # left untouched


def test_a_damaged_database_is_refused(db_path: Path) -> None:
    database = open_database(db_path)
    database.db["settings_kv"].insert_all({"key": f"k{i}", "value": "x" * 500}
                                          for i in range(200))
    database.checkpoint()
    database.close()
    data = bytearray(db_path.read_bytes())
    data[4096 * 2: 4096 * 4] = b"\xff" * 8192  # scribble over b-tree pages
    db_path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="damaged|not a usable database"):
        open_database(db_path)


def test_a_database_from_a_newer_app_version_is_refused(db_path: Path) -> None:
    open_database(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseError, match="newer than this version"):
        open_database(db_path)


def test_the_transaction_helper_rolls_back_every_statement_on_error(app_db: AppDatabase) -> None:
    with pytest.raises(RuntimeError):
        with app_db.transaction() as db:
            db["settings_kv"].insert({"key": "a", "value": "1"})
            with app_db.transaction():
                db["settings_kv"].insert({"key": "b", "value": "2"})
            raise RuntimeError("boom")
    assert app_db.db["settings_kv"].count == 0


def test_a_failed_nested_block_rolls_back_only_itself(app_db: AppDatabase) -> None:
    with app_db.transaction() as db:
        db["settings_kv"].insert({"key": "kept", "value": "1"})
        with pytest.raises(ValueError):
            with app_db.transaction():
                db["settings_kv"].insert({"key": "dropped", "value": "2"})
                raise ValueError("inner")
    assert [r["key"] for r in app_db.db["settings_kv"].rows] == ["kept"]


def test_a_writer_waits_for_a_held_lock_then_succeeds(db_path: Path) -> None:
    holder = open_database(db_path)
    holder.conn.execute("BEGIN IMMEDIATE")
    results: list[object] = []

    def write() -> None:
        # A worker thread opens its own connection: connections belong to their thread.
        with open_database(db_path, busy_timeout_ms=3000, check=False) as own:
            try:
                with own.transaction() as db:
                    db["settings_kv"].insert({"key": "late", "value": "1"})
                results.append(time.monotonic())
            except DatabaseError as exc:  # pragma: no cover - shown on failure
                results.append(exc)

    worker = threading.Thread(target=write)
    worker.start()
    time.sleep(0.3)
    released_at = time.monotonic()
    holder.conn.execute("COMMIT")
    worker.join(5)
    holder.close()
    assert len(results) == 1 and isinstance(results[0], float)
    assert results[0] >= released_at  # it waited for the lock instead of failing


def test_a_writer_gives_up_after_the_busy_timeout_with_a_clear_error(db_path: Path) -> None:
    holder = open_database(db_path)
    impatient = open_database(db_path, busy_timeout_ms=200)
    holder.conn.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseError, match="locked by another program"):
            with impatient.transaction() as db:
                db["settings_kv"].insert({"key": "x", "value": "1"})
        assert time.monotonic() - started >= 0.15
    finally:
        holder.conn.execute("ROLLBACK")
        holder.close()
        impatient.close()


def test_reopen_gives_a_worker_thread_its_own_connection(app_db: AppDatabase) -> None:
    seen: list[int] = []

    def work() -> None:
        with app_db.reopen() as own:
            own.db["settings_kv"].insert({"key": "from-thread", "value": "1"})
            seen.append(own.schema_version)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(5)
    assert seen == [migrations.LATEST_VERSION]
    assert app_db.db["settings_kv"].get("from-thread")["value"] == "1"


def test_a_connection_refuses_use_from_another_thread(app_db: AppDatabase) -> None:
    errors: list[BaseException] = []

    def misuse() -> None:
        try:
            app_db.conn.execute("SELECT 1")
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    worker = threading.Thread(target=misuse)
    worker.start()
    worker.join(5)
    assert len(errors) == 1
