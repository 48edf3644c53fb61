"""PeopleTable: a searchable table of enrolled people (photo, name, id, group, templates, date)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLineEdit, QTableView,
                               QVBoxLayout, QWidget)

from attendance_app.domain.person import Person
from attendance_app.gui.widgets.thumbnails import pixmap_from_png

THUMB = 40
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class PeopleTable(QWidget):
    """`set_people(people, thumbnails)`; the search box filters on name, id and group.
    Emits `selection_changed(person_id | None)` and `activated(person_id)` (double click)."""

    COLUMNS = ("", "Name", "ID", "Group", "Templates", "Enrolled")
    selection_changed = Signal(object)
    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, id or group…")
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(0, len(self.COLUMNS), self)
        self.model.setHorizontalHeaderLabels(self.COLUMNS)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)  # every column
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(THUMB + 6)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(0, THUMB + 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit(self.selected_person_id()))
        self.view.doubleClicked.connect(self._on_double_click)

    def set_people(self, people: list[Person], thumbnails: dict[int, bytes] | None = None) -> None:
        thumbnails = thumbnails or {}
        self.model.removeRows(0, self.model.rowCount())
        for person in people:
            photo = QStandardItem()
            pix = pixmap_from_png(thumbnails.get(person.id), THUMB)
            if pix is not None:
                photo.setData(pix, Qt.ItemDataRole.DecorationRole)
            enrolled = person.created_at.strftime("%Y-%m-%d") if person.created_at else ""
            count = QStandardItem()
            count.setData(person.template_count, Qt.ItemDataRole.DisplayRole)
            items = [photo, QStandardItem(person.name), QStandardItem(person.external_id or ""),
                     QStandardItem(person.group or ""), count, QStandardItem(enrolled)]
            for item in items:
                item.setData(person.id, PERSON_ID_ROLE)
            self.model.appendRow(items)
        self.selection_changed.emit(self.selected_person_id())

    def visible_names(self) -> list[str]:
        return [self.proxy.index(r, 1).data() for r in range(self.proxy.rowCount())]

    def selected_person_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(PERSON_ID_ROLE) if rows else None

    def select_person(self, person_id: int) -> None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(PERSON_ID_ROLE) == person_id:
                self.view.selectRow(r)
                return

    def _on_double_click(self, index) -> None:
        pid = index.data(PERSON_ID_ROLE)
        if pid is not None:
            self.activated.emit(int(pid))
