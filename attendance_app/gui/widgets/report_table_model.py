"""ReportTableModel: a read-only Qt table model over one reporting.ReportTable.

Cells are shown in the same human form as the PDF (dates to the minute, fractions as 87.3 %);
the raw typed value stays available under Qt.UserRole (tests, sorting). Numbers are
right-aligned; sorting by a column orders by the raw value with empty cells last.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from attendance_app.reporting.cell_text import human_text
from attendance_app.reporting.report_table import CellValue, ReportTable

Index = QModelIndex | QPersistentModelIndex
NUMERIC_KINDS = ("percent", "int")


class ReportTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._table: ReportTable | None = None
        self._rows: list[tuple[CellValue, ...]] = []

    # --------------------------------------------------------------------- content
    def set_table(self, table: ReportTable | None) -> None:
        self.beginResetModel()
        self._table = table
        self._rows = list(table.rows) if table is not None else []
        self.endResetModel()

    @property
    def table(self) -> ReportTable | None:
        return self._table

    def column_names(self) -> list[str]:
        return [c.name for c in self._table.columns] if self._table else []

    def display_rows(self) -> list[list[str]]:
        """Every row as the texts the view shows (in the current sort order)."""
        return [[self.data(self.index(r, c)) for c in range(self.columnCount())]
                for r in range(self.rowCount())]

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        value = self._rows[index.row()][index.column()]
        kind = self._table.columns[index.column()].kind
        if role == Qt.ItemDataRole.DisplayRole:
            return human_text(value, kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = human_text(value, kind)
            return text if len(text) > 40 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind in NUMERIC_KINDS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and self._table is not None:
            return self._table.columns[section].name
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._table is None or not 0 <= column < len(self._table.columns):
            return
        self.layoutAboutToBeChanged.emit()
        filled = [r for r in self._rows if r[column] is not None and r[column] != ""]
        empty = [r for r in self._rows if r[column] is None or r[column] == ""]
        filled.sort(key=lambda r: _sort_key(r[column]),
                    reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = filled + empty
        self.layoutChanged.emit()


def _sort_key(value: CellValue) -> tuple:
    """Numbers before dates before text, so a mixed column still sorts without TypeError."""
    if isinstance(value, (int, float)):
        return (0, float(value), "")
    if isinstance(value, datetime):
        return (1, value.timestamp() if value.tzinfo else
                (value - datetime(1970, 1, 1)).total_seconds(), "")
    if isinstance(value, date):
        return (1, float(value.toordinal() * 86400 - 719163 * 86400), "")
    return (2, 0.0, str(value).casefold())
