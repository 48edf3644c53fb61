"""SessionControls: session name, roster, late-after time, Start / Stop."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton,
                               QTimeEdit, QWidget)

NO_ROSTER = "Everyone (no roster)"


class SessionControls(QWidget):
    """Emits `start_requested(name, roster_group | None, late_after)` and `stop_requested()`."""

    start_requested = Signal(str, object, object)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Math 101")
        self.roster_combo = QComboBox()
        self.roster_combo.addItem(NO_ROSTER, None)
        self.late_edit = QTimeEdit()
        self.late_edit.setDisplayFormat("HH:mm")
        self.start_button = QPushButton("Start session")
        self.start_button.setObjectName("primaryButton")
        self.stop_button = QPushButton("Stop session")
        self.stop_button.setEnabled(False)
        form = QFormLayout()
        form.addRow("Session", self.name_edit)
        form.addRow("Roster", self.roster_combo)
        form.addRow("Late after", self.late_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        self.setLayout(form)
        self.start_button.clicked.connect(self._on_start)
        self.stop_button.clicked.connect(self.stop_requested)
        self.set_late_default(10)

    def set_late_default(self, minutes: int) -> None:
        self.late_edit.setTime(QTime.currentTime().addSecs(60 * minutes))

    def set_groups(self, groups: list[str]) -> None:
        current = self.roster_combo.currentData()
        self.roster_combo.clear()
        self.roster_combo.addItem(NO_ROSTER, None)
        for g in groups:
            self.roster_combo.addItem(g, g)
        index = self.roster_combo.findData(current)
        self.roster_combo.setCurrentIndex(max(0, index))

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (self.name_edit, self.roster_combo, self.late_edit):
            w.setEnabled(not running)

    def late_after(self, now: datetime | None = None) -> datetime:
        """Today at the chosen time; a time earlier than now means after midnight."""
        now = now or datetime.now()
        t = self.late_edit.time()
        chosen = now.replace(hour=t.hour(), minute=t.minute(), second=0, microsecond=0)
        return chosen if chosen >= now - timedelta(hours=12) else chosen + timedelta(days=1)

    def _on_start(self) -> None:
        name = self.name_edit.text().strip() or datetime.now().strftime("Session %Y-%m-%d %H:%M")
        self.start_requested.emit(name, self.roster_combo.currentData(), self.late_after())
