"""ReportsTab: pick a view and its filters, see the report's figures, table and chart, export it.

Threads (DESIGN.md section 3): "Show" builds the ReportTable(s) in the GUI thread — the
SQLite connection belongs to it and building is fast. "Export…" hands the already-built,
immutable tables to the task runner, where `backend.export_report` writes them (CSV, XLSX or
PDF, atomically) without touching the database. A failure of either step is shown through the
ErrorPresenter and the tab keeps the last report it showed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel,
                               QPushButton, QSplitter, QTableView, QTabBar, QVBoxLayout, QWidget)

from attendance_app.domain.errors import ValidationError
from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.widgets.report_chart import ReportChart
from attendance_app.gui.widgets.report_filters import ReportFilters, ReportRequest
from attendance_app.gui.widgets.report_summary import ReportSummary
from attendance_app.gui.widgets.report_table_model import ReportTableModel
from attendance_app.reporting.report_table import ReportTable

# (filter text, format); the first is the default.
FILE_FILTERS: tuple[tuple[str, str], ...] = (
    ("PDF document (*.pdf)", "pdf"),
    ("Excel workbook (*.xlsx)", "xlsx"),
    ("CSV, one table (*.csv)", "csv"),
)


class ReportsTab(QWidget):
    def __init__(self, runner: TaskRunner, errors: ErrorPresenter,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._errors = errors
        self._backend: GuiBackend | None = None
        self._tables: list[ReportTable] = []
        self._request: ReportRequest | None = None
        self._export_dir = Path.home()
        self._export_filter = FILE_FILTERS[0][0]
        self.last_export: Path | None = None
        self.exporting = False

        self.filters = ReportFilters(today)
        self.show_button = QPushButton("Show")
        self.show_button.setDefault(True)
        self.export_button = QPushButton("Export…")
        top = QHBoxLayout()
        # the filters take the free width, so Show keeps its place whatever the view's fields
        # (issue 13 item 10: it used to jump sideways when the view changed)
        top.addWidget(self.filters, 1)
        top.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.summary = ReportSummary()
        self.table_tabs = QTabBar()  # several sessions of one name on one day: one tab each
        self.table_tabs.setVisible(False)
        self.model = ReportTableModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setSortingEnabled(True)
        self.table_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setWordWrap(False)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.horizontalHeader().setStretchLastSection(True)
        self.chart = ReportChart()
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(0)
        table_layout.addWidget(self.table_tabs)
        table_layout.addWidget(self.table_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setVisible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.open_folder_button)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        self.show_button.clicked.connect(self.show_report)
        self.export_button.clicked.connect(self.export)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.table_tabs.currentChanged.connect(self._show_table)
        self.filters.view_changed.connect(lambda _v: self.clear_report())
        self._update_buttons()

    # ------------------------------------------------------------------ data
    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        self.refresh()

    def refresh(self) -> None:
        """Refill the sessions, people and groups lists (keeps the user's current choice)."""
        if self._backend is None:
            return
        try:
            sessions = self._backend.report_sessions()
            people = self._backend.report_people()
            groups = self._backend.report_groups()
        except Exception as exc:
            self._errors.present("Could not read the sessions, people and groups", exc)
            return
        self.filters.set_sessions(sessions)
        self.filters.set_people(people)
        self.filters.set_groups(groups)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()  # sessions may have been held and people enrolled since

    @property
    def tables(self) -> list[ReportTable]:
        return list(self._tables)

    def current_table(self) -> ReportTable | None:
        return self.model.table

    # ------------------------------------------------------------------ show
    def show_report(self) -> bool:
        """Build the chosen report in this (the GUI) thread; False (and a message) on error,
        in which case the report shown before stays."""
        if self._backend is None:
            self._set_status("The database is still opening; try again in a moment.")
            return False
        request = self.filters.request()
        try:
            tables = self._build(request)
        except Exception as exc:
            self._errors.present("Could not build the report", exc)
            return False
        self._request = request
        self._tables = tables
        self.table_tabs.blockSignals(True)
        while self.table_tabs.count():
            self.table_tabs.removeTab(0)
        for t in tables:
            self.table_tabs.addTab(t.short_name)
        self.table_tabs.setCurrentIndex(0)
        self.table_tabs.blockSignals(False)
        self.table_tabs.setVisible(len(tables) > 1)
        self._show_table(0)
        self._set_status(f"Showing {tables[0].title}" + (
            f" ({len(tables)} sessions)" if len(tables) > 1 else ""))
        self._update_buttons()
        return True

    def clear_report(self) -> None:
        """Nothing shown: a report of another view must not stay on screen, exportable."""
        self._tables, self._request = [], None
        self.table_tabs.blockSignals(True)
        while self.table_tabs.count():
            self.table_tabs.removeTab(0)
        self.table_tabs.blockSignals(False)
        self.table_tabs.setVisible(False)
        self.model.set_table(None)
        self.summary.set_table(None)
        self.chart.set_chart(None, "Choose the filters, then press Show.")
        self._set_status("")
        self._update_buttons()

    def _build(self, r: ReportRequest) -> list[ReportTable]:
        backend = self._backend
        assert backend is not None
        if r.view == "session":
            if not r.session_name:
                raise _input_error("pick or type a session name")
            assert r.session_date is not None
            return backend.session_reports(r.session_name, r.session_date, r.session_time)
        assert r.start is not None and r.end is not None
        if r.view == "person":
            if r.person == "":
                raise _input_error("pick or type a person (name, id or external id)")
            return [backend.person_report(r.person, r.start, r.end)]
        if r.view == "group":
            if not r.group:
                raise _input_error("pick or type a group")
            return [backend.group_report(r.group, r.start, r.end)]
        return [backend.unknown_faces_report(r.start, r.end)]

    def _show_table(self, index: int) -> None:
        if not 0 <= index < len(self._tables):
            return
        table = self._tables[index]
        self.model.set_table(table)
        self.summary.set_table(table)
        header = self.table_view.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table_view.resizeColumnsToContents()
        for column in range(self.model.columnCount()):  # long corrections text: cap it
            if header.sectionSize(column) > 320:
                header.resizeSection(column, 320)
        header.setStretchLastSection(False)  # re-apply: sizing to contents undid the stretch
        header.setStretchLastSection(True)
        self.chart.set_chart(table.chart, "No records in this report." if table.is_empty
                             else "No chart for this report.")

    # ------------------------------------------------------------------ export
    def default_file_name(self) -> str:
        """A file name without extension that says what the report is, e.g.
        session_Math-101_2026-11-26."""
        r = self._request
        if r is None:
            return "report"
        if r.view == "session":
            parts = ["session", r.session_name, f"{r.session_date}"]
            if r.session_time is not None:
                parts.append(f"{r.session_time:%H%M}")
        else:
            who = {"person": r.person_label or str(r.person), "group": r.group,
                   "unknown": ""}[r.view]
            parts = ["unknown-faces" if r.view == "unknown" else r.view, who,
                     f"{r.start}", f"{r.end}"]
        return "_".join(_safe(p) for p in parts if _safe(p))

    def export(self) -> bool:
        """Ask where to write the shown report, then write it in the background."""
        if not self._tables or self.exporting or not admin_allowed(self, "exporting a report"):
            return False
        filters = ";;".join(text for text, _ in FILE_FILTERS)
        fmt_of = {text: fmt for text, fmt in FILE_FILTERS}
        suggested = self._export_dir / f"{self.default_file_name()}.{fmt_of[self._export_filter]}"
        path_text, chosen = QFileDialog.getSaveFileName(
            self, "Export report", str(suggested), filters, self._export_filter)
        if not path_text:
            return False
        path = Path(path_text)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in fmt_of.values():
            fmt = fmt_of.get(chosen, "pdf")
            path = path.with_name(f"{path.name}.{fmt}")
        if chosen in fmt_of:
            self._export_filter = chosen
        self._export_dir = path.parent
        tables = self._tables
        note = ""
        if fmt == "csv" and len(tables) > 1:  # a CSV file holds one table: the one shown
            tables = [self._tables[max(0, self.table_tabs.currentIndex())]]
            note = f" (only {tables[0].short_name}: a CSV file holds one table)"
        backend = self._backend
        assert backend is not None
        self.exporting = True
        self._update_buttons()
        self.open_folder_button.setVisible(False)
        self._set_status(f"Exporting to {path}…")
        self._runner.submit(
            "export report", lambda ctx: backend.export_report(list(tables), fmt, path),
            on_success=lambda written: self._exported(Path(written), note),
            on_error=self._export_failed, on_finished=self._export_finished)
        return True

    def _exported(self, path: Path, note: str) -> None:
        self.last_export = path
        self._set_status(f"Saved {path}{note}")
        self.open_folder_button.setVisible(True)

    def _export_failed(self, exc: BaseException) -> None:
        self._set_status("Export failed: nothing was written.")
        self._errors.present("Could not export the report", exc)

    def _export_finished(self) -> None:
        self.exporting = False
        self._update_buttons()

    def open_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    # ------------------------------------------------------------------ helpers
    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _update_buttons(self) -> None:
        self.show_button.setEnabled(self._backend is not None)
        self.export_button.setEnabled(bool(self._tables) and not self.exporting)
        self.export_button.setToolTip(
            "" if self._tables else "Show a report first; the shown report is exported.")


def _safe(text: str) -> str:
    """A file-name part: letters (any script), digits, dot, dash; spaces become dashes."""
    cleaned = re.sub(r"[^\w.\-]+", "-", text.strip(), flags=re.UNICODE).strip("-.")
    return cleaned[:60]


def _input_error(message: str) -> ValidationError:
    return ValidationError(message)
