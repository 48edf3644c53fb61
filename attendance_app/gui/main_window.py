"""MainWindow: assembles the tabs, loads the services in the background, stops the camera on close.

Start-up order (the window must be visible in well under 3 s): the window is built from light
widgets and shown; then the services module, which pulls in torch, is imported in the task
runner; the backend is opened in the GUI thread (SQLite connections belong to their thread);
finally the face models are warmed up in the background while the status bar says so.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.error_presenter import ErrorPresenter, Sink
from attendance_app.gui.tabs.enrol_tab import EnrolTab
from attendance_app.gui.tabs.live_tab import LiveTab
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.gui.tabs.reports_tab import ReportsTab
from attendance_app.gui.tabs.settings_tab import SettingsTab
from attendance_app.gui.tabs.training_tab import TrainingTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.window_state import WindowState

log = logging.getLogger(__name__)
DEFAULT_BACKEND = "attendance_app.gui.services_backend"


class MainWindow(QMainWindow):
    """`backend_module` names a module with `open_backend(paths, settings) -> GuiBackend`
    (tests pass a lighter one); `error_sink` replaces message boxes (tests, screenshots)."""

    def __init__(self, paths: AppPaths, settings: Settings, *,
                 backend_module: str = DEFAULT_BACKEND, error_sink: Sink | None = None,
                 camera_spec: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Attendance")
        self.paths = paths
        self.settings = settings
        self.backend: GuiBackend | None = None
        self.models_ready = False
        self._backend_module = backend_module
        self._camera_spec = camera_spec
        self.errors = ErrorPresenter(self, error_sink)
        self.runner = TaskRunner(self)
        self.camera = CameraController(max_fps=30.0, parent=self)
        self.tabs = QTabWidget()
        self.live_tab = LiveTab(self.camera, self.errors)
        self.enrol_tab = EnrolTab(self.camera, self.runner, self.errors, settings.enroll_shots)
        self.people_tab = PeopleTab(self.errors)
        self.training_tab = TrainingTab(self.runner, self.errors)
        self.reports_tab = ReportsTab(self.runner, self.errors)
        self.settings_tab = SettingsTab(paths.data_dir, self.errors)
        for tab, title in ((self.live_tab, "Live"), (self.enrol_tab, "Enrol"),
                           (self.people_tab, "People"), (self.training_tab, "Training"),
                           (self.reports_tab, "Reports"), (self.settings_tab, "Settings")):
            self.tabs.addTab(tab, title)
        self.setCentralWidget(self.tabs)
        self.status_label = QLabel("Starting…")
        self.statusBar().addWidget(self.status_label, 1)
        self._connect_tabs()
        self.window_state = WindowState(paths.data_dir)
        if not self.window_state.restore(self, self.tabs):
            self.resize(1280, 800)

    def _connect_tabs(self) -> None:
        self.enrol_tab.people_changed.connect(self._on_people_changed)
        self.people_tab.people_changed.connect(self._on_people_changed)
        self.people_tab.reenrol_requested.connect(self._reenrol)
        self.live_tab.enrol_unknown.connect(self._enrol_unknown)
        self.settings_tab.settings_saved.connect(self._on_settings_saved)
        self.training_tab.model_activated.connect(self._on_model_activated)
        self.camera.failed.connect(lambda m: self.show_status(f"Camera: {m}"))

    # --- start-up ---
    def start_loading(self) -> None:
        """Import the services in the background; called right after show()."""
        self.show_status("Loading face recognition…")
        module = self._backend_module
        self.runner.submit("import services", lambda ctx: importlib.import_module(module),
                           on_success=self._open_backend,
                           on_error=lambda e: self._loading_failed("The app could not start", e))

    def _open_backend(self, module: Any) -> None:
        try:
            backend = module.open_backend(self.paths, self.settings)
        except Exception as exc:
            self._loading_failed("The data folder could not be opened", exc)
            return
        self.backend = backend
        for tab in (self.live_tab, self.enrol_tab, self.people_tab, self.settings_tab,
                    self.reports_tab):
            tab.set_backend(backend)
        self.camera.set_opener(backend.open_frame_source)
        self.show_status("Loading face models…")
        self.runner.submit("load models", backend.warm_up, on_success=self._models_ready,
                           on_error=lambda e: self._loading_failed("Face models not loaded", e))

    def _models_ready(self, description: str) -> None:
        self.models_ready = True
        self.show_status(f"Ready — {description}")
        self.settings_tab.on_models_ready(self.backend)
        self.training_tab.set_backend(self.backend)  # it needs the active model
        self.live_tab.start_source(self._camera_spec or self.backend.settings().camera)

    def _loading_failed(self, title: str, exc: BaseException) -> None:
        self.show_status(f"{title}: see the message")
        self.errors.present(title, exc)

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    # --- cross-tab wiring ---
    def _on_people_changed(self) -> None:
        self.people_tab.refresh()
        self.settings_tab.refresh_histogram()
        if self.backend is not None:
            groups = self.backend.groups()
            self.live_tab.controls.set_groups(groups)
            self.enrol_tab.form.set_groups(groups)

    def _reenrol(self, person: Any) -> None:
        self.enrol_tab.form.name_edit.setText(person.name)
        self.enrol_tab.form.id_edit.setText(person.external_id or "")
        self.enrol_tab.form.group_combo.setEditText(person.group or "")
        self.enrol_tab.guidance.reset()
        self.tabs.setCurrentWidget(self.enrol_tab)

    def _enrol_unknown(self, crop: Any) -> None:
        self.enrol_tab.guidance.reset()
        self.enrol_tab.guidance.accept(crop)
        self.tabs.setCurrentWidget(self.enrol_tab)

    def _on_settings_saved(self, settings: Settings) -> None:
        previous, self.settings = self.settings, settings
        self.show_status("Settings saved")
        if settings.camera != previous.camera and not self.live_tab.session_running:
            QTimer.singleShot(0, lambda: self.live_tab.start_source(settings.camera))

    def _on_model_activated(self, name: str) -> None:
        self.settings_tab.model_label.setText(name)
        self.settings_tab.refresh_histogram()  # the similarities change with the model
        self.show_status(f"Ready — {name}")

    # --- shutdown ---
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.live_tab.stop_session()
        if not self.camera.stop():
            log.warning("camera worker did not stop within 5 s")
        self.runner.cancel_all()
        self.runner.wait_for_done(10000)
        self.window_state.save(self, self.tabs)
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # closing must never block the exit
                log.exception("closing the backend failed")
        super().closeEvent(event)
