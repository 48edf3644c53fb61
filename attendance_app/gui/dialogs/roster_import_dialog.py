"""RosterImportDialog: what a roster import will do, and the rows it cannot use (issue 13 item 4).

Shown before anything is written. Cancel is the default button.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QLabel,
                               QPlainTextEdit, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from attendance_app.services.roster_import import RosterPlan


class RosterImportDialog(QDialog):
    def __init__(self, plan: RosterPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {plan.source.name}")
        self.resize(720, 520)
        photos = sum(1 for r in plan.rows if r.photo is not None)
        summary = QLabel(f"{plan.count('add')} new people, {plan.count('update')} updated "
                         f"(found by external id or name), {photos} with a photo to enrol. "
                         f"{len(plan.problems)} row(s) cannot be used and will be skipped.")
        summary.setWordWrap(True)
        self.table = QTableWidget(len(plan.rows), 5)
        self.table.setHorizontalHeaderLabels(("Line", "Name", "External ID", "Group", "Does"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for i, r in enumerate(plan.rows):
            does = ("add" if r.action == "add" else "update") + (" + photo" if r.photo else "")
            for j, v in enumerate((str(r.line), r.name, r.external_id or "", r.group or "", does)):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.problems = QPlainTextEdit("\n".join(plan.problems) or "Every row is usable.")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(120)
        self.consent_box = QCheckBox("Everyone with a photo consented to face recognition")
        self.consent_box.setVisible(photos > 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(f"Import {len(plan.rows)} rows",
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAutoDefault(False)
        self.import_button.setEnabled(bool(plan.rows))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Rows that cannot be used:"))
        layout.addWidget(self.problems)
        layout.addWidget(self.consent_box)
        layout.addWidget(buttons)


def ask_roster_import(parent: QWidget | None, plan: RosterPlan) -> tuple[bool, bool]:
    """(import?, photo consent given?)."""
    dialog = RosterImportDialog(plan, parent)
    return bool(dialog.exec()), dialog.consent_box.isChecked()
