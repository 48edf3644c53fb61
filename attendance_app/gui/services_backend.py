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
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.consent import Consent
from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.gui.backend import ExistingMatch, FolderPerson, LiveUpdate, ShotCheck
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
        self._recognizer = self.services.make_recognizer(name_of=self._names.get)
        return run.session, run.roster_size

    def stop_session(self) -> None:
        if self._run is not None:
            self._run.close()
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
        return similarity_distribution(self.services.db)

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
