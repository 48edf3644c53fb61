"""SessionControls: session name, roster, when it is late, Start / Stop.

"Late after" follows the session's start (issue 13 item 1): it is a number of minutes after the
start, and the start is the moment Start is pressed, or the roster's usual start time when the
roster has one ("Lesson starts at", which the teacher may untick). The label under it shows the
clock time it means and is refreshed every few seconds, so it is never a stale time computed
when the window opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from PySide6.QtCore import QTime, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTimeEdit, QWidget)

NO_ROSTER = "Everyone (no roster)"
REFRESH_MS = 5000


class SessionControls(QWidget):
    """Emits `start_requested(name, roster_group | None, late_after)` and `stop_requested()`.
    `usual_start_of(group) -> time | None` gives a roster's usual start (set by the tab);
    `clock` is replaceable in tests."""

    start_requested = Signal(str, object, object)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_usual_start = False
        self.clock: Callable[[], datetime] = datetime.now
        self.usual_start_of: Callable[[str | None], time | None] = lambda group: None
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Math 101")
        self.roster_combo = QComboBox()
        self.roster_combo.addItem(NO_ROSTER, None)
        self.starts_box = QCheckBox("Lesson starts at")
        self.starts_box.setToolTip("The roster's usual start time. Untick to count from the "
                                   "moment you press Start.")
        self.starts_edit = QTimeEdit()
        self.starts_edit.setDisplayFormat("HH:mm")
        self.late_spin = QSpinBox()
        self.late_spin.setRange(0, 240)
        self.late_spin.setSuffix(" min after the start")
        self.late_label = QLabel()
        self.late_label.setObjectName("lateAfterLabel")
        self.late_label.setWordWrap(True)
        self.start_button = QPushButton("Start session")
        self.start_button.setObjectName("primaryButton")
        self.stop_button = QPushButton("Stop session")
        self.stop_button.setEnabled(False)
        self._build_layout()
        self.start_button.clicked.connect(self._on_start)
        self.stop_button.clicked.connect(self.stop_requested)
        self.roster_combo.currentIndexChanged.connect(self._roster_changed)
        for signal in (self.late_spin.valueChanged, self.starts_box.toggled,
                       self.starts_edit.timeChanged):
            signal.connect(self._show_late_after)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._show_late_after)
        self._timer.start()
        self.set_late_default(10)
        self._roster_changed()

    def _build_layout(self) -> None:
        starts = QHBoxLayout()
        starts.addWidget(self.starts_box)
        starts.addWidget(self.starts_edit, 1)
        form = QFormLayout()
        form.addRow("Session", self.name_edit)
        form.addRow("Roster", self.roster_combo)
        form.addRow("", starts)
        form.addRow("Late", self.late_spin)
        form.addRow("", self.late_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        self.setLayout(form)

    def set_late_default(self, minutes: int) -> None:
        self.late_spin.setValue(int(minutes))

    def set_groups(self, groups: list[str]) -> None:
        current = self.roster_combo.currentData()
        self.roster_combo.blockSignals(True)
        self.roster_combo.clear()
        self.roster_combo.addItem(NO_ROSTER, None)
        for g in groups:
            self.roster_combo.addItem(g, g)
        index = self.roster_combo.findData(current)
        self.roster_combo.setCurrentIndex(max(0, index))
        self.roster_combo.blockSignals(False)
        self._roster_changed()

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (self.name_edit, self.roster_combo, self.late_spin, self.starts_box,
                  self.starts_edit):
            w.setEnabled(not running)
        if running:
            self._timer.stop()  # the label keeps the time the running session uses
        else:
            self._timer.start()
            self._show_late_after()

    def start_time(self, now: datetime | None = None) -> datetime:
        """The session's start: today at the roster's usual time when ticked, else now."""
        now = now or self.clock()
        if self._uses_usual_start():
            t = self.starts_edit.time()
            return now.replace(hour=t.hour(), minute=t.minute(), second=0, microsecond=0)
        return now.replace(microsecond=0)

    def late_after(self, now: datetime | None = None) -> datetime:
        """The start (see `start_time`) plus the minutes chosen."""
        return self.start_time(now) + timedelta(minutes=self.late_spin.value())

    def _roster_changed(self, *_args: object) -> None:
        usual = self.usual_start_of(self.roster_combo.currentData())
        self._has_usual_start = usual is not None
        self.starts_box.setVisible(usual is not None)
        self.starts_edit.setVisible(usual is not None)
        if usual is not None:
            self.starts_edit.setTime(QTime(usual.hour, usual.minute))
            self.starts_box.setChecked(True)
        self._show_late_after()

    def _show_late_after(self, *_args: object) -> None:
        base = "the lesson's start" if self._uses_usual_start() else "pressing Start"
        self.late_label.setText(f"Late after {self.late_after():%H:%M} "
                                f"({self.late_spin.value()} min after {base})")

    def _uses_usual_start(self) -> bool:
        return self._has_usual_start and self.starts_box.isChecked()

    def _on_start(self) -> None:
        now = self.clock()
        name = self.name_edit.text().strip() or now.strftime("Session %Y-%m-%d %H:%M")
        self.start_requested.emit(name, self.roster_combo.currentData(), self.late_after(now))
