"""MetricsTable: the before/after proof of a training run (current model vs the candidate, on
the same held-out people), and ModelsTable: the registered models for activation / rollback."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QWidget)

# (key in the before/after dicts, row label, higher is better?)
METRIC_ROWS: tuple[tuple[str, str, bool | None], ...] = (
    ("rank1", "Right person named first", True),
    ("tar_at_far_1pct", "Recognised at 1% false alarms", True),
    ("threshold", "Suggested threshold", None),  # a setting, neither better nor worse
)
TOOLTIPS = {
    "rank1": "With one photo per held-out person enrolled, how often the best match of another "
             "photo is the right person (one-shot rank-1).",
    "tar_at_far_1pct": "How often the right person is accepted when the threshold lets only 1 in "
                       "100 strangers through (TAR at FAR 1%).",
    "threshold": "The similarity above which a face counts as known, for this model.",
}
COLUMNS = ("Current model", "Candidate", "Change")


class MetricsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(len(METRIC_ROWS), len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setVerticalHeaderLabels([label for _, label, _ in METRIC_ROWS])
        for row, (key, _label, _better) in enumerate(METRIC_ROWS):
            self.verticalHeaderItem(row).setToolTip(TOOLTIPS[key])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.clear_figures()

    def _fit_height(self) -> None:
        h = self.horizontalHeader().height() + 2 * self.frameWidth()
        h += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(h + 2)

    def clear_figures(self) -> None:
        for row in range(self.rowCount()):
            for col in range(self.columnCount()):
                self.setItem(row, col, _item("–"))
        self.resizeRowsToContents()
        self._fit_height()

    def set_figures(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        for row, (key, _label, higher_better) in enumerate(METRIC_ROWS):
            b, a = before.get(key), after.get(key)
            self.setItem(row, 0, _item(_fmt(key, b)))
            self.setItem(row, 1, _item(_fmt(key, a), bold=True))
            change = _item("–")
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                delta = a - b
                scale = 100 if key != "threshold" else 1
                unit = " pts" if key != "threshold" else ""
                change = _item(f"{delta * scale:+.1f}{unit}" if key != "threshold"
                               else f"{delta:+.3f}")
                if higher_better is not None and abs(delta) > 1e-9:
                    good = (delta > 0) == higher_better
                    change.setForeground(Qt.GlobalColor.darkGreen if good else Qt.GlobalColor.red)
            self.setItem(row, 2, change)
        self.resizeRowsToContents()
        self._fit_height()

    def figures(self) -> dict[str, tuple[str, str, str]]:
        """{row label: (current, candidate, change)} as shown (tests)."""
        return {label: tuple(self.item(r, c).text() for c in range(3))  # type: ignore[misc]
                for r, (_k, label, _h) in enumerate(METRIC_ROWS)}


class ModelsTable(QTableWidget):
    """One row per registered model, newest first; the active one marked."""

    HEADERS = ("Id", "Name", "Kind", "Created", "Held-out rank-1", "Active")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for col in range(len(self.HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._ids: list[int] = []

    def sizeHint(self) -> QSize:  # noqa: N802 - a short list: leave the height to the plots
        return QSize(400, 130)

    def set_models(self, models: list[Any]) -> None:
        selected = self.selected_id()
        rows = sorted(models, key=lambda m: m.id, reverse=True)
        self._ids = [m.id for m in rows]
        self.setRowCount(len(rows))
        for r, m in enumerate(rows):
            after = (m.metrics or {}).get("after") or {}
            before = (m.metrics or {}).get("before") or {}
            rank = (f"{before['rank1']:.3f} → {after['rank1']:.3f}"
                    if "rank1" in after and "rank1" in before else "")
            cells = (str(m.id), m.name, m.kind, f"{m.created_at:%Y-%m-%d %H:%M}", rank,
                     "● active" if m.is_active else "")
            for c, text in enumerate(cells):
                item = _item(text, bold=m.is_active)
                if c == 1:
                    item.setToolTip(m.name)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        if selected in self._ids:
            self.selectRow(self._ids.index(selected))

    def selected_id(self) -> int | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows or rows[0].row() >= len(self._ids):
            return None
        return self._ids[rows[0].row()]

    def select_id(self, model_id: int) -> None:
        if model_id in self._ids:
            self.selectRow(self._ids.index(model_id))


def _fmt(key: str, value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    return f"{value:.3f}" if key == "threshold" else f"{value * 100:.1f}%"


def _item(text: str, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item
