"""SessionLock: "a process is taking attendance in this session right now", as an OS file lock.

A session left open in the database may be running in another window or command, or it may be
the leftover of a process that crashed or was killed. The difference is this lock: the process
running a session holds an exclusive lock on `locks/session-<id>.lock` beside the database, and
the operating system releases it when that process ends in any way (SIGKILL and power loss
included), so a session that is open *and* unlocked was interrupted. No heartbeat, no pid
guessing. POSIX uses flock(2), Windows msvcrt.locking; a platform with neither reports every
open session as not held (it is then offered for resuming, which cannot record anyone twice).
"""

from __future__ import annotations

import os
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:  # pragma: no cover - Windows
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]


def session_lock_path(db_path: Path | str, session_id: int) -> Path:
    return Path(db_path).parent / "locks" / f"session-{int(session_id)}.lock"


class SessionLock:
    """An exclusive, non-blocking lock on one session. `acquire()` -> False when another
    process (or another SessionLock in this one) holds it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)
        self.path.unlink(missing_ok=True)  # only the holder removes it


def is_running_elsewhere(db_path: Path | str, session_id: int) -> bool:
    """True when some process (this one included) holds the session's lock now."""
    probe = SessionLock(session_lock_path(db_path, session_id))
    if not probe.path.exists():
        return False
    if probe.acquire():
        # Free: release without unlinking a file another process may open next.
        fd, probe._fd = probe._fd, None
        assert fd is not None
        _unlock(fd)
        os.close(fd)
        return False
    return True


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return True  # pragma: no cover - no locking primitive: never "held"


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
