"""RegisteredModelsBox: the registered face models, with Activate selected (roll back) and
Discard selected."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from attendance_app.gui.widgets.training_metrics import ModelsTable

ACTIVE_COLUMN = 5


class RegisteredModelsBox(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Registered models")
        self.models_table = ModelsTable()
        self.models_table.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self.models_table.setMinimumHeight(80)
        self.rollback_button = QPushButton("Activate selected")
        self.remove_button = QPushButton("Discard selected")
        self.rollback_button.setToolTip("Re-embed the stored faces with the selected model and "
                                        "make it active (rollback to an earlier model)")
        hint = QLabel("Activate an earlier model to roll back to it.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.models_table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.rollback_button)
        layout.addLayout(buttons)

    def is_active(self, model_id: int) -> bool:
        """Whether the listed model `model_id` is the active one (False when not listed)."""
        table = self.models_table
        for row in range(table.rowCount()):
            item = table.item(row, 0)
            if item is not None and item.text() == str(model_id):
                active = table.item(row, ACTIVE_COLUMN)
                return active is not None and bool(active.text())
        return False
