"""The app's log: a rotating file `<data dir>/logs/attendance-app.log`, for the window and the CLI.

A window started from a desktop menu has no terminal: without a file its errors vanish. The
file rotates at 1 MB, keeping 3 old ones (`logging.handlers.RotatingFileHandler`), is private to
the user (0600 in the 0700 data dir), and never holds secrets or biometric data: the code logs
no passphrases, passwords or image/embedding bytes, and `RedactingFilter` is the safety net —
the values of the passphrase and admin-password environment variables are masked in every
message, and binary arguments (bytes, arrays) are replaced by their size.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_NAME = "attendance-app.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
SECRET_ENVS = ("ATTENDANCE_APP_PASSPHRASE", "ATTENDANCE_APP_ADMIN_PASSWORD")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Masks secret values and binary payloads in a record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_describe_binary(a) for a in args)
        message = record.getMessage()
        for name in SECRET_ENVS:
            secret = os.environ.get(name)
            if secret and len(secret) >= 4 and secret in message:
                message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def _describe_binary(value: object) -> object:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if type(value).__name__ == "ndarray":  # numpy arrays: shape only, never the values
        return f"<array {getattr(value, 'shape', '?')}>"
    return value


def configure_logging(logs_dir: Path | str, level: int = logging.INFO) -> Path | None:
    """Send the app's log records (logger "attendance_app" and below) to the rotating file in
    `logs_dir`; returns its path. Calling it again replaces the handler (one per process).
    None, and nothing changed, when the folder cannot be written."""
    logs_dir = Path(logs_dir)
    path = logs_dir / LOG_NAME
    try:
        logs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    handler.set_name("attendance_app.file")
    logger = logging.getLogger("attendance_app")
    for old in [h for h in logger.handlers if h.get_name() == "attendance_app.file"]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return path
