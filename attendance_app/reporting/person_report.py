"""Person report: one person's sessions over a date range."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from attendance_app.domain.attendance import AttendanceStatus
from attendance_app.reporting.report_inputs import PersonAttendance, SessionAttendance
from attendance_app.reporting.report_table import (
    NO_RECORDS, ChartData, Column, ReportTable, SummaryValue)
from attendance_app.reporting.session_outcomes import (
    Outcome, attendance_rate, corrections_text, session_outcomes)

PERSON_COLUMNS = (
    Column("Date", "date"), Column("Session"), Column("Status"), Column("Time", "datetime"),
    Column("Similarity", "percent"), Column("Liveness"), Column("Corrections"),
)


def build_person_report(attendance: PersonAttendance,
                        generated_at: datetime | None = None) -> ReportTable:
    """One row per session in the period where the person was on the roster or recorded,
    oldest first, with the record's liveness mark as in the session report (empty when not
    checked). The summary gives sessions, attended, late, absent, excused and the rate."""
    person = attendance.person
    found = [(s, o) for s in _in_period(attendance) if (o := _outcome_of(s, person.person_id))]
    rows = tuple(_row(s, o) for s, o in found)
    counts = Counter(o.status for _, o in found)
    attended = sum(n for status, n in counts.items() if status.counts_as_attended)
    summary: dict[str, SummaryValue] = {}
    if not found:
        summary["Result"] = NO_RECORDS
    summary["Sessions"] = len(found)
    summary["Attended"] = attended
    summary["Late"] = counts.get(AttendanceStatus.LATE, 0)
    summary["Absent"] = counts.get(AttendanceStatus.ABSENT, 0)
    summary["Excused"] = counts.get(AttendanceStatus.EXCUSED, 0)
    rate = attendance_rate(o.status for _, o in found)
    summary["Attendance rate"] = rate if rate is not None else "n/a"
    chart = None
    if found:
        shown = [s for s in AttendanceStatus if counts.get(s)]
        chart = ChartData(tuple(s.value for s in shown),
                          tuple(float(counts[s]) for s in shown),
                          "Sessions by status", value_kind="int")
    label = f"{person.name} ({person.external_id})" if person.external_id else person.name
    return ReportTable(
        title=f"Attendance of {label}",
        subtitle=f"Period {attendance.period.label}" + (
            f", group {person.group}" if person.group else ""),
        generated_at=generated_at or datetime.now(),
        columns=PERSON_COLUMNS, rows=rows, summary=summary, chart=chart, sheet_name="Person")


def _in_period(attendance: PersonAttendance) -> list[SessionAttendance]:
    sessions = [s for s in attendance.sessions if attendance.period.contains(s.session.started_at)]
    return sorted(sessions, key=lambda s: s.session.started_at)


def _outcome_of(session: SessionAttendance, person_id: int) -> Outcome | None:
    return next((o for o in session_outcomes(session) if o.key == person_id), None)


def _row(session: SessionAttendance, outcome: Outcome) -> tuple:
    record = outcome.record
    return (
        session.session.started_at.date(), session.session.name, outcome.status.value,
        record.arrival_time if record else None, record.similarity if record else None,
        record.liveness.value if record and record.liveness else "",
        corrections_text(record.corrections) if record else "",
    )
