"""FaceCrop: one stored 160x160 RGB face crop (PNG bytes) of a person, kept for re-embedding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.detection import FaceQuality


@dataclass(frozen=True)
class FaceCrop:
    """A person's face crop as PNG bytes of the (160, 160, 3) uint8 RGB array, with the
    detector's quality figures when known and where it came from (file name, 'webcam', ...).
    `context_png` / `landmarks`: a wider face region (PNG, near-native resolution) and the five
    detector landmarks in its pixel coordinates, so an aligning model such as SFace can be
    re-run on it; None for crops stored without them."""

    id: int
    person_id: int
    png: bytes
    quality: FaceQuality | None
    source: str | None
    created_at: datetime
    landmarks: tuple[tuple[float, float], ...] | None = None
    context_png: bytes | None = None
