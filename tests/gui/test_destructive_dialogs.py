"""Destructive dialogs default to Cancel: Enter keeps the person, the model and the database
(issue 13 item 6). The real dialogs are shown and a real Return key is sent to them; the People
tab runs over the real ServicesBackend and a real SQLite file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.dialogs.confirm_dialog import confirm_destructive, destructive_box
from attendance_app.gui.dialogs.damaged_database_dialog import ask_damaged_database
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.gui.tabs.training_tab import TrainingTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.services.startup_checks import StartupReport


def _press_on_dialog(action) -> None:
    """When the modal dialog is up, act on it (a key press or a click)."""
    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        action(dialog)

    QTimer.singleShot(50, act)


def _enter(dialog) -> None:
    QTest.keyClick(dialog, Qt.Key.Key_Return)


def test_the_destructive_box_has_cancel_as_default_and_escape(qtbot):
    box = destructive_box(None, "Delete person", "Delete Ada?", "Delete")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.icon() == QMessageBox.Icon.Warning


@pytest.fixture
def people_tab(qtbot, tmp_path, recorded_errors):
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    services.people_repository.add("Ada Lovelace", group="7B", created_at=datetime(2026, 1, 1))
    backend = ServicesBackend(services)
    tab = PeopleTab(ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab, backend
    backend.close()


def test_enter_in_the_delete_person_dialog_keeps_the_person(people_tab):
    tab, backend = people_tab
    tab.table.select_person(backend.people()[0].id)
    _press_on_dialog(_enter)
    tab.delete_selected()
    assert [p.name for p in backend.people()] == ["Ada Lovelace"]
    _press_on_dialog(lambda d: next(b for b in d.buttons() if b.text() == "Delete").click())
    tab.delete_selected()
    assert backend.people() == []


def test_enter_in_the_discard_model_dialog_keeps_the_model(qtbot, recorded_errors):
    tab = TrainingTab(TaskRunner(), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    _press_on_dialog(_enter)
    assert tab._confirm("Discard model", "Delete model 2 and its weights file?") is False
    _press_on_dialog(lambda d: next(b for b in d.buttons() if b.text() == "Discard").click())
    assert confirm_destructive(None, "Discard model", "Delete model 2?", "Discard") is True


def test_enter_in_the_damaged_database_dialog_quits_instead_of_restoring(qtbot, tmp_path: Path):
    latest = tmp_path / "backups" / "attendance-2026-01-05.db"
    report = StartupReport(tmp_path / "attendance.db", ("database disk image is malformed",),
                           latest, (latest,))
    _press_on_dialog(_enter)
    choice = ask_damaged_database(None, report)
    assert choice.quit and choice.backup is None
