"""The Reports tab over a real database: pick a session, Show, read the table, export, read back.

The database is built through the repositories (what the app itself would store); the tab talks
to it through the real ServicesBackend. Export runs in the task runner, like in the app.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, RecordSource
from attendance_app.domain.session import Session
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesReports
from attendance_app.gui.tabs.reports_tab import ReportsTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository

GROUP = "Class 7B"
DAY = date(2026, 11, 26)
ENROLLED = datetime(2026, 10, 1, 8, 0)
# Session "Math 101" on DAY at 09:00, roster Class 7B (late after 09:10):
# Ada present 09:02 (91 %), Bob late 09:15 (80 %), Cleo absent (record at the close),
# Dan no record (absent as a roster member).
EXPECTED = {"Ada Lovelace": ("present", "2026-11-26 09:02", "91.0%"),
            "Bob Smith": ("late", "2026-11-26 09:15", "80.0%"),
            "Cleo Ng": ("absent", "", ""),   # absent: no arrival time (issue 13)
            "Dan Ito": ("absent", "", "")}


def _build_database(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open_database(data_dir / "attendance.db") as db:
        people, sessions, records = (PeopleRepository(db), SessionRepository(db),
                                     AttendanceRepository(db))
        ids = {name: people.add(name, external_id=f"S{k}", group=GROUP, consent_at=ENROLLED,
                                consent_by="admin", consent_version="v1",
                                created_at=ENROLLED).id
               for k, name in enumerate(EXPECTED, start=1)}
        ids["Eve Visitor"] = people.add("Eve Visitor", group="Class 8A",
                                        created_at=ENROLLED).id
        start = datetime.combine(DAY, time(9, 0))
        math = sessions.create(Session(None, "Math 101", start, roster_group=GROUP,
                                       late_after=start + timedelta(minutes=10))).id
        for name, status, at, sim in (
                ("Ada Lovelace", AttendanceStatus.PRESENT, start.replace(minute=2), 0.91),
                ("Bob Smith", AttendanceStatus.LATE, start.replace(minute=15), 0.80),
                ("Cleo Ng", AttendanceStatus.ABSENT, start.replace(hour=10), None)):
            source = RecordSource.SESSION_CLOSE if sim is None else RecordSource.RECOGNIZED
            records.add(AttendanceRecord(math, ids[name], status, at, sim, source))
        sessions.close(math, start + timedelta(hours=1))
        earlier = datetime(2026, 11, 19, 9, 0)
        old = sessions.create(Session(None, "Math 101", earlier, roster_group=GROUP)).id
        records.add(AttendanceRecord(old, ids["Ada Lovelace"], AttendanceStatus.PRESENT,
                                     earlier.replace(minute=1), 0.9, RecordSource.RECOGNIZED))
        sessions.close(old, earlier + timedelta(hours=1))


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ServicesReports]:
    data_dir = tmp_path / "reports-data"
    _build_database(data_dir)
    services = AppServices.open(AppPaths(data_dir), Settings())
    yield ServicesReports(services)  # the reports part of ServicesBackend, without models
    services.close()


@pytest.fixture
def tab(qtbot, backend, recorded_errors) -> Iterator[ReportsTab]:
    runner = TaskRunner()
    widget = ReportsTab(runner, ErrorPresenter(None, recorded_errors), today=date(2026, 11, 30))
    qtbot.addWidget(widget)
    widget.set_backend(backend)
    widget.resize(1100, 700)
    yield widget
    runner.wait_for_done(5000)


def _rows_by_name(tab: ReportsTab) -> dict[str, dict[str, str]]:
    names = tab.model.column_names()
    return {row[0]: dict(zip(names, row)) for row in tab.model.display_rows()}


def _save_as(monkeypatch, path: Path, chosen: str = "") -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(path), chosen))


def test_session_report_shows_roster_statuses_and_exports_a_csv_that_reads_back(
        qtbot, tab, tmp_path, monkeypatch, recorded_errors):
    # the latest session is preselected with its date
    assert tab.filters.session_combo.currentText() == "Math 101"
    assert tab.filters.request().session_date == DAY
    tab.filters.set_view("session")
    tab.show_button.click()
    assert recorded_errors.messages == []

    rows = _rows_by_name(tab)
    assert set(rows) == set(EXPECTED)
    for name, (status, when, similarity) in EXPECTED.items():
        assert (rows[name]["Status"], rows[name]["Time"], rows[name]["Similarity"]) == \
            (status, when, similarity), name
    figures = tab.summary.figures()
    assert figures["Expected (roster)"] == "4"
    assert figures["Attendance rate"] == "50.0%"   # present + late of 4
    assert tab.chart.chart is not None and len(tab.chart.bar_rects()) == len(tab.chart.chart.values)
    assert tab.default_file_name() == "session_Math-101_2026-11-26"

    target = tmp_path / "out" / "math.csv"
    target.parent.mkdir()
    _save_as(monkeypatch, target, "CSV, one table (*.csv)")
    assert tab.export()
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10000)
    assert recorded_errors.messages == []
    assert tab.last_export == target and target.is_file()
    assert str(target) in tab.status_label.text()
    assert not tab.open_folder_button.isHidden()
    with target.open(encoding="utf-8-sig", newline="") as f:  # BOM for Excel
        exported = {r["Name"]: r for r in csv.DictReader(f)}
    assert {n: r["Status"] for n, r in exported.items()} == \
        {n: v[0] for n, v in EXPECTED.items()}
    assert exported["Bob Smith"]["Time"] == "2026-11-26T09:15:00"


def test_excel_export_without_extension_takes_the_chosen_filter(
        qtbot, tab, tmp_path, monkeypatch, recorded_errors):
    openpyxl = pytest.importorskip("openpyxl")
    tab.show_button.click()
    _save_as(monkeypatch, tmp_path / "math", "Excel workbook (*.xlsx)")
    assert tab.export()
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10000)
    assert recorded_errors.messages == []
    book = openpyxl.load_workbook(tmp_path / "math.xlsx")
    assert "Session" in book.sheetnames
    rows = list(book["Session"].iter_rows(values_only=True))
    header = list(rows[0])
    statuses = {r[0]: r[header.index("Status")] for r in rows[1:] if r[0]}
    assert statuses == {n: v[0] for n, v in EXPECTED.items()}


def test_errors_keep_the_last_report_and_write_nothing(
        qtbot, tab, tmp_path, monkeypatch, recorded_errors):
    tab.show_button.click()
    shown = tab.current_table()
    # unknown session
    tab.filters.session_combo.setEditText("Chemistry")
    assert not tab.show_report()
    assert "no session called 'Chemistry'" in recorded_errors.messages[-1][1]
    assert tab.current_table() is shown
    # from after to
    tab.filters.set_view("group")
    tab.filters.group_combo.setEditText(GROUP)
    tab.filters.set_range(date(2026, 11, 30), date(2026, 11, 1))
    assert not tab.show_report()
    assert "after it ends" in recorded_errors.messages[-1][1]
    assert tab.current_table() is None  # switching the view cleared the session report
    tab.filters.set_view("session")
    tab.filters.session_combo.setCurrentIndex(tab.filters.session_combo.findText("Math 101"))
    assert tab.show_report()
    # unwritable path: a folder that does not exist
    target = tmp_path / "missing" / "math.pdf"
    _save_as(monkeypatch, target, "PDF document (*.pdf)")
    assert tab.export()
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10000)
    assert recorded_errors.messages[-1][0] == "Could not export the report"
    assert not target.exists()
    assert "Export failed" in tab.status_label.text()
    assert tab.open_folder_button.isHidden()


def test_group_and_person_views_over_a_period(qtbot, tab, recorded_errors):
    tab.filters.set_view("group")
    tab.filters.group_combo.setEditText(GROUP)
    tab.filters.set_range(date(2026, 11, 1), date(2026, 11, 30))
    assert tab.show_report(), recorded_errors.messages
    rows = _rows_by_name(tab)
    assert rows["Ada Lovelace"]["Attendance rate"] == "100.0%"
    assert tab.chart.chart is not None and tab.chart.chart.value_kind == "percent"
    assert tab.default_file_name() == "group_Class-7B_2026-11-01_2026-11-30"

    tab.filters.set_view("person")
    index = tab.filters.person_combo.findText("Bob Smith (S2)")
    tab.filters.person_combo.setCurrentIndex(index)
    assert tab.show_report(), recorded_errors.messages
    assert tab.current_table().title.startswith("Attendance of Bob Smith")
    assert tab.summary.figures()["Late"] == "1"


def test_switching_the_view_clears_the_report_disables_export_and_show_stays_put(
        qtbot, tab):
    tab.resize(1100, 700)
    tab.show()
    tab.filters.session_combo.setCurrentIndex(tab.filters.session_combo.findText("Math 101"))
    assert tab.show_report() and tab.export_button.isEnabled()
    show_x = tab.show_button.mapTo(tab, tab.show_button.rect().topLeft()).x()
    tab.filters.set_view("group")
    qtbot.wait(50)
    assert tab.tables == [] and tab.model.rowCount() == 0
    assert not tab.export_button.isEnabled()
    assert tab.show_button.mapTo(tab, tab.show_button.rect().topLeft()).x() == show_x
