"""TrainingTab: fine-tuning the face model (issue 5). A placeholder until that issue lands."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from attendance_app.gui.tabs.placeholder_tab import PlaceholderTab


class TrainingTab(PlaceholderTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Training",
            "Fine-tuning the face model on your own enrolled faces, with before/after "
            "measurements and rollback, arrives in a later version. Until then the app uses "
            "the pretrained model shown in Settings.", parent)
