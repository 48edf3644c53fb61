"""Restore the data dir's database from a backup, keeping the file it replaces.

Used by the window when the start-up check finds the database damaged (the CLI's
`db restore FILE` does the same with a confirmation prompt). Nothing is thrown away: a current
database that still opens is first copied with the online backup API to
`backups/pre-restore-<time>.db`; one too damaged for that is copied byte for byte to
`backups/damaged-<time>.db` (0600), so it can still be examined or salvaged later. After the
restore, recorded erasures are re-applied: a restore never brings a deleted person back.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from attendance_app.config import AppPaths
from attendance_app.domain.errors import DatabaseError, ValidationError
from attendance_app.storage.backup import backup_database, restore_database


def restore_backup(paths: AppPaths, src: Path | str) -> Path | None:
    """Replace `paths.db_path` with the backup `src` (checked first: DatabaseError and nothing
    changed when it is damaged or not a database). Returns where the replaced file was kept,
    or None when there was no database yet. Close every connection to the database first."""
    src = Path(src).expanduser()
    if not src.is_file():
        raise ValidationError(f"no backup file {src}")
    kept = _keep_current(paths)
    restore_database(src, paths.db_path)
    reapply_after_restore(paths)
    return kept


def reapply_after_restore(paths: AppPaths) -> int:
    """Erase again everyone the erasure log names who came back with a restored backup;
    returns how many (see services.erasure_service)."""
    from attendance_app.services.erasure_service import reapply_erasures
    from attendance_app.storage.database import open_database

    with open_database(paths.db_path) as app_db:
        return reapply_erasures(app_db, paths)


def _keep_current(paths: AppPaths) -> Path | None:
    db = paths.db_path
    if not db.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        return backup_database(db, paths.backups_dir / f"pre-restore-{stamp}.db")
    except DatabaseError:
        pass  # too damaged for the backup API: keep the raw bytes instead
    paths.backups_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    dest = paths.backups_dir / f"damaged-{stamp}.db"
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(db, "rb") as damaged:
        shutil.copyfileobj(damaged, out)
    return dest
