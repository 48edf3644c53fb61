"""PassphraseDialog: the start-up question for the passphrase of the encrypted face data.

"Unlock" checks the passphrase (the window retries with the reason when it is wrong);
"Continue locked" opens the app without the face data and says what will not work.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

LOCKED_CONSEQUENCES = (
    "Without the passphrase the app opens locked: the people list, past sessions and reports "
    "work, but faces cannot be recognised or enrolled, no face pictures are shown or stored, "
    "and models cannot be trained. Restart the app to unlock.")


class PassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, error: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock the face data")
        self.setModal(True)
        intro = QLabel("The face data in this data folder is encrypted. Type the passphrase "
                       "to recognise and enrol faces.")
        intro.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText("Passphrase")
        self.error_label = QLabel(error)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(bool(error))
        consequences = QLabel(LOCKED_CONSEQUENCES)
        consequences.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton("Unlock",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.locked_button = self.buttons.addButton("Continue locked",
                                                    QDialogButtonBox.ButtonRole.RejectRole)
        self.unlock_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (intro, self.edit, self.error_label, consequences, self.buttons):
            layout.addWidget(w)
        self.setMinimumWidth(440)

    def passphrase(self) -> str:
        return self.edit.text()


def ask_passphrase(parent: QWidget | None, error: str = "") -> str | None:
    """The typed passphrase, or None for "Continue locked" (or closing the dialog)."""
    dialog = PassphraseDialog(parent, error)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.passphrase()
