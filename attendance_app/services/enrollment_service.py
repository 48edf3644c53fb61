"""EnrollmentService: people in, templates out (photos, folders, guided webcam shots).

One-shot learning in practice: enrolling stores the face crops and their embeddings as templates;
no model is retrained. Every path goes through the same detector crop and the same embedder, so
enrolment and recognition see identical preprocessing.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import Settings
from attendance_app.domain.consent import Consent
from attendance_app.domain.detection import Detection
from attendance_app.domain.enrollment_gate import EnrollmentGate, Pose
from attendance_app.domain.errors import (AttendanceAppError, FaceNotFoundError, InvalidImageError,
                                          MultipleFacesError, ValidationError)
from attendance_app.domain.person import Person
from attendance_app.services.dataset_folder import people_folders
from attendance_app.services.face_crop_reader import read_face_crop
from attendance_app.services.gallery_provider import GalleryProvider
from attendance_app.services.model_service import ModelService
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.face_detector import MtcnnFaceDetector, face_context
from attendance_app.vision.image_io import encode_png, load_image_rgb

ProgressCallback = Callable[[int, int, str], bool]


@dataclass(frozen=True)
class FaceShot:
    """One analysed image: the chosen face (if any), its crop and the reasons to refuse it."""

    face_count: int
    detection: Detection | None
    crop: np.ndarray | None
    problems: tuple[str, ...]
    landmarks: tuple[tuple[float, float], ...] | None = None  # in context pixels
    context: np.ndarray | None = None  # face_detector.face_context: kept for re-embedding

    @property
    def accepted(self) -> bool:
        return not self.problems and self.crop is not None


@dataclass
class EnrollmentOutcome:
    """A successful photo enrolment (a refused one raises instead, writing nothing)."""

    person: Person
    accepted: list[str]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"person_id": self.person.id, "name": self.person.name,
                "external_id": self.person.external_id, "accepted": self.accepted,
                "warnings": self.warnings}


@dataclass
class FolderEnrollmentSummary:
    enrolled: list[tuple[str, int]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"enrolled": [{"name": n, "photos": c} for n, c in self.enrolled],
                "refused": [{"photo": p, "reason": r} for p, r in self.refused],
                "warnings": self.warnings}


class EnrollmentService:
    """Analyse shots, enrol people, warn about look-alikes."""

    def __init__(self, db, detector: Callable[[], MtcnnFaceDetector], models: ModelService,
                 gallery: GalleryProvider, people: PeopleRepository, settings: Settings) -> None:
        self._db = db
        self._detector = detector
        self._models = models
        self._gallery = gallery
        self._people = people
        self._crops = FaceCropRepository(db)
        self._templates = TemplateRepository(db)
        self._settings = settings
        self.gate = EnrollmentGate(min_face_px=settings.enroll_min_face_px,
                                   min_sharpness=settings.enroll_min_sharpness)

    # ------------------------------------------------------------------ shots
    def analyze(self, rgb: np.ndarray, pose: Pose = Pose.ANY, largest: bool = False,
                gates: bool = True, refine_small: bool = False) -> FaceShot:
        """Detect faces in one RGB image and judge it as an enrolment shot.

        With `largest`, a multi-face image uses its largest face; `gates=False` keeps only the
        one-face rule (photo files are judged on faces, not on webcam pose prompts);
        refine_small: small faces get their landmarks refined (photo files).
        """
        detector = self._detector()
        pairs = detector.detect_and_crop(rgb, refine_small=refine_small)
        if largest and len(pairs) > 1:
            pairs = [max(pairs, key=lambda p: p[0].box.area)]
        detection, crop = pairs[0] if len(pairs) == 1 else (None, None)
        quality = detection.quality if detection is not None else None
        problems = (self.gate.problems(len(pairs), quality, pose) if gates
                    else self.gate.problems(len(pairs), None))
        context, landmarks = (face_context(rgb, detection) if detection is not None
                              else (None, None))
        return FaceShot(len(pairs), detection, crop, tuple(problems), landmarks, context)

    def analyze_file(self, path: Path, largest: bool = False) -> FaceShot:
        """`analyze` for a photo file; InvalidImageError for a file that is not a readable image."""
        rgb = load_image_rgb(path)
        return self.analyze(rgb, largest=largest, gates=False, refine_small=True)

    # -------------------------------------------------------------- enrolment
    @staticmethod
    def consent_from_flag(given: bool, recorded_by: str | None = None) -> Consent:
        """Consent from the CLI's --consent flag (refused when absent)."""
        consent = Consent(given=given, recorded_by=recorded_by or _current_user(),
                          at=datetime.now().replace(microsecond=0))
        consent.require()
        return consent

    def find_similar(self, crops: Sequence[np.ndarray], landmarks: Sequence[Any] | None = None,
                     contexts: Sequence[Any] | None = None) -> tuple[Person, float] | None:
        """The enrolled person these crops already match above the threshold, if any."""
        if not crops:
            return None
        gallery = self._gallery.current()
        if len(gallery) == 0:
            return None
        vectors = self._models.embed_stored(self._models.active_embedder(), list(crops),
                                            list(landmarks or [None] * len(crops)),
                                            list(contexts) if contexts else None)
        threshold, _ = self._models.match_policy(self._settings)
        best: tuple[int, float] | None = None
        for match in gallery.match_many(vectors, threshold, 0.0):
            if match.is_known and (best is None or match.similarity > best[1]):
                best = (match.best.person_id, match.similarity)
        if best is None:
            return None
        return self._people.get(best[0]), best[1]

    def enroll_crops(self, name: str, crops: Sequence[np.ndarray], consent: Consent,
                     external_id: str | None = None, group: str | None = None,
                     qualities: Sequence[Any] | None = None, source: str = "photo",
                     existing_person_id: int | None = None,
                     landmarks: Sequence[Any] | None = None,
                     contexts: Sequence[Any] | None = None) -> Person:
        """Store a person (or add to an existing one), their crops (with their face contexts and
        the landmarks in context pixels, when known) and templates, atomically. The templates are tagged with the
        model that is active when the write lock is held: if a model switch landed between
        embedding and writing, the crops are embedded again with the now-active model."""
        consent.require()
        if not crops:
            raise ValidationError("no accepted face to enrol")
        name = (name or "").strip()
        if not name and existing_person_id is None:
            raise ValidationError("a person needs a name")
        crops = list(crops)
        points = list(landmarks) if landmarks is not None else [None] * len(crops)
        context_list = list(contexts) if contexts is not None else [None] * len(crops)
        model = self._models.ensure_default_model()
        vectors = self._models.embed_stored(self._models.embedder_for(model.id), crops, points,
                                            context_list)
        with self._db.transaction():
            active = ModelRepository(self._db).active()
            if active is not None and active.id != model.id:  # switched meanwhile
                model = active
                vectors = self._models.embed_stored(self._models.embedder_for(model.id),
                                                    crops, points, context_list)
            if existing_person_id is None:
                person = self._people.add(name, external_id=external_id, group=group,
                                          consent_at=consent.at, consent_by=consent.recorded_by,
                                          consent_version=consent.wording_version)
            else:
                person = self._people.get(existing_person_id)
            for i, (crop, vector) in enumerate(zip(crops, vectors)):
                quality = qualities[i] if qualities else None
                crop_id = None
                if self._settings.keep_crops:
                    context = context_list[i]
                    crop_id = self._crops.add(
                        person.id, encode_png(crop), quality, source=source,
                        landmarks=points[i],  # context pixels, or crop pixels without one
                        context_png=encode_png(context) if context is not None else None).id
                self._templates.add(person.id, model.id, vector, crop_id=crop_id)
        self._gallery.invalidate()
        return self._people.get(person.id)

    def enroll_photos(self, name: str, photos: Sequence[Path], consent: Consent,
                      external_id: str | None = None, group: str | None = None,
                      largest: bool = False) -> EnrollmentOutcome:
        """Enrol one person from photo files. Every photo must hold exactly one face (or use
        `largest`); otherwise nothing is written and the error names each refused file."""
        consent.require()
        crops, accepted, qualities, points, contexts = [], [], [], [], []
        refusals: list[tuple[str, AttendanceAppError]] = []
        for photo in photos:
            try:
                shot = self.analyze_file(Path(photo), largest=largest)
            except InvalidImageError as exc:
                refusals.append((str(photo), exc))
                continue
            if shot.accepted:
                crops.append(shot.crop)
                qualities.append(shot.detection.quality if shot.detection else None)
                points.append(shot.landmarks)
                contexts.append(shot.context)
                accepted.append(str(photo))
            else:
                refusals.append((str(photo), _shot_error(shot)))
        if refusals:
            raise _refusal_error(refusals, largest)
        warnings = self._look_alike_warnings(crops, landmarks=points, contexts=contexts)
        person = self.enroll_crops(name, crops, consent, external_id, group, qualities, "photo",
                                   landmarks=points, contexts=contexts)
        return EnrollmentOutcome(person, accepted, warnings)

    def enroll_folder(self, folder: Path, consent: Consent, crops: bool = False,
                      group: str | None = None,
                      progress: ProgressCallback | None = None,
                      naming: Callable[[str], tuple[str, str | None]] | None = None
                      ) -> FolderEnrollmentSummary:
        """Enrol everyone in `folder/<person>/<image>` (folders starting with `_` are skipped).
        Photos that fail are refused and listed; the others are enrolled. `naming(folder)`
        gives (person name, external id) for a folder (default: the folder name, no id).
        `progress(photos_done, photos_total, folder)` returning False stops before the next
        photo; the person being read is then not saved (each person is saved whole, in one
        transaction, or not at all) and the summary says `cancelled`."""
        consent.require()
        identities = people_folders(folder)
        summary = FolderEnrollmentSummary()
        total = sum(len(identity.images) for identity in identities)
        done = 0
        for identity in identities:
            person_crops, qualities, points, contexts = [], [], [], []
            for image in identity.images:
                done += 1
                try:
                    crop, quality, landmarks, context = read_face_crop(
                        image, self._detector(), crops)
                    person_crops.append(crop)
                    qualities.append(quality)
                    points.append(landmarks)
                    contexts.append(context)
                except AttendanceAppError as exc:
                    summary.refused.append((str(image), str(exc)))
                if progress is not None and not progress(done, total, identity.name):
                    summary.cancelled = True
                    return summary
            name, external_id = naming(identity.name) if naming else (identity.name, None)
            if not person_crops:
                summary.warnings.append(f"{identity.name}: no usable photo, not enrolled")
                continue
            summary.warnings.extend(self._look_alike_warnings(person_crops, name,
                                                              points, contexts))
            # Re-running an import adds photos to the person of that name instead of a twin.
            by_id = self._people.find_by_external_id(external_id) if external_id else None
            existing = [by_id] if by_id is not None else self._people.find_by_name(name)
            self.enroll_crops(name, person_crops, consent, external_id=external_id, group=group,
                              qualities=qualities, source="folder",
                              existing_person_id=existing[0].id if len(existing) == 1 else None,
                              landmarks=points, contexts=contexts)
            summary.enrolled.append((name, len(person_crops)))
        return summary

    # ---------------------------------------------------------------- helpers
    def _look_alike_warnings(self, crops: Sequence[np.ndarray], name: str | None = None,
                             landmarks: Sequence[Any] | None = None,
                             contexts: Sequence[Any] | None = None) -> list[str]:
        similar = self.find_similar(crops, landmarks, contexts)
        if similar is None or (name is not None and similar[0].name == name):
            return []
        person, similarity = similar
        return [f"this face already matches {person.label} ({similarity * 100:.0f}% similar)"]


def _shot_error(shot: FaceShot) -> AttendanceAppError:
    reason = "; ".join(shot.problems)
    if shot.face_count == 0:
        return FaceNotFoundError(reason)
    if shot.face_count > 1:
        return MultipleFacesError(reason, shot.face_count)
    return ValidationError(reason)


def _refusal_error(refusals: list[tuple[str, AttendanceAppError]],
                   largest: bool) -> AttendanceAppError:
    """One error naming every refused photo; its type is the refusals' type when they agree."""
    lines = "; ".join(f"{path}: {error}" for path, error in refusals)
    multi = [e for _, e in refusals if isinstance(e, MultipleFacesError)]
    hint = " (use --largest to take the largest face of a group photo)" if multi and not largest else ""
    message = f"nothing enrolled. Refused {lines}{hint}"
    kinds = {type(e) for _, e in refusals}
    if kinds == {MultipleFacesError}:
        return MultipleFacesError(message, count=max(e.count for e in multi))
    if len(kinds) == 1:
        return kinds.pop()(message)
    return ValidationError(message)


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return os.environ.get("USER", "unknown")
