"""ServicesBackend: the GuiBackend over `services.AppServices` (imported in the background).

Thread use (DESIGN.md section 3): the AppServices container and its SQLite connection are
opened in the GUI thread; `warm_up` runs in the task runner with its *own* short-lived container
to convert/load the weights and build MTCNN and the embedder, then hands those model objects to
the GUI's container so that no model is ever built on the GUI thread.

Layer note: the live loop needs vision's LiveRecognizer and frame sources, and the histogram
needs the stored templates. There is no service facade for those yet, so this module imports
them lazily (`vision.live_recognizer`, `vision.frame_source`, `storage.template_repository`);
when the services layer offers a live-session facade these imports should move behind it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.attendance_policy import AttendancePolicy
from attendance_app.domain.consent import Consent
from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.gui.backend import ExistingMatch, FolderPerson, LiveUpdate, ShotCheck
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.thumbnails import png_from_rgb
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.services.app_services import AppServices


def open_backend(paths: AppPaths, settings: Settings) -> "ServicesBackend":
    return ServicesBackend(AppServices.open(paths, settings))


class ServicesBackend:
    def __init__(self, services: AppServices) -> None:
        self.services = services
        self._names: dict[int, str] = {}
        self._cameras: list[str] = []
        self._model_name = "loading…"
        self._session: Session | None = None
        self._policy: AttendancePolicy | None = None
        self._recognizer: Any = None
        self._gallery: Any = None
        # Build the cached services here, in the GUI thread, before any worker asks for them.
        self._enrollment = services.enrollment
        self._people = services.people

    # ------------------------------------------------------------ models (any thread)
    def warm_up(self, ctx: Any) -> str:
        from attendance_app.vision.camera_discovery import list_cameras

        ctx.report_progress(0.1, "Converting or loading the face model")
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            info = own.models.ensure_default_model()
            embedder = own.models.active_embedder()
            detector = own.detector()
        finally:
            own.close()
        ctx.report_progress(0.9, "Looking for cameras")
        self._cameras = [str(i) for i in list_cameras()]
        # Adopt the warmed models (dict assignment is atomic; read later on the GUI thread).
        self.services._detectors[self.services.settings.crop_margin] = detector  # noqa: SLF001
        self.services.models._embedders[(info.id, False)] = embedder  # noqa: SLF001
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
        from attendance_app.vision.frame_source import open_source

        return open_source(spec)

    def list_cameras(self) -> list[str]:
        return list(self._cameras)

    def live_processor(self) -> Any:
        if self._recognizer is None:
            raise ValidationError("start a session first")
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
        if self._recognizer is not None:  # enrolled mid-session: recognised from now on
            self._gallery = self.services.gallery.current()
        return person

    def update_person(self, person_id: int, name: str, external_id: str | None,
                      group: str | None) -> Person:
        return self._people.update(person_id, name, external_id, group)

    def delete_person(self, person_id: int) -> None:
        self._people.delete(person_id)
        self._names.pop(person_id, None)
        if self._recognizer is not None:
            self._gallery = self.services.gallery.current()

    def start_session(self, name: str, roster_group: str | None,
                      late_after: datetime | None) -> tuple[Session, int | None]:
        from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig

        settings = self.services.settings
        session = Session(None, name, datetime.now(), roster_group, late_after)
        roster = None
        if roster_group:
            roster = {p.id for p in self.people() if p.group == roster_group}
        else:
            self.people()
        self._session = session
        # TODO(services): persist through AttendanceService once it lands; the policy is the
        # domain rule set the service will apply, so the GUI behaviour will not change.
        self._policy = AttendancePolicy(session, roster, settings.record_not_on_roster)
        names = self._names
        # The gallery is (re)loaded here in the GUI thread: GalleryProvider's loader queries the
        # GUI container's database, which the camera thread must not touch.
        self._gallery = self.services.gallery.current()
        self._recognizer = LiveRecognizer(
            self.services.detector(), self.services.models.active_embedder(),
            lambda: self._gallery, LiveRecognizerConfig.from_settings(settings),
            name_of=names.get)
        return session, (len(roster) if roster is not None else None)

    def stop_session(self) -> None:
        if self._policy is not None:
            self._policy.close(datetime.now())
        self._session = self._policy = self._recognizer = None

    def handle_frame_result(self, result: Any) -> LiveUpdate:
        overlays = [FaceOverlay(t.box, t.state, _caption(t)) for t in result.tracks]
        arrivals, unknowns = [], []
        if self._policy is not None:
            for s in result.sightings:
                decision = self._policy.on_sighting(s.person_id, datetime.now(), s.similarity)
                if decision is not None:
                    arrivals.append(AttendanceRow(
                        s.person_id, self._names.get(s.person_id, f"#{s.person_id}"),
                        decision.time, decision.status.value, png_from_rgb(s.crop)))
        for u in result.unknowns:
            unknowns.append((u.track_id, u.crop))
        return LiveUpdate(overlays, arrivals, unknowns)

    def similarity_scores(self) -> tuple[np.ndarray, np.ndarray]:
        from attendance_app.storage.template_repository import TemplateRepository

        model = self.services.models.ensure_default_model()
        vectors, ids = TemplateRepository(self.services.db).load_gallery(model.id)
        if len(ids) < 2:
            return np.zeros(0), np.zeros(0)
        sims = vectors @ vectors.T
        upper = np.triu_indices(len(ids), k=1)
        same = ids[upper[0]] == ids[upper[1]]
        return sims[upper][same], sims[upper][~same]

    def active_model_name(self) -> str:
        return self._model_name

    def settings(self) -> Settings:
        return self.services.settings

    def save_settings(self, settings: Settings) -> None:
        self.services.update_settings(settings)
        self._enrollment = self.services.enrollment

    def close(self) -> None:
        self.services.close()


def _caption(track: Any) -> str:
    if track.state == "confirmed":
        return f"{track.name or 'Known'} {max(0.0, track.similarity) * 100:.0f}%"
    if track.state == "checking":
        return "checking…"
    return "Unknown"
