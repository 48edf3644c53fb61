"""ServicesTraining: the TrainingBackend over AppServices (issue 5).

`train` and `activate_model` run in the task runner on a container of their own (own SQLite
connection); the GUI's container then takes over the new embedder."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attendance_app.gui.adapters.model_label import model_label
from attendance_app.domain.errors import ValidationError
from attendance_app.gui.backend import ModelRow, TrainingOutcome, TrainingRequest, TrainingTick
from attendance_app.gui.task_runner import TaskCancelled
from attendance_app.services.app_services import AppServices


class ServicesTraining:
    services: AppServices
    _run: Any
    _model_name: str

    def training_defaults(self) -> tuple[TrainingRequest, tuple[str, ...]]:
        """The knobs' defaults and the trainable blocks of the active model's network."""
        from attendance_app.training.fine_tune_config import for_architecture, trainable_choices

        architecture = self.services.models.ensure_default_model().architecture
        c = for_architecture(architecture)
        return (TrainingRequest(epochs=c.epochs, margin=c.margin,
                                people_per_batch=c.people_per_batch,
                                samples_per_person=c.samples_per_person,
                                learning_rate=c.learning_rate,
                                trainable_blocks=tuple(c.trainable_blocks)),
                tuple(trainable_choices(architecture)))

    def enrolled_training_counts(self) -> tuple[int, int, int]:
        """(people with crops, crops, people with 2+ crops): every stored crop has a template of
        the active model, so its template counts are the crop counts."""
        active = self.services.models.ensure_default_model()
        counts = [p.template_count for p in
                  self.services.people_repository.list_all(model_id=active.id)
                  if p.template_count]
        return len(counts), sum(counts), sum(1 for n in counts if n >= 2)

    def folder_training_counts(self, folder: Path) -> tuple[int, int]:
        """(sub-folders, image files) of a folder dataset, without reading the images."""
        from attendance_app.services.dataset_folder import list_identities

        folder = Path(folder)
        if not folder.is_dir():
            raise ValidationError(f"{folder} is not a folder")
        identities = list_identities(folder)
        return len(identities), sum(len(i.images) for i in identities)

    def train(self, request: TrainingRequest, ctx: Any,
              on_tick: Callable[[TrainingTick], None]) -> TrainingOutcome:
        """Any thread: collect, fine-tune and register the candidate on a container of its own
        (own SQLite connection). Cancelled (ctx) at any point: nothing is registered."""
        from attendance_app.training.fine_tune_config import FineTuneConfig

        if not request.use_enrolled and request.folder is None:
            raise ValidationError("choose what to train on: the enrolled people and/or a folder")
        try:
            config = FineTuneConfig(
                epochs=request.epochs, margin=request.margin,
                learning_rate=request.learning_rate, people_per_batch=request.people_per_batch,
                samples_per_person=request.samples_per_person,
                trainable_blocks=tuple(request.trainable_blocks))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            own.adopt_models(self.services)
            svc = own.training
            samples: list = []
            skipped: list[str] = []
            if request.use_enrolled:
                enrolled = svc.enrolled_samples()
                samples.extend(enrolled.samples)
                skipped.extend(f"{what}: {reason}" for what, reason in enrolled.skipped)
            if request.folder is not None:
                last = [0.0]

                def collecting(done: int, total: int, _name: str) -> bool:
                    now = _time.monotonic()
                    if now - last[0] > 0.1 or done == total:
                        last[0] = now
                        on_tick(TrainingTick("collecting", 0, done, total))
                    return not ctx.is_cancelled()

                data = svc.folder_samples(Path(request.folder), crops=request.folder_is_crops,
                                          progress=collecting)
                samples.extend(data.samples)
                skipped.extend(f"{path}: {reason}" for path, reason in data.skipped)
            ctx.raise_if_cancelled()

            def ticked(p: Any) -> bool:
                on_tick(TrainingTick(p.phase, p.epoch, p.step, p.total_steps, p.loss,
                                     p.active_share, p.eta_s))
                return not ctx.is_cancelled()

            run = svc.fine_tune(samples, config, ticked)
            if run.result.cancelled or ctx.is_cancelled():
                raise TaskCancelled()
            model = svc.register(run)
            if ctx.is_cancelled():  # cancelled while registering: leave nothing behind
                own.models.discard(model.id)
                raise TaskCancelled()
        finally:
            own.close()
        r = run.result
        return TrainingOutcome(False, _model_row(model), dict(run.before), dict(run.after),
                               run.improved, tuple(run.notes), tuple(skipped), r.seconds,
                               r.images_per_second, len(run.held_out_people))

    def list_models(self) -> list[ModelRow]:
        return [_model_row(m) for m in self.services.models.list_models()]

    def activate_model(self, model_id: int, ctx: Any) -> int:
        """Any thread: re-embed every stored crop with the model, then make it active (own
        connection). The GUI's container then takes over its embedder and reloads the gallery."""
        if self._run is not None:
            raise ValidationError("stop the attendance session before switching the face model")
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            own.adopt_models(self.services)

            def progress(done: int, total: int, _message: str) -> bool:
                ctx.report_progress(done / max(total, 1), f"Re-embedding face {done} of {total}")
                return not ctx.is_cancelled()

            try:
                count = own.models.activate(model_id, progress)
            except InterruptedError as exc:
                raise TaskCancelled() from exc
            info = own.models.get(model_id)
            own.models.active_embedder()
        finally:
            own.close()
        self.services.adopt_models(own)
        self.services.gallery.invalidate()
        self._model_name = model_label(info, self.services.settings)
        return count

    def discard_model(self, model_id: int) -> None:
        self.services.models.discard(model_id)


def _model_row(model: Any) -> ModelRow:
    return ModelRow(model.id, model.name, model.kind, model.created_at, model.is_active,
                    model.parent_id, dict(model.metrics or {}))
