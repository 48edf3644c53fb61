"""The window's menu bar (issue 13 item 11): File > Quit (Ctrl+Q), Help > Help and About (F1,
with the version, the active face model and the data folder) and Help > Open the log file
(`<data dir>/logs/attendance-app.log`, written by the app's rotating log handler)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from attendance_app import __version__

LOG_NAME = "attendance-app.log"


def log_file(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / LOG_NAME


def about_text(data_dir: Path, model: str) -> str:
    return (f"<h3>Attendance {__version__}</h3>"
            "<p>Offline face-recognition attendance: enrol people once (one good photo is "
            "enough), start a session in the Live tab, correct records there or in Sessions, "
            "export reports in Reports.</p>"
            f"<p><b>Face model:</b> {model}<br><b>Data folder:</b> {data_dir}<br>"
            f"<b>Log file:</b> {log_file(data_dir)}</p>"
            "<p>Command line: <code>attendance-app --help</code>. The README in the project "
            "folder explains every tab.</p>")


def build_menu_bar(window: QMainWindow, data_dir: Path, model_name: Callable[[], str],
                   show: Callable[[str, str], None] | None = None) -> dict[str, QAction]:
    """Add the menus to `window`; returns the actions by name (tests trigger them).
    `show(title, html)` displays the About text (default: a message box)."""
    show = show or (lambda title, html: QMessageBox.about(window, title, html))
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    quit_action = QAction("&Quit", window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)
    help_menu = menus.addMenu("&Help")
    about = QAction("&Help and About…", window)
    about.setShortcut(QKeySequence("F1"))
    about.triggered.connect(lambda: show("About Attendance", about_text(data_dir, model_name())))
    help_menu.addAction(about)
    open_log = QAction("Open the &log file", window)
    open_log.triggered.connect(lambda: _open_log(window, data_dir))
    help_menu.addAction(open_log)
    return {"quit": quit_action, "about": about, "open_log": open_log}


def _open_log(window: QMainWindow, data_dir: Path) -> None:
    path = log_file(data_dir)
    if not path.is_file():
        QMessageBox.information(window, "No log file yet", f"{path} does not exist yet.")
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
