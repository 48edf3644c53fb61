"""GroupActions: the People tab's roster row: import a roster, new group, rename, move people.

The questions are the edge (`ask_text`, `ask_item`, `choose_file`); tests replace them.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QPushButton, QWidget

ROSTER_FILTER = "Rosters (*.csv *.xlsx);;All files (*)"


class GroupActions(QWidget):
    """Emits `import_requested(path)`, `create_requested(name, usual_start | None)`,
    `rename_requested(old, new)` and `move_requested(group | None)`."""

    import_requested = Signal(object)
    create_requested = Signal(str, object)
    rename_requested = Signal(str, str)
    move_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[str] = []
        self.import_button = QPushButton("Import roster…")
        self.import_button.setToolTip("A CSV or Excel file: name, external id, group, and "
                                      "optionally a photo path per row. You see what it will "
                                      "do before anything is saved.")
        self.new_button = QPushButton("New group…")
        self.rename_button = QPushButton("Rename group…")
        self.move_button = QPushButton("Move to group…")
        self.move_button.setToolTip("Put the selected person into another group (roster)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for b in (self.import_button, self.new_button, self.rename_button, self.move_button):
            layout.addWidget(b)
        layout.addStretch(1)
        self.import_button.clicked.connect(self._import)
        self.new_button.clicked.connect(self._new)
        self.rename_button.clicked.connect(self._rename)
        self.move_button.clicked.connect(self._move)

    def choose_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a roster", "", ROSTER_FILTER)
        return Path(path) if path else None

    def ask_text(self, title: str, label: str, default: str = "") -> str | None:
        text, ok = QInputDialog.getText(self, title, label, text=default)
        return text.strip() if ok else None

    def ask_item(self, title: str, label: str, items: list[str], editable: bool) -> str | None:
        item, ok = QInputDialog.getItem(self, title, label, items, 0, editable)
        return item.strip() if ok else None

    def _import(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.import_requested.emit(path)

    def _new(self) -> None:
        name = self.ask_text("New group", "Group (roster) name, e.g. Class 7B:")
        if not name:
            return
        start = self.ask_text("Usual start time", "When does it usually start? (HH:MM, "
                                                  "optional: sets “late after” in Live)")
        self.create_requested.emit(name, _parse_time(start))

    def _rename(self) -> None:
        if not self.groups:
            return
        old = self.ask_item("Rename group", "Group:", self.groups, False)
        if old:
            new = self.ask_text("Rename group", f"New name for {old}:", old)
            if new and new != old:
                self.rename_requested.emit(old, new)

    def _move(self) -> None:
        group = self.ask_item("Move to group", "Group (empty: none):", ["", *self.groups], True)
        if group is not None:
            self.move_requested.emit(group or None)


def _parse_time(text: str | None) -> time | None:
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        return None
