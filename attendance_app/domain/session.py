"""Session: one lesson, meeting or shift during which attendance is taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.errors import ValidationError


@dataclass(frozen=True)
class Session:
    """A named session. `roster_group` is the group whose members are expected (None: no roster,
    everyone recognised is recorded present). Arrivals after `late_after` are `late`."""

    id: int | None
    name: str
    started_at: datetime
    roster_group: str | None = None
    late_after: datetime | None = None
    planned_end: datetime | None = None
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValidationError("a session needs a name")
        if self.planned_end is not None and self.planned_end <= self.started_at:
            raise ValidationError(
                f"session end {self.planned_end:%Y-%m-%d %H:%M} is not after its start "
                f"{self.started_at:%Y-%m-%d %H:%M}")
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValidationError("a session cannot end before it starts")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
