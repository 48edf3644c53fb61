"""The four report views built from known domain objects."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from attendance_app.domain.attendance import AttendanceStatus, LivenessCheck
from attendance_app.domain.errors import ValidationError
from attendance_app.reporting.group_report import build_group_report
from attendance_app.reporting.person_report import PERSON_COLUMNS, build_person_report
from attendance_app.reporting.report_inputs import (
    DateRange, GroupAttendance, PersonAttendance, SessionAttendance, UnknownFaceEvent,
    UnknownFaceLog)
from attendance_app.reporting.report_table import NO_RECORDS
from attendance_app.reporting.session_report import build_session_report
from attendance_app.reporting.unknown_faces_report import build_unknown_faces_report

from .sample_data import (
    ADA, DMITRY, GENERATED_AT, GROUP, LI, ROSTER, SMITH, ZOE, math_session, session)

NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))


def _by_name(table, name):
    names = [row[0] for row in table.rows]
    return dict(zip((c.name for c in table.columns), table.rows[names.index(name)]))


def test_session_report_lists_every_roster_member_and_everyone_recorded():
    table = build_session_report(math_session(), GENERATED_AT)
    names = [row[0] for row in table.rows]
    assert all(entry.name in names for entry in ROSTER)
    assert "Alan Turing" in names
    assert len(names) == len(ROSTER) + 2  # plus the deleted person and the visitor


def test_session_report_applies_corrections_and_their_undo():
    table = build_session_report(math_session(), GENERATED_AT)
    li = _by_name(table, "李雷")
    assert li["Status"] == "excused" and li["Recorded as"] == "absent"
    assert "alice" in li["Corrections"] and "doctor's note" in li["Corrections"]
    smith = _by_name(table, 'Smith, John "Jack"')
    assert smith["Status"] == "present"
    assert "undo" in smith["Corrections"] and "mark_absent" in smith["Corrections"]


def test_roster_member_never_seen_is_absent_without_time():
    row = _by_name(build_session_report(math_session(), GENERATED_AT), "Дмитрий")
    assert row["Status"] == "absent" and row["Time"] is None and row["Similarity"] is None


def test_deleted_person_appears_under_the_stored_name():
    row = _by_name(build_session_report(math_session(), GENERATED_AT), "Grace Hopper (deleted)")
    assert row["Status"] == "present" and row["Time"] == datetime(2026, 11, 26, 9, 3)


def test_late_arrival_keeps_time_and_similarity():
    row = _by_name(build_session_report(math_session(), GENERATED_AT), "Zoë Ångström")
    assert row["Status"] == "late"
    assert row["Time"] == datetime(2026, 11, 26, 9, 15) and row["Similarity"] == pytest.approx(0.78)


def test_session_summary_counts_statuses_and_rate_leaves_out_excused_and_visitors():
    summary = build_session_report(math_session(), GENERATED_AT).summary
    assert (summary["Present"], summary["Late"], summary["Absent"], summary["Excused"],
            summary["Present (not on roster)"]) == (4, 1, 1, 1, 1)
    # attended (4 present + 1 late) over expected (those + 1 absent)
    assert summary["Attendance rate"] == pytest.approx(5 / 6)


def test_session_without_roster_or_records_is_a_valid_table_saying_no_records():
    empty = SessionAttendance(session(3))
    table = build_session_report(empty, GENERATED_AT)
    assert table.is_empty and table.summary["Result"] == NO_RECORDS
    assert table.summary["Attendance rate"] == "n/a" and table.chart is None


def _three_sessions() -> list[SessionAttendance]:
    first = math_session(day=3, session_id=1)
    second = math_session(day=10, session_id=2)
    # in the third session Ada is late and Zoë is absent
    third = math_session(day=17, session_id=3)
    records = [r for r in third.records if r.person_id != ZOE]
    records = [replace(r, status=AttendanceStatus.LATE) if r.person_id == ADA else r
               for r in records]
    return [first, second, replace(third, records=records)]


def test_person_report_rows_are_the_persons_sessions_in_the_period_oldest_first():
    outside = math_session(day=2, session_id=9)
    outside = replace(outside, session=replace(outside.session,
                                               started_at=datetime(2026, 10, 30, 9, 0),
                                               late_after=None, planned_end=None, ended_at=None))
    person = PersonAttendance(ROSTER[1], NOVEMBER, [*_three_sessions()[::-1], outside])
    table = build_person_report(person, GENERATED_AT)
    assert [row[0] for row in table.rows] == [date(2026, 11, 3), date(2026, 11, 10),
                                              date(2026, 11, 17)]
    assert [row[2] for row in table.rows] == ["late", "late", "absent"]
    assert table.summary["Sessions"] == 3 and table.summary["Late"] == 2
    assert table.summary["Attended"] == 2 and table.summary["Absent"] == 1
    assert table.summary["Attendance rate"] == pytest.approx(2 / 3)


def test_person_report_shows_each_records_liveness_mark():
    sessions = _three_sessions()
    flagged = [replace(r, liveness=LivenessCheck.NOT_SHOWN) if r.person_id == ADA else r
               for r in sessions[1].records]
    sessions[1] = replace(sessions[1], records=flagged)
    ada = next(entry for entry in ROSTER if entry.person_id == ADA)
    rows = build_person_report(PersonAttendance(ada, NOVEMBER, sessions), GENERATED_AT).rows
    column = [c.name for c in PERSON_COLUMNS].index("Liveness")
    assert [row[column] for row in rows] == ["", "liveness not shown", ""]


def test_person_report_of_an_excused_person_leaves_excused_sessions_out_of_the_rate():
    table = build_person_report(PersonAttendance(ROSTER[3], NOVEMBER, _three_sessions()),
                                GENERATED_AT)
    assert table.summary["Excused"] == 3 and table.summary["Attendance rate"] == "n/a"


def test_person_report_with_no_sessions_says_no_records():
    table = build_person_report(PersonAttendance(ROSTER[0], NOVEMBER, []), GENERATED_AT)
    assert table.is_empty and table.summary["Result"] == NO_RECORDS


def test_date_range_from_after_to_is_refused():
    with pytest.raises(ValidationError, match="2026-11-30 after it ends 2026-11-01"):
        DateRange(date(2026, 11, 30), date(2026, 11, 1))


def test_group_report_is_a_people_by_sessions_matrix_of_status_codes():
    table = build_group_report(GroupAttendance(GROUP, NOVEMBER, ROSTER, _three_sessions()),
                               GENERATED_AT)
    headings = [c.name for c in table.columns]
    assert headings[2:5] == ["2026-11-03 09:00 Math 101", "2026-11-10 09:00 Math 101",
                             "2026-11-17 09:00 Math 101"]
    assert _by_name(table, "Ada Lovelace")["2026-11-17 09:00 Math 101"] == "L"
    assert [_by_name(table, "Zoë Ångström")[h] for h in headings[2:5]] == ["L", "L", "A"]
    assert [_by_name(table, "Дмитрий")[h] for h in headings[2:5]] == ["A", "A", "A"]
    assert _by_name(table, "李雷")[headings[2]] == "E"
    assert _by_name(table, "Alan Turing")[headings[2]] == "N"
    assert _by_name(table, "Grace Hopper (deleted)")[headings[2]] == "P"


def test_group_report_gives_a_rate_per_person_and_per_session():
    sessions = _three_sessions()
    table = build_group_report(GroupAttendance(GROUP, NOVEMBER, ROSTER, sessions), GENERATED_AT)
    assert _by_name(table, "Zoë Ångström")["Attendance rate"] == pytest.approx(2 / 3)
    assert _by_name(table, "Дмитрий")["Attendance rate"] == pytest.approx(0.0)
    # each session alone matches the session report's rate
    for session_attendance, label in zip(sessions, table.chart.labels):
        expected = build_session_report(session_attendance).summary["Attendance rate"]
        assert table.summary[f"Rate {label}"] == pytest.approx(expected)
    assert list(table.chart.values) == [pytest.approx(5 / 6), pytest.approx(5 / 6),
                                        pytest.approx(4 / 6)]


def test_group_report_without_sessions_says_no_records():
    table = build_group_report(GroupAttendance(GROUP, NOVEMBER, ROSTER, []), GENERATED_AT)
    assert table.summary["Result"] == NO_RECORDS and table.chart is None
    assert all(row[-1] is None for row in table.rows)


def test_unknown_faces_report_lists_events_in_the_period_with_best_guess():
    events = [
        UnknownFaceEvent(datetime(2026, 11, 26, 9, 7), "Math 101", "Ada Lovelace", 0.52, "open"),
        UnknownFaceEvent(datetime(2026, 11, 3, 9, 1), "Math 101", None, None, "dismissed"),
        UnknownFaceEvent(datetime(2026, 12, 1, 9, 1), "Math 101", "Дмитрий", 0.4, "open"),
    ]
    table = build_unknown_faces_report(UnknownFaceLog(NOVEMBER, events), GENERATED_AT)
    assert [row[0] for row in table.rows] == [datetime(2026, 11, 3, 9, 1),
                                              datetime(2026, 11, 26, 9, 7)]
    assert table.rows[1][2:] == ("Ada Lovelace", 0.52, "open")
    assert table.summary["Unknown faces"] == 2 and table.summary["Status open"] == 1


def test_unknown_faces_report_with_no_events_says_no_records():
    table = build_unknown_faces_report(UnknownFaceLog(NOVEMBER, []), GENERATED_AT)
    assert table.is_empty and table.summary["Result"] == NO_RECORDS


def test_two_deleted_people_in_one_session_stay_two_rows():
    attendance = math_session()
    twin = replace(attendance.records[-2], person_name="Grace Brewster", external_id="S8",
                   id=999)
    table = build_session_report(replace(attendance, records=[*attendance.records, twin]),
                                 GENERATED_AT)
    names = [row[0] for row in table.rows]
    assert "Grace Hopper (deleted)" in names and "Grace Brewster (deleted)" in names
