"""Issue 7 in the window: the damaged-database dialog and restore, the passphrase at start-up,
the administrator password before sensitive actions (never before attendance), start-up
warnings and the daily housekeeping. Dialogs are replaced at the edge: no modal ever blocks."""

from __future__ import annotations

import sys
import types
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import DatabaseError
from attendance_app.gui.admin_gate import AdminGate, AdminSection
from attendance_app.gui.app import create_window, ensure_application
from attendance_app.gui.dialogs.admin_password_dialog import (AdminPasswordDialog,
                                                              SetAdminPasswordDialog)
from attendance_app.gui.dialogs.damaged_database_dialog import (DamagedDatabaseDialog,
                                                                RestoreChoice)
from attendance_app.gui.dialogs.passphrase_dialog import PassphraseDialog
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.reporting.report_table import NO_RECORDS, Column, ReportTable
from attendance_app.services.startup_checks import StartupReport
from tests.gui.fake_backend import FakeBackend, install

ADMIN = "correct-horse-42"
CROP = np.zeros((160, 160, 3), np.uint8)


@pytest.fixture
def make_window(qtbot, recorded_errors, tmp_path):
    """A window over the fake backend (or another backend module); `prepare(window)` runs
    after construction and before loading, to replace the dialogs."""
    windows = []

    def _make(backend: FakeBackend, prepare=None, module: str | None = None,
              data: Path | None = None, wait_ready: bool = True):
        ensure_application()
        window = create_window(str(data or tmp_path / "data"),
                               backend_module=module or install(backend),
                               error_sink=recorded_errors)
        qtbot.addWidget(window)
        if prepare is not None:
            prepare(window)
        window.show()
        window.start_loading()
        windows.append(window)
        if wait_ready:
            qtbot.waitUntil(lambda: window.models_ready, timeout=5000)
        return window

    yield _make
    for w in windows:
        w.camera.stop()


class Answers:
    """A scripted dialog: returns the queued answers in turn and records its arguments."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls: list[tuple] = []

    def __call__(self, *args):
        self.calls.append(args)
        if not self.answers:
            raise AssertionError(f"dialog asked once too often: {args}")
        return self.answers.pop(0)


def _damaged_report(tmp_path: Path) -> StartupReport:
    latest = tmp_path / "backups" / "attendance-2026-01-05.db"
    return StartupReport(tmp_path / "attendance.db", ("database disk image is malformed",),
                         latest, (latest,))


# ------------------------------------------------------------------ damaged database
def test_a_damaged_database_is_explained_and_the_latest_backup_restored(make_window, tmp_path):
    backend = FakeBackend()
    report = _damaged_report(tmp_path)
    backend.db_report = report
    backend.restore_error = DatabaseError("the backup is damaged; nothing was restored")
    dialog = Answers(RestoreChoice(report.latest_backup), RestoreChoice(report.latest_backup))

    def fail_once_then_restore(window):
        def asked(parent, rep, error):
            if error:  # the second time: the restore works
                backend.restore_error = None
            return dialog(parent, rep, error)

        window.ask_damaged_database = asked

    window = make_window(backend, fail_once_then_restore)
    assert [c[1] for c in dialog.calls] == [report, report]
    assert dialog.calls[0][2] == "" and "nothing was restored" in dialog.calls[1][2]
    assert backend.restored == [report.latest_backup]
    assert window.backend is backend and window.status_label.text().startswith("Ready")
    assert "restored from attendance-2026-01-05.db" in window.notices.text("restored")


def test_quitting_at_the_damaged_database_dialog_opens_nothing(qtbot, make_window, tmp_path):
    backend = FakeBackend()
    backend.db_report = _damaged_report(tmp_path)
    dialog = Answers(RestoreChoice(None))
    window = make_window(backend, lambda w: setattr(w, "ask_damaged_database", dialog),
                         wait_ready=False)
    qtbot.waitUntil(lambda: bool(dialog.calls), timeout=5000)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.backend is None and backend.restored == []


def test_a_real_damaged_database_is_found_and_restored_from_its_daily_backup(
        make_window, tmp_path):
    """The real start-up check and restore (services) on a data dir whose file is garbage."""
    from attendance_app.services.app_services import AppServices
    from attendance_app.services.database_recovery import restore_backup
    from attendance_app.services.startup_checks import check_database_at_startup

    data = tmp_path / "real"
    paths = AppPaths(data).ensure()
    services = AppServices.open(paths, Settings())  # makes today's backup
    services.people_repository  # noqa: B018  (the schema exists)
    services.close()
    raw = bytearray(paths.db_path.read_bytes())
    raw[:100] = b"\x00garbage" * 12 + b"\x00" * 4
    paths.db_path.write_bytes(bytes(raw))
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.db_path}{suffix}").unlink(missing_ok=True)

    backend = FakeBackend()
    module = types.ModuleType("_attendance_trust_real_restore")
    module.open_backend = lambda p, s: backend
    module.check_database = check_database_at_startup
    module.restore_backup = restore_backup
    sys.modules[module.__name__] = module
    seen = []

    def restore_latest(parent, report, error):
        seen.append(report)
        return RestoreChoice(report.latest_backup)

    window = make_window(backend, lambda w: setattr(w, "ask_damaged_database", restore_latest),
                         module=module.__name__, data=data)
    assert len(seen) == 1 and not seen[0].ok and seen[0].latest_backup is not None
    assert check_database_at_startup(paths).ok
    kept = list(paths.backups_dir.glob("damaged-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes()[:8] == b"\x00garbage"
    assert "damaged file was kept" in window.notices.text("restored")


def test_the_damaged_database_dialog_offers_the_latest_backup_or_a_file(qtbot, tmp_path,
                                                                         monkeypatch):
    report = _damaged_report(tmp_path)
    dialog = DamagedDatabaseDialog(report)
    qtbot.addWidget(dialog)
    assert "damaged" in dialog.windowTitle()
    assert "attendance-2026-01-05.db" in dialog.restore_button.text()
    dialog.restore_button.click()
    assert dialog.choice.backup == report.latest_backup
    other = tmp_path / "my-copy.db"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    dialog = DamagedDatabaseDialog(StartupReport(tmp_path / "x.db", ("bad",)), "it failed")
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()  # no automatic backup yet
    assert not dialog.error_label.isHidden()
    dialog.choose_button.click()
    assert dialog.choice.backup == other
    dialog = DamagedDatabaseDialog(report)
    qtbot.addWidget(dialog)
    dialog.quit_button.click()
    assert dialog.choice.quit


# ------------------------------------------------------------------ passphrase
def test_a_wrong_passphrase_is_refused_with_the_reason_then_the_right_one_unlocks(make_window):
    backend = FakeBackend()
    backend.passphrase = "open sesame"
    dialog = Answers("guess", "open sesame")
    window = make_window(backend, lambda w: setattr(w, "ask_passphrase", dialog))
    assert [c[1] for c in dialog.calls] == ["", "wrong passphrase for the encrypted face data"]
    assert not backend.locked
    assert not window.notices.has("locked")


def test_continuing_locked_says_what_will_not_work(make_window):
    backend = FakeBackend()
    backend.passphrase = "open sesame"
    window = make_window(backend, lambda w: setattr(w, "ask_passphrase", Answers(None)))
    assert backend.locked
    text = window.notices.text("locked")
    assert "cannot be recognised or enrolled" in text and "reports" in text
    assert window.status_label.text().startswith("Ready")


def test_the_passphrase_dialog_is_masked_and_offers_to_continue_locked(qtbot):
    dialog = PassphraseDialog(None, "wrong passphrase")
    qtbot.addWidget(dialog)
    assert dialog.edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.locked_button.text() == "Continue locked"
    assert not dialog.error_label.isHidden()


# ------------------------------------------------------------------ admin password
def _admin_window(make_window, answers: Answers):
    backend = FakeBackend()
    backend.admin_password = ADMIN
    window = make_window(backend)
    window.admin_gate.ask_password = answers
    return window, backend


def test_deleting_needs_the_admin_password_cancel_and_wrong_do_nothing(make_window,
                                                                       recorded_errors):
    answers = Answers(None, "nope", ADMIN)
    window, backend = _admin_window(make_window, answers)
    person = backend.enrol("Bob", "S2", "7B", [CROP], "me")
    tab = window.people_tab
    tab.refresh()
    tab.table.select_person(person.id)
    tab.confirm = lambda title, text: True
    shown = len(recorded_errors.messages)
    tab.delete_button.click()  # cancel: nothing happens, nothing is said
    assert backend.people() and len(recorded_errors.messages) == shown
    tab.delete_button.click()  # wrong: the guard's message, with the pause
    assert backend.people()
    title, text = recorded_errors.messages[-1]
    assert "wrong administrator password" in text and "2 s" in text
    tab.delete_button.click()  # right: deleted
    assert backend.people() == []
    assert [c[0] for c in answers.calls] == ["deleting a person"] * 3


def test_a_correct_password_is_remembered_for_a_few_minutes(make_window):
    answers = Answers(ADMIN, ADMIN)
    window, backend = _admin_window(make_window, answers)
    now = [1000.0]
    window.admin_gate.clock = lambda: now[0]
    tab = window.enrol_tab
    tab.form.name_edit.setText("Ada Lovelace")
    tab.form.consent_box.setChecked(True)
    tab.guidance.accept(CROP)
    tab.save_button.click()
    assert [p.name for p in backend.people()] == ["Ada Lovelace"]
    window.settings_tab.late_spin.setValue(17)
    window.settings_tab.save_button.click()  # within the window: not asked again
    assert backend.settings().late_after_minutes == 17 and len(answers.calls) == 1
    now[0] += window.admin_gate.remember_s + 1
    window.settings_tab.late_spin.setValue(18)
    window.settings_tab.save_button.click()
    assert backend.settings().late_after_minutes == 18 and len(answers.calls) == 2
    assert [c[0] for c in answers.calls] == ["enrolling a person", "changing the settings"]


def test_refused_actions_change_nothing_settings_enrol_folder_training_export(
        make_window, monkeypatch, tmp_path):
    answers = Answers(*[None] * 6)
    window, backend = _admin_window(make_window, answers)
    window.settings_tab.late_spin.setValue(33)
    window.settings_tab.save_button.click()
    assert backend.settings().late_after_minutes != 33
    tab = window.enrol_tab
    tab.form.name_edit.setText("Ada")
    tab.form.consent_box.setChecked(True)
    tab.guidance.accept(CROP)
    tab.save_button.click()
    assert backend.people() == []
    tab.enrol_folder(tmp_path)
    assert not tab.busy
    backend.enrolled_crops = {1: [CROP, CROP], 2: [CROP, CROP]}  # enough data: Start is allowed
    window.training_tab.refresh()
    assert window.training_tab.start() is False and backend.train_requests == []
    assert window.training_tab.activate(1) is False and backend.activated == []
    opened = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: opened.append(a) or ("", ""))
    reports = window.reports_tab
    reports._tables = [ReportTable("t", "p", None, (Column("Name"),), (), {"r": NO_RECORDS})]
    assert reports.export() is False and opened == []  # not even the file dialog
    assert [c[0] for c in answers.calls] == [
        "changing the settings", "enrolling a person", "enrolling a folder of people",
        "training a face model", "activating a face model", "exporting a report"]


def test_taking_attendance_never_asks_for_the_admin_password(qtbot, make_window):
    answers = Answers()  # any question fails the test
    window, backend = _admin_window(make_window, answers)
    qtbot.waitUntil(lambda: window.camera.running, timeout=5000)
    window.live_tab.controls.name_edit.setText("Math 101")
    window.live_tab.controls.start_button.click()
    qtbot.waitUntil(lambda: window.live_tab.attendance.names() == ["Ada"], timeout=5000)
    window.live_tab.controls.stop_button.click()
    assert answers.calls == [] and window.admin_gate.asked == []


def test_no_password_first_run_offers_one_once_and_sets_it(make_window, tmp_path):
    backend = FakeBackend()
    window = make_window(backend)
    assert not window.admin_offer.isHidden()
    assert window.admin_section.set_button.text() == "Set admin password…"
    window.admin_gate.ask_new_password = Answers(ADMIN)
    window.on_admin_offer("set")
    assert backend.admin_password == ADMIN and window.admin_offer.isHidden()
    assert window.admin_section.set_button.text() == "Change admin password…"
    window.close()
    again = make_window(FakeBackend())  # same data dir, still no password: not offered again
    assert again.admin_offer.isHidden()


def test_changing_the_admin_password_needs_the_current_one(make_window):
    answers = Answers("nope")
    window, backend = _admin_window(make_window, answers)
    window.admin_gate.ask_new_password = Answers("new-password-1")
    assert window.admin_section.set_password() is False
    assert backend.admin_password == ADMIN


def test_the_admin_dialogs_are_masked_and_say_the_password_is_remembered(qtbot):
    ask = AdminPasswordDialog("deleting a person", 5)
    qtbot.addWidget(ask)
    assert ask.edit.echoMode() == QLineEdit.EchoMode.Password
    texts = " ".join(label.text() for label in ask.findChildren(QLabel))
    assert "Deleting a person needs" in texts and "remembered for 5 minutes" in texts
    new = SetAdminPasswordDialog()
    qtbot.addWidget(new)
    assert new.new_edit.echoMode() == QLineEdit.EchoMode.Password
    new.new_edit.setText("short")
    assert "8 characters" in new.problem()
    new.new_edit.setText("long enough")
    new.repeat_edit.setText("long enougH")
    assert "differ" in new.problem()
    new.repeat_edit.setText("long enough")
    assert new.problem() == ""


def test_the_gate_over_the_real_guard_passes_its_lockout_message(qtbot, tmp_path):
    """AdminGate + services.admin_guard on a real database: wrong passwords slow down."""
    from attendance_app.services.admin_guard import AdminGuard
    from attendance_app.storage.database import open_database

    db = open_database(tmp_path / "a.db")
    now = [5000.0]
    guard = AdminGuard(db, clock=lambda: now[0])
    guard.set_password(ADMIN)

    class GuardBackend:
        def admin_password_set(self):
            return guard.is_set

        def require_admin(self, provider):
            guard.require(provider)

    messages = []
    gate = AdminGate(None, ErrorPresenter(None, lambda t, m: messages.append(m)))
    gate.set_backend(GuardBackend())
    gate.ask_password = Answers("a", "b", "c", ADMIN)
    assert not gate.allow("x") and not gate.allow("x") and not gate.allow("x")
    assert "next attempt is possible in 2 s" in messages[-1]
    assert not gate.allow("x")  # during the pause: refused without asking
    assert "try again in 2 s" in messages[-1] and len(gate.ask_password.calls) == 3
    now[0] += 3
    assert gate.allow("x") and gate.remembered
    db.close()


def test_the_gate_fails_closed_when_the_database_cannot_say_whether_a_password_is_set(
        qtbot, caplog):
    """Issue 14 item 5: a transient database error must not let `set_password` skip the
    current-password check (it used to read the error as "no password set")."""
    class FlakyBackend:
        new_password = None

        def admin_password_set(self):
            raise DatabaseError("database is locked (simulated)")

        def require_admin(self, provider):
            raise AssertionError("never reached: the gate cannot tell whether it may ask")

        def set_admin_password(self, new):
            self.new_password = new

    messages = []
    errors = ErrorPresenter(None, lambda t, m: messages.append(m))
    gate = AdminGate(None, errors)
    backend = FlakyBackend()
    gate.set_backend(backend)
    section = AdminSection(gate, errors)
    gate.ask_new_password = Answers("attacker-password")
    assert gate.password_set() is True
    assert section.set_password() is False
    assert backend.new_password is None and "locked" in messages[-1]


# ------------------------------------------------------------ interrupted sessions (issue 14)
def test_a_session_left_open_by_a_crash_is_asked_about_and_resumed_by_name(make_window, qtbot):
    from attendance_app.domain.session import Session

    backend = FakeBackend()
    backend.interrupted = [Session(7, "Math 101", datetime(2026, 12, 1, 9, 0))]
    answers = Answers("resume")
    window = make_window(backend, lambda w: setattr(w, "ask_interrupted_session", answers))
    assert [call[1].name for call in answers.calls] == ["Math 101"]
    qtbot.waitUntil(lambda: window.live_tab.session_running, timeout=5000)
    assert backend.started_sessions == ["Math 101"]  # the services resume it by name
    window.live_tab.stop_session()


def test_a_session_left_open_can_be_closed_with_its_absentees_at_start_up(make_window):
    from attendance_app.domain.session import Session

    backend = FakeBackend()
    backend.interrupted = [Session(7, "Math 101", datetime(2026, 12, 1, 9, 0))]
    window = make_window(backend,
                         lambda w: setattr(w, "ask_interrupted_session", Answers("close")))
    assert backend.closed_interrupted == [7] and backend.started_sessions == []
    assert "2 absent recorded" in window.notices.text("closed-7")


# ------------------------------------------------------------------ warnings, housekeeping
def test_startup_warnings_are_shown_without_a_modal(make_window, recorded_errors):
    backend = FakeBackend()
    backend.warnings = ["today's automatic backup failed: disk full"]
    window = make_window(backend)
    assert "disk full" in window.notices.text("startup")
    assert not any("disk full" in text for _, text in recorded_errors.messages)


def test_housekeeping_runs_once_a_day_from_the_window_timer(make_window):
    backend = FakeBackend()
    window = make_window(backend)
    assert window.housekeeping_timer.isActive()
    window.housekeeping_timer.timeout.emit()  # same day: nothing to do
    assert backend.housekeeping_calls == 0
    tomorrow = date.today() + timedelta(days=1)
    window.today = lambda: tomorrow
    backend.housekeeping_warnings = ["retention was not applied: database is locked"]
    window.housekeeping_timer.timeout.emit()
    window.housekeeping_timer.timeout.emit()
    assert backend.housekeeping_calls == 1
    assert "retention was not applied" in window.notices.text("housekeeping")
    window.today = lambda: tomorrow + timedelta(days=1)
    backend.housekeeping_warnings = []
    window.housekeeping_timer.timeout.emit()
    assert backend.housekeeping_calls == 2 and not window.notices.has("housekeeping")


def test_the_services_backend_unlocks_real_encrypted_face_data(tmp_path):
    """ServicesBackend over a real encrypted data dir (no models loaded): locked at start,
    the window's passphrase loop refuses a wrong one and unlocks with the right one."""
    from attendance_app.gui import services_backend
    from attendance_app.services import encryption_service
    from attendance_app.storage.biometric_columns import forget_cipher

    paths = AppPaths(tmp_path / "enc").ensure()
    services = services_backend.AppServices.open(paths, Settings())
    encryption_service.enable(services.db, "a long passphrase")
    services.close()
    forget_cipher(paths.db_path)  # as in a new process
    backend = services_backend.open_backend(paths, Settings())
    try:
        assert backend.biometrics_locked()
        assert backend.thumbnails() == {} and len(backend.similarity_scores()[0]) == 0
        asked = Answers("wrong one", "a long passphrase")

        class Window:  # the loop only needs these two
            ask_passphrase = asked
            notices = None

        from attendance_app.gui.main_window import MainWindow

        MainWindow._unlock_face_data(Window(), backend)
        assert asked.calls[0][1] == "" and "passphrase" in asked.calls[1][1].lower()
        assert not backend.biometrics_locked()
    finally:
        backend.close()
        forget_cipher(paths.db_path)
