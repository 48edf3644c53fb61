"""PlaceholderTab: a tab that says its feature arrives in a later version."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderTab(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(title)
        heading.setObjectName("placeholderTitle")
        body = QLabel(text)
        body.setWordWrap(True)
        body.setObjectName("placeholderBody")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (heading, body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)

    def set_backend(self, backend: object) -> None:
        """Placeholders need no services; present so the window can treat tabs alike."""
