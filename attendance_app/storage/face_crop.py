"""FaceCrop: one stored 160x160 RGB face crop (PNG bytes) of a person, kept for re-embedding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.detection import FaceQuality


@dataclass(frozen=True)
class FaceCrop:
    """A person's face crop as PNG bytes of the (160, 160, 3) uint8 RGB array, with the
    detector's quality figures when known and where it came from (file name, 'webcam', ...)."""

    id: int
    person_id: int
    png: bytes
    quality: FaceQuality | None
    source: str | None
    created_at: datetime
