"""Named domain errors: entry points turn them into messages and exit codes."""

from __future__ import annotations


class AttendanceAppError(Exception):
    """Base of every error the app reports to a user as a plain message."""


class InvalidImageError(AttendanceAppError):
    """A file could not be read as an image (unreadable, truncated, not an image, too large)."""


class FaceNotFoundError(AttendanceAppError):
    """No face was detected where exactly one was required."""


class MultipleFacesError(AttendanceAppError):
    """More than one face was detected where exactly one was required."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class QualityGateError(AttendanceAppError):
    """A face was found but is too small, too blurred or in the wrong pose."""


class WeightsError(AttendanceAppError):
    """Model weights are missing, corrupt or fail their checksum / reference check."""


class NotFoundError(AttendanceAppError):
    """A person, session, group or model that was asked for does not exist."""


class ValidationError(AttendanceAppError):
    """Input that breaks a rule (empty name, end before start, missing consent, ...)."""


class DatabaseError(AttendanceAppError):
    """The database is damaged, locked, or from a newer schema version."""


class TrainingError(AttendanceAppError):
    """Training cannot run or had to stop (too few people, NaN loss, ...)."""


class CameraError(AttendanceAppError):
    """A frame source could not be opened or stopped delivering frames."""


class AccessDeniedError(AttendanceAppError):
    """The administrator password is required and was missing or wrong."""


class SyncServerError(AttendanceAppError):
    """The shared PostgreSQL server cannot be used (unreachable, refused, wrong version/schema).
    The kiosk keeps working on its local database when it sees this."""
