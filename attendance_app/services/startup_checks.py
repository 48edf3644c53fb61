"""Start-up checks of the data dir: is the database sound, and is today's backup made?

`check_database_at_startup(paths)` runs the full `PRAGMA integrity_check` (plus foreign keys) and,
when the file is damaged, says what is wrong and names the newest daily backup to restore.
`backup_daily_at_startup(paths, settings)` makes the day's rotating backup; it never raises,
because a failed backup must not stop anyone from taking attendance: it returns a warning instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import AttendanceAppError, DatabaseError
from attendance_app.storage.backup import daily_backup, list_backups
from attendance_app.storage.database import open_database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartupReport:
    """What the start-up check found. `problems` is empty when the database is sound."""

    db_path: Path
    problems: tuple[str, ...] = ()
    latest_backup: Path | None = None
    backups: tuple[Path, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        """One paragraph for a dialog or stderr: what is wrong and what to do about it."""
        if self.ok:
            return f"the database {self.db_path} is sound"
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        return f"the database {self.db_path} is damaged: {shown}{more}. " + restore_hint(
            self.latest_backup)


def restore_hint(latest_backup: Path | None) -> str:
    """The sentence that tells a user how to recover: the newest backup, or that there is none."""
    if latest_backup is None:
        return ("No automatic backup exists yet; restore a copy you made with "
                "`attendance-app db restore FILE`.")
    return (f"The latest backup is {latest_backup}: restore it with "
            f"`attendance-app db restore {latest_backup}`.")


def check_database_at_startup(paths: AppPaths) -> StartupReport:
    """Run the full integrity check on `paths.db_path` (creating nothing when it is absent).

    A missing database is sound (first run). Unopenable, damaged, or newer-schema files come
    back as problems rather than exceptions, so the caller can show them and offer the backup.
    """
    backups = tuple(list_backups(paths.backups_dir))
    latest = backups[0] if backups else None
    if not paths.db_path.exists():
        return StartupReport(paths.db_path, (), latest, backups)
    try:
        with open_database(paths.db_path, check=False) as app_db:
            problems = tuple(app_db.integrity_check())
    except DatabaseError as exc:
        problems = (str(exc),)
    return StartupReport(paths.db_path, problems, latest, backups)


def explain_open_failure(paths: AppPaths, exc: DatabaseError) -> DatabaseError:
    """`exc` from opening the database, with the latest backup named when the file is damaged
    (a lock held by another program is not damage: no backup is suggested for it)."""
    text = str(exc)
    if "locked" in text:
        return exc
    backups = list_backups(paths.backups_dir)
    return DatabaseError(f"{text} {restore_hint(backups[0] if backups else None)}")


def backup_daily_at_startup(paths: AppPaths, settings: Settings,
                            today: date | None = None) -> str | None:
    """Make today's backup in `paths.backups_dir` unless it exists, keeping the newest
    `settings.backups_keep`. Returns None on success (or nothing to do), else a warning text;
    the failure is logged as well, never raised."""
    try:
        made = daily_backup(paths.db_path, paths.backups_dir, max(1, settings.backups_keep),
                            today=today)
    except (AttendanceAppError, OSError) as exc:
        warning = f"today's automatic backup failed: {exc}"
        log.warning(warning)
        return warning
    if made is not None:
        log.info("automatic backup written to %s", made)
    return None
