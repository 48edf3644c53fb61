"""PersonEditDialog: change a person's name, id and group."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from attendance_app.domain.person import Person


class PersonEditDialog(QDialog):
    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {person.name}")
        self.name_edit = QLineEdit(person.name)
        self.id_edit = QLineEdit(person.external_id or "")
        self.group_edit = QLineEdit(person.group or "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("ID", self.id_edit)
        form.addRow("Group", self.group_edit)
        form.addRow(buttons)

    def values(self) -> tuple[str, str | None, str | None]:
        return (self.name_edit.text().strip(), self.id_edit.text().strip() or None,
                self.group_edit.text().strip() or None)
