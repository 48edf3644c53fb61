"""How datetimes are written to and read from SQLite: naive local ISO-8601 strings.

Every time column holds `datetime.isoformat()` of a naive local datetime (microseconds kept when
present), so string comparison orders them and range queries work with plain `>=` / `<`.
An aware datetime is converted to local time first, so one file never mixes zones.
"""

from __future__ import annotations

from datetime import datetime


def to_db(value: datetime | None) -> str | None:
    """ISO-8601 naive local string for `value` (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.isoformat()


def from_db(value: str | None) -> datetime | None:
    """The datetime a `to_db` string stands for (None stays None)."""
    return None if value is None else datetime.fromisoformat(value)


def now() -> datetime:
    """The current naive local time: the default for every `created_at`."""
    return datetime.now()
