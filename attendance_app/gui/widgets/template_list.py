"""TemplateList: the selected person's templates (issue 12), each marked enrolment or camera.

Camera templates are learned from clearly confirmed live sightings (setting "learn camera
templates"); one learned from a poor view can be removed here. Enrolment templates are changed
by re-enrolling, so only camera templates can be removed. Emits `remove_requested(template_id)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from attendance_app.gui.backend import TemplateRow

TEMPLATE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(row: TemplateRow) -> str:
    what = "camera (learned)" if row.source == "camera" else "enrolment"
    return f"{what}, {row.created_at:%Y-%m-%d %H:%M}"


class TemplateList(QWidget):
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Templates: select a person")
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.remove_button = QPushButton("Remove template")
        self.remove_button.setToolTip("Remove the selected camera template (learned from the "
                                      "live view); enrolment templates change by re-enrolling")
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self.list.currentItemChanged.connect(lambda *_: self._update_button())
        self.remove_button.clicked.connect(self._remove)
        self._rows: dict[int, TemplateRow] = {}
        self._update_button()

    def set_templates(self, name: str | None, rows: Sequence[TemplateRow]) -> None:
        self.list.clear()
        self._rows = {r.template_id: r for r in rows}
        if name is None:
            self.title.setText("Templates: select a person")
        else:
            camera = sum(r.source == "camera" for r in rows)
            self.title.setText(f"Templates of {name}: {len(rows)} ({camera} learned from the "
                               f"camera)")
        for r in rows:
            item = QListWidgetItem(describe(r))
            item.setData(TEMPLATE_ID_ROLE, r.template_id)
            self.list.addItem(item)
        self._update_button()

    def selected(self) -> TemplateRow | None:
        item = self.list.currentItem()
        return self._rows.get(item.data(TEMPLATE_ID_ROLE)) if item is not None else None

    def _update_button(self) -> None:
        row = self.selected()
        self.remove_button.setEnabled(row is not None and row.removable)

    def _remove(self) -> None:
        row = self.selected()
        if row is not None and row.removable:
            self.remove_requested.emit(row.template_id)
