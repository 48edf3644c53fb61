"""Backups of the database file: online copies, verified restores, and daily rotation.

`backup_database` uses SQLite's online backup API, so it is safe while the app writes (it copies
a consistent snapshot, WAL included) and produces one self-contained file (rollback-journal
mode, no -wal beside it), written to a temporary name and then renamed into place.
`restore_database` checks the source first (an SQLite file, passing integrity_check, a schema
this code knows) and copies it into the live file with the same API, which replaces the content
in one transaction: a crash leaves the old database or the new one, never a mix. Close the app's
other connections before restoring; their next read sees the restored content.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

from attendance_app.domain.errors import DatabaseError, ValidationError
from attendance_app.storage import migrations
from attendance_app.storage.database import (
    DEFAULT_BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    is_open_in_this_process,
    open_database,
)

BACKUP_PREFIX = "attendance-"
_DAILY_NAME = re.compile(r"^attendance-(\d{4}-\d{2}-\d{2})\.db$")


def backup_database(db_path: Path | str, dest: Path | str) -> Path:
    """Copy the live database at `db_path` to `dest` (0600; a new parent dir 0700) and return
    `dest`. Raises DatabaseError when the source is missing, not a database, or locked."""
    db_path, dest = Path(db_path), Path(dest)
    _require_sqlite_file(db_path)
    if not dest.parent.exists():
        dest.parent.mkdir(parents=True, mode=0o700)
        os.chmod(dest.parent, 0o700)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    _create_private(tmp)
    try:
        source = _connect(db_path)
        try:
            target = _connect(tmp)
            try:
                source.backup(target)
                # A backup should be one self-contained file, whatever the source's mode.
                target.execute("PRAGMA journal_mode = DELETE")
                problems = _integrity_problems(target)
                if problems:
                    raise DatabaseError(f"the backup of {db_path} failed its check: "
                                        f"{'; '.join(problems[:5])}")
            finally:
                target.close()
        finally:
            source.close()
        _fsync(tmp)
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise DatabaseError(f"could not back up {db_path} to {dest}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def restore_database(src: Path | str, db_path: Path | str) -> None:
    """Replace the content of `db_path` with the backup `src`, after checking `src`; an older
    schema is migrated forward. Raises DatabaseError (and changes nothing) when `src` is not a
    database, is damaged, or has a schema newer than this code knows."""
    src, db_path = Path(src), Path(db_path)
    _require_sqlite_file(src)
    source = _connect(src, read_only=True)
    try:
        problems = _integrity_problems(source)
        if problems:
            raise DatabaseError(f"the backup {src} is damaged ({'; '.join(problems[:5])}); "
                                f"nothing was restored")
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        if version > migrations.LATEST_VERSION:
            raise DatabaseError(f"the backup {src} has schema version {version}, newer than "
                                f"this app understands ({migrations.LATEST_VERSION}); nothing "
                                f"was restored")
        try:
            # open_database creates the file privately if needed and sets WAL/secure_delete.
            live = open_database(db_path, check=False)
        except DatabaseError:
            _replace_damaged_file(source, db_path)
        else:
            with live:
                source.backup(live.conn)
                live.checkpoint()
    except sqlite3.Error as exc:
        raise DatabaseError(f"could not restore {src} into {db_path}: {exc}") from exc
    finally:
        source.close()
    open_database(db_path).close()  # migrate an older backup forward and re-check


def _replace_damaged_file(source: sqlite3.Connection, db_path: Path) -> None:
    """The live file cannot even be opened: keep it aside (it may still be rescued by hand)
    and put a fresh copy of the backup in its place with one rename."""
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.restore")
    _create_private(tmp)
    try:
        target = _connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        _fsync(tmp)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        os.replace(db_path, db_path.with_name(f"{db_path.name}.damaged-{stamp}"))
        for suffix in ("-wal", "-shm"):
            # A WAL left from the damaged file would be replayed into the restored one.
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)


def daily_backup_name(day: date) -> str:
    return f"{BACKUP_PREFIX}{day.isoformat()}.db"


def list_backups(backups_dir: Path | str) -> list[Path]:
    """The daily backups in `backups_dir`, newest first (other files are ignored)."""
    backups_dir = Path(backups_dir)
    if not backups_dir.is_dir():
        return []
    found = [p for p in backups_dir.iterdir() if p.is_file() and _DAILY_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def rotate_backups(backups_dir: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` daily backups; returns the deleted paths. Files that are
    not daily backups are never touched. Raises ValidationError when keep < 1."""
    if keep < 1:
        raise ValidationError("keep at least one backup")
    stale = list_backups(backups_dir)[keep:]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def daily_backup(db_path: Path | str, backups_dir: Path | str, keep: int,
                 today: date | None = None) -> Path | None:
    """Make today's backup unless it exists, then rotate. Returns the new backup or None."""
    dest = Path(backups_dir) / daily_backup_name(today or date.today())
    if dest.exists():
        return None
    backup_database(db_path, dest)
    rotate_backups(backups_dir, keep)
    return dest


def _require_sqlite_file(path: Path) -> None:
    if is_open_in_this_process(path):
        return  # open here, so a database; reading it would drop this process's SQLite locks
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_HEADER:
        raise DatabaseError(f"{path} is not an SQLite database")


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    uri = f"{path.absolute().as_uri()}?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(uri, uri=read_only, timeout=DEFAULT_BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None)
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def _integrity_problems(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _create_private(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
