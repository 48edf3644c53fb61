"""confirm_destructive: the one question box for actions that cannot be undone (issue 13 item 6).

Cancel is the default and the Escape button, so Enter never deletes a person, discards a model
or restores a backup by accident; the action button names what it does ("Delete", "Discard").
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def destructive_box(parent: QWidget | None, title: str, text: str, action: str) -> QMessageBox:
    """The box, not yet shown (tests read its default button)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def confirm_destructive(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """True only when the user clicked the action button."""
    box = destructive_box(parent, title, text, action)
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
