"""TrainingService: fine-tune the active embedder on the school's own faces, prove it on held-out
people, and register the result as an inactive candidate model.

FaceNet trains on the 160 px crops; SFace (issue 12) on the 112 px five-point aligned faces its
embedder cuts from the stored crops and landmarks, and its candidate is SFace's own ONNX graph
with the trained weights, checked against the torch module and run by cv2.dnn like the stock one.

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
from attendance_app.vision.sface_embedder import SFaceEmbedder
from attendance_app.vision.weights.sface_export import export_fine_tuned, read_net_bytes
from attendance_app.vision.weights.sface_torch import build_sface_module
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
    architecture: str = "facenet"
    onnx_bytes: bytes | None = None  # SFace: the exported graph that register() saves

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
                "cache_seconds": round(r.cache_seconds, 2),
                "seconds_per_epoch": round(r.seconds_per_epoch, 2), "architecture": self.architecture,
                "history": [h.__dict__ for h in r.history]}


class TrainingService:
    def __init__(self, db, models: ModelService,
                 detector: Callable[[], MtcnnFaceDetector]) -> None:
        self._db = db
        self._models = models
        self._detector = detector

    # ------------------------------------------------------------------ data
    def _sface_embedder(self) -> Any | None:
        """The active embedder when it is an SFace one (samples must then be aligned faces)."""
        if self._models.ensure_default_model().architecture != "sface":
            return None
        return self._models.active_embedder(flip_average=False)

    def enrolled_samples(self) -> TrainingData:
        """Every stored face, keyed by person id (database thread): the crop for FaceNet, the
        aligned face (from its context and landmarks) for SFace; faces that cannot be aligned
        are skipped and listed."""
        data = TrainingData()
        sface = self._sface_embedder()
        for crop in FaceCropRepository(self._db).iter_all():
            image = decode_png(crop.png)
            if sface is not None:
                context = (decode_png(crop.context_png) if crop.context_png and crop.landmarks
                           else None)
                try:
                    image = self._models.prepare_stored(sface, image, crop.landmarks, context)
                except ValueError as exc:
                    data.skipped.append((f"face crop {crop.id}", str(exc)))
                    continue
            data.samples.append((f"person-{crop.person_id}", image))
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
        sface = self._sface_embedder()
        for done, (person, path) in enumerate(images, 1):
            try:
                crop, _, landmarks, context = read_face_crop(path, self._detector(), crops)
                if sface is not None:
                    crop = self._models.prepare_stored(sface, crop, landmarks, context)
                data.samples.append((person, crop))
            except AttendanceAppError as exc:
                data.skipped.append((str(path), str(exc)))
            except ValueError as exc:  # SFace: no landmarks found on a ready-made crop
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
        active = self._models.ensure_default_model()
        before_embedder = self._models.active_embedder(flip_average=False)
        graph = self._models.sface_graph(active) if active.architecture == "sface" else None
        network = build_sface_module(graph) if graph is not None else before_embedder.model
        result = FaceFineTuner(config).fit(
            network, [(k, c) for k, c in samples if k in train_keys], on_progress)
        notes.extend(result.notes)
        if result.cancelled or result.state_dict is None:
            return TrainingRun(result, {}, {}, [str(k) for k in held_out], notes + ["cancelled"],
                               active.architecture)
        held = {k: [c for kk, c in samples if kk == k] for k in held_out}
        onnx_bytes = None
        if graph is not None:
            # Export now so the after-figures come from the very graph register() saves.
            faces = np.stack([c for cs in held.values() for c in cs][:16])
            onnx_bytes, cosine = export_fine_tuned(graph, result.state_dict, faces)
            notes.append(f"exported graph (cv2.dnn) vs trained torch module: worst cosine "
                         f"{cosine:.7f} on {len(faces)} held-out faces")
            after_embedder: Any = SFaceEmbedder(read_net_bytes(onnx_bytes), model_key="candidate")
        else:
            after_embedder = FaceEmbedder(build_model(result.state_dict), model_key="candidate")
        figures = compare_models(before_embedder.embed, after_embedder.embed, held)
        return TrainingRun(result, figures["before"], figures["after"],
                           [str(k) for k in held_out], notes, active.architecture, onnx_bytes)

    # -------------------------------------------------------------- register
    def register(self, run: TrainingRun, name: str | None = None) -> ModelInfo:
        """Store the candidate (inactive) with its metrics and its parent (the active model)."""
        if run.result.state_dict is None:
            raise TrainingError("the training run was cancelled: nothing to register")
        parent = self._models.ensure_default_model()
        label = name or (f"fine-tuned from {parent.id}: rank-1 {run.before['rank1']:.3f} -> "
                         f"{run.after['rank1']:.3f}")
        if run.architecture != parent.architecture:
            raise TrainingError("the active model changed during training: train again")
        if run.onnx_bytes is not None:
            return self._models.register_trained_sface(run.onnx_bytes, label, parent,
                                                       run.metrics())
        return self._models.register_trained(run.result.state_dict, label, parent.id,
                                             run.metrics())
