"""TrainingService: fine-tune the active embedder on the school's own faces, prove it on held-out
people, and register the result as an inactive candidate model.

Three steps so the GUI can keep SQLite on its own thread: `collect_samples` (reads enrolled crops
from the database and/or a folder dataset), `fine_tune` (pure compute: no database, runs in a
worker; cancellable through the progress callback) and `register` (writes the candidate with its
metrics and lineage). Nothing becomes active here: the user activates a candidate (ModelService)
after seeing before/after numbers, and a worse candidate is reported as worse.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.domain.errors import AttendanceAppError, TrainingError
from attendance_app.services.dataset_folder import list_identities
from attendance_app.services.face_crop_reader import read_face_crop
from attendance_app.services.model_service import ModelService
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_info import ModelInfo
from attendance_app.training.evaluation import compare_models
from attendance_app.training.face_finetuner import FaceFineTuner
from attendance_app.training.fine_tune_config import FineTuneConfig
from attendance_app.training.person_split import split_people
from attendance_app.training.training_progress import FineTuneResult, ProgressCallback
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.face_embedder import FaceEmbedder
from attendance_app.vision.image_io import decode_png
from attendance_app.vision.weights.weights_cache import build_model

Sample = tuple[Hashable, np.ndarray]
# Held-out people for the before/after proof: a share of the people, never fewer than 2.
HELD_OUT_FRACTION = 0.3
MIN_HELD_OUT = 2


@dataclass
class TrainingData:
    samples: list[Sample] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len({k for k, _ in self.samples})


@dataclass
class TrainingRun:
    """A finished (or cancelled) fine-tune with the before/after figures on held-out people."""

    result: FineTuneResult
    before: dict[str, Any]
    after: dict[str, Any]
    held_out_people: list[str]
    notes: list[str]

    @property
    def improved(self) -> bool:
        """Better one-shot rank-1, or equal rank-1 with better TAR at FAR 1%."""
        b, a = self.before, self.after
        return (a["rank1"], a["tar_at_far_1pct"]) > (b["rank1"], b["tar_at_far_1pct"])

    def metrics(self) -> dict[str, Any]:
        r = self.result
        return {"before": self.before, "after": self.after, "held_out_people": self.held_out_people,
                "train_people": r.train_people, "val_people": r.val_people,
                "best_epoch": r.best_epoch, "seconds": round(r.seconds, 2),
                "images_per_second": round(r.images_per_second, 1), "notes": self.notes,
                "history": [h.__dict__ for h in r.history]}


class TrainingService:
    def __init__(self, db, models: ModelService,
                 detector: Callable[[], MtcnnFaceDetector]) -> None:
        self._db = db
        self._models = models
        self._detector = detector

    # ------------------------------------------------------------------ data
    def enrolled_samples(self) -> TrainingData:
        """Every stored face crop, keyed by person id (database thread)."""
        data = TrainingData()
        for crop in FaceCropRepository(self._db).iter_all():
            data.samples.append((f"person-{crop.person_id}", decode_png(crop.png)))
        return data

    def folder_samples(self, folder: Path, crops: bool = False,
                       progress: Callable[[int, int, str], bool] | None = None) -> TrainingData:
        """A folder dataset (<folder>/<person>/<image>): detected and cropped like enrolment, or
        just resized with `crops`. Unreadable images and images without exactly one face are
        skipped and listed. No database access: safe on a worker thread."""
        folder = Path(folder)
        if not folder.is_dir():
            raise TrainingError(f"{folder} is not a folder")
        images = [(identity.name, path) for identity in list_identities(folder)
                  for path in identity.images]
        data = TrainingData()
        for done, (person, path) in enumerate(images, 1):
            try:
                data.samples.append((person, read_face_crop(path, self._detector(), crops)[0]))
            except AttendanceAppError as exc:
                data.skipped.append((str(path), str(exc)))
            if progress is not None and progress(done, len(images), person) is False:
                break
        return data

    # --------------------------------------------------------------- compute
    def fine_tune(self, samples: Sequence[Sample], config: FineTuneConfig,
                  on_progress: ProgressCallback | None = None) -> TrainingRun:
        """Hold out people for the proof, fine-tune a copy of the active model on the others,
        and evaluate both models on the held-out people. Raises TrainingError with the reason
        when there is too little data. Does not touch the database or the active model."""
        counts: dict[Hashable, int] = {}
        for key, _ in samples:
            counts[key] = counts.get(key, 0) + 1
        usable = sorted((k for k, n in counts.items() if n >= 2), key=repr)
        if len(usable) < 2:
            raise TrainingError(f"training needs at least 2 people with 2 or more face crops each "
                                f"(have {len(usable)} of {len(counts)} people)")
        notes: list[str] = []
        n_held = max(MIN_HELD_OUT, round(len(usable) * HELD_OUT_FRACTION))
        if len(usable) - n_held >= 2:
            split = split_people(usable, config.seed, test_fraction=n_held / len(usable))
            held_out, train_keys = split.test, set(split.train)
        else:
            held_out, train_keys = usable, set(usable)
            notes.append(f"only {len(usable)} people: before/after measured on the training "
                         f"people themselves (optimistic); enrol more people for a fair test")
        if self._models.ensure_default_model().architecture != "facenet":
            # The fine-tuner trains InceptionResnetV1's tail on cached trunk features; SFace's
            # torch twin exists (vision/weights/sface_torch.py) but no fine-tune path uses it yet.
            raise TrainingError("fine-tuning is available for FaceNet models only; activate a "
                                "FaceNet model in the Models list to train")
        before_embedder = self._models.active_embedder(flip_average=False)
        result = FaceFineTuner(config).fit(
            before_embedder.model, [(k, c) for k, c in samples if k in train_keys], on_progress)
        notes.extend(result.notes)
        if result.cancelled or result.state_dict is None:
            return TrainingRun(result, {}, {}, [str(k) for k in held_out], notes + ["cancelled"])
        after_embedder = FaceEmbedder(build_model(result.state_dict), model_key="candidate")
        held = {k: [c for kk, c in samples if kk == k] for k in held_out}
        figures = compare_models(before_embedder.embed, after_embedder.embed, held)
        return TrainingRun(result, figures["before"], figures["after"],
                           [str(k) for k in held_out], notes)

    # -------------------------------------------------------------- register
    def register(self, run: TrainingRun, name: str | None = None) -> ModelInfo:
        """Store the candidate (inactive) with its metrics and its parent (the active model)."""
        if run.result.state_dict is None:
            raise TrainingError("the training run was cancelled: nothing to register")
        parent = self._models.ensure_default_model()
        label = name or (f"fine-tuned from {parent.id}: rank-1 {run.before['rank1']:.3f} -> "
                         f"{run.after['rank1']:.3f}")
        return self._models.register_trained(run.result.state_dict, label, parent.id,
                                             run.metrics())
