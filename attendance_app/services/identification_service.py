"""IdentificationService: who is in this photo? Best match per face, or Unknown, with runner-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import Settings
from attendance_app.domain.detection import Detection
from attendance_app.domain.match import Match
from attendance_app.services.gallery_provider import GalleryProvider
from attendance_app.services.model_service import ModelService
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.image_io import load_image_rgb


@dataclass(frozen=True)
class FaceIdentification:
    """One face of a photo: where it is, the decision, and the names behind it."""

    detection: Detection
    match: Match
    name: str | None
    external_id: str | None
    best_name: str | None
    runner_up_name: str | None

    def to_dict(self) -> dict[str, Any]:
        m = self.match
        return {
            "box": [round(v, 1) for v in self.detection.box.as_tuple()],
            "name": self.name if m.is_known else "Unknown",
            "external_id": self.external_id if m.is_known else None,
            "known": m.is_known,
            "similarity": round(m.similarity, 4),
            "percent": round(m.percent, 1),
            "best_candidate": self.best_name,
            "runner_up": self.runner_up_name,
            "runner_up_similarity": round(m.runner_up.similarity, 4) if m.runner_up else None,
        }

    def describe(self) -> str:
        m = self.match
        head = (f"{self.name} ({m.percent:.0f}% similar)" if m.is_known
                else f"Unknown (closest: {self.best_name or 'nobody enrolled'}, {m.percent:.0f}%)")
        if m.runner_up is not None:
            head += f"; runner-up {self.runner_up_name} {max(0.0, m.runner_up.similarity) * 100:.0f}%"
        return head


class IdentificationService:
    def __init__(self, detector: Callable[[], MtcnnFaceDetector], models: ModelService,
                 gallery: GalleryProvider, people: PeopleRepository, settings: Settings) -> None:
        self._detector = detector
        self._models = models
        self._gallery = gallery
        self._people = people
        self._settings = settings

    def identify_rgb(self, rgb: np.ndarray) -> list[FaceIdentification]:
        """Every face in an RGB image with its decision; an empty list when there is no face."""
        pairs = self._detector().detect_and_crop(rgb, refine_small=True)
        if not pairs:
            return []
        embedder = self._models.active_embedder()
        inputs = [crop if getattr(embedder, "uses_margin_crop", True) else
                  embedder.prepare(rgb, det) for det, crop in pairs]
        vectors = embedder.embed(np.stack(inputs))
        threshold, margin = self._models.match_policy(self._settings)
        matches = self._gallery.current().match_many(vectors, threshold, margin)
        return [self._describe(det, match) for (det, _), match in zip(pairs, matches)]

    def identify_photo(self, path: Path) -> list[FaceIdentification]:
        return self.identify_rgb(load_image_rgb(Path(path)))

    def _describe(self, detection: Detection, match: Match) -> FaceIdentification:
        best = self._people.get(match.best.person_id) if match.best else None
        runner = self._people.get(match.runner_up.person_id) if match.runner_up else None
        return FaceIdentification(
            detection, match,
            name=best.name if (best and match.is_known) else None,
            external_id=best.external_id if (best and match.is_known) else None,
            best_name=best.name if best else None,
            runner_up_name=runner.name if runner else None)
