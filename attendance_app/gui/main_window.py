"""MainWindow: assembles the tabs, loads the services in the background, stops the camera on close.

Start-up order (the window must be visible in well under 3 s): the window is built from light
widgets and shown; then the services module, which pulls in torch, is imported in the task
runner; the backend is opened in the GUI thread (SQLite connections belong to their thread);
finally the face models are warmed up in the background while the status bar says so.

Trust (issue 7): the background import also runs the database start-up check; a damaged
database gets a dialog offering the latest backup (or another file, or quit) before the backend
is opened. Encrypted face data asks for the passphrase (retry on a wrong one, or continue
locked). Start-up warnings go to a non-modal notice bar above the tabs, and a timer runs the
daily housekeeping (backup, retention) when the date changes. `admin_gate` asks for the
administrator password before the tabs' sensitive actions (gui/admin_gate.py).
"""

from __future__ import annotations

import importlib
import logging
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout,
                               QWidget)

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import AccessDeniedError
from attendance_app.gui.admin_gate import AdminGate, AdminSection
from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.dialogs.damaged_database_dialog import ask_damaged_database
from attendance_app.gui.dialogs.passphrase_dialog import LOCKED_CONSEQUENCES, ask_passphrase
from attendance_app.gui.dialogs.interrupted_session_dialog import ask_interrupted_session
from attendance_app.gui.error_presenter import ErrorPresenter, Sink, user_message
from attendance_app.gui.menu_bar import build_menu_bar
from attendance_app.gui.tabs.enrol_tab import EnrolTab
from attendance_app.gui.tabs.live_tab import LiveTab
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.gui.tabs.reports_tab import ReportsTab
from attendance_app.gui.tabs.sessions_tab import SessionsTab
from attendance_app.gui.tabs.settings_tab import SettingsTab
from attendance_app.gui.tabs.training_tab import TrainingTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.widgets.notice_bar import NoticeBar
from attendance_app.gui.widgets.status_line import StatusLine
from attendance_app.gui.window_state import WindowState
from attendance_app.gui.sync_status_widget import SyncStatusLabel

log = logging.getLogger(__name__)
DEFAULT_BACKEND = "attendance_app.gui.services_backend"
HOUSEKEEPING_CHECK_MS = 60 * 60 * 1000  # hourly look at the date: housekeeping once a day
ADMIN_OFFER_KEY = "notices/admin_password_offered"


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
        self.sessions_tab = SessionsTab(self.runner, self.errors)
        self.people_tab = PeopleTab(self.errors, self.runner)
        self.training_tab = TrainingTab(self.runner, self.errors)
        self.reports_tab = ReportsTab(self.runner, self.errors)
        self.settings_tab = SettingsTab(paths.data_dir, self.errors)
        self.settings_tab.runner = self.runner  # the histogram is computed off the GUI thread
        for tab, title in ((self.live_tab, "Live"), (self.sessions_tab, "Sessions"),
                           (self.enrol_tab, "Enrol"),
                           (self.people_tab, "People"), (self.training_tab, "Training"),
                           (self.reports_tab, "Reports"), (self.settings_tab, "Settings")):
            self.tabs.addTab(tab, title)
        self.notices = NoticeBar()
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.notices)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # dialogs are the edge: tests replace these four
        self.ask_damaged_database = ask_damaged_database
        self.ask_passphrase = ask_passphrase
        self.ask_interrupted_session = ask_interrupted_session
        self._resume_session: str | None = None  # a crashed session to restart once ready
        self.admin_gate = AdminGate(self, self.errors)
        self.admin_section = AdminSection(self.admin_gate, self.errors,
                                          on_changed=lambda: self.admin_offer.setVisible(False))
        self._add_admin_section()
        self.housekeeping_timer = QTimer(self)
        self.housekeeping_timer.setInterval(HOUSEKEEPING_CHECK_MS)
        self.housekeeping_timer.timeout.connect(self._housekeeping_due)
        self.today = date.today  # replaced in tests
        self._housekeeping_day: date | None = None
        self.status_line = StatusLine()
        self.status_label = self.status_line.text
        self.statusBar().addWidget(self.status_line, 1)
        self._state = {"models": "Starting…", "camera": "", "session": ""}
        # the first-run offer of an admin password: a dismissible link in the status bar
        self.admin_offer = QLabel(
            'No administrator password is set. <a href="set">Set admin password…</a>'
            ' &nbsp; <a href="dismiss">Dismiss</a>')
        self.admin_offer.setTextFormat(Qt.TextFormat.RichText)
        self.admin_offer.setToolTip("Without it anyone at this computer can enrol or delete "
                                    "people and export reports. Also in Settings.")
        self.admin_offer.linkActivated.connect(self.on_admin_offer)
        self.admin_offer.setVisible(False)
        self.statusBar().addPermanentWidget(self.admin_offer)
        self._connect_tabs()
        self.show_about: Any = None  # (title, html) -> None; tests and screenshots replace it
        self.menu_actions = build_menu_bar(
            self, paths.data_dir,
            lambda: self.backend.active_model_name() if self.backend else "loading…",
            lambda title, html: (self.show_about or _about_box(self))(title, html))
        self.window_state = WindowState(paths.data_dir)
        if not self.window_state.restore(self, self.tabs):
            self.resize(1280, 800)

    def _add_admin_section(self) -> None:
        """Into the Settings tab's bottom row (beside "Save settings": no extra height)."""
        layout = self.settings_tab.layout()
        last = layout.itemAt(layout.count() - 1) if layout.count() else None
        row = last.layout() if last is not None else None
        if row is not None:
            row.insertWidget(0, self.admin_section)
        else:
            layout.addWidget(self.admin_section)

    def _connect_tabs(self) -> None:
        self.enrol_tab.people_changed.connect(self._on_people_changed)
        self.people_tab.people_changed.connect(self._on_people_changed)
        self.people_tab.reenrol_requested.connect(self._reenrol)
        self.live_tab.enrol_unknown.connect(self._enrol_unknown)
        self.settings_tab.settings_saved.connect(self._on_settings_saved)
        self.training_tab.model_activated.connect(self._on_model_activated)
        self.camera.failed.connect(lambda m: self._set_state("camera", f"Camera: {m}"))
        self.camera.opened.connect(lambda spec: self._set_state("camera", ""))
        self.live_tab.records_changed.connect(self.sessions_tab.refresh)
        self.live_tab.session_finished.connect(self._session_finished)
        self.live_tab.controls.start_button.clicked.connect(self._session_state)
        self.sessions_tab.records_changed.connect(self.live_tab.reload_rows)
        self.sessions_tab.status_message.connect(lambda t: self.show_status(t, "success"))
        self.enrol_tab.status_message.connect(lambda t: self.show_status(t, "success"))
        self.people_tab.status_message.connect(lambda t: self.show_status(t, "success"))

    # --- start-up ---
    def start_loading(self) -> None:
        """Import the services in the background; called right after show()."""
        self.show_status("Loading face recognition…")
        module, paths = self._backend_module, self.paths

        def load(ctx: Any) -> tuple[Any, Any]:
            imported = importlib.import_module(module)
            check = getattr(imported, "check_database", None)  # own connection: any thread
            return imported, (check(paths) if check is not None else None)

        self.runner.submit("import services", load,
                           on_success=lambda loaded: self._open_backend(*loaded),
                           on_error=lambda e: self._loading_failed("The app could not start", e))

    def _open_backend(self, module: Any, report: Any = None) -> None:
        if report is not None and not report.ok and not self._recover_database(module, report):
            return
        try:
            backend = module.open_backend(self.paths, self.settings)
        except Exception as exc:
            self._loading_failed("The data folder could not be opened", exc)
            return
        self.backend = backend
        self.admin_gate.set_backend(backend)
        self._unlock_face_data(backend)
        for tab in (self.live_tab, self.sessions_tab, self.enrol_tab, self.people_tab,
                    self.settings_tab, self.reports_tab):
            tab.set_backend(backend)
        self.camera.set_opener(backend.open_frame_source)
        self._show_startup_notices(backend)
        self._ask_about_interrupted_sessions(backend)
        self.show_status("Loading face models…")
        self.runner.submit("load models", backend.warm_up, on_success=self._models_ready,
                           on_error=lambda e: self._loading_failed("Face models not loaded", e))

    def _models_ready(self, description: str) -> None:
        self.models_ready = True
        self._set_state("models", f"Ready — {description}")
        self.settings_tab.on_models_ready(self.backend)
        self.training_tab.set_backend(self.backend)  # it needs the active model
        self.live_tab.start_source(self._camera_spec or self.backend.settings().camera)
        if self._resume_session is not None:  # resumed by name: the services continue it
            name, self._resume_session = self._resume_session, None
            self.live_tab.controls.name_edit.setText(name)
            self.live_tab.controls.start_requested.emit(name, None, None)

    def _loading_failed(self, title: str, exc: BaseException) -> None:
        self._set_state("models", f"{title}: see the message")
        self.errors.present(title, exc)

    def show_status(self, text: str, kind: str = "info") -> None:
        """Loading steps and failures set the lasting state; other messages (kind 'success',
        or a plain note) are shown for a few seconds, then the current state comes back."""
        if kind == "info" and not self.models_ready:
            self._set_state("models", text)
        else:
            self.status_line.flash(text, kind)

    def _set_state(self, part: str, text: str) -> None:
        self._state[part] = text
        parts = [t for t in (self._state["models"], self._state["session"],
                             self._state["camera"]) if t]
        kind = "warning" if self._state["camera"] or "failed" in self._state["models"] \
            or "see the message" in self._state["models"] else "info"
        self.status_line.set_state(" · ".join(parts), kind)

    def _session_state(self) -> None:
        session = self.live_tab.session
        running = self.live_tab.session_running and session is not None
        self._set_state("session", f"Session {session.name!r} running" if running else "")

    def _session_finished(self, text: str) -> None:
        self._set_state("session", "")
        self.show_status(text, "success")

    # --- trust at start-up (issue 7) ---
    def _recover_database(self, module: Any, report: Any) -> bool:
        """The damaged-database dialog until a backup is restored (True) or the user quits."""
        log.error("start-up check: %s", report.message())
        self.show_status("The database is damaged: see the message")
        error = ""
        while True:
            choice = self.ask_damaged_database(self, report, error)
            if choice.quit:
                self.show_status("Closed: the database is damaged")
                QTimer.singleShot(0, self.close)
                return False
            try:
                kept = module.restore_backup(self.paths, choice.backup)
            except Exception as exc:
                error = f"{Path(choice.backup).name} was not restored: {user_message(exc)}"
                continue
            kept_text = f" The damaged file was kept as {kept}." if kept else ""
            self.notices.add("restored", f"The database was restored from "
                                         f"{Path(choice.backup).name}.{kept_text}")
            log.info("database restored from %s", choice.backup)
            return True

    def _unlock_face_data(self, backend: GuiBackend) -> None:
        """Ask for the passphrase of encrypted face data until it is right or the user
        continues locked (then a notice says what does not work)."""
        locked = getattr(backend, "biometrics_locked", None)
        if locked is None or not locked():
            return
        error = ""
        while True:
            passphrase = self.ask_passphrase(self, error)
            if passphrase is None:
                self.notices.add("locked", "Face data locked. " + LOCKED_CONSEQUENCES)
                return
            try:
                backend.unlock(passphrase)
                return
            except AccessDeniedError as exc:
                error = user_message(exc)

    def _show_startup_notices(self, backend: GuiBackend) -> None:
        warnings = getattr(backend, "startup_warnings", None)
        self._show_warnings("startup", warnings() if warnings is not None else [])
        if hasattr(backend, "sync_status_text"):  # issue 16: connected / offline, N waiting
            self.statusBar().addPermanentWidget(SyncStatusLabel(backend.sync_status_text, self))
        self._housekeeping_day = self.today()
        self.housekeeping_timer.start()
        self.admin_section.refresh()
        offers = QSettings(str(self.window_state.path), QSettings.Format.IniFormat)
        if not self.admin_gate.password_set() and not offers.value(ADMIN_OFFER_KEY, False,
                                                                       type=bool):
            offers.setValue(ADMIN_OFFER_KEY, True)  # offered once, on the first run
            offers.sync()
            self.admin_offer.setVisible(True)

    def _ask_about_interrupted_sessions(self, backend: GuiBackend) -> None:
        """Sessions a crash left open: resume one (once the models are ready) or close them."""
        interrupted = getattr(backend, "interrupted_sessions", None)
        for session in interrupted() if interrupted is not None else []:
            answer = self.ask_interrupted_session(self, session)
            if answer == "resume" and self._resume_session is None:
                self._resume_session = session.name
            elif answer == "close":
                try:
                    absent = backend.close_interrupted(session.id)
                except Exception as exc:
                    self.errors.present("Could not close the session", exc)
                    continue
                self.notices.add(f"closed-{session.id}", f"Session “{session.name}” closed; "
                                                         f"{absent} absent recorded.")

    def on_admin_offer(self, link: str) -> None:
        """The status bar offer: "set" opens the dialog, "dismiss" hides the offer."""
        if link == "dismiss" or self.admin_section.set_password():
            self.admin_offer.setVisible(False)

    def _show_warnings(self, key: str, warnings: list[str]) -> None:
        if warnings:
            self.notices.add(key, "Warning: " + "; ".join(warnings))
        else:
            self.notices.remove(key)

    # --- daily housekeeping ---
    def _housekeeping_due(self) -> None:
        if self.backend is not None and self.today() != self._housekeeping_day:
            self.run_housekeeping()

    def run_housekeeping(self) -> list[str]:
        """Today's backup and the retention clean-up (quick: GUI thread); warnings shown."""
        if self.backend is None:
            return []
        self._housekeeping_day = self.today()
        try:
            warnings = list(self.backend.housekeeping())
        except Exception as exc:
            warnings = [f"daily housekeeping failed: {user_message(exc)}"]
            log.exception("daily housekeeping failed")
        self._show_warnings("housekeeping", warnings)
        return warnings

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
        self.show_status("Settings saved", "success")
        if settings.camera != previous.camera and not self.live_tab.session_running:
            QTimer.singleShot(0, lambda: self.live_tab.start_source(settings.camera))

    def _on_model_activated(self, name: str) -> None:
        self.settings_tab.model_label.setText(name)
        self.settings_tab.refresh_histogram()  # the similarities change with the model
        self._set_state("models", f"Ready — {name}")
        self.show_status(f"Face model {name} is now active", "success")

    # --- shutdown ---
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.housekeeping_timer.stop()
        self.live_tab.stop_session(quiet=True)
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


def _about_box(window: QMainWindow) -> Any:
    return lambda title, html: QMessageBox.about(window, title, html)
