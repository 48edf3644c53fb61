"""Unknown-faces report: faces seen that matched nobody, with the closest guess."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from attendance_app.reporting.report_inputs import UnknownFaceLog
from attendance_app.reporting.report_table import (
    NO_RECORDS, ChartData, Column, ReportTable, SummaryValue)

UNKNOWN_COLUMNS = (
    Column("Time", "datetime"), Column("Session"), Column("Best guess"),
    Column("Similarity", "percent"), Column("Status"),
)


def build_unknown_faces_report(log: UnknownFaceLog,
                               generated_at: datetime | None = None) -> ReportTable:
    """One row per event in the period, oldest first; the summary counts events per review
    status and the chart counts events per session."""
    events = sorted((e for e in log.events if log.period.contains(e.time)), key=lambda e: e.time)
    rows = tuple((e.time, e.session_name, e.best_guess_name or "", e.similarity, e.status)
                 for e in events)
    summary: dict[str, SummaryValue] = {}
    if not events:
        summary["Result"] = NO_RECORDS
    summary["Unknown faces"] = len(events)
    for status, count in sorted(Counter(e.status for e in events).items()):
        summary[f"Status {status}"] = count
    per_session = Counter(e.session_name for e in events)
    chart = None
    if events:
        chart = ChartData(tuple(per_session), tuple(float(n) for n in per_session.values()),
                          "Unknown faces per session", value_kind="int")
    return ReportTable(
        title="Unknown faces", subtitle=f"Period {log.period.label}",
        generated_at=generated_at or datetime.now(),
        columns=UNKNOWN_COLUMNS, rows=rows, summary=summary, chart=chart,
        sheet_name="Unknown faces")
