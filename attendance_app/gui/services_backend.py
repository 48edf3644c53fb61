"""ServicesBackend: the GuiBackend over `services.AppServices` (imported in the background).

It is assembled from one adapter per tab Protocol (gui/adapters/, see gui/backend_protocols.py),
so each tab's room is one small file. Thread use (DESIGN.md section 3): the AppServices
container and its SQLite connection are opened in the GUI thread; background jobs (model
warm-up, training, model activation, folder enrolment, roster import) open a container of their
own and adopt the GUI's models, so no model is built and no connection is shared across threads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.adapters.enrol_adapter import ServicesEnrol
from attendance_app.gui.adapters.live_adapter import ServicesLive
from attendance_app.gui.adapters.people_adapter import ServicesPeople
from attendance_app.gui.adapters.reports_adapter import ServicesReports
from attendance_app.gui.adapters.settings_adapter import ServicesSettings
from attendance_app.gui.adapters.training_adapter import ServicesTraining
from attendance_app.gui.adapters.window_adapter import ServicesWindow
from attendance_app.services.app_services import AppServices

__all__ = ["ServicesBackend", "ServicesReports", "check_database", "open_backend",
           "restore_backup"]


def open_backend(paths: AppPaths, settings: Settings) -> "ServicesBackend":
    return ServicesBackend(AppServices.open(paths, settings))


def check_database(paths: AppPaths) -> Any:
    """Any thread (own connection): the start-up check, a services.startup_checks.StartupReport
    (ok, problems, latest_backup, backups, message())."""
    from attendance_app.services.startup_checks import check_database_at_startup

    return check_database_at_startup(paths)


def restore_backup(paths: AppPaths, src: Path) -> Path | None:
    """Replace the (damaged) database with the backup `src` before the backend is opened;
    returns where the replaced file was kept."""
    from attendance_app.services.database_recovery import restore_backup as restore

    return restore(paths, src)


class ServicesBackend(ServicesPeople, ServicesLive, ServicesEnrol, ServicesTraining,
                      ServicesReports, ServicesSettings, ServicesWindow):
    """The shared state the adapters use; built in the GUI thread."""

    def __init__(self, services: AppServices) -> None:
        self.services = services
        self._names: dict[int, str] = {}
        self._cameras: list[str] = []
        self._model_name = "loading…"
        self._run: Any = None  # services.session_run.SessionRun while a session is open
        self._recognizer: Any = None
        self._gate: Any = None  # the liveness gate of the running session
        self._kiosk: Any = None  # its kiosk challenge (issue 15) when the setting asks
        self._enrol_challenge: Any = None  # webcam enrolment's liveness challenge
        # Build the cached services here, in the GUI thread, before any worker asks for them.
        self._enrollment = services.enrollment
        self._people = services.people
