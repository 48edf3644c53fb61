"""UnknownFace: a face seen in a session that matched nobody well enough, kept for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

UNKNOWN_FACE_STATUSES = ("pending", "dismissed", "enrolled")


@dataclass(frozen=True)
class UnknownFace:
    """One snapshot per unknown track. `best_person_id`/`best_similarity` describe the closest
    enrolled person (None with an empty gallery). status: 'pending' (awaiting review),
    'dismissed' or 'enrolled' (then `enrolled_person_id` says as whom). The snapshot is
    erased once reviewed, so only pending faces carry PNG bytes."""

    id: int
    time: datetime
    created_at: datetime
    session_id: int | None = None
    snapshot_png: bytes | None = None
    best_person_id: int | None = None
    best_similarity: float | None = None
    status: str = "pending"
    enrolled_person_id: int | None = None
    # Set for a *suspect* face (issue 15): matched someone, never shown live; why.
    liveness_reason: str | None = None

    @property
    def is_suspect(self) -> bool:
        return self.liveness_reason is not None
