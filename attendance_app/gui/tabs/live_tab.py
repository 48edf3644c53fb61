"""LiveTab: the camera picture with face boxes, the session's attendance list, session controls
and the unknown-face review strip.

The list shows the roster members not seen yet as well as the arrivals, and after Stop the
absentees; the correction bar under it marks the selected person present / late / excused /
absent with a reason, or undoes their last correction (issue 13 items 2 and 3). Stop shows a
summary; the Sessions tab reopens any past session.

Liveness (issue 15): a record marked "liveness not shown" reads "possible photo/screen" in the
list and the bar offers Confirm / Reject for it; suspect faces (policy require) join the
review strip with Confirm / Reject; the kiosk challenge's request ("Ada: Please blink") shows
in a banner over the video."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from attendance_app.gui.backend import GuiBackend, RecordRow
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.dialogs.reason_dialog import ask_reason
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.operator import operator_name
from attendance_app.gui.widgets.attendance_list import AttendanceList, AttendanceRow
from attendance_app.gui.widgets.correction_bar import CorrectionBar
from attendance_app.gui.widgets.session_controls import SessionControls
from attendance_app.gui.widgets.unknown_review_strip import UnknownReviewStrip
from attendance_app.gui.widgets.video_view import VideoView

NOTICE_HOLD_S = 1.5  # the frozen-picture event repeats every 30 frames: the notice stays meanwhile
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"


class LiveTab(QWidget):
    """Emits `enrol_unknown(crop)` when the user wants to enrol a face from the review strip."""

    enrol_unknown = Signal(object)
    session_finished = Signal(str)  # the summary line, for the status bar
    records_changed = Signal()  # a correction was made or undone (the Sessions tab reloads)

    def __init__(self, camera: CameraController, errors: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._camera = camera
        self._errors = errors
        self._backend: GuiBackend | None = None
        self.session_running = False
        self._expected: int | None = None
        self.session: Any = None  # the running (or last stopped) domain Session
        self.ask_reason = ask_reason  # dialogs are the edge: tests replace these two
        self.show_summary = lambda title, text: self._errors.info(title, text)
        self.video = VideoView()
        self.video.clear("Loading face models…")
        self.source_label = QLabel("Source: –")
        self.fps_label = QLabel("")
        self.fps_label.setObjectName("fpsLabel")
        # What the pipeline noticed about the picture (black, frozen, resized); it goes away
        # NOTICE_HOLD_S after the last frame that said so.
        self.scene_label = QLabel("")
        self.scene_label.setObjectName("sceneNotice")
        self.scene_label.setWordWrap(True)
        self.scene_label.hide()
        self._notice_until = 0.0
        self.video_file_button = QPushButton("Video file…")
        self.retry_button = QPushButton("Retry camera")
        self.controls = SessionControls()
        self.attendance = AttendanceList()
        self.corrections = CorrectionBar()
        self.unknowns = UnknownReviewStrip()
        self.challenge_banner = QLabel("")
        self.challenge_banner.setObjectName("challengePrompt")
        self.challenge_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.challenge_banner.setVisible(False)
        self._build_layout()
        self.controls.start_requested.connect(self._start_session)
        self.controls.stop_requested.connect(self.stop_session)
        self.video_file_button.clicked.connect(self._choose_video_file)
        self.retry_button.clicked.connect(self.retry_camera)
        self.unknowns.enrol_requested.connect(lambda key, crop: self.enrol_unknown.emit(crop))
        self.attendance.selection_changed.connect(self._selection_changed)
        self.corrections.correction_requested.connect(self.correct_selected)
        self.corrections.undo_requested.connect(self.undo_selected)
        self.corrections.liveness_confirm_requested.connect(lambda: self.review_selected(True))
        self.corrections.liveness_reject_requested.connect(lambda: self.review_selected(False))
        self.unknowns.suspect_confirmed.connect(lambda key: self.review_suspect(key, True))
        self.unknowns.suspect_rejected.connect(lambda key: self.review_suspect(key, False))
        camera.frame.connect(self._on_frame)
        # A replaced worker's last results are recorded, not drawn (issue 11).
        camera.late_result.connect(lambda result: self._on_frame(None, result))
        camera.failed.connect(self._on_camera_failed)
        camera.opened.connect(lambda spec: self.source_label.setText(f"Source: {_source_name(spec)}"))
        camera.ended.connect(lambda: self.fps_label.setText(
            "End of video" if self.session_running else "End of video: Start plays it again"))

    def _build_layout(self) -> None:
        source_bar = QHBoxLayout()
        source_bar.addWidget(self.source_label, 1)
        source_bar.addWidget(self.fps_label)
        source_bar.addWidget(self.video_file_button)
        source_bar.addWidget(self.retry_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(source_bar)
        left_layout.addWidget(self.scene_label)
        left_layout.addWidget(self.challenge_banner)
        left_layout.addWidget(self.video, 1)
        left_layout.addWidget(self.unknowns)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.controls)
        right_layout.addWidget(self.attendance, 1)
        right_layout.addWidget(self.corrections)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        right.setMinimumWidth(420)  # the list and the Mark buttons stay readable
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- backend and camera ---
    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        try:
            self.controls.set_groups(backend.groups())
            self.controls.set_late_default(backend.settings().late_after_minutes)
            self.controls.usual_start_of = backend.usual_start
            self.controls.set_groups(backend.groups())
        except Exception as exc:
            self._errors.present("Could not read the groups", exc)
        self.video.clear("Starting the camera…")

    def retry_camera(self) -> None:
        spec = self._backend.settings().camera if self._backend else "0"
        self.start_source(spec)

    def start_source(self, spec: str) -> None:
        self.video.clear(f"Opening {_source_name(spec)}…")
        self._camera.start(spec)

    def _choose_video_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Play a video file as the camera", "",
                                              VIDEO_FILTER)
        if path:
            self.start_source(path)

    def _on_camera_failed(self, message: str) -> None:
        self.video.clear(f"{message}\n\nConnect a camera and press “Retry camera”, "
                         "or play a recording with “Video file…”.")
        self.source_label.setText("Source: none")

    # --- sessions ---
    def _start_session(self, name: str, roster: str | None, late_after: datetime) -> None:
        if self._backend is None:
            self._errors.info("Not ready", "The face models are still loading; try again shortly.")
            return
        try:
            self.session, expected = self._backend.start_session(name, roster, late_after)
            processor = self._backend.live_processor(paced=self._camera.realtime)
        except Exception as exc:
            self._errors.present("Could not start the session", exc)
            return
        self.session_running = True
        self._expected = expected
        self.attendance.start(expected)
        self.reload_rows()  # the roster members, "not seen yet"
        self.unknowns.clear()
        self._add_suspects(self._backend.suspect_faces(self.session.id))  # a resumed session
        self.controls.set_running(True)
        self._camera.set_processor(processor)
        if not self._camera.running and self._camera.spec:
            # A video that ended while the teacher was enrolling (or a camera that stopped)
            # would leave a session that can never see anyone: play the source again.
            self.start_source(self._camera.spec)

    def stop_session(self, quiet: bool = False) -> None:
        """Close the running session; then the absentees are listed and (unless `quiet`, at
        window close) a summary is shown."""
        if not self.session_running:
            return
        self._camera.set_processor(None)
        self.session_running = False
        self.challenge_banner.setVisible(False)
        self.controls.set_running(False)
        try:
            summary = self._backend.stop_session() if self._backend is not None else {}
        except Exception as exc:
            self._errors.present("Could not close the session", exc)
            return
        self.reload_rows()  # absentees now have their absent records
        self.records_changed.emit()
        line = _summary_line(summary)
        self.session_finished.emit(f"Session {self.session.name!r} stopped: {line}")
        if quiet:
            return
        absent = [r.name for r in self.attendance.rows() if r.status == "absent"]
        text = f"{line}." + (f"\n\nAbsent: {', '.join(absent)}" if absent else "")
        self.show_summary(f"Session {self.session.name!r} finished", text +
                          "\n\nCorrect records here or later in the Sessions tab.")

    # --- the list and corrections ---
    def reload_rows(self) -> None:
        if self._backend is None or self.session is None:
            return
        try:
            rows = self._backend.session_rows(self.session.id)
        except Exception as exc:
            self._errors.present("Could not read the session's records", exc)
            return
        self.attendance.set_rows([_list_row(r) for r in rows], self._expected)
        self._selection_changed(self.attendance.selected_person_id())

    def correct_selected(self, status: str) -> None:
        row = self.attendance.selected_row()
        if row is None or self._backend is None or self.session is None:
            return
        reason = self.ask_reason(self, row.name, status)
        if reason is None:
            return
        try:
            self._backend.correct_record(self.session.id, row.person_id, status, reason,
                                         operator_name())
        except Exception as exc:
            self._errors.present("Correction not saved", exc)
            return
        self.reload_rows()
        self.records_changed.emit()

    def undo_selected(self) -> None:
        row = self.attendance.selected_row()
        if row is None or self._backend is None or self.session is None:
            return
        try:
            self._backend.undo_correction(self.session.id, row.person_id, operator_name())
        except Exception as exc:
            self._errors.present("Nothing undone", exc)
            return
        self.reload_rows()
        self.records_changed.emit()

    def _selection_changed(self, person_id: object) -> None:
        row = self.attendance.selected_row()
        self.corrections.set_selection(row.status if row else None,
                                       bool(row and row.can_undo), bool(row and row.flagged))

    # --- liveness review (issue 15) ---
    def review_selected(self, confirm: bool) -> None:
        """Confirm or reject the selected record flagged "liveness not shown"."""
        row = self.attendance.selected_row()
        if row is None or self._backend is None or self.session is None:
            return
        try:
            if confirm:
                self._backend.confirm_liveness(self.session.id, row.person_id, operator_name())
            else:
                self._backend.reject_liveness(self.session.id, row.person_id, operator_name())
        except Exception as exc:
            self._errors.present("Review not saved", exc)
            return
        self.reload_rows()
        self.records_changed.emit()

    def review_suspect(self, key: Any, confirm: bool) -> None:
        """Confirm (a record for the person) or reject a suspect face of the review strip."""
        if self._backend is None:
            return
        try:
            if confirm:
                self._backend.confirm_suspect(key[1], operator_name())
            else:
                self._backend.reject_suspect(key[1], operator_name())
        except Exception as exc:
            self._errors.present("Review not saved", exc)
            return
        self.unknowns.remove(key)
        if confirm:
            self.reload_rows()
            self.records_changed.emit()

    def _add_suspects(self, suspects: list[Any]) -> None:
        for s in suspects:
            self.unknowns.add_suspect(("suspect", s.unknown_id), s.thumbnail_png, s.name,
                                      s.reason)

    def _on_frame(self, rgb: Any, result: Any) -> None:
        if not self.isVisible() and not self.session_running:
            return
        update = None
        if result is not None and self._backend is not None:
            self._show_scene_notice(self._backend.scene_notice(result))
        if result is not None and self._backend is not None and self.session_running:
            try:
                update = self._backend.handle_frame_result(result, rgb)
            except Exception as exc:  # keep showing video; report once via the boundary
                self._errors.present("Recording attendance failed", exc)
                self.stop_session()
        if rgb is not None:
            self.video.set_frame(rgb, update.overlays if update else [])
        if update:
            for row in update.arrivals:
                self.attendance.upsert(row)
            if update.arrivals:
                self._selection_changed(None)
            for key, crop in update.unknowns:
                self.unknowns.add_unknown(key, crop)
            self._add_suspects(update.suspects)
            if update.relist:
                self.reload_rows()
            self.challenge_banner.setText(update.prompt or "")
            self.challenge_banner.setVisible(bool(update.prompt))
        self.fps_label.setText(f"{self._camera.displayed_fps:.1f} fps")


    def _show_scene_notice(self, notice: str | None) -> None:
        now = time.monotonic()
        if notice:
            self.scene_label.setText(notice)
            self.scene_label.show()
            self._notice_until = now + NOTICE_HOLD_S
        elif self.scene_label.isVisible() and now >= self._notice_until:
            self.scene_label.hide()


def _source_name(spec: str) -> str:
    return f"camera {spec}" if spec.isdigit() else spec.rsplit("/", 1)[-1]


def _list_row(row: RecordRow) -> AttendanceRow:
    return AttendanceRow(row.person_id or 0, row.name, row.time, row.status, None,
                         row.corrections, row.can_undo, row.liveness)


def _summary_line(summary: dict[str, int]) -> str:
    order = ("present", "late", "absent", "excused", "present (not on roster)")
    parts = [f"{summary.get(k, 0)} {k}" for k in order if summary.get(k)]
    return ", ".join(parts) if parts else "nobody recorded"
