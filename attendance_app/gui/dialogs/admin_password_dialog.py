"""The administrator password dialogs: asking for it before a protected action, setting it.

The password is typed masked and never kept: the window only remembers, for a few minutes and
in memory, that a correct one was given (the dialog says so).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

MIN_LENGTH = 8  # services.admin_guard.MIN_PASSWORD_LENGTH (checked there again)


def _masked(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def _error_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("errorLabel")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.setVisible(bool(text))
    return label


class AdminPasswordDialog(QDialog):
    """"<action> needs the administrator password." OK / Cancel."""

    def __init__(self, action: str, remember_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Administrator password")
        self.setModal(True)
        what = QLabel(f"{action[:1].upper()}{action[1:]} needs the administrator password.")
        what.setWordWrap(True)
        self.edit = _masked("Administrator password")
        note = QLabel(f"A correct password is remembered for {remember_minutes} minutes while "
                      "this window stays open, so you are not asked on every click. "
                      "Taking attendance never needs it.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (what, self.edit, note, buttons):
            layout.addWidget(w)
        self.setMinimumWidth(420)

    def password(self) -> str:
        return self.edit.text()


def ask_admin_password(parent: QWidget | None, action: str,
                       remember_minutes: int = 5) -> str | None:
    """The typed password, or None when cancelled."""
    dialog = AdminPasswordDialog(action, remember_minutes, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password()


class SetAdminPasswordDialog(QDialog):
    """A new administrator password, typed twice; OK only when both agree and it is long enough."""

    def __init__(self, parent: QWidget | None = None, changing: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the administrator password" if changing
                            else "Set an administrator password")
        self.setModal(True)
        intro = QLabel("With an administrator password, enrolling and deleting people, "
                       "exporting reports, training or switching face models and changing "
                       "settings ask for it. Taking attendance never does. Only a scrypt hash "
                       f"is stored. At least {MIN_LENGTH} characters.")
        intro.setWordWrap(True)
        self.new_edit = _masked("New password")
        self.repeat_edit = _masked("The same again")
        form = QFormLayout()
        form.addRow("New password", self.new_edit)
        form.addRow("Repeat it", self.repeat_edit)
        self.error_label = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def problem(self) -> str:
        new = self.new_edit.text()
        if len(new) < MIN_LENGTH:
            return f"The password needs at least {MIN_LENGTH} characters."
        if new != self.repeat_edit.text():
            return "The two passwords differ."
        return ""

    def _check_and_accept(self) -> None:
        problem = self.problem()
        self.error_label.setText(problem)
        self.error_label.setVisible(bool(problem))
        if not problem:
            self.accept()

    def password(self) -> str:
        return self.new_edit.text()


def ask_new_admin_password(parent: QWidget | None, changing: bool = False) -> str | None:
    """The new password (checked: long enough, typed twice the same), or None when cancelled."""
    dialog = SetAdminPasswordDialog(parent, changing)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password()
