"""ServicesBackend: the GuiBackend over `services.AppServices` (imported in the background).

Thread use (DESIGN.md section 3): the AppServices container and its SQLite connection are
opened in the GUI thread; `warm_up` runs in the task runner with its *own* short-lived container
to convert/load the weights and build MTCNN and the embedder, then hands those model objects to
the GUI's container so that no model is ever built on the GUI thread.

Attendance taken here goes through services.SessionRun: each record is committed before the
window shows it. Frame sources, the camera list and the similarity histogram come from
services.live_support, so gui/ imports no vision/ or storage/ module.
"""

from __future__ import annotations

from datetime import date, datetime, time
import time as _time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.consent import Consent
from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.gui.backend import (ExistingMatch, FolderPerson, LiveUpdate, ModelRow,
                                        ShotCheck, TrainingOutcome, TrainingRequest,
                                        TrainingTick)
from attendance_app.gui.task_runner import TaskCancelled
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.thumbnails import png_from_rgb
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.reporting.report_table import ReportTable
from attendance_app.services.app_services import AppServices
from attendance_app.services.live_support import (available_cameras, open_frame_source,
                                                  similarity_distribution)
from attendance_app.services.report_service import ReportService


def open_backend(paths: AppPaths, settings: Settings) -> "ServicesBackend":
    return ServicesBackend(AppServices.open(paths, settings))


def check_database(paths: AppPaths) -> Any:
    """Any thread (own connection): the start-up check, a services.startup_checks.StartupReport
    (ok, problems, latest_backup, backups, message())."""
    from attendance_app.services.startup_checks import check_database_at_startup

    return check_database_at_startup(paths)


def restore_backup(paths: AppPaths, src: Path) -> Path | None:
    """Replace the (damaged) database with the backup `src` before the backend is opened;
    returns where the replaced file was kept."""
    from attendance_app.services.database_recovery import restore_backup as restore

    return restore(paths, src)


class ServicesReports:
    """The reports part of the GuiBackend over AppServices. It reads the database only (no
    models, no torch), so it is cheap to build on its own (tests). GUI thread unless noted."""

    def __init__(self, services: AppServices) -> None:
        self.services = services

    def report_sessions(self) -> list[Session]:
        # ReportService has no public session listing yet; its repository lists them all.
        return self.services.reports._sessions.list_in_range(date.min, date.max)

    def report_people(self) -> list[Person]:
        return self.services.people_repository.list_all()

    def report_groups(self) -> list[str]:
        return self.services.reports.known_groups()

    def session_reports(self, name: str, on: date, at: time | None) -> list[ReportTable]:
        return self.services.reports.session_reports(name, on, at)

    def person_report(self, who: int | str, start: date, end: date) -> ReportTable:
        return self.services.reports.person_report(who, start, end)  # type: ignore[arg-type]

    def group_report(self, group: str, start: date, end: date) -> ReportTable:
        return self.services.reports.group_report(group, start, end)

    def unknown_faces_report(self, start: date, end: date) -> ReportTable:
        return self.services.reports.unknown_faces_report(start, end)

    def export_report(self, tables: list[ReportTable], fmt: str, path: Path) -> Path:
        """Any thread: writes already-built tables, touches no database."""
        return ReportService.export(tables, fmt, path)


class ServicesBackend(ServicesReports):
    def __init__(self, services: AppServices) -> None:
        self.services = services
        self._names: dict[int, str] = {}
        self._cameras: list[str] = []
        self._model_name = "loading…"
        self._run: Any = None  # services.session_run.SessionRun while a session is open
        self._recognizer: Any = None
        # Build the cached services here, in the GUI thread, before any worker asks for them.
        self._enrollment = services.enrollment
        self._people = services.people

    # ------------------------------------------------------------ models (any thread)
    def warm_up(self, ctx: Any) -> str:
        ctx.report_progress(0.1, "Converting or loading the face model")
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            info = own.models.ensure_default_model()
            own.models.active_embedder()
            own.detector()
        finally:
            own.close()
        ctx.report_progress(0.9, "Looking for cameras")
        self._cameras = [str(i) for i in available_cameras()]
        self.services.adopt_models(own)
        self._model_name = info.name
        return info.name

    def check_shot(self, rgb: np.ndarray, pose: Pose) -> ShotCheck:
        shot = self._enrollment.analyze(rgb, pose)
        box = shot.detection.box if shot.detection is not None else None
        return ShotCheck(shot.crop if shot.accepted else None, shot.problems, box)

    def check_photo(self, path: Path) -> ShotCheck:
        try:
            shot = self._enrollment.analyze_file(Path(path))
        except AttendanceAppError as exc:
            return ShotCheck(None, (str(exc),))
        return ShotCheck(shot.crop if shot.accepted else None, shot.problems)

    def open_frame_source(self, spec: str) -> Any:
        return open_frame_source(spec)

    def list_cameras(self) -> list[str]:
        return list(self._cameras)

    def live_processor(self, paced: bool = True) -> Any:
        """The frame processor of the running session. `paced` (camera, or a file played in
        real time): MTCNN runs on its own thread so the live view keeps the camera's rate."""
        if self._run is None:
            raise ValidationError("start a session first")
        if self._recognizer is not None:
            self._recognizer.close()
        self._recognizer = self.services.make_recognizer(name_of=self._names.get,
                                                         async_detection=paced)
        return self._recognizer.process

    def prepare_folder(self, folder: Path, ctx: Any) -> list[FolderPerson]:
        folder = Path(folder)
        dirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("_"))
        if not dirs:
            raise ValidationError(f"{folder} has no sub-folders (one sub-folder per person)")
        people = []
        for k, person_dir in enumerate(dirs):
            ctx.raise_if_cancelled()
            ctx.report_progress(k / len(dirs), person_dir.name)
            crops, refused = [], []
            for image in sorted(p for p in person_dir.iterdir() if p.is_file()):
                check = self.check_photo(image)
                if check.accepted:
                    crops.append(check.crop)
                else:
                    refused.append(f"{image.name}: {'; '.join(check.reasons)}")
            people.append(FolderPerson(person_dir.name, crops, refused))
        return people

    # ------------------------------------------------------------- data (GUI thread)
    def people(self) -> list[Person]:
        people = self._people.list_people()
        self._names = {p.id: p.name for p in people}
        return people

    def thumbnails(self) -> dict[int, bytes]:
        if self.services.biometrics_locked:  # encrypted face crops: the list works without them
            return {}
        out = {}
        for pid in list(self._names):
            png = self._people.thumbnail_png(pid)
            if png:
                out[pid] = png
        return out

    def groups(self) -> list[str]:
        return self._people.groups()

    def find_existing(self, crops: list[np.ndarray]) -> ExistingMatch | None:
        found = self._enrollment.find_similar(crops)
        return ExistingMatch(*found) if found else None

    def enrol(self, name: str, external_id: str | None, group: str | None,
              crops: list[np.ndarray], consent_by: str) -> Person:
        consent = Consent(True, consent_by, datetime.now().replace(microsecond=0))
        person = self._enrollment.enroll_crops(name, crops, consent, external_id, group,
                                               source="webcam")
        self._names[person.id] = person.name
        return person

    def update_person(self, person_id: int, name: str, external_id: str | None,
                      group: str | None) -> Person:
        return self._people.update(person_id, name, external_id, group)

    def delete_person(self, person_id: int) -> None:
        self._people.delete(person_id)
        self._names.pop(person_id, None)

    def start_session(self, name: str, roster_group: str | None,
                      late_after: datetime | None) -> tuple[Session, int | None]:
        self.people()
        run = self.services.attendance.start_session(name, roster_group, late_after)
        self._run = run
        # Warm the gallery here; the camera thread reads it through GalleryProvider, which
        # reloads on its own connection after an enrolment or deletion invalidates it.
        self.services.gallery.current()
        return run.session, run.roster_size

    def stop_session(self) -> None:
        if self._run is not None:
            self._run.close()
        if self._recognizer is not None:
            self._recognizer.close()
        self._run = self._recognizer = None

    def handle_frame_result(self, result: Any) -> LiveUpdate:
        overlays = [FaceOverlay(t.box, t.state, _caption(t)) for t in result.tracks]
        arrivals, unknowns = [], []
        if self._run is not None:
            for s in result.sightings:
                record = self._run.on_sighting(s.person_id, s.similarity, s.crop)
                if record is not None:  # committed before it is shown
                    arrivals.append(AttendanceRow(
                        s.person_id, record.person_name or f"#{s.person_id}",
                        record.time, record.effective_status.value, png_from_rgb(s.crop)))
            for u in result.unknowns:
                self._run.on_unknown(u.crop, u.best_similarity)
        for u in result.unknowns:
            unknowns.append((u.track_id, u.crop))
        return LiveUpdate(overlays, arrivals, unknowns)

    def similarity_scores(self) -> tuple[np.ndarray, np.ndarray]:
        if self.services.biometrics_locked:  # the templates are encrypted: no histogram
            return np.zeros((0,), np.float32), np.zeros((0,), np.float32)
        return similarity_distribution(self.services.db)

    def active_model_name(self) -> str:
        return self._model_name

    def settings(self) -> Settings:
        return self.services.settings

    def save_settings(self, settings: Settings) -> None:
        self.services.update_settings(settings)
        self._enrollment = self.services.enrollment

    # ------------------------------------------------------------- training (issue 5)
    def training_defaults(self) -> tuple[TrainingRequest, tuple[str, ...]]:
        from attendance_app.training.fine_tune_config import TRAINABLE_CHOICES, FineTuneConfig

        c = FineTuneConfig()
        return (TrainingRequest(epochs=c.epochs, margin=c.margin,
                                people_per_batch=c.people_per_batch,
                                samples_per_person=c.samples_per_person,
                                learning_rate=c.learning_rate,
                                trainable_blocks=tuple(c.trainable_blocks)),
                tuple(TRAINABLE_CHOICES))

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
                samples.extend(svc.enrolled_samples().samples)
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
        self._model_name = info.name
        return count

    def discard_model(self, model_id: int) -> None:
        self.services.models.discard(model_id)

    # ------------------------------------------------- trust (issue 7; GUI thread)
    def startup_warnings(self) -> list[str]:
        return list(self.services.startup_warnings)

    def sync_status_text(self) -> str | None:
        """The shared server's state for the status bar, None when there is none (issue 16);
        the first call starts the background sync."""
        from attendance_app.services.sync.server_address import sync_configured

        if not sync_configured(self.services.settings):
            return None
        sync = self.services.sync
        if sync.config_error:
            return f"not used: {sync.config_error}"
        sync.start_background()
        return sync.status(self.services.db).text

    def housekeeping(self) -> list[str]:
        return self.services.housekeeping()

    def biometrics_locked(self) -> bool:
        return self.services.biometrics_locked

    def unlock(self, passphrase: str) -> None:
        self.services.unlock(passphrase)

    def admin_password_set(self) -> bool:
        from attendance_app.services.admin_guard import AdminGuard

        return AdminGuard(self.services.db).is_set

    def require_admin(self, password_provider: Callable[[], str | None]) -> None:
        from attendance_app.services.admin_guard import require_admin

        require_admin(self.services, password_provider)

    def set_admin_password(self, new_password: str) -> None:
        from attendance_app.services.admin_guard import AdminGuard

        AdminGuard(self.services.db).set_password(new_password)

    def close(self) -> None:
        self.services.close()


def _model_row(model: Any) -> ModelRow:
    return ModelRow(model.id, model.name, model.kind, model.created_at, model.is_active,
                    model.parent_id, dict(model.metrics or {}))


def _caption(track: Any) -> str:
    if track.state == "confirmed":
        return f"{track.name or 'Known'} {max(0.0, track.similarity) * 100:.0f}%"
    if track.state == "checking":
        return "checking…"
    return "Unknown"
