"""FolderPreviewDialog: what a folder enrolment will do before it starts (issue 13 item 5).

One line per sub-folder: the folder, the person name made from it (`ben_afflek` -> "Ben
Afflek"), the external id taken from a numeric part, and the photo count; the Group field
applies to everyone. Cancel is the default button (Enter does not start a long job).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHeaderView,
                               QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

Row = tuple[str, str, str | None, int]


class FolderPreviewDialog(QDialog):
    def __init__(self, rows: list[Row], groups: list[str], group: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Enrol a folder of people")
        self.resize(640, 480)
        photos = sum(r[3] for r in rows)
        intro = QLabel(f"{len(rows)} people, {photos} photos. Names come from the folder "
                       "names; check them before you start. Enrolment runs in the background "
                       "and can be cancelled: each person is saved whole or not at all.")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(("Folder", "Name", "External ID", "Photos"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for i, (folder, name, external_id, count) in enumerate(rows):
            for j, value in enumerate((folder, name, external_id or "", str(count))):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.group_combo = QComboBox()
        self.group_combo.setEditable(True)
        self.group_combo.addItem("")
        self.group_combo.addItems(groups)
        self.group_combo.setEditText(group or "")
        self.group_combo.setToolTip("Everyone in the folder joins this group (roster); leave "
                                    "empty for none")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton(f"Enrol {len(rows)} people",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.start_button.setAutoDefault(False)
        cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Group", self.group_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def group(self) -> str | None:
        return self.group_combo.currentText().strip() or None


def ask_folder_group(parent: QWidget | None, rows: list[Row], groups: list[str],
                     group: str | None) -> tuple[bool, str | None]:
    """(start?, group) from the preview dialog."""
    dialog = FolderPreviewDialog(rows, groups, group, parent)
    return bool(dialog.exec()), dialog.group()
