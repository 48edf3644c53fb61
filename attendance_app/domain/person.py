"""Person: someone who can be recognised and recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    """An enrolled person. `external_id` is the school's or employer's id (student number...);
    `group` is a class/course/team used as a session roster. Consent is required to enrol."""

    id: int
    name: str
    external_id: str | None = None
    group: str | None = None
    consent_at: datetime | None = None
    consent_by: str | None = None
    consent_version: str | None = None
    created_at: datetime | None = None
    template_count: int = 0

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("a person needs a name")

    @property
    def label(self) -> str:
        """Name plus external id when there is one, e.g. 'Ada Lovelace (S123)'."""
        return f"{self.name} ({self.external_id})" if self.external_id else self.name
