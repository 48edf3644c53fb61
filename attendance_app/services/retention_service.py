"""Retention (privacy): biometric images expire after the periods in the settings.

Unknown-face snapshots go after `unknown_snapshot_retention_days` (the whole review entry, since
it exists only to show the image); attendance records stay but lose their face thumbnail after
`thumbnail_retention_days`. Called at start-up and then daily; running it twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from attendance_app.config import Settings
from attendance_app.domain.errors import ValidationError
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository


@dataclass(frozen=True)
class RetentionResult:
    """How much one retention pass removed."""

    unknown_faces_deleted: int
    thumbnails_cleared: int


def apply_retention(db: AppDatabase, settings: Settings, now: datetime) -> RetentionResult:
    """Delete unknown faces created more than the snapshot period before `now`, and erase the
    thumbnails of attendance records taken more than the thumbnail period before `now`.
    A negative period raises ValidationError before anything is deleted."""
    # both periods are checked first so that a bad setting never leaves the pass half done
    _check_days(settings.unknown_snapshot_retention_days, "unknown-face snapshots")
    thumbnail_cutoff = now - timedelta(days=_check_days(settings.thumbnail_retention_days,
                                                        "attendance thumbnails"))
    deleted = UnknownFaceRepository(db).delete_older_than(
        settings.unknown_snapshot_retention_days, now_=now)
    cleared = AttendanceRepository(db).clear_thumbnails_before(thumbnail_cutoff)
    return RetentionResult(unknown_faces_deleted=deleted, thumbnails_cleared=cleared)


def _check_days(days: int, what: str) -> int:
    if days < 0:
        raise ValidationError(f"the retention period of {what} cannot be negative ({days} days)")
    return days
