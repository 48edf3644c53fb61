"""CorrectionBar: mark the selected person present / late / excused / absent, or undo.

The buttons act on the row selected in an AttendanceList; a correction needs a reason (asked by
the owner, see `reason_dialog.ask_reason`). Corrections are added to the record, never
overwriting it, and the reports show who made them, when and why.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

STATUSES = (("present", "Present"), ("late", "Late"), ("excused", "Excused"),
            ("absent", "Absent"))


LIVENESS_TIP = ("This face did not blink or move like a real head while the camera watched "
                "it: it may have been a photo or a phone screen held up. Look at the picture "
                "and confirm it was really this person, or reject it (marks them absent, "
                "with your name; undoable).")


class CorrectionBar(QWidget):
    """Emits `correction_requested(status)` and `undo_requested()`; for a record flagged
    "liveness not shown" (issue 15) also `liveness_confirm_requested()` and
    `liveness_reject_requested()` (those two buttons show only for such a record)."""

    correction_requested = Signal(str)
    undo_requested = Signal()
    liveness_confirm_requested = Signal()
    liveness_reject_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Mark:")
        self.label.setToolTip("Select a person in the list, then mark them. The original "
                              "record is kept; the reports show who corrected it, when and why.")
        self.buttons: dict[str, QPushButton] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout()
        outer.addLayout(layout)
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
        self.liveness_label = QLabel("Possible photo/screen:")
        self.liveness_label.setObjectName("guidanceRefusal")
        self.liveness_label.setToolTip(LIVENESS_TIP)
        self.confirm_live_button = QPushButton("Confirm it was them")
        self.confirm_live_button.setToolTip(LIVENESS_TIP)
        self.reject_live_button = QPushButton("Reject")
        self.reject_live_button.setObjectName("dangerButton")
        self.reject_live_button.setToolTip(LIVENESS_TIP)
        self.confirm_live_button.clicked.connect(self.liveness_confirm_requested)
        self.reject_live_button.clicked.connect(self.liveness_reject_requested)
        layout.addStretch(1)
        review = QHBoxLayout()  # a second row: only for a record flagged for review
        for widget in (self.liveness_label, self.confirm_live_button, self.reject_live_button):
            review.addWidget(widget)
        review.addStretch(1)
        outer.addLayout(review)
        self.set_selection(None, False)

    def set_selection(self, status: str | None, can_undo: bool, flagged: bool = False) -> None:
        """Enable the buttons for the selected row (`status` None: nothing selected);
        `flagged`: its record is marked "liveness not shown"."""
        for name, button in self.buttons.items():
            button.setEnabled(status is not None and status != name)
        self.undo_button.setEnabled(status is not None and can_undo)
        show = status is not None and flagged
        for widget in (self.liveness_label, self.confirm_live_button, self.reject_live_button):
            widget.setVisible(show)
