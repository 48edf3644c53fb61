"""StatusLine: the status bar's text: the current state, or a message that expires into it.

Issue 13 item 7: "Ready" used to be overwritten by "camera 0 could not be opened", which then
stayed while a video played. Now the window keeps a *state* (models, camera, session), rebuilt
whenever one of them changes, and `flash` shows a message for a few seconds before the state
comes back. Only warnings and errors carry the warning icon; success messages never do.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QWidget

FLASH_MS = 8000


class StatusLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setVisible(False)
        self.text = QLabel("Starting…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        self._state = "Starting…"
        self._state_kind = "info"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_state)

    def set_state(self, text: str, kind: str = "info") -> None:
        """The lasting text. A change of state (a session started, a camera failed) replaces a
        flashed note at once, so the bar never shows an old success after Start; a flashed
        warning or error stays up for its time. An unchanged state waits for the flash."""
        changed = (text, kind) != (self._state, self._state_kind)
        self._state, self._state_kind = text, kind
        if changed and self._timer.isActive() and self._kind not in ("warning", "error"):
            self._timer.stop()
        if not self._timer.isActive():
            self._show_state()

    def flash(self, text: str, kind: str = "info", ms: int = FLASH_MS) -> None:
        """A message for `ms` milliseconds; kind 'info' | 'success' | 'warning' | 'error'."""
        self._show(text, kind)
        self._timer.start(ms)

    @property
    def state(self) -> str:
        return self._state

    @property
    def kind(self) -> str:
        return self._kind

    def _show_state(self) -> None:
        self._show(self._state, self._state_kind)

    def _show(self, text: str, kind: str) -> None:
        self._kind = kind
        self.text.setText(text)
        warn = kind in ("warning", "error")
        self.icon.setVisible(warn)
        if warn:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.icon.setPixmap(icon.pixmap(16, 16))
