"""ServicesEnrol: the EnrolBackend over AppServices.

Shots and photos are judged in the task runner (models only). A folder enrolment runs entirely
in the task runner on a container of its own (own SQLite connection, the GUI's models adopted):
each person is saved in one transaction, whole or not at all, so a Cancel between photos
leaves no half-written person (issue 13 item 5).
"""

from __future__ import annotations

import time as _time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.domain.consent import Consent
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.person import Person
from attendance_app.gui.backend import (ExistingMatch, FolderEnrolResult, FolderProgress,
                                        ShotCheck)
from attendance_app.gui.task_runner import TaskCancelled
from attendance_app.services.app_services import AppServices
from attendance_app.services.dataset_folder import people_folders, person_from_folder
from attendance_app.services.liveness_challenges import EnrolmentChallenge

NOT_LIVE_YET = ("show that you are a live person first: press Capture shot and blink or turn "
                "your head when asked (a photo held up to the camera cannot be enrolled)")


class ServicesEnrol:
    services: AppServices
    _names: dict[int, str]
    _enrollment: Any
    _enrol_challenge: EnrolmentChallenge | None

    def check_shot(self, rgb: np.ndarray, pose: Pose) -> ShotCheck:
        """Any thread. A webcam shot is refused until the enrolment challenge passed (issue
        15); photo files (check_photo) are not challenged."""
        if self._enrol_challenge is None or not self._enrol_challenge.passed:
            return ShotCheck(None, (NOT_LIVE_YET,))
        shot = self._enrollment.analyze(rgb, pose)
        box = shot.detection.box if shot.detection is not None else None
        return ShotCheck(shot.crop if shot.accepted else None, shot.problems, box)

    def start_enrol_challenge(self, kind: str | None = None,
                              time_s: float | None = None) -> Any:
        """GUI thread: a new blink / head-turn challenge (random unless `kind`); returns its
        first ChallengeStatus (`time_s`: its start on the frames' clock, default the monotonic
        clock). The shots' liveness starts over."""
        challenge = EnrolmentChallenge(self.services.face_mesh(), self.services.detector())
        status = challenge.start(kind, time_s)  # type: ignore[arg-type]
        self._enrol_challenge = challenge
        return status

    def enrol_challenge_step(self, rgb: np.ndarray, time_s: float | None = None) -> Any:
        """Any thread, one call at a time: feed one camera frame (`time_s` its time, default
        the monotonic clock) and return the ChallengeStatus. ValidationError when none runs."""
        challenge = self._enrol_challenge
        if challenge is None:
            raise ValidationError("no liveness challenge is running")
        return challenge.step(rgb, time_s)

    def reset_enrol_challenge(self) -> None:
        """After saving or Start over: the next person must pass their own challenge."""
        self._enrol_challenge = None

    def check_photo(self, path: Path) -> ShotCheck:
        try:
            shot = self._enrollment.analyze_file(Path(path))
        except AttendanceAppError as exc:
            return ShotCheck(None, (str(exc),))
        return ShotCheck(shot.crop if shot.accepted else None, shot.problems)

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

    def folder_preview(self, folder: Path) -> list[tuple[str, str, str | None, int]]:
        """Any thread, reads no image: (folder, person name, external id, photos) per
        sub-folder. ValidationError when there is none."""
        return [(i.name, *person_from_folder(i.name), len(i.images))
                for i in people_folders(folder)]

    def enrol_folder(self, folder: Path, group: str | None, consent_by: str,
                     ctx: Any) -> FolderEnrolResult:
        """Any thread. Progress: fraction of photos read, message FolderProgress.text().
        Cancelled: raises TaskCancelled after the people saved so far (each one whole)."""
        preview = self.folder_preview(folder)
        index = {name: k for k, (name, *_rest) in enumerate(preview)}
        started = _time.monotonic()

        def progress(done: int, total: int, folder_name: str) -> bool:
            elapsed = _time.monotonic() - started
            eta = elapsed / done * (total - done) if done >= 3 else None
            ctx.report_progress(done / max(total, 1), FolderProgress(
                index.get(folder_name, 0), len(preview), done, total, eta).text())
            return not ctx.is_cancelled()

        consent = Consent(True, consent_by, datetime.now().replace(microsecond=0))
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            own.adopt_models(self.services)
            summary = own.enrollment.enroll_folder(Path(folder), consent, group=group or None,
                                                   progress=progress, naming=person_from_folder)
        finally:
            own.close()
        if summary.cancelled:
            raise TaskCancelled(f"{len(summary.enrolled)} people saved before the cancel")
        skipped = [f"{Path(p).parent.name}/{Path(p).name}: {r}" for p, r in summary.refused]
        return FolderEnrolResult(list(summary.enrolled), skipped + list(summary.warnings))

    def after_background_enrolment(self) -> None:
        """GUI thread: another connection added people; reload the gallery and the names."""
        self.services.gallery.invalidate()
        self._names = {p.id: p.name for p in self.services.people.list_people()}
