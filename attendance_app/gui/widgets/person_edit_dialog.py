"""PersonEditDialog: change a person's name, id and group (the group from the known ones or a
new name). Roomy enough to read (issue 13 item 11); Cancel on Escape."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from attendance_app.domain.person import Person


class PersonEditDialog(QDialog):
    def __init__(self, person: Person, parent: QWidget | None = None,
                 groups: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {person.name}")
        self.setMinimumWidth(460)
        self.name_edit = QLineEdit(person.name)
        self.id_edit = QLineEdit(person.external_id or "")
        self.id_edit.setPlaceholderText("student or staff number (optional)")
        self.group_edit = QComboBox()
        self.group_edit.setEditable(True)
        self.group_edit.addItem("")
        self.group_edit.addItems(groups or [])
        self.group_edit.setEditText(person.group or "")
        hint = QLabel(f"{person.template_count} face template(s). To add photos, use "
                      "Re-enrol; to remove the person, Delete.")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow("Name", self.name_edit)
        form.addRow("External ID", self.id_edit)
        form.addRow("Group", self.group_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 18)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str | None, str | None]:
        return (self.name_edit.text().strip(), self.id_edit.text().strip() or None,
                self.group_edit.currentText().strip() or None)
