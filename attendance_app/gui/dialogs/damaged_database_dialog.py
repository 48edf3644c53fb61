"""DamagedDatabaseDialog: the start-up check found the database damaged; offer a way out.

Choices: restore the latest automatic backup, choose another backup file, or quit. The window
does the restore (through the backend module) and opens the app when it succeeds; when it fails
it shows this dialog again with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

BACKUP_FILTER = "Database backups (*.db *.sqlite *.sqlite3);;All files (*)"


@dataclass(frozen=True)
class RestoreChoice:
    """`backup` to restore, or None to quit."""

    backup: Path | None

    @property
    def quit(self) -> bool:
        return self.backup is None


def describe(report: Any) -> str:
    """The dialog's main text for a services.startup_checks.StartupReport."""
    latest = report.latest_backup
    if latest is not None:
        offer = (f"The latest automatic backup is {Path(latest).name}. Restoring it replaces "
                 "the database; anything recorded after that backup is not in it. The damaged "
                 "file is kept in the backups folder.")
    else:
        offer = ("There is no automatic backup yet: choose a backup file you made "
                 "(`attendance-app db backup FILE`), or quit.")
    return (f"The attendance database {report.db_path} is damaged, so the app cannot record "
            f"attendance safely until it is repaired.\n\n{offer}")


class DamagedDatabaseDialog(QDialog):
    def __init__(self, report: Any, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("The database is damaged")
        self.setModal(True)
        self.choice = RestoreChoice(None)
        self._report = report
        text = QLabel(describe(report))
        text.setWordWrap(True)
        details = QPlainTextEdit("\n".join(report.problems))
        details.setReadOnly(True)
        details.setMaximumHeight(110)
        self.error_label = QLabel(error)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(bool(error))
        latest = report.latest_backup
        self.restore_button = QPushButton(
            f"Restore {Path(latest).name}" if latest is not None else "Restore the latest backup")
        self.restore_button.setObjectName("primaryButton")
        self.restore_button.setEnabled(latest is not None)
        self.choose_button = QPushButton("Choose another backup file…")
        self.quit_button = QPushButton("Quit")
        # restoring replaces the database: Enter must not do it (issue 13 item 6)
        for button in (self.restore_button, self.choose_button):
            button.setAutoDefault(False)
        self.quit_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.choose_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(QLabel("What the check found:"))
        layout.addWidget(details)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.restore_button.clicked.connect(lambda: self._choose(latest))
        self.choose_button.clicked.connect(self._choose_file)
        self.quit_button.clicked.connect(self.reject)
        self.setMinimumWidth(560)

    def _choose(self, backup: Path | None) -> None:
        if backup is not None:
            self.choice = RestoreChoice(Path(backup))
            self.accept()

    def _choose_file(self) -> None:
        start = str(Path(self._report.latest_backup).parent) if self._report.latest_backup else ""
        path, _ = QFileDialog.getOpenFileName(self, "Backup to restore", start, BACKUP_FILTER)
        if path:
            self._choose(Path(path))


def ask_damaged_database(parent: QWidget | None, report: Any, error: str = "") -> RestoreChoice:
    """What the user chose: a backup to restore, or quit (also when the dialog is closed)."""
    dialog = DamagedDatabaseDialog(report, error, parent)
    dialog.exec()
    choice = dialog.choice
    # Deleted by Qt, not by Python's garbage collector at exit (a parentless dialog collected
    # then crashed the interpreter: "shared QObject was deleted directly").
    dialog.deleteLater()
    return choice
