"""run_gui: create the QApplication, show the main window at once, load everything else after."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from attendance_app.config import AppPaths, load_settings
from attendance_app.gui.main_window import MainWindow
from attendance_app.resources import APP_ICON, STYLESHEET, asset_path

log = logging.getLogger(__name__)


def ensure_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("attendance_app")
    app.setApplicationName("Attendance")
    style = asset_path(*STYLESHEET)
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    icon = asset_path(*APP_ICON)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def create_window(data_dir: str | None = None, **kwargs) -> MainWindow:
    """The main window over `data_dir` (not shown yet); kwargs go to MainWindow."""
    paths = AppPaths.resolve(data_dir).ensure()
    return MainWindow(paths, load_settings(paths), **kwargs)


def run_gui(data_dir: str | None = None) -> int:
    """Open the window and run the event loop; returns the exit code."""
    started = time.perf_counter()
    app = ensure_application()
    window = create_window(data_dir)
    window.show()
    # Measured when the event loop has painted the first frame of the window.
    QTimer.singleShot(0, lambda: log.info("window visible after %.2f s",
                                          time.perf_counter() - started))
    QTimer.singleShot(0, window.start_loading)
    return app.exec()
