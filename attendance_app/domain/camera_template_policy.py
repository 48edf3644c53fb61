"""CameraTemplatePolicy: when a confirmed live sighting may join its person's templates.

One enrolment photo (an ID photo) is often months old and from another camera; the faces the
room's camera confirms look like what it will see tomorrow. A confirmed track's best view is
learned as a *camera template* only when the confirmation was clear: its smallest lead over
the runner-up person (among the confirming votes) at least `min_margin` (never for a
look-alike), its similarity at least `min_similarity`, its face quality score (shorter side in
pixels, discounted for blur and yaw) at least `min_quality`, and, when liveness is checked, a
live face. At most `max_per_person` camera templates are kept per person: the oldest goes
first. Enrolment templates are never replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from attendance_app.domain.errors import ValidationError

CAMERA_SOURCE = "camera"
ENROLMENT_SOURCE = "enrolment"


@dataclass(frozen=True)
class CameraTemplatePolicy:
    min_margin: float = 0.10
    min_similarity: float = 0.0
    min_quality: float = 60.0
    max_per_person: int = 5

    def __post_init__(self) -> None:
        if self.max_per_person < 1:
            raise ValidationError("camera templates per person must be at least 1")
        if not 0.0 <= self.min_margin <= 2.0:
            raise ValidationError("the camera-template margin must be in [0, 2]")

    def reasons_against(self, similarity: float, margin: float, quality: float,
                        live: bool | None) -> list[str]:
        """Why a sighting may not be learned ([] when it may). `live` None: liveness is not
        checked; False: it is checked and the face has not shown life."""
        reasons = []
        if margin < self.min_margin:
            reasons.append(f"runner-up too close ({margin:.2f} < {self.min_margin:.2f})")
        if similarity < self.min_similarity:
            reasons.append(f"similarity too low ({similarity:.2f} < {self.min_similarity:.2f})")
        if quality < self.min_quality:
            reasons.append(f"face quality too low ({quality:.0f} < {self.min_quality:.0f})")
        if live is False:
            reasons.append("no live face")
        return reasons

    def accepts(self, similarity: float, margin: float, quality: float,
                live: bool | None) -> bool:
        return not self.reasons_against(similarity, margin, quality, live)
