"""Another process must never be able to delete the WAL of a connection that is still open.

SQLite's locks are POSIX locks: closing *any* descriptor of the file drops all of them for the
whole process. Opening a second connection or making the daily backup used to read the file's
header with open()/close(), after which another process closing its connection took itself for
the last one and deleted the -wal file that live connections were still writing to (commits
then vanished from every other process's view)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from attendance_app.storage.backup import backup_database
from attendance_app.storage.database import open_database

_OTHER_PROCESS = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                  "print(c.execute('SELECT count(*) FROM settings_kv').fetchone()[0]); c.close()")


def _count_elsewhere(path) -> int:
    out = subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(path)], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return int(out)


def test_commits_stay_visible_to_other_processes_after_a_reopen_and_a_backup(tmp_path) -> None:
    main = open_database(tmp_path / "attendance.db")
    worker = main.reopen()
    backup_database(main.path, tmp_path / "backups" / "copy.db")
    try:
        for i in range(3):
            with worker.transaction() as db:
                db.execute("INSERT INTO settings_kv (key, value) VALUES (?, 'x')", [f"k{i}"])
            assert _count_elsewhere(main.path) == i + 1
        assert (tmp_path / "attendance.db-wal").exists()
    finally:
        worker.close()
        main.close()
    with sqlite3.connect(tmp_path / "attendance.db") as conn:
        assert conn.execute("SELECT count(*) FROM settings_kv").fetchone()[0] == 3
