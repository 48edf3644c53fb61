"""SyncStatusLabel: the shared server's state in the status bar (issue 16).

"connected to kiosk@db:5432/attendance" or "offline, 12 record(s) waiting (reason)"; hidden
when the kiosk works alone. The text comes from a callable (the backend's sync_status_text),
asked every `interval_ms` on the GUI thread; it only reads in-memory state or counts the
local outbox, so it never waits on the network.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


class SyncStatusLabel(QLabel):
    """A status-bar label refreshed from `status_text()` (None: hide)."""

    def __init__(self, status_text: Callable[[], str | None], parent: QWidget | None = None,
                 interval_ms: int = 2000) -> None:
        super().__init__(parent)
        self._status_text = status_text
        self.setToolTip("Sync with the shared server: records wait on this kiosk while it is "
                        "offline and are sent when it reconnects.")
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        try:
            text = self._status_text()
        except Exception as exc:  # noqa: BLE001 - a status label must never break the window
            text = f"sync status unknown: {exc}"
        self.setVisible(text is not None)
        self.setText(f"Server: {text}" if text else "")
