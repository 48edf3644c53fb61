"""EnrolForm: name, optional id and group, and the required consent checkbox."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from attendance_app.domain.consent import CONSENT_WORDING


class EnrolForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Full name (required)")
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("Student or staff number (optional)")
        self.group_combo = QComboBox()
        self.group_combo.setEditable(True)
        self.group_combo.setPlaceholderText("Class, course or team (optional)")
        self.consent_box = QCheckBox("The person consents to enrolment")
        wording = QLabel(CONSENT_WORDING)
        wording.setWordWrap(True)
        wording.setObjectName("consentWording")
        self.recorded_by = QLineEdit()
        self.recorded_by.setPlaceholderText("Who recorded the consent (optional)")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name_edit)
        form.addRow("ID", self.id_edit)
        form.addRow("Group", self.group_combo)
        form.addRow(self.consent_box)
        form.addRow(wording)
        form.addRow("Recorded by", self.recorded_by)

    def set_groups(self, groups: list[str]) -> None:
        text = self.group_combo.currentText()
        self.group_combo.clear()
        self.group_combo.addItems(groups)
        self.group_combo.setEditText(text)

    def values(self) -> tuple[str, str | None, str | None]:
        return (self.name_edit.text().strip(), self.id_edit.text().strip() or None,
                self.group_combo.currentText().strip() or None)

    def clear(self) -> None:
        self.name_edit.clear()
        self.id_edit.clear()
        self.group_combo.setEditText("")
        self.consent_box.setChecked(False)
