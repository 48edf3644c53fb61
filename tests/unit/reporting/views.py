"""One finished table of each view, built from the sample data, for the exporter tests."""

from __future__ import annotations

from datetime import date, datetime

from attendance_app.reporting.group_report import build_group_report
from attendance_app.reporting.person_report import build_person_report
from attendance_app.reporting.report_inputs import (
    DateRange, GroupAttendance, PersonAttendance, UnknownFaceEvent, UnknownFaceLog)
from attendance_app.reporting.report_table import ReportTable
from attendance_app.reporting.session_report import build_session_report
from attendance_app.reporting.unknown_faces_report import build_unknown_faces_report

from .sample_data import FORMULA_NAME, GENERATED_AT, GROUP, ROSTER, big_session, math_session

NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))


def all_views() -> dict[str, ReportTable]:
    sessions = [math_session(day, session_id=i) for i, day in enumerate((3, 10, 17, 26), 1)]
    events = [UnknownFaceEvent(datetime(2026, 11, 26, 9, 7), "Math 101", FORMULA_NAME, 0.52),
              UnknownFaceEvent(datetime(2026, 11, 3, 9, 1), "Math 101", None, None, "dismissed")]
    return {
        "session": build_session_report(math_session(), GENERATED_AT),
        "person": build_person_report(PersonAttendance(ROSTER[1], NOVEMBER, sessions),
                                      GENERATED_AT),
        "group": build_group_report(GroupAttendance(GROUP, NOVEMBER, ROSTER, sessions),
                                    GENERATED_AT),
        "unknown": build_unknown_faces_report(UnknownFaceLog(NOVEMBER, events), GENERATED_AT),
    }


def long_session_table(people: int = 80) -> ReportTable:
    return build_session_report(big_session(people), GENERATED_AT)


def empty_table() -> ReportTable:
    return build_unknown_faces_report(UnknownFaceLog(NOVEMBER, []), GENERATED_AT)
