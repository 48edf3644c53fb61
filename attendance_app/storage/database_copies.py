"""Copies of the database kept beside it (backups, pre-restore and damaged copies), and erasing
people from them in place.

Deleting a person must reach every copy under the data folder, not only the live file: the
rotating daily backups, `pre-restore-*.db`, `damaged-*.db`, `attendance.db.damaged-*` and any
other SQLite file. `erase_people_from_copy` deletes the given people from one copy with
`secure_delete` on (the freed cells and pages are overwritten with zeros), foreign keys on (their
crops, templates and linked unknown faces cascade, the thumbnails of their attendance records are
erased by the schema's trigger) and the copy left in rollback-journal mode, one file. It needs
no passphrase: deleting encrypted rows does not decrypt them.

A person is named by (id, created_at): ids are reused by SQLite after the largest one is deleted,
so an id alone could erase someone enrolled later from a newer copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from attendance_app.domain.errors import DatabaseError
from attendance_app.storage.database import DEFAULT_BUSY_TIMEOUT_MS, SQLITE_HEADER

PersonIdentity = tuple[int, str]  # (people.id, people.created_at as stored)


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def list_database_copies(root: Path | str, exclude: Iterable[Path | str] = ()) -> list[Path]:
    """Every SQLite file under `root` (recursively), except the paths in `exclude`, sorted."""
    root = Path(root)
    skip = {Path(p).resolve() for p in exclude}
    if not root.is_dir():
        return []
    found = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
             and p.resolve() not in skip and is_sqlite_file(p)]
    return sorted(found)


def erase_people_from_copy(path: Path | str, people: Iterable[PersonIdentity]) -> int:
    """Delete `people` (and, by cascade, all their biometric rows) from the database copy at
    `path`; returns how many people rows were deleted. Raises DatabaseError when the copy is
    damaged, locked, or not a database of this app (then it is left as it was)."""
    path = Path(path)
    wanted = list(people)
    try:
        conn = sqlite3.connect(str(path), timeout=DEFAULT_BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open the copy {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        # A copy left in WAL mode is folded back into one file first (its -wal goes away).
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN IMMEDIATE")
        deleted = 0
        for person_id, created_at in wanted:
            deleted += conn.execute("DELETE FROM people WHERE id = ? AND created_at = ?",
                                    [person_id, created_at]).rowcount
        conn.execute("COMMIT")
        return deleted
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise DatabaseError(f"cannot erase people from the copy {path}: {exc}") from exc
    finally:
        conn.close()
