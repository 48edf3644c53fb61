"""CorrectionBar: mark the selected person present / late / excused / absent, or undo.

The buttons act on the row selected in an AttendanceList; a correction needs a reason (asked by
the owner, see `reason_dialog.ask_reason`). Corrections are added to the record, never
overwriting it, and the reports show who made them, when and why.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

STATUSES = (("present", "Present"), ("late", "Late"), ("excused", "Excused"),
            ("absent", "Absent"))


class CorrectionBar(QWidget):
    """Emits `correction_requested(status)` and `undo_requested()`."""

    correction_requested = Signal(str)
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Mark:")
        self.label.setToolTip("Select a person in the list, then mark them. The original "
                              "record is kept; the reports show who corrected it, when and why.")
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        for status, text in STATUSES:
            button = QPushButton(text)
            button.setToolTip(f"Mark the selected person {status} (asks for a reason)")
            button.clicked.connect(lambda _=False, s=status: self.correction_requested.emit(s))
            self.buttons[status] = button
            layout.addWidget(button)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Take back the selected person's last correction")
        self.undo_button.clicked.connect(self.undo_requested)
        layout.addWidget(self.undo_button)
        layout.addStretch(1)
        self.set_selection(None, False)

    def set_selection(self, status: str | None, can_undo: bool) -> None:
        """Enable the buttons for the selected row (`status` None: nothing selected)."""
        for name, button in self.buttons.items():
            button.setEnabled(status is not None and status != name)
        self.undo_button.setEnabled(status is not None and can_undo)
