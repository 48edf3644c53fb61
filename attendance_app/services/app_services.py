"""AppServices: the one container the CLI and the GUI use to reach every use-case.

Heavy parts (MTCNN, the embedder) are built on first use, so opening the container is fast and
`attendance-app people list` never loads torch models. The container owns one database
connection, made on the thread that opened it (SQLite connections belong to their thread);
`for_thread()` gives a worker thread its own container over the same data dir.

Encryption at rest: when the database's biometric data is encrypted, `open(..., passphrase=)`
or `unlock(passphrase)` checks the passphrase once; the key is then remembered for the database
file in this process (storage.biometric_columns), so every repository and every later
connection on that file (worker threads, the gallery loader) uses it. Until then the container
is `biometrics_locked`: people, sessions and reports work, biometric reads and writes raise
AccessDeniedError.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from attendance_app.config import AppPaths, Settings, save_settings, take_settings_warnings
from attendance_app.domain.errors import AttendanceAppError, DatabaseError
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.people_repository import PeopleRepository

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from attendance_app.services.attendance_service import AttendanceService
    from attendance_app.services.camera_template_learner import CameraTemplateLearner
    from attendance_app.vision.live_recognizer import LiveRecognizer
    from attendance_app.services.enrollment_service import EnrollmentService
    from attendance_app.services.gallery_provider import GalleryProvider
    from attendance_app.services.identification_service import IdentificationService
    from attendance_app.services.model_service import ModelService
    from attendance_app.services.people_service import PeopleService
    from attendance_app.services.training_service import TrainingService
    from attendance_app.services.report_service import ReportService
    from attendance_app.services.sync.sync_service import SyncService
    from attendance_app.vision.face_detector import MtcnnFaceDetector
    from attendance_app.vision.face_mesh import FaceMeshLandmarker


class AppServices:
    """Lazily built services over one data dir and one database connection."""

    def __init__(self, paths: AppPaths, settings: Settings, db: AppDatabase) -> None:
        self.paths = paths
        self.settings = settings
        self.db = db
        self._detectors: dict[int, "MtcnnFaceDetector"] = {}
        self._detector_lock = threading.Lock()
        self._face_mesh: "FaceMeshLandmarker | None" = None
        self.startup_warnings: list[str] = []
        self._unlocked_here = False  # this container was given the passphrase (owns the key)

    @classmethod
    def open(cls, paths: AppPaths, settings: Settings,
             passphrase: str | None = None) -> "AppServices":
        """Open the data dir; a damaged database raises DatabaseError naming the latest backup.
        Today's rotating backup is made here; its failure is only a warning
        (`startup_warnings`), never a reason to refuse to start. `passphrase`: unlock the
        encrypted biometric data now (AccessDeniedError when wrong, nothing opened)."""
        from attendance_app.services import startup_checks

        paths.ensure()
        try:
            db = open_database(paths.db_path)
        except DatabaseError as exc:
            raise startup_checks.explain_open_failure(paths, exc) from exc
        services = cls(paths, settings, db)
        # A damaged settings.json was replaced when it was loaded: the window shows why.
        services.startup_warnings.extend(take_settings_warnings(paths))
        from attendance_app.services.erasure_service import reapply_erasures

        try:
            # A database restored or copied back by hand must not bring an erased person back.
            back = reapply_erasures(db, paths)
        except DatabaseError as exc:
            back = 0
            services.startup_warnings.append(f"recorded erasures not re-applied yet: {exc}")
        if back:
            services.startup_warnings.append(
                f"{back} person(s) erased earlier were in the database again (restored from "
                f"an older copy) and have been erased again")
        if passphrase is not None:
            try:
                services.unlock(passphrase)
            except BaseException:
                db.close()
                raise
        services.startup_warnings += services.housekeeping()
        # Shared server (issue 16): pending deletions are applied before anyone is recognised.
        from attendance_app.services.sync.server_address import sync_configured

        if sync_configured(settings):
            sync_warning = services.sync.startup(db)
            if sync_warning:
                services.startup_warnings.append(sync_warning)
        return services

    def housekeeping(self, now: datetime | None = None) -> list[str]:
        """The daily chores, run at start-up and once a day by a long-running window: today's
        rotating backup, then retention (expired unknown-face snapshots and thumbnails). Returns
        warnings; a failure here never stops the app."""
        from attendance_app.services import startup_checks
        from attendance_app.services.retention_service import apply_retention

        warnings = []
        backup_warning = startup_checks.backup_daily_at_startup(self.paths, self.settings)
        if backup_warning:
            warnings.append(backup_warning)
        try:
            apply_retention(self.db, self.settings, now or datetime.now())
        except AttendanceAppError as exc:
            warnings.append(f"retention was not applied: {exc}")
        return warnings

    def close(self) -> None:
        if "sync" in self.__dict__:  # stop the background sync, deliver what is left
            self.sync.stop()
            self.sync.flush(self.db)
        # A last checkpoint moves deleted pages out of the WAL (secure_delete then scrubs them).
        try:
            self.db.checkpoint()
        except AttendanceAppError:
            pass
        if self._unlocked_here:
            self.lock()  # the derived key does not outlive the container that was given it
        self.db.close()

    def lock(self) -> None:
        """Forget the key of the encrypted face data in this process (every container on this
        file is locked again until `unlock`). Worker containers that only borrowed the key
        never call this on close; the one that was given the passphrase does."""
        from attendance_app.storage.biometric_columns import forget_cipher

        forget_cipher(self.paths.db_path)
        self._unlocked_here = False
        if "gallery" in self.__dict__:
            self.gallery.invalidate()

    # ------------------------------------------------------ encryption at rest
    @property
    def encryption_enabled(self) -> bool:
        from attendance_app.storage.biometric_cipher import is_encryption_enabled

        return is_encryption_enabled(self.db)

    @property
    def biometrics_locked(self) -> bool:
        """True when the biometric data is encrypted and no passphrase was given yet: the GUI
        asks for it at start-up and calls `unlock`."""
        from attendance_app.storage.biometric_columns import is_locked

        return is_locked(self.db)

    def unlock(self, passphrase: str) -> None:
        """Check the passphrase of the encrypted biometric data and use its key from now on
        (for this data dir, in this process). Raises AccessDeniedError when it is wrong."""
        from attendance_app.services.encryption_service import bind_rows
        from attendance_app.storage.biometric_columns import unlock_database

        cipher = unlock_database(self.db, passphrase)
        self._unlocked_here = True
        # Values sealed before row binding (issue 14) are re-sealed bound to their row, once;
        # if the file is busy now it is tried again at the next unlock (reads still work).
        try:
            bind_rows(self.db, cipher)
        except DatabaseError as exc:
            log.warning("encrypted face data not re-sealed with row binding yet: %s", exc)
        if "gallery" in self.__dict__:
            self.gallery.invalidate()  # a load attempted while locked must be retried

    def update_settings(self, settings: Settings) -> None:
        """Persist new settings; services built from the old ones are rebuilt on next use."""
        save_settings(self.paths, settings)
        self.settings = settings
        for name in ("enrollment", "identification", "attendance"):
            self.__dict__.pop(name, None)

    # ------------------------------------------------------------ engine parts
    def detector(self, margin: int | None = None) -> "MtcnnFaceDetector":
        """The shared MTCNN detector (one per crop margin; the default is the settings' margin)."""
        from attendance_app.vision.face_detector import MtcnnFaceDetector

        margin = self.settings.crop_margin if margin is None else margin
        with self._detector_lock:
            if margin not in self._detectors:
                self._detectors[margin] = MtcnnFaceDetector(
                    min_face_size=self.settings.min_face_size, margin=margin)
            return self._detectors[margin]

    def adopt_models(self, other: "AppServices") -> None:
        """Take over the detector and embedders another container (on another thread) built,
        so the GUI thread never constructs a model itself."""
        with self._detector_lock:
            self._detectors.update(other._detectors)
        self.models.adopt_embedders(other.models)

    @cached_property
    def people_repository(self) -> PeopleRepository:
        return PeopleRepository(self.db)

    @cached_property
    def models(self) -> "ModelService":
        from attendance_app.services.model_service import ModelService

        return ModelService(self.db, self.paths.models_dir,
                            crop_margin=self.settings.crop_margin, detector=self.detector,
                            first_model=self.settings.first_model)

    @cached_property
    def gallery(self) -> "GalleryProvider":
        from attendance_app.services.gallery_provider import GalleryProvider
        from attendance_app.storage.model_repository import ModelRepository
        from attendance_app.storage.template_repository import TemplateRepository

        def load():
            # A fresh connection: the gallery may be (re)loaded from a worker thread, and
            # SQLite connections belong to the thread that made them.
            with open_database(self.paths.db_path, check=False) as db:
                model = ModelRepository(db).active()
                dim = 128 if model is not None and model.architecture == "sface" else 512
                if model is None:  # no model registered yet: nobody can be enrolled either
                    return np.zeros((0, dim), np.float32), np.zeros((0,), np.int64)
                return TemplateRepository(db).load_gallery(model.id, dim=dim)

        return GalleryProvider(load)

    # --------------------------------------------------------------- use-cases
    @cached_property
    def enrollment(self) -> "EnrollmentService":
        from attendance_app.services.enrollment_service import EnrollmentService

        return EnrollmentService(self.db, self.detector, self.models, self.gallery,
                                 self.people_repository, self.settings)

    @cached_property
    def identification(self) -> "IdentificationService":
        from attendance_app.services.identification_service import IdentificationService

        return IdentificationService(self.detector, self.models, self.gallery,
                                     self.people_repository, self.settings)

    @cached_property
    def attendance(self) -> "AttendanceService":
        from attendance_app.services.attendance_service import AttendanceService

        return AttendanceService(self.db, self.people_repository, self.settings)

    def make_recognizer(self, every_frame: bool = False, detect_scale: float = 1.0,
                        name_of: Callable[[int], str | None] | None = None,
                        async_detection: bool = False,
                        liveness: bool | None = None) -> "LiveRecognizer":
        """A LiveRecognizer over the shared detector, the active embedder and the gallery,
        tuned by the settings. One per capture loop (it keeps per-track state); with
        `async_detection` (live cameras) call its close() when done. `liveness` attaches a
        LivenessMonitor (default: unless the liveness setting is off); WeightsError when
        the FaceMesh model is missing."""
        from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig
        from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor

        # The active model's own threshold and margin (SFace's differ from FaceNet's).
        threshold, margin = self.models.match_policy(self.settings)
        config = LiveRecognizerConfig.from_settings(
            self.settings, every_frame=every_frame, detect_scale=detect_scale,
            async_detection=async_detection, match_threshold=threshold,
            runner_up_margin=margin,
            confirm_min_similarity=max(threshold, self.settings.confirm_min_similarity
                                       - self.settings.match_threshold + threshold))
        if liveness is None:
            liveness = self.settings.liveness != "off"
        monitor = LivenessMonitor(self.face_mesh()) if liveness else None
        return LiveRecognizer(self.detector(), self.models.active_embedder(),
                              self.gallery.current, config, name_of=name_of, liveness=monitor)

    def camera_learner(self, liveness_checked: bool) -> "CameraTemplateLearner | None":
        """The camera-template learner of a live session (None when the setting is off),
        storing into the active model's templates. `liveness_checked`: only live faces."""
        if not self.settings.learn_camera_templates:
            return None
        from attendance_app.services.camera_template_learner import (CameraTemplateLearner,
                                                                     policy_from_settings)
        from attendance_app.services.camera_template_store import RepositoryCameraTemplates

        store = RepositoryCameraTemplates(self.db, self.models.ensure_default_model().id,
                                          self.gallery)
        return CameraTemplateLearner(policy_from_settings(self.settings), store,
                                     liveness_checked=liveness_checked,
                                     wait_s=self.settings.liveness_wait_s)

    def face_mesh(self) -> "FaceMeshLandmarker":
        """The shared FaceMesh landmarker (loaded and checksum-checked once, thread-safe)."""
        if self._face_mesh is None:
            from attendance_app.vision.face_mesh import FaceMeshLandmarker

            self._face_mesh = FaceMeshLandmarker()
        return self._face_mesh

    @cached_property
    def training(self) -> "TrainingService":
        from attendance_app.services.training_service import TrainingService

        return TrainingService(self.db, self.models, self.detector)

    @cached_property
    def people(self) -> "PeopleService":
        from attendance_app.services.people_service import PeopleService

        return PeopleService(self.db, self.people_repository, self.gallery)

    @cached_property
    def sync(self) -> "SyncService":
        """Sync with the shared PostgreSQL server; inert when none is configured."""
        from attendance_app.services.sync.sync_service import SyncService

        def default_model_key() -> str | None:
            # Its own connection: the sync worker thread may ask.
            from attendance_app.services.model_service import ModelService

            with open_database(self.paths.db_path, check=False) as db:
                return ModelService(db, self.paths.models_dir,
                                    first_model=self.settings.first_model
                                    ).ensure_default_model().sha256

        def changed() -> None:
            if "gallery" in self.__dict__:
                self.gallery.invalidate()

        return SyncService(self.paths, self.settings, default_model_key, changed)

    @cached_property
    def reports(self) -> "ReportService":
        from attendance_app.services.report_service import ReportService

        return ReportService(self.db)
