"""ErrorPresenter: failures open a warning, notices (a session's summary) an information box."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from attendance_app.domain.errors import AttendanceAppError
from attendance_app.gui.error_presenter import ErrorPresenter


def _record_boxes(monkeypatch) -> list[tuple[str, str, str]]:
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text: shown.append(("warning", title, text)))
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text: shown.append(("information", title, text)))
    return shown


def test_a_failure_is_a_warning_and_a_summary_is_information(qapp, monkeypatch):
    shown = _record_boxes(monkeypatch)
    presenter = ErrorPresenter()
    presenter.present("Could not save", AttendanceAppError("The database is locked."))
    presenter.info("Session 'Maths' finished", "3 present, 1 absent.")
    assert shown == [("warning", "Could not save", "The database is locked."),
                     ("information", "Session 'Maths' finished", "3 present, 1 absent.")]
    assert [title for title, _ in presenter.history] == ["Could not save",
                                                         "Session 'Maths' finished"]


def test_a_given_sink_receives_notices_too_unless_they_have_their_own(qapp, monkeypatch):
    shown = _record_boxes(monkeypatch)
    errors: list[str] = []
    presenter = ErrorPresenter(None, lambda title, text: errors.append(title))
    presenter.info("Roster import", "12 people added.")
    notices: list[str] = []
    presenter.info_sink = lambda title, text: notices.append(title)
    presenter.info("Folder enrolment", "4 people enrolled.")
    presenter.present("Could not export", ValueError("disk full"))
    assert errors == ["Roster import", "Could not export"]
    assert notices == ["Folder enrolment"]
    assert shown == []
