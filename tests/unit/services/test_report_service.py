"""ReportService over a real database: who is expected, what counts, and what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.reporting.report_table import NO_RECORDS, ReportTable
from attendance_app.services.report_service import ReportService
from attendance_app.storage.database import open_database
from report_fixtures import (
    COMMA_NAME, DMITRY, FORMULA_NAME, GRACE, GROUP, GROUP_MATRIX, GROUP_OVERALL_RATE,
    GROUP_SESSION_RATES, NOVEMBER, SESSION_DAY, SESSION_MORNING, SESSION_MORNING_RATE,
    SESSION_NAME, ZOE, ZOE_NOVEMBER, ZOE_NOVEMBER_STATUSES, ReportDatabase,
    build_report_database)

GENERATED = datetime(2026, 12, 2, 8, 0)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> ReportDatabase:
    # built once: the service only reads it (each fsync'd write costs time)
    return build_report_database(tmp_path_factory.mktemp("reports") / "data")


@pytest.fixture
def service(stored: ReportDatabase) -> Iterator[ReportService]:
    with open_database(stored.db_path) as db:
        yield ReportService(db, clock=lambda: GENERATED)


def _column(table: ReportTable, name: str) -> list:
    index = [c.name for c in table.columns].index(name)
    return [row[index] for row in table.rows]


def _by_name(table: ReportTable) -> dict[str, tuple]:
    return {row[0]: row for row in table.rows}


def test_a_session_report_lists_roster_members_and_recorded_people_with_effective_status(
        service: ReportService) -> None:
    morning = service.session_reports(SESSION_NAME, SESSION_DAY, time(9, 0))[0]
    statuses = dict(zip(_column(morning, "Name"), _column(morning, "Status")))
    assert statuses == SESSION_MORNING
    assert morning.summary["Attendance rate"] == pytest.approx(SESSION_MORNING_RATE)
    assert morning.summary["Expected (roster)"] == 6
    assert morning.generated_at == GENERATED


def test_the_undone_correction_and_the_deleted_persons_stored_name_show_in_the_session(
        service: ReportService) -> None:
    morning = service.session_reports(SESSION_NAME, SESSION_DAY, time(9, 0))[0]
    grace = _by_name(morning)[f"{GRACE} (deleted)"]
    corrections = grace[[c.name for c in morning.columns].index("Corrections")]
    assert "mark_present -> present" in corrections and "undo" in corrections


def test_someone_enrolled_after_a_session_started_was_not_expected_at_it(
        service: ReportService) -> None:
    first = service.session_reports(SESSION_NAME, date(2026, 11, 3))[0]
    assert "Newcomer" not in _column(first, "Name")
    assert first.summary["Expected (roster)"] == 5
    assert first.summary["Attendance rate"] == pytest.approx(4 / 5)
    assert first.summary["Excused"] == 1


def test_two_sessions_of_one_name_on_one_day_give_one_table_each_with_distinct_sheets(
        service: ReportService) -> None:
    tables = service.session_reports(SESSION_NAME, SESSION_DAY)
    assert [t.summary["Attendance rate"] for t in tables] == pytest.approx(
        list(GROUP_SESSION_RATES[1:]))
    assert [t.sheet_name for t in tables] == ["Session 09.00", "Session 14.00"]


def test_session_report_takes_the_latest_session_of_the_day_and_says_so(
        service: ReportService) -> None:
    table = service.session_report("math 101", SESSION_DAY)
    assert table.summary["Attendance rate"] == pytest.approx(1 / 6)
    assert "latest of 2 sessions" in table.subtitle and "09:00" in table.subtitle


def test_an_unknown_session_is_refused_naming_the_sessions_of_that_day(
        service: ReportService) -> None:
    with pytest.raises(NotFoundError, match=r"'Math 101' at 09:00.*'Math 101' at 14:00"):
        service.session_report("Chemistry", SESSION_DAY)
    with pytest.raises(NotFoundError, match="none"):
        service.session_report(SESSION_NAME, date(2026, 11, 27))
    with pytest.raises(NotFoundError):
        service.session_reports(SESSION_NAME, SESSION_DAY, time(11, 0))


def test_a_person_report_counts_every_session_they_were_expected_at_or_recorded_in(
        service: ReportService) -> None:
    table = service.person_report("S2", *NOVEMBER)
    assert table.title == f"Attendance of {ZOE} (S2)"
    assert _column(table, "Status") == ZOE_NOVEMBER_STATUSES
    assert _column(table, "Session") == [SESSION_NAME, "Physics", SESSION_NAME, SESSION_NAME]
    for key, value in ZOE_NOVEMBER.items():
        assert table.summary[key] == pytest.approx(value), key


def test_a_person_can_be_named_by_name_and_the_period_bounds_are_inclusive_days(
        service: ReportService) -> None:
    december = service.person_report("Ada Lovelace", date(2026, 12, 1), date(2026, 12, 1))
    assert _column(december, "Date") == [date(2026, 12, 1)]
    excused = service.person_report(DMITRY, *NOVEMBER)
    assert _column(excused, "Status") == ["excused", "present", "absent"]
    assert excused.summary["Attendance rate"] == pytest.approx(1 / 2)


def test_a_group_report_matrix_matches_the_hand_worked_figures(service: ReportService) -> None:
    table = service.group_report(GROUP, *NOVEMBER)
    rows = _by_name(table)
    assert set(rows) == set(GROUP_MATRIX)
    for name, (*codes, rate) in GROUP_MATRIX.items():
        assert list(rows[name][2:5]) == codes, name
        assert rows[name][5] == (pytest.approx(rate) if rate is not None else None), name
    assert table.summary["Members"] == 6
    assert table.summary["Sessions"] == 3
    assert table.summary["Overall attendance rate"] == pytest.approx(GROUP_OVERALL_RATE)
    assert table.chart is not None
    assert table.chart.values == pytest.approx(GROUP_SESSION_RATES)


def test_a_group_period_without_sessions_gives_an_empty_report_that_says_so(
        service: ReportService) -> None:
    table = service.group_report(GROUP, date(2027, 1, 1), date(2027, 1, 31))
    assert table.summary["Result"] == NO_RECORDS
    assert len(table.rows) == 6  # the members, none expected anywhere


def test_unknown_faces_report_covers_session_and_sessionless_faces_in_the_period(
        service: ReportService) -> None:
    table = service.unknown_faces_report(*NOVEMBER)
    assert _column(table, "Time") == [datetime(2026, 11, 3, 9, 20),
                                      datetime(2026, 11, 15, 12, 0),
                                      datetime(2026, 11, 26, 9, 30)]
    assert _column(table, "Status") == ["dismissed", "open", "open"]
    assert _column(table, "Best guess") == ["", "", "Ada Lovelace"]
    assert _column(table, "Session") == [SESSION_NAME, "(no session)", SESSION_NAME]


@pytest.mark.parametrize("call", [
    lambda s: s.person_report("S1", date(2026, 11, 30), date(2026, 11, 1)),
    lambda s: s.group_report(GROUP, date(2026, 11, 30), date(2026, 11, 1)),
    lambda s: s.unknown_faces_report(date(2026, 11, 30), date(2026, 11, 1)),
])
def test_a_period_that_starts_after_it_ends_is_refused(service: ReportService, call) -> None:
    with pytest.raises(ValidationError, match="after it ends"):
        call(service)


def test_unknown_people_and_groups_are_refused_listing_the_known_groups(
        service: ReportService) -> None:
    with pytest.raises(NotFoundError):
        service.person_report("S99", *NOVEMBER)
    with pytest.raises(NotFoundError, match="Class 7B, Class 8A"):
        service.group_report("Class 9Z", *NOVEMBER)


def test_export_writes_the_tables_and_tricky_names_reach_the_csv_safely(
        service: ReportService, tmp_path: Path) -> None:
    import csv

    path = service.export(service.group_report(GROUP, *NOVEMBER), "csv", tmp_path / "g.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        names = [row[0] for row in csv.reader(handle)][1:]
    assert COMMA_NAME in names and ZOE in names and DMITRY in names
    assert "'" + FORMULA_NAME in names  # neutralised, never a live formula
