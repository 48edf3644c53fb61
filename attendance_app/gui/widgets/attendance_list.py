"""AttendanceList: the running session's records (photo, name, time, status) and a counter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from attendance_app.gui.widgets.thumbnails import pixmap_from_png

THUMB = 40


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the list. `status` is the user-facing word ('present', 'late', ...)."""

    person_id: int
    name: str
    time: datetime
    status: str
    thumbnail_png: bytes | None = None


class AttendanceList(QWidget):
    """Newest arrivals first; the counter reads '18 of 24 present' when a roster is known."""

    COLUMNS = ("", "Name", "Time", "Status")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counter = QLabel("No session running")
        self.counter.setObjectName("attendanceCounter")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, THUMB + 8)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.counter)
        layout.addWidget(self.table)
        self._rows: dict[int, AttendanceRow] = {}
        self._expected: int | None = None

    def start(self, expected: int | None) -> None:
        """A new session: empty list; `expected` is the roster size (None: no roster)."""
        self._rows.clear()
        self._expected = expected
        self._refresh()

    def set_rows(self, rows: list[AttendanceRow], expected: int | None = None) -> None:
        self._rows = {r.person_id: r for r in rows}
        self._expected = expected
        self._refresh()

    def upsert(self, row: AttendanceRow) -> None:
        """Add a new arrival or update a person's row (one row per person)."""
        self._rows[row.person_id] = row
        self._refresh()

    def rows(self) -> list[AttendanceRow]:
        return sorted(self._rows.values(), key=lambda r: r.time, reverse=True)

    def names(self) -> list[str]:
        return [r.name for r in self.rows()]

    def _refresh(self) -> None:
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            thumb = QTableWidgetItem()
            pix = pixmap_from_png(row.thumbnail_png, THUMB)
            if pix is not None:
                thumb.setData(Qt.ItemDataRole.DecorationRole, pix)
            self.table.setItem(i, 0, thumb)
            self.table.setItem(i, 1, QTableWidgetItem(row.name))
            self.table.setItem(i, 2, QTableWidgetItem(row.time.strftime("%H:%M:%S")))
            status = QTableWidgetItem(row.status)
            status.setData(Qt.ItemDataRole.UserRole, row.status)
            self.table.setItem(i, 3, status)
        present = len(rows)
        if self._expected:
            self.counter.setText(f"{present} of {self._expected} present")
        else:
            self.counter.setText(f"{present} present")
