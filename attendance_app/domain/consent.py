"""Consent: the record that a person agreed to biometric enrolment (GDPR art. 9, BIPA)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.errors import ValidationError

# Bump when the consent wording shown to people changes; each record keeps the version it saw.
CONSENT_WORDING_VERSION = "2026-11-v1"
CONSENT_WORDING = (
    "I agree that my face images and a numeric face template derived from them are stored on this "
    "computer only, to record my attendance. I can ask for a copy or for deletion at any time.")


@dataclass(frozen=True)
class Consent:
    """Who recorded consent, when, and for which wording version."""

    given: bool
    recorded_by: str
    at: datetime
    wording_version: str = CONSENT_WORDING_VERSION

    def require(self) -> None:
        """Raise ValidationError unless consent was given: enrolment without it is refused."""
        if not self.given:
            raise ValidationError(
                "enrolment needs the person's recorded consent (CLI: --consent; window: tick the "
                "consent box)")
