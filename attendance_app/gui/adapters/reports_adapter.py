"""ServicesReports: the ReportsBackend over AppServices. It reads the database only (no models,
no torch), so it is cheap to build on its own (tests). GUI thread unless noted."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.reporting.report_table import ReportTable
from attendance_app.services.app_services import AppServices
from attendance_app.services.report_service import ReportService


class ServicesReports:
    def __init__(self, services: AppServices) -> None:
        self.services = services

    def report_sessions(self) -> list[Session]:
        return self.services.attendance.sessions(limit=100_000)[::-1]

    def report_people(self) -> list[Person]:
        return self.services.people_repository.list_all()

    def report_groups(self) -> list[str]:
        return self.services.reports.known_groups()

    def session_reports(self, name: str, on: date, at: time | None) -> list[ReportTable]:
        return self.services.reports.session_reports(name, on, at)

    def session_report_by_id(self, session_id: int) -> ReportTable:
        return self.services.reports.session_report_by_id(session_id)

    def person_report(self, who: int | str, start: date, end: date) -> ReportTable:
        return self.services.reports.person_report(who, start, end)  # type: ignore[arg-type]

    def group_report(self, group: str, start: date, end: date) -> ReportTable:
        return self.services.reports.group_report(group, start, end)

    def unknown_faces_report(self, start: date, end: date) -> ReportTable:
        return self.services.reports.unknown_faces_report(start, end)

    def export_report(self, tables: list[ReportTable], fmt: str, path: Path) -> Path:
        """Any thread: writes already-built tables, touches no database."""
        return ReportService.export(tables, fmt, path)
