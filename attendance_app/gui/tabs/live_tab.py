"""LiveTab: the camera picture with face boxes, the session's attendance list, session controls
and the unknown-face review strip."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.widgets.attendance_list import AttendanceList
from attendance_app.gui.widgets.session_controls import SessionControls
from attendance_app.gui.widgets.unknown_review_strip import UnknownReviewStrip
from attendance_app.gui.widgets.video_view import VideoView

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"


class LiveTab(QWidget):
    """Emits `enrol_unknown(crop)` when the user wants to enrol a face from the review strip."""

    enrol_unknown = Signal(object)

    def __init__(self, camera: CameraController, errors: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._camera = camera
        self._errors = errors
        self._backend: GuiBackend | None = None
        self.session_running = False
        self.video = VideoView()
        self.video.clear("Loading face models…")
        self.source_label = QLabel("Source: –")
        self.fps_label = QLabel("")
        self.fps_label.setObjectName("fpsLabel")
        self.video_file_button = QPushButton("Video file…")
        self.retry_button = QPushButton("Retry camera")
        self.controls = SessionControls()
        self.attendance = AttendanceList()
        self.unknowns = UnknownReviewStrip()
        self._build_layout()
        self.controls.start_requested.connect(self._start_session)
        self.controls.stop_requested.connect(self.stop_session)
        self.video_file_button.clicked.connect(self._choose_video_file)
        self.retry_button.clicked.connect(self.retry_camera)
        self.unknowns.enrol_requested.connect(lambda key, crop: self.enrol_unknown.emit(crop))
        camera.frame.connect(self._on_frame)
        # A replaced worker's last results are recorded, not drawn (issue 11).
        camera.late_result.connect(lambda result: self._on_frame(None, result))
        camera.failed.connect(self._on_camera_failed)
        camera.opened.connect(lambda spec: self.source_label.setText(f"Source: {_source_name(spec)}"))
        camera.ended.connect(lambda: self.fps_label.setText("End of video"))

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
        left_layout.addWidget(self.video, 1)
        left_layout.addWidget(self.unknowns)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.controls)
        right_layout.addWidget(self.attendance, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        right.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- backend and camera ---
    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        try:
            self.controls.set_groups(backend.groups())
            self.controls.set_late_default(backend.settings().late_after_minutes)
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
            _session, expected = self._backend.start_session(name, roster, late_after)
            processor = self._backend.live_processor(paced=self._camera.realtime)
        except Exception as exc:
            self._errors.present("Could not start the session", exc)
            return
        self.session_running = True
        self.attendance.start(expected)
        self.unknowns.clear()
        self.controls.set_running(True)
        self._camera.set_processor(processor)

    def stop_session(self) -> None:
        if not self.session_running:
            return
        self._camera.set_processor(None)
        self.session_running = False
        self.controls.set_running(False)
        try:
            if self._backend is not None:
                self._backend.stop_session()
        except Exception as exc:
            self._errors.present("Could not close the session", exc)

    def _on_frame(self, rgb: Any, result: Any) -> None:
        if not self.isVisible() and not self.session_running:
            return
        update = None
        if result is not None and self._backend is not None and self.session_running:
            try:
                update = self._backend.handle_frame_result(result)
            except Exception as exc:  # keep showing video; report once via the boundary
                self._errors.present("Recording attendance failed", exc)
                self.stop_session()
        if rgb is not None:
            self.video.set_frame(rgb, update.overlays if update else [])
        if update:
            for row in update.arrivals:
                self.attendance.upsert(row)
            for key, crop in update.unknowns:
                self.unknowns.add_unknown(key, crop)
        self.fps_label.setText(f"{self._camera.displayed_fps:.1f} fps")


def _source_name(spec: str) -> str:
    return f"camera {spec}" if spec.isdigit() else spec.rsplit("/", 1)[-1]
