"""SettingsTab: camera, match threshold (with the similarity histogram), confirmation frames,
late-after default, data folder, active model and the liveness policy (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QFrame,
                               QGroupBox, QHBoxLayout, QInputDialog, QLabel, QPushButton,
                               QScrollArea, QSlider, QSpinBox, QVBoxLayout, QWidget)

from attendance_app.config import Settings
from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.widgets.liveness_settings import LivenessSettings
from attendance_app.gui.widgets.threshold_histogram import ThresholdHistogram

VIDEO_FILE = "__video_file__"
STREAM_URL = "__stream_url__"
IMAGE_FOLDER = "__image_folder__"
PICKERS = (VIDEO_FILE, STREAM_URL, IMAGE_FOLDER)


class SettingsTab(QWidget):
    """Emits `settings_saved(settings)`; the window restarts the camera when it changed."""

    settings_saved = Signal(object)

    def __init__(self, data_dir: Path, errors: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._errors = errors
        self._backend: GuiBackend | None = None
        self.runner: Any = None  # the window's TaskRunner (set by the window)
        self._data_dir = data_dir
        self.camera_combo = QComboBox()
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(5, 95)  # cosine similarity x 100 (SFace 0.38, FaceNet 0.55)
        self.threshold_label = QLabel()
        self.threshold_note = QLabel()  # whose threshold the slider sets
        self.threshold_note.setWordWrap(True)
        self._model_owns_threshold = False
        self.histogram = ThresholdHistogram()
        self.confirm_spin = QSpinBox()
        self.confirm_spin.setRange(1, 30)
        self.confirm_spin.setSuffix(" frames")
        self.late_spin = QSpinBox()
        self.late_spin.setRange(0, 240)
        self.late_spin.setSuffix(" min after start")
        self.learn_check = QCheckBox("Learn camera templates")
        self.learn_check.setToolTip(
            "A clearly confirmed, live, good view may join the person's templates (at most 5 "
            "per person, oldest replaced; never for a look-alike). Listed and removable in "
            "the People tab.")
        self.model_label = QLabel("loading…")
        self.liveness = LivenessSettings()
        self.data_label = QLabel(str(data_dir))
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_data_button = QPushButton("Open folder")
        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("primaryButton")
        self._build_layout()
        self.threshold_slider.valueChanged.connect(self._on_threshold)
        self.camera_combo.activated.connect(self._on_camera_chosen)
        self.open_data_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._data_dir))))
        self.save_button.clicked.connect(self.save)
        self.load(Settings())

    def _build_layout(self) -> None:
        recognition = QGroupBox("Recognition")
        form = QFormLayout(recognition)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_label)
        form.addRow("Match threshold", threshold_row)
        form.addRow("", self.threshold_note)
        form.addRow(self.histogram)
        form.addRow("Confirm after", self.confirm_spin)
        form.addRow("", self.learn_check)
        form.addRow("Active model", self.model_label)
        general = QGroupBox("Camera and sessions")
        gform = QFormLayout(general)
        gform.addRow("Camera", self.camera_combo)
        gform.addRow("Late after (default)", self.late_spin)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_label, 1)
        data_row.addWidget(self.open_data_button)
        gform.addRow("Data folder", data_row)
        content = QWidget()
        groups = QVBoxLayout(content)
        groups.setContentsMargins(0, 0, 0, 0)
        groups.addWidget(general)
        groups.addWidget(recognition)
        groups.addWidget(self.liveness)
        groups.addStretch(1)
        # scrolls on a small screen instead of forcing the window taller
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        try:
            self.load(backend.settings())
            self.set_cameras(backend.list_cameras(), backend.settings().camera)
            self.model_label.setText(backend.active_model_name())
            self._load_threshold()
            self.refresh_histogram()
        except Exception as exc:
            self._errors.present("Could not read the settings", exc)

    def on_models_ready(self, backend: GuiBackend) -> None:
        """Camera discovery and the model name are known only after the background warm-up."""
        self.set_cameras(backend.list_cameras(), backend.settings().camera)
        self.model_label.setText(backend.active_model_name())
        self._load_threshold()

    def refresh_histogram(self) -> None:
        """In the window's task runner when it has one (the work grows with the gallery)."""
        if self._backend is None:
            return
        job = getattr(self._backend, "similarity_scores_job", None)
        if self.runner is None or job is None:
            self.histogram.set_scores(*self._backend.similarity_scores())
            return
        self.runner.submit("similarity histogram", job,
                           on_success=lambda scores: self.histogram.set_scores(*scores))

    def load(self, settings: Settings) -> None:
        self._settings = settings
        self._load_threshold()
        self.confirm_spin.setValue(settings.confirm_frames)
        self.late_spin.setValue(settings.late_after_minutes)
        self.learn_check.setChecked(settings.learn_camera_templates)
        self.liveness.load(settings)

    def set_cameras(self, cameras: list[str], current: str) -> None:
        self.camera_combo.clear()
        for index in cameras:
            self.camera_combo.addItem(f"Camera {index}", index)
        if not cameras:
            self.camera_combo.addItem("No camera found", None)
        if current and not current.isdigit():
            self.camera_combo.addItem(_source_label(current), current)
        self.camera_combo.addItem("Video file…", VIDEO_FILE)
        self.camera_combo.addItem("Stream URL (rtsp/http)…", STREAM_URL)
        self.camera_combo.addItem("Folder of images…", IMAGE_FOLDER)
        index = self.camera_combo.findData(current)
        self.camera_combo.setCurrentIndex(max(0, index))

    def chosen_settings(self) -> Settings:
        camera = self.camera_combo.currentData()
        if camera is None or camera in PICKERS:
            camera = self._settings.camera
        threshold = self._slider_threshold()
        # The active model's own threshold is saved with the model (save()); the Settings'
        # pair then stays what applies to models without one.
        own = {} if self._model_owns_threshold else {
            "match_threshold": threshold, "confirm_min_similarity": threshold}
        return self._settings.with_changes(
            **own, confirm_frames=self.confirm_spin.value(),
            late_after_minutes=self.late_spin.value(), camera=str(camera),
            learn_camera_templates=self.learn_check.isChecked(),
            **self.liveness.values())

    def save(self) -> None:
        if self._backend is None or not admin_allowed(self, "changing the settings"):
            return
        settings = self.chosen_settings()
        model_threshold = self._slider_threshold() if self._model_owns_threshold else None
        try:
            self._backend.save_settings(settings, model_threshold=model_threshold)
        except Exception as exc:
            self._errors.present("Settings not saved", exc)
            return
        self._settings = settings
        self.model_label.setText(self._backend.active_model_name())
        self.settings_saved.emit(settings)

    def _slider_threshold(self) -> float:
        return self.threshold_slider.value() / 100.0

    def _load_threshold(self) -> None:
        """The slider shows the threshold in force: the active model's own when it carries
        one (SFace's 0.38 is not FaceNet's 0.55), else the Settings value."""
        threshold, own = self._settings.match_threshold, False
        if self._backend is not None:
            threshold, own = self._backend.threshold_in_force()
        self._model_owns_threshold = own
        self.threshold_note.setText(
            "The active model's own threshold: saved with the model, each model keeps its "
            "own." if own else "Applies to every model without a threshold of its own.")
        self.threshold_slider.setValue(round(threshold * 100))
        self._on_threshold(self.threshold_slider.value())

    def _on_threshold(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        self.histogram.set_threshold(value / 100)

    def _on_camera_chosen(self, index: int) -> None:
        """The three picker entries ask for the source (the README's sources: a camera, a
        video file, a stream URL, a folder of images)."""
        kind = self.camera_combo.itemData(index)
        if kind not in PICKERS:
            return
        spec = self.ask_source(kind)
        if spec:
            self.camera_combo.insertItem(index, _source_label(spec), spec)
            self.camera_combo.setCurrentIndex(index)

    def ask_source(self, kind: str) -> str | None:
        """The dialog for one picker entry (the edge: tests replace it)."""
        if kind == VIDEO_FILE:
            path, _ = QFileDialog.getOpenFileName(self, "Video file as the camera", "",
                                                  "Videos (*.mp4 *.avi *.mov *.mkv *.webm)")
            return path or None
        if kind == IMAGE_FOLDER:
            return QFileDialog.getExistingDirectory(self, "Folder of images as the camera") \
                or None
        text, ok = QInputDialog.getText(self, "Stream URL", "Camera stream address, e.g. "
                                        "rtsp://192.168.1.20:554/stream1")
        return text.strip() if ok and text.strip() else None


def _source_label(spec: str) -> str:
    if "://" in spec:
        return f"Stream {spec}"
    path = Path(spec)
    return f"Folder {path.name}" if path.is_dir() else path.name
