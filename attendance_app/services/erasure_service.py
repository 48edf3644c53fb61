"""Erasing a person: from the live database, from every copy under the data folder, and for good.

`erase_person` is the one function every deletion goes through (the CLI's `people remove`, the
window's People tab, and a sync that propagates deletions): see docs/adr/0014.

1. The erasure is recorded first in the erasure log, `<data dir>/erasures.jsonl` (one JSON line
   per person: id, created_at as stored, when; no name, no face data), appended and fsynced.
   The log lives *beside* the database, not in it, so restoring a backup cannot roll it back.
2. The person is deleted from the live file (cascades, secure_delete, WAL checkpoint).
3. Every other SQLite file under the data folder (daily backups, pre-restore and damaged
   copies, anything else) has the person deleted in place with secure_delete on. A copy that
   cannot be opened or written (too damaged) is deleted: a copy nobody can scrub would keep the
   face data forever, and erasure outranks salvage.

`reapply_erasures` deletes every logged person who is back in the live file: it runs after
every restore and at every start (a database copied back by hand is caught too), so a restore
never brings a deleted person back. Encryption at rest is irrelevant here: rows are deleted,
not decrypted, so all of this holds with it on or off.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from attendance_app.config import AppPaths
from attendance_app.domain.errors import DatabaseError
from attendance_app.domain.person import Person
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.database_copies import (erase_people_from_copy,
                                                    list_database_copies)
from attendance_app.storage.people_repository import PeopleRepository

log = logging.getLogger(__name__)

ERASURE_LOG_NAME = "erasures.jsonl"

Identity = tuple[int, str]


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure reached: the copies it was deleted from, the copies removed because
    they could not be scrubbed, and whether the live file's WAL was emptied."""

    person: Person
    copies_scrubbed: tuple[Path, ...] = ()
    copies_removed: tuple[Path, ...] = ()
    wal_emptied: bool = True
    notes: tuple[str, ...] = field(default=())


def erasure_log_path(paths: AppPaths) -> Path:
    return paths.data_dir / ERASURE_LOG_NAME


def paths_of(app_db: AppDatabase) -> AppPaths:
    """The data folder of the app database `app_db` (the database file sits at its top)."""
    return AppPaths(Path(app_db.path).parent)


def erase_person(app_db: AppDatabase, person_id: int,
                 paths: AppPaths | None = None) -> ErasureResult:
    """Erase one person everywhere under the data folder (see the module docstring). Raises
    NotFoundError for an unknown id and DatabaseError when the live file refuses the delete
    (the erasure stays logged and is re-applied at the next start)."""
    paths = paths or paths_of(app_db)
    people = PeopleRepository(app_db)
    identity = people.stored_identity(person_id)
    record_erasure(paths, identity)
    person = people.delete(person_id)
    wal_emptied = app_db.checkpoint()
    scrubbed, removed = scrub_copies(paths, [identity], exclude=[app_db.path])
    log.info("erased person %d from the database and %d copies (%d unscrubbable copies "
             "removed)", person_id, len(scrubbed), len(removed))
    return ErasureResult(person, tuple(scrubbed), tuple(removed), wal_emptied)


def scrub_copies(paths: AppPaths, identities: list[Identity],
                 exclude: list[Path]) -> tuple[list[Path], list[Path]]:
    """Delete `identities` from every SQLite copy under the data folder; a copy that cannot be
    scrubbed is deleted. Returns (scrubbed, removed)."""
    live = Path(exclude[0]) if exclude else paths.db_path
    skip = [*exclude, Path(f"{live}-wal"), Path(f"{live}-shm")]
    scrubbed: list[Path] = []
    removed: list[Path] = []
    for copy in list_database_copies(paths.data_dir, exclude=skip):
        try:
            erase_people_from_copy(copy, identities)
            scrubbed.append(copy)
        except DatabaseError as exc:
            log.warning("removing %s: it holds face data and cannot be scrubbed (%s)", copy, exc)
            copy.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            removed.append(copy)
    return scrubbed, removed


def record_erasure(paths: AppPaths, identity: Identity, when: datetime | None = None) -> None:
    """Append one entry to the erasure log (created 0600), flushed to disk before returning."""
    path = erasure_log_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    entry = {"person_id": identity[0], "created_at": identity[1],
             "erased_at": (when or datetime.now()).isoformat(timespec="seconds")}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (json.dumps(entry) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def recorded_erasures(paths: AppPaths) -> list[Identity]:
    """Every (id, created_at) in the erasure log, oldest first; unreadable lines are skipped
    with a warning (a torn last line after a crash)."""
    path = erasure_log_path(paths)
    if not path.exists():
        return []
    found: list[Identity] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            entry = json.loads(line)
            found.append((int(entry["person_id"]), str(entry["created_at"])))
        except (ValueError, KeyError, TypeError):
            log.warning("%s line %d is not an erasure entry; skipped", path, number)
    return found


def reapply_erasures(app_db: AppDatabase, paths: AppPaths | None = None) -> int:
    """Delete from the live file every logged person who is in it again (after a restore);
    returns how many. Cheap: one indexed delete per log entry."""
    identities = recorded_erasures(paths or paths_of(app_db))
    if not identities:
        return 0
    count = PeopleRepository(app_db).delete_identities(identities)
    if count:
        log.warning("re-applied %d recorded erasure(s) to the restored database", count)
    return count
