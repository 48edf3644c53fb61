"""WindowState: window geometry and the last tab, remembered per data dir in an INI file.

QSettings with an explicit file (not the organisation-wide native store) keeps every data dir,
and every test's temporary data dir, isolated from the user's real settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

FILE_NAME = "window.ini"


class WindowState:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow, tabs: QTabWidget) -> bool:
        """Apply the saved geometry and tab; False when nothing was saved yet."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
            restored = True
        else:
            restored = False
        tab = self._settings.value("window/tab", 0, type=int)
        if 0 <= tab < tabs.count():
            tabs.setCurrentIndex(tab)
        return restored

    def save(self, window: QMainWindow, tabs: QTabWidget) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/tab", tabs.currentIndex())
        self._settings.sync()
