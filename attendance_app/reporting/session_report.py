"""Session report: every roster member and everyone recorded in one session."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from attendance_app.domain.attendance import AttendanceStatus
from attendance_app.reporting.report_inputs import SessionAttendance
from attendance_app.reporting.report_table import (
    NO_RECORDS, ChartData, Column, ReportTable, SummaryValue)
from attendance_app.reporting.session_outcomes import (
    Outcome, attendance_rate, corrections_text, format_datetime, session_outcomes)

SESSION_COLUMNS = (
    Column("Name"), Column("External ID"), Column("Group"), Column("Status"),
    Column("Time", "datetime"), Column("Similarity", "percent"), Column("Recorded as"),
    Column("Source"), Column("Liveness"), Column("Corrections"),
)


def build_session_report(attendance: SessionAttendance,
                         generated_at: datetime | None = None) -> ReportTable:
    """One row per person (see session_outcomes for the order and the absent rule), with the
    effective status, arrival time, similarity (a fraction), the originally recorded status,
    the liveness mark (issue 15: live / liveness not shown / confirmed by teacher; empty when
    not checked) and the corrections. The summary counts each status and gives the attendance rate."""
    session = attendance.session
    outcomes = session_outcomes(attendance)
    rows = tuple(_row(o) for o in outcomes)
    counts = Counter(o.status for o in outcomes)
    summary: dict[str, SummaryValue] = {}
    if not outcomes:
        summary["Result"] = NO_RECORDS
    summary["Expected (roster)"] = len(attendance.roster)
    for status in AttendanceStatus:
        summary[status.value.capitalize()] = counts.get(status, 0)
    rate = attendance_rate(o.status for o in outcomes)
    summary["Attendance rate"] = rate if rate is not None else "n/a"
    chart = None
    if outcomes:
        chart = ChartData(tuple(s.value for s in AttendanceStatus),
                          tuple(float(counts.get(s, 0)) for s in AttendanceStatus),
                          "People by status", value_kind="int")
    return ReportTable(
        title=f"Session report: {session.name}",
        subtitle=_period(attendance),
        generated_at=generated_at or datetime.now(),
        columns=SESSION_COLUMNS, rows=rows, summary=summary, chart=chart,
        sheet_name="Session",
        csv_context=(("Session", session.name), ("Session start", session.started_at)))


# an absent or excused person did not arrive: the time of their record (the session's close,
# or when someone corrected it) is not an arrival time, so the Time cell stays empty
_NO_ARRIVAL = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)


def _row(outcome: Outcome) -> tuple:
    record = outcome.record
    return (
        outcome.display_name, outcome.external_id or "", outcome.group or "",
        outcome.status.value,
        record.arrival_time if record and outcome.status not in _NO_ARRIVAL else None,
        record.similarity if record else None,
        record.status.value if record else "(no record)",
        record.source.value if record else "",
        record.liveness.value if record and record.liveness else "",
        corrections_text(record.corrections) if record else "",
    )


def _period(attendance: SessionAttendance) -> str:
    session = attendance.session
    text = f"Session of {format_datetime(session.started_at)}"
    end = session.ended_at or session.planned_end
    if end is not None:
        text += f" to {end:%H:%M}" if end.date() == session.started_at.date() \
            else f" to {format_datetime(end)}"
    if session.roster_group:
        text += f", roster: {session.roster_group}"
    if session.late_after is not None:
        text += f", late after {session.late_after:%H:%M}"
    return text
