"""Group report: a people x sessions matrix of status codes over a date range."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

from attendance_app.reporting.report_inputs import GroupAttendance, SessionAttendance
from attendance_app.reporting.report_table import (
    NO_RECORDS, ChartData, Column, ReportTable, SummaryValue)
from attendance_app.reporting.session_outcomes import (
    STATUS_CODES, STATUS_LEGEND, Outcome, attendance_rate, session_label, session_outcomes)


def build_group_report(attendance: GroupAttendance,
                       generated_at: datetime | None = None) -> ReportTable:
    """Rows: members (by name), then anyone else recorded in the group's sessions. Columns:
    name, external id, one status-code column per session (oldest first; empty = not expected
    there), and the person's attendance rate. The summary and the chart hold the rate per
    session; the summary also gives the overall rate."""
    sessions = sorted((s for s in attendance.sessions
                       if attendance.period.contains(s.session.started_at)),
                      key=lambda s: s.session.started_at)
    per_session = [{o.key: o for o in session_outcomes(s)} for s in sessions]
    people = _people(attendance, per_session)
    labels = _unique([session_label(s) for s in sessions])
    columns = (Column("Name"), Column("External ID"), *(Column(label) for label in labels),
               Column("Attendance rate", "percent"))
    rows = []
    for key, name, external_id in people:
        cells = [by_id.get(key) for by_id in per_session]
        codes = [STATUS_CODES[o.status] if o else "" for o in cells]
        rate = attendance_rate(o.status for o in cells if o)
        rows.append((name, external_id or "", *codes, rate))
    summary: dict[str, SummaryValue] = {}
    if not sessions:
        summary["Result"] = NO_RECORDS
    summary["Members"] = len(attendance.members)
    summary["Sessions"] = len(sessions)
    overall = attendance_rate(o.status for by_id in per_session for o in by_id.values())
    summary["Overall attendance rate"] = overall if overall is not None else "n/a"
    session_rates = [attendance_rate(o.status for o in by_id.values()) for by_id in per_session]
    for label, rate in zip(labels, session_rates):
        summary[f"Rate {label}"] = rate if rate is not None else "n/a"
    chart = None
    if sessions:
        chart = ChartData(tuple(labels), tuple(r or 0.0 for r in session_rates),
                          "Attendance rate per session")
    return ReportTable(
        title=f"Group report: {attendance.group}",
        subtitle=f"Period {attendance.period.label}. Codes: {STATUS_LEGEND}",
        generated_at=generated_at or datetime.now(),
        columns=columns, rows=tuple(rows), summary=summary, chart=chart, sheet_name="Group")


def _people(attendance: GroupAttendance,
            per_session: list[dict[Hashable, Outcome]]) -> list[tuple[Hashable, str, str | None]]:
    """Members sorted by name, then people only seen in the records (by stored name)."""
    people: list[tuple[Hashable, str, str | None]] = [(m.person_id, m.name, m.external_id)
              for m in sorted(attendance.members, key=lambda m: (m.name.casefold(), m.name))]
    known = {key for key, _, _ in people}
    extras: dict[Hashable, Outcome] = {}
    for by_key in per_session:
        for key, outcome in by_key.items():
            if key not in known:
                extras[key] = outcome
    people += [(key, o.display_name, o.external_id)
               for key, o in sorted(extras.items(), key=lambda i: i[1].name.casefold())]
    return people


def _unique(labels: list[str]) -> list[str]:
    """Two sessions with the same start and name still get distinct column headings."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return result
