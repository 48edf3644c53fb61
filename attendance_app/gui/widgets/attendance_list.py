"""AttendanceList: one session's people (photo, name, time, status, corrections) and a counter.

Used by the Live tab (arrivals as they come, roster members "not seen yet", absentees after
Stop) and the Sessions tab (a past session). One row per person; select a row to correct it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from attendance_app.gui.widgets.thumbnails import pixmap_from_png

THUMB = 40
ATTENDED = ("present", "late", "present (not on roster)")
MUTED = {"not seen yet": "#8a8f98", "absent": "#b3261e", "excused": "#6b5b00"}
FLAGGED = "liveness not shown"
FLAG_COLOUR = "#9a6700"
LIVENESS_WORDS = {FLAGGED: "possible photo/screen", "confirmed by teacher": "confirmed"}


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the list. `status` is the user-facing word ('present', 'late', 'not seen
    yet', ...); `time` None when there is no arrival to show; `note` the corrections text;
    `liveness` the record's liveness mark (issue 15: "liveness not shown" shows as a possible
    photo/screen to review)."""

    person_id: int
    name: str
    time: datetime | None
    status: str
    thumbnail_png: bytes | None = None
    note: str = ""
    can_undo: bool = False
    liveness: str = ""

    @property
    def flagged(self) -> bool:
        """Recorded, but the face never showed life: a teacher should confirm or reject it."""
        return self.liveness == FLAGGED and self.status in ATTENDED


class AttendanceList(QWidget):
    """Arrivals first (newest on top), then everyone not attending by name. The counter reads
    '18 of 24 present' when a roster is known. Emits `selection_changed(person_id | None)`."""

    COLUMNS = ("", "Name", "Time", "Status", "Corrections")
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counter = QLabel("No session running")
        self.counter.setObjectName("attendanceCounter")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, THUMB + 8)
        # Names as wide as they are, the rest to the corrections (who, when, why): a stretched
        # Name column left "2026-12-02 04:25 root: ..." of a correction (walkthrough).
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.counter)
        layout.addWidget(self.table)
        self._rows: dict[int, AttendanceRow] = {}
        self._expected: int | None = None
        self.table.itemSelectionChanged.connect(
            lambda: self.selection_changed.emit(self.selected_person_id()))

    def start(self, expected: int | None) -> None:
        """A new session: empty list; `expected` is the roster size (None: no roster)."""
        self._rows.clear()
        self._expected = expected
        self._refresh()

    def set_rows(self, rows: list[AttendanceRow], expected: int | None = None) -> None:
        """Replace every row; thumbnails already shown are kept for rows without one."""
        old = self._rows
        self._rows = {r.person_id: (r if r.thumbnail_png or r.person_id not in old else
                                    _with_thumb(r, old[r.person_id].thumbnail_png))
                      for r in rows}
        self._expected = expected
        self._refresh()

    def upsert(self, row: AttendanceRow) -> None:
        """Add a new arrival or update a person's row (one row per person)."""
        self._rows[row.person_id] = row
        self._refresh()

    def rows(self) -> list[AttendanceRow]:
        seen = sorted((r for r in self._rows.values() if r.time is not None),
                      key=lambda r: r.time, reverse=True)
        rest = sorted((r for r in self._rows.values() if r.time is None),
                      key=lambda r: r.name.casefold())
        return seen + rest

    def names(self) -> list[str]:
        """Who attended (present, late or off the roster), newest first."""
        return [r.name for r in self.rows() if r.status in ATTENDED]

    def statuses(self) -> dict[str, str]:
        return {r.name: r.status for r in self.rows()}

    def selected_person_id(self) -> int | None:
        items = self.table.selectedItems()
        if not items:
            return None
        value = self.table.item(items[0].row(), 1).data(Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def selected_row(self) -> AttendanceRow | None:
        pid = self.selected_person_id()
        return self._rows.get(pid) if pid is not None else None

    def select_person(self, person_id: int) -> None:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 1).data(Qt.ItemDataRole.UserRole) == person_id:
                self.table.selectRow(i)
                return

    def _refresh(self) -> None:
        selected = self.selected_person_id()
        rows = self.rows()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            thumb = QTableWidgetItem()
            pix = pixmap_from_png(row.thumbnail_png, THUMB)
            if pix is not None:
                thumb.setData(Qt.ItemDataRole.DecorationRole, pix)
            self.table.setItem(i, 0, thumb)
            name = QTableWidgetItem(row.name)
            name.setData(Qt.ItemDataRole.UserRole, row.person_id)
            self.table.setItem(i, 1, name)
            self.table.setItem(i, 2, QTableWidgetItem(
                row.time.strftime("%H:%M:%S") if row.time else ""))
            words = LIVENESS_WORDS.get(row.liveness) if row.status in ATTENDED else None
            status = QTableWidgetItem(f"{row.status} · {words}" if words else row.status)
            status.setData(Qt.ItemDataRole.UserRole, row.status)
            if row.status in MUTED:
                status.setForeground(QBrush(QColor(MUTED[row.status])))
            if row.flagged:
                status.setForeground(QBrush(QColor(FLAG_COLOUR)))
                status.setToolTip("Liveness not shown: the face did not blink or move like a "
                                  "real head. Select the row to confirm or reject it.")
            elif row.liveness:
                status.setToolTip(f"Liveness: {row.liveness}")
            self.table.setItem(i, 3, status)
            note = QTableWidgetItem(row.note)
            note.setToolTip(row.note)
            self.table.setItem(i, 4, note)
        self.table.blockSignals(False)
        # the Corrections column only when there is one: the names need the room otherwise
        self.table.setColumnHidden(4, not any(r.note for r in rows))
        if selected is not None:
            self.select_person(selected)
        attended = sum(1 for r in rows if r.status in ATTENDED)
        if self._expected:
            self.counter.setText(f"{attended} of {self._expected} present")
        else:
            self.counter.setText(f"{attended} present")


def _with_thumb(row: AttendanceRow, png: bytes | None) -> AttendanceRow:
    from dataclasses import replace

    return replace(row, thumbnail_png=png)
