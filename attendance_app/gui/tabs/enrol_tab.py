"""EnrolTab: enrol a person from guided webcam shots or photo files, or a folder of people.

Face detection runs in the task runner (tens of milliseconds per shot, more per photo); saving
one person runs in the GUI thread (one short transaction). A folder enrolment (issue 13 item 5)
runs entirely in the task runner on its own connection: a preview first turns folder names into
person names and takes the Group; then progress (people and photos done, time left) and Cancel
show in the tab while the rest of the window stays usable; each person is saved whole or not
at all.

Webcam shots need a live face first (issue 15): the first "Capture shot" asks the person to
blink or turn their head (random, a few seconds; the banner over the preview says which and
why a picture is not usable: "come closer", "more light"); camera frames are checked in the
task runner, one at a time, and only after a pass are shots accepted. Photo files and
folders are not challenged (they are photos by design).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.errors import ValidationError
from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.backend import ExistingMatch, FolderEnrolResult, GuiBackend, ShotCheck
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.dialogs.folder_preview_dialog import ask_folder_group
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.operator import operator_name
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.widgets.capture_guidance import CaptureGuidance
from attendance_app.gui.widgets.enrol_form import EnrolForm
from attendance_app.gui.widgets.job_progress import JobProgress
from attendance_app.gui.widgets.video_view import FaceOverlay, VideoView

PHOTO_FILTER = "Images (*.jpg *.jpeg *.png *.bmp *.webp);;All files (*)"
Confirm = Callable[[str, str], bool]


class EnrolTab(QWidget):
    """Emits `people_changed()` after a successful save."""

    people_changed = Signal()
    status_message = Signal(str)

    def __init__(self, camera: CameraController, runner: TaskRunner, errors: ErrorPresenter,
                 shots: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._camera = camera
        self._runner = runner
        self._errors = errors
        self._backend: GuiBackend | None = None
        self._last_frame: np.ndarray | None = None
        self.busy = False
        self.confirm: Confirm = self._ask  # replaced in tests (dialogs are the edge)
        self.preview_folder = ask_folder_group  # (parent, rows, groups, group) -> (ok, group)
        self.folder_progress = JobProgress()
        self.last_folder_result: FolderEnrolResult | None = None
        self.preview = VideoView()
        self.preview.clear("The camera preview appears here.")
        self.form = EnrolForm()
        self.guidance = CaptureGuidance(shots)
        self.challenge_banner = QLabel("")
        self.challenge_banner.setObjectName("challengePrompt")
        self.challenge_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.challenge_banner.setWordWrap(True)
        self.challenge_banner.setVisible(False)
        self.live_shown = False  # this enrolment's face passed the challenge
        self.challenge_running = False
        self._challenge_busy = False  # a frame is being checked in the runner
        self._last_hint = ""  # what was wrong with the picture at the last check
        self.capture_button = QPushButton("Capture shot")
        self.capture_button.setObjectName("primaryButton")
        self.photos_button = QPushButton("From photo files…")
        self.folder_button = QPushButton("Enrol a folder of people…")
        self.reset_button = QPushButton("Start over")
        self.save_button = QPushButton("Save")
        self._build_layout()
        self.capture_button.clicked.connect(self.capture_shot)
        self.photos_button.clicked.connect(self._choose_photos)
        self.folder_button.clicked.connect(self._choose_folder)
        self.reset_button.clicked.connect(self.start_over)
        self.save_button.clicked.connect(self.save)
        camera.frame.connect(self._on_frame)

    def _build_layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self.challenge_banner)
        left.addWidget(self.preview, 1)
        shots = QHBoxLayout()
        shots.addWidget(self.capture_button)
        shots.addWidget(self.photos_button)
        shots.addWidget(self.reset_button)
        left.addLayout(shots)
        left.addWidget(self.guidance)
        person = QGroupBox("Person")
        person_layout = QVBoxLayout(person)
        person_layout.addWidget(self.form)
        person_layout.addWidget(self.save_button)
        bulk = QGroupBox("Many people at once")
        bulk_layout = QVBoxLayout(bulk)
        bulk_layout.addWidget(self.folder_button)
        bulk_layout.addWidget(self.folder_progress)
        right = QVBoxLayout()
        right.addWidget(person)
        right.addWidget(bulk)
        right.addStretch(1)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setMinimumWidth(340)
        right_widget.setMaximumWidth(520)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(right_widget, 2)

    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        try:
            self.form.set_groups(backend.groups())
        except Exception as exc:
            self._errors.present("Could not read the groups", exc)

    def _on_frame(self, rgb: Any, result: Any) -> None:
        self._last_frame = rgb
        if self.isVisible():
            self.preview.set_frame(rgb, [])
        if self.challenge_running and rgb is not None:
            self.check_challenge_frame(rgb)

    # --- the liveness challenge (issue 15) ---
    def start_challenge(self) -> None:
        if self._backend is None:
            return
        try:
            status = self._backend.start_enrol_challenge()
        except Exception as exc:
            self._errors.present("Liveness check not started", exc)
            return
        self.challenge_running = True
        self._last_hint = ""
        self._show_challenge(status)

    def check_challenge_frame(self, rgb: np.ndarray) -> None:
        """Check one camera frame in the runner, unless one is still being checked."""
        if self._challenge_busy or self._backend is None:
            return
        self._challenge_busy = True
        frame, backend = rgb.copy(), self._backend

        def done() -> None:
            self._challenge_busy = False

        self._runner.submit("liveness check", lambda ctx: backend.enrol_challenge_step(frame),
                            on_success=self._on_challenge_status, on_finished=done,
                            on_error=lambda exc: self._errors.present("Liveness check", exc))

    def _on_challenge_status(self, status: Any) -> None:
        if not self.challenge_running:
            return
        self._show_challenge(status)
        if status.outcome == "waiting":
            return
        self.challenge_running = False
        self.live_shown = status.passed
        if status.passed:
            self.challenge_banner.setText("Thank you: live face seen. Now capture the shots.")
            self.guidance.reason_label.clear()
        else:
            what = "No blink" if status.kind == "blink" else "No head turn"
            why = f" (the picture: {self._last_hint})" if self._last_hint else ""
            self.guidance.refuse(f"{what} seen in time{why}. A photo held up to the camera "
                                 "cannot be enrolled; press Capture shot to try again.")
            self.challenge_banner.setVisible(False)

    def _show_challenge(self, status: Any) -> None:
        if status.outcome == "waiting":
            self._last_hint = status.hint
        self.challenge_banner.setText(status.text)
        self.challenge_banner.setVisible(True)

    def start_over(self) -> None:
        self.guidance.reset()
        self.live_shown = self.challenge_running = False
        self.challenge_banner.setVisible(False)
        if self._backend is not None:
            self._backend.reset_enrol_challenge()

    # --- shots ---
    def capture_shot(self) -> None:
        if self._backend is None or self._last_frame is None:
            self.guidance.refuse("no camera picture yet")
            return
        if self.guidance.complete:
            return
        if not self.live_shown:
            if not self.challenge_running:
                self.start_challenge()
            return
        frame, pose, backend = self._last_frame.copy(), self.guidance.current_pose(), self._backend
        self._run("Checking the shot", lambda ctx: backend.check_shot(frame, pose),
                  lambda check: self._on_shot(check, frame))

    def _on_shot(self, check: ShotCheck, frame: np.ndarray) -> None:
        if check.accepted:
            self.guidance.accept(check.crop)
            if check.box is not None:
                self.preview.set_frame(frame, [FaceOverlay(check.box, "confirmed", "accepted")])
        else:
            self.guidance.refuse("; ".join(check.reasons) or "not usable")

    def add_photos(self, paths: list[Path]) -> None:
        """Check each photo (exactly one face, big and sharp enough); keep the good crops."""
        if self._backend is None or not paths:
            return
        backend = self._backend

        def job(ctx) -> list[tuple[Path, ShotCheck]]:
            out = []
            for i, path in enumerate(paths):
                ctx.raise_if_cancelled()
                ctx.report_progress(i / len(paths), f"Checking {path.name}")
                out.append((path, backend.check_photo(path)))
            return out

        self._run("Checking photos", job, self._on_photos)

    def _on_photos(self, results: list[tuple[Path, ShotCheck]]) -> None:
        refused = []
        for path, check in results:
            if check.accepted:
                self.guidance.accept(check.crop, from_photo=True)
            else:
                refused.append(f"{path.name}: {'; '.join(check.reasons)}")
        if refused:
            self.guidance.refuse(" | ".join(refused))

    def _choose_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Photos of one person", "", PHOTO_FILTER)
        self.add_photos([Path(f) for f in files])

    # --- saving ---
    def save(self) -> Any:
        """Validate, ask when the face already matches someone, then enrol. Returns the Person."""
        if self._backend is None:
            return None
        try:
            name, external_id, group = self.form.values()
            if not self.form.consent_box.isChecked():
                raise ValidationError("Tick the consent box: enrolment needs the person's consent.")
            if not name:
                raise ValidationError("Type the person's name.")
            crops = self.guidance.crops
            if not crops:
                raise ValidationError("Capture at least one accepted shot or add a photo.")
            if not admin_allowed(self, "enrolling a person"):
                return None
            existing = self._backend.find_existing(crops)
            if existing is not None and not self._confirm_duplicate(existing):
                return None
            person = self._backend.enrol(name, external_id, group, crops, self._consent_by())
        except Exception as exc:
            self._errors.present("Enrolment not saved", exc)
            return None
        self.start_over()
        self.form.clear()
        self.people_changed.emit()
        self.status_message.emit(f"Saved {person.label} ({len(crops)} face"
                                 f"{'s' if len(crops) != 1 else ''})")
        return person

    def _confirm_duplicate(self, existing: ExistingMatch) -> bool:
        return self.confirm(
            "Already enrolled?",
            f"This face already matches {existing.person.label} "
            f"({max(0.0, existing.similarity):.0%} similar). Enrol as a new person anyway?")

    def _consent_by(self) -> str:
        return self.form.recorded_by.text().strip() or operator_name()

    # --- folder enrolment ---
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with one sub-folder per person")
        if folder:
            self.enrol_folder(Path(folder))

    def enrol_folder(self, folder: Path) -> None:
        """Preview, then enrol the folder in the background (see the module docstring)."""
        if self._backend is None or self.folder_progress.running:
            return
        if not self.form.consent_box.isChecked():
            self._errors.present("Folder not enrolled", ValidationError(
                "Tick the consent box to confirm everyone in the folder consented."))
            return
        if not admin_allowed(self, "enrolling a folder of people"):
            return
        try:
            rows = self._backend.folder_preview(folder)
        except Exception as exc:
            self._errors.present("Folder not enrolled", exc)
            return
        _name, _id, group = self.form.values()
        start, group = self.preview_folder(self, rows, self._backend.groups(), group)
        if not start:
            return
        backend, consent_by = self._backend, self._consent_by()
        self.folder_button.setEnabled(False)
        handle = self._runner.submit(
            "enrol a folder", lambda ctx: backend.enrol_folder(folder, group, consent_by, ctx),
            on_success=self._folder_done, on_cancelled=self._folder_cancelled,
            on_error=lambda exc: self._errors.present("Folder enrolment failed", exc),
            on_progress=self.folder_progress.show_progress, on_finished=self._folder_finished)
        self.folder_progress.start(handle, f"Reading {len(rows)} people's photos…")

    def _folder_done(self, result: FolderEnrolResult) -> None:
        self.last_folder_result = result
        photos = sum(n for _name, n in result.enrolled)
        text = f"{len(result.enrolled)} people enrolled from {photos} photos."
        if result.skipped:
            text += f"\n\nSkipped ({len(result.skipped)}):\n" + "\n".join(result.skipped[:20])
            if len(result.skipped) > 20:
                text += f"\n… and {len(result.skipped) - 20} more"
        self.status_message.emit(text.split("\n")[0])
        self._errors.info("Folder enrolment", text)

    def _folder_cancelled(self) -> None:
        self.last_folder_result = FolderEnrolResult([], [], cancelled=True)
        self.status_message.emit("Folder enrolment cancelled: the people saved before the "
                                 "cancel are complete, nobody is half-saved")

    def _folder_finished(self) -> None:
        self.folder_progress.finish()
        self.folder_button.setEnabled(True)
        if self._backend is not None:
            self._backend.after_background_enrolment()
        self.people_changed.emit()

    # --- helpers ---
    def _run(self, title: str, job, on_success) -> None:
        self.busy = True
        self.setEnabled(False)

        def done() -> None:
            self.busy = False
            self.setEnabled(True)

        self._runner.submit(title, job, on_success=on_success, on_finished=done,
                            on_error=lambda exc: self._errors.present(title, exc))

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes
