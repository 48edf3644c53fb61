"""The start-up question about a session the app did not close (it crashed or was killed).

Resume: the window starts the session again under the same name once the models are loaded (the
services resume it: nobody already recorded is recorded twice). Close: it is closed now at its
last record and its absentees are recorded. Later: it stays open (the CLI's `run` with the same
name today, or the next start, resumes it).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

RESUME, CLOSE, LATER = "resume", "close", "later"


def describe(session: Any) -> str:
    return (f"The session “{session.name}” started {session.started_at:%A %d %B at %H:%M} was "
            f"not closed: the app stopped while it was running. Resume it (nobody already "
            f"recorded is recorded twice), or close it now and record who was absent.")


def ask_interrupted_session(parent: QWidget | None, session: Any) -> str:
    """RESUME, CLOSE or LATER (the dialog closed)."""
    box = QMessageBox(parent)
    box.setWindowTitle("A session was not closed")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(describe(session))
    resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
    close = box.addButton("Close it, record absentees", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return RESUME if clicked is resume else CLOSE if clicked is close else LATER
