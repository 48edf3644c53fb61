"""Writing a report file all at once: a temp file in the same folder, then os.replace.

Readers never see a half-written report, and a failed export leaves no file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from attendance_app.domain.errors import AttendanceAppError

# New reports get ordinary read-for-everyone permissions (mkstemp would leave 0600).
NEW_FILE_MODE = 0o644


class ReportWriteError(AttendanceAppError):
    """A report file could not be written (missing folder, no permission, disk full...)."""


def check_target(path: str | os.PathLike[str]) -> Path:
    """Fail early, before any rendering, when `path` is a folder or its folder is missing."""
    target = Path(path)
    if target.is_dir():
        raise ReportWriteError(f"cannot write the report to {target}: it is a folder")
    if not target.parent.is_dir():
        raise ReportWriteError(
            f"cannot write the report to {target}: folder {target.parent} does not exist")
    return target


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` so that it either fully appears or not at all; an existing file
    is replaced only on success. Raises ReportWriteError naming the path."""
    target = check_target(path)
    folder = target.parent
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise ReportWriteError(f"cannot write the report to {target}: {error.strerror}") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = target.stat().st_mode & 0o777 if target.exists() else NEW_FILE_MODE
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError):
            raise ReportWriteError(
                f"cannot write the report to {target}: {error.strerror or error}") from error
        raise
    return target
