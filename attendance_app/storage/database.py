"""AppDatabase: the one SQLite file of a data dir, opened safely and migrated.

`open_database(path)` creates the file private to the user (0600, a new parent dir 0700), refuses
files that are not SQLite databases, are damaged, or carry a newer schema than this code knows,
sets the durability/privacy pragmas (WAL, synchronous=FULL, secure_delete, foreign keys, busy
timeout) and applies pending migrations.

Threads: an sqlite3 connection belongs to the thread that made it (check_same_thread stays on, so
misuse fails loudly instead of corrupting state). A worker thread calls `app_db.reopen()` to get
its own AppDatabase on the same file and closes it when done.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from attendance_app.domain.errors import DatabaseError
from attendance_app.storage import migrations

DEFAULT_BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"

_savepoint_ids = itertools.count(1)
_open_counts: dict[Path, int] = {}  # open AppDatabases per file in this process
_open_lock = threading.Lock()


def open_database(path: Path | str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                  check: bool = True) -> "AppDatabase":
    """Open (creating if needed) the database at `path`, migrated to the latest schema.

    check: run `PRAGMA quick_check` first, so a damaged file is reported at start-up rather than
    in the middle of a session. Raises DatabaseError for a non-database or damaged file, a schema
    newer than `migrations.LATEST_VERSION`, or a lock held longer than the busy timeout.
    """
    path = Path(path).expanduser().absolute()
    with _open_lock:
        # Closing any descriptor of the file drops every POSIX lock SQLite holds on it in this
        # process: another process could then delete the WAL a live connection still writes
        # to. So the header is read only by the first connection of the process.
        if not _open_counts.get(path):
            _prepare_file(path)
        app_db = AppDatabase(path, _connect(path, busy_timeout_ms), busy_timeout_ms)
        _open_counts[path] = _open_counts.get(path, 0) + 1
    try:
        if check:
            problems = app_db.quick_check()
            if problems:
                raise DatabaseError(f"the database {path} is damaged: {'; '.join(problems[:5])}")
        version = app_db.schema_version
        if version > migrations.LATEST_VERSION:
            raise DatabaseError(
                f"the database {path} has schema version {version}, newer than this version of "
                f"the app understands ({migrations.LATEST_VERSION}); refusing to open it so that "
                f"it is not damaged. Update the app, or restore an older backup.")
        with app_db.translate_errors("apply schema migrations"):
            migrations.apply_migrations(app_db.conn)
    except BaseException:
        app_db.close()
        raise
    return app_db


def is_open_in_this_process(path: Path | str) -> bool:
    """True while an AppDatabase of this process has `path` open: then nothing may open and
    close the file itself (that would drop SQLite's POSIX locks, see open_database)."""
    with _open_lock:
        return bool(_open_counts.get(Path(path).expanduser().absolute()))


class AppDatabase:
    """One connection (owned by the thread that opened it) to the app's SQLite file.

    `.db` is the sqlite_utils.Database for queries; `.conn` its sqlite3 connection, in
    autocommit mode: a statement outside `transaction()` commits on its own.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self._checkpoint_pending = False
        self._closed = False

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @property
    def schema_version(self) -> int:
        with self.translate_errors("read the schema version"):
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def reopen(self) -> "AppDatabase":
        """A new AppDatabase on the same file for the calling thread (no re-check, no migration
        beyond what is pending)."""
        return open_database(self.path, busy_timeout_ms=self.busy_timeout_ms, check=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All statements in the block commit together or not at all.

        The outermost block takes the write lock up front (BEGIN IMMEDIATE) so that a competing
        writer waits for the busy timeout at the start instead of failing half-way; nested
        blocks become savepoints. Lock and damage errors surface as DatabaseError.
        """
        conn = self.conn
        with self.translate_errors("write"):
            if conn.in_transaction:
                name = f"app_sp_{next(_savepoint_ids)}"
                conn.execute(f"SAVEPOINT {name}")
                try:
                    yield self.db
                except BaseException:
                    if conn.in_transaction:
                        conn.execute(f"ROLLBACK TO {name}")
                        conn.execute(f"RELEASE {name}")
                    raise
                conn.execute(f"RELEASE {name}")
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                conn.execute("COMMIT")
            except BaseException:
                self._checkpoint_pending = False
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        if self._checkpoint_pending:
            self.checkpoint()

    @contextlib.contextmanager
    def busy_timeout(self, ms: int) -> Iterator[None]:
        """Wait at most `ms` for another writer's lock inside the block, then the usual timeout.

        For writes made on a thread that must not freeze (the window's live view): a write that
        meets a lock fails fast with DatabaseError and the caller keeps it to retry later.
        """
        previous = self.busy_timeout_ms
        with self.translate_errors("set the busy timeout"):
            self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        self.busy_timeout_ms = int(ms)
        try:
            yield
        finally:
            self.busy_timeout_ms = previous
            self.conn.execute(f"PRAGMA busy_timeout = {int(previous)}")

    @contextlib.contextmanager
    def translate_errors(self, action: str) -> Iterator[None]:
        """Turn sqlite3's lock and damage errors into DatabaseError messages naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise DatabaseError(
                    f"could not {action}: the database {self.path} is locked by another program "
                    f"(waited {self.busy_timeout_ms / 1000:g} s). Close the other app or command "
                    f"and try again.") from exc
            if "disk i/o" in text or "full" in text or "readonly" in text:
                raise DatabaseError(f"could not {action} in {self.path}: {exc}") from exc
            raise
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise DatabaseError(
                f"the file {self.path} is not a usable database ({exc}); it may be damaged. "
                f"Restore the latest backup.") from exc

    def integrity_check(self) -> list[str]:
        """Problems found by `PRAGMA integrity_check` plus foreign-key violations; [] when sound."""
        with self.translate_errors("check the database"):
            rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
            problems = [] if rows == ["ok"] else rows
            for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
                problems.append(f"{table} row {rowid} points to a missing {parent} row")
        return problems

    def quick_check(self) -> list[str]:
        """Problems found by the cheaper `PRAGMA quick_check`; [] when sound."""
        with self.translate_errors("check the database"):
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check").fetchall()]
        return [] if rows == ["ok"] else rows

    def checkpoint(self) -> bool:
        """Copy the WAL into the main file and truncate it to zero bytes; True when complete.

        After deleting biometric data this is what makes the old page images disappear from the
        -wal file (secure_delete already zeroes freed pages in the main file). Incomplete while
        another connection is reading an older snapshot. Inside a transaction it is deferred
        until the outermost `transaction()` block commits (and returns False now).
        """
        if self.conn.in_transaction:
            self._checkpoint_pending = True
            return False
        self._checkpoint_pending = False
        with self.translate_errors("checkpoint the write-ahead log"):
            busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return bool(busy == 0)

    def close(self) -> None:
        with _open_lock:
            if not self._closed:
                self._closed = True
                _open_counts[self.path] = max(0, _open_counts.get(self.path, 1) - 1)
        self.conn.close()

    def __enter__(self) -> "AppDatabase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _prepare_file(path: Path) -> None:
    """Create the parent dir (0700) and an empty file (0600) before SQLite touches it, and refuse
    a file that is not an SQLite database. SQLite gives -wal/-shm the main file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # mkdir's mode is masked by the umask
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseError(f"cannot create the database {path}: {exc.strerror}") from exc
    try:
        os.chmod(path, 0o600)
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"cannot read the database {path}: {exc.strerror}") from exc
    if header and header != SQLITE_HEADER:
        raise DatabaseError(f"the file {path} is not an SQLite database (or it is damaged); "
                            f"refusing to open it")


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection with the app's pragmas; isolation_level=None so transactions are explicit."""
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise DatabaseError(f"the database {path} could not switch to WAL mode ({mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise DatabaseError(f"the database {path} is locked by another program "
                                f"(waited {busy_timeout_ms / 1000:g} s)") from exc
        raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(f"the file {path} is not a usable database ({exc}); it may be "
                            f"damaged. Restore the latest backup.") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id an INSERT just made (sqlite3 types `lastrowid` as int | None; after a
    successful INSERT it is always set). Raises TypeError otherwise, as int(None) did."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise TypeError("the statement inserted no row")
    return int(row_id)
