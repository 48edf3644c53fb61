"""ErrorPresenter: the GUI's one error boundary (DESIGN.md example 8).

Every slot that calls a service, and every background task's error callback, hands failures to
`ErrorPresenter.present`. Named domain errors (`AttendanceAppError`) are shown as their plain
message; anything else is logged with its traceback and shown as an unexpected error. The caller
keeps its last good state: the presenter never changes widgets other than the message box.
Tests replace `sink` to record messages instead of opening modal dialogs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from attendance_app.domain.errors import AttendanceAppError

log = logging.getLogger(__name__)

Sink = Callable[[str, str], None]


def user_message(exc: BaseException) -> str:
    """The text a user sees for `exc`: the domain message, or a generic one for bugs."""
    if isinstance(exc, AttendanceAppError):
        return str(exc) or type(exc).__name__
    return f"Something went wrong ({type(exc).__name__}: {exc}). Details are in the log file."


class ErrorPresenter:
    """Shows errors to the user; `sink(title, text)` may be replaced (tests, headless runs).
    Notices that are not failures (a session's summary, an import's result) go to `info_sink`:
    an information box, or `sink` where one was given, so a test sees every message."""

    def __init__(self, parent: QWidget | None = None, sink: Sink | None = None) -> None:
        self._parent = parent
        self.sink: Sink = sink or self._message_box
        self.info_sink: Sink = sink or self._information_box
        self.history: list[tuple[str, str]] = []

    def present(self, title: str, exc: BaseException) -> None:
        if not isinstance(exc, AttendanceAppError):
            log.error("%s", title, exc_info=(type(exc), exc, exc.__traceback__))
        text = user_message(exc)
        self.history.append((title, text))
        self.sink(title, text)

    def info(self, title: str, text: str) -> None:
        self.history.append((title, text))
        self.info_sink(title, text)

    def _message_box(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)

    def _information_box(self, title: str, text: str) -> None:
        QMessageBox.information(self._parent, title, text)
