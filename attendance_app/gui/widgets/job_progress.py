"""JobProgress: a progress bar, a line of text and Cancel for one background job in a tab.

The tab stays usable while the job runs (only the buttons that would start a second job are
disabled by the owner); Cancel asks the job to stop at its next check.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from attendance_app.gui.task_runner import TaskHandle


class JobProgress(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.label)
        self._handle: TaskHandle | None = None
        self.cancel_button.clicked.connect(self.cancel)
        self.setVisible(False)

    def start(self, handle: TaskHandle, text: str) -> None:
        self._handle = handle
        self.bar.setValue(0)
        self.label.setText(text)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def show_progress(self, fraction: float, text: str) -> None:
        self.bar.setValue(int(round(fraction * 1000)))
        if text:
            self.label.setText(text)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.label.text() + " — cancelling after the current photo…")

    def finish(self) -> None:
        self._handle = None
        self.setVisible(False)

    @property
    def running(self) -> bool:
        return self._handle is not None
