"""SessionsTab: past sessions to reopen, review, correct and export (issue 13 item 3).

Left: the sessions, newest first. Right: the chosen session's people (the same list as the Live
tab: status, arrival time, corrections), the correction bar and Export (CSV, Excel or PDF of
the session report, with the corrections' who/when/why). Exporting runs in the task runner.
Issue 15: records flagged "liveness not shown" are confirmed or rejected from the correction
bar, and the session's suspect faces still awaiting review (policy require) are listed under
the people with Confirm / Reject, so a teacher can decide after the lesson.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from attendance_app.domain.session import Session
from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.backend_protocols import ReportsBackend, SessionsBackend
from attendance_app.gui.dialogs.reason_dialog import ask_reason
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.operator import operator_name
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.widgets.attendance_list import AttendanceList, AttendanceRow
from attendance_app.gui.widgets.correction_bar import CorrectionBar
from attendance_app.gui.widgets.unknown_review_strip import UnknownReviewStrip

EXPORT_FILTER = "CSV (*.csv);;Excel (*.xlsx);;PDF (*.pdf)"
ChoosePath = Callable[[str], Path | None]


class SessionsTab(QWidget):
    """Emits `status_message(text)` after an export and `records_changed()` after a
    correction (the Live tab's list, when it shows the same session, reloads)."""

    status_message = Signal(str)
    records_changed = Signal()

    def __init__(self, runner: TaskRunner, errors: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._errors = errors
        self._backend: Any = None  # SessionsBackend and ReportsBackend
        self._sessions: dict[int, Session] = {}
        self.ask_reason = ask_reason  # dialogs are the edge: tests replace these
        self.choose_path: ChoosePath = self._choose_path
        self.session_list = QListWidget()
        self.session_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.title = QLabel("Choose a session on the left.")
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.attendance = AttendanceList()
        self.attendance.counter.setText("")
        self.corrections = CorrectionBar()
        self.suspects = UnknownReviewStrip(max_cards=200)
        self.suspects.setVisible(False)
        self.refresh_button = QPushButton("Refresh")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("The session report as CSV, Excel or PDF, with every "
                                      "correction's who, when and why")
        self.export_button.setEnabled(False)
        self._build_layout()
        self.session_list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.attendance.selection_changed.connect(lambda _pid: self._selection_changed())
        self.corrections.correction_requested.connect(self.correct_selected)
        self.corrections.undo_requested.connect(self.undo_selected)
        self.corrections.liveness_confirm_requested.connect(lambda: self.review_selected(True))
        self.corrections.liveness_reject_requested.connect(lambda: self.review_selected(False))
        self.suspects.suspect_confirmed.connect(lambda key: self.review_suspect(key, True))
        self.suspects.suspect_rejected.connect(lambda key: self.review_suspect(key, False))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_selected)

    def _build_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Past sessions"))
        left_layout.addWidget(self.session_list, 1)
        left_layout.addWidget(self.refresh_button)
        left.setMinimumWidth(280)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export_button)
        right_layout.addLayout(top)
        right_layout.addWidget(self.attendance, 1)
        right_layout.addWidget(self.corrections)
        right_layout.addWidget(self.suspects)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def set_backend(self, backend: SessionsBackend | ReportsBackend) -> None:
        self._backend = backend
        self.refresh()

    def refresh(self) -> None:
        """Reload the session list, keeping the selection."""
        if self._backend is None:
            return
        current = self.selected_session_id()
        try:
            sessions = self._backend.past_sessions()
        except Exception as exc:
            self._errors.present("Could not read the sessions", exc)
            return
        self._sessions = {s.id: s for s in sessions}
        self.session_list.blockSignals(True)
        self.session_list.clear()
        for s in sessions:
            item = QListWidgetItem(_label(s))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.session_list.addItem(item)
            if s.id == current:
                self.session_list.setCurrentItem(item)
        self.session_list.blockSignals(False)
        if not sessions:
            self.title.setText("No sessions yet: start one in the Live tab.")
        self._show_selected()

    def select_session(self, session_id: int) -> None:
        for i in range(self.session_list.count()):
            if self.session_list.item(i).data(Qt.ItemDataRole.UserRole) == session_id:
                self.session_list.setCurrentRow(i)
                return

    def selected_session_id(self) -> int | None:
        item = self.session_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_selected(self) -> None:
        sid = self.selected_session_id()
        self.export_button.setEnabled(sid is not None)
        if sid is None or self._backend is None:
            self.attendance.set_rows([])
            self._selection_changed()
            self._show_suspects(None)
            return
        session = self._sessions[sid]
        self.title.setText(_label(session) + ("  (running)" if session.is_open else ""))
        try:
            rows = self._backend.session_rows(sid)
        except Exception as exc:
            self._errors.present("Could not read the session's records", exc)
            return
        expected = sum(1 for r in rows if r.on_roster) if session.roster_group else None
        self.attendance.set_rows([AttendanceRow(r.person_id or 0, r.name, r.time, r.status,
                                                None, r.corrections, r.can_undo, r.liveness)
                                  for r in rows], expected)
        self._selection_changed()
        self._show_suspects(sid)

    def _show_suspects(self, session_id: int | None) -> None:
        self.suspects.clear()
        finder = getattr(self._backend, "suspect_faces", None)
        found = finder(session_id) if finder is not None and session_id is not None else []
        for s in found:
            self.suspects.add_suspect(("suspect", s.unknown_id), s.thumbnail_png, s.name,
                                      s.reason)
        self.suspects.setVisible(bool(found))

    def review_suspect(self, key: Any, confirm: bool) -> None:
        """Confirm (the person gets a record) or reject a suspect face of this session."""
        if confirm:
            action = lambda: self._backend.confirm_suspect(key[1], operator_name())  # noqa: E731
        else:
            action = lambda: self._backend.reject_suspect(key[1], operator_name())  # noqa: E731
        self._change(action, "Review not saved")

    def _selection_changed(self) -> None:
        row = self.attendance.selected_row()
        self.corrections.set_selection(row.status if row else None,
                                       bool(row and row.can_undo), bool(row and row.flagged))

    # --- corrections ---
    def review_selected(self, confirm: bool) -> None:
        """Issue 15: confirm or reject the selected record flagged "liveness not shown"."""
        sid, row = self.selected_session_id(), self.attendance.selected_row()
        if sid is None or row is None:
            return
        method = self._backend.confirm_liveness if confirm else self._backend.reject_liveness
        self._change(lambda: method(sid, row.person_id, operator_name()), "Review not saved")

    def correct_selected(self, status: str) -> None:
        sid, row = self.selected_session_id(), self.attendance.selected_row()
        if sid is None or row is None:
            return
        reason = self.ask_reason(self, row.name, status)
        if reason is None:
            return
        self._change(lambda: self._backend.correct_record(sid, row.person_id, status, reason,
                                                          operator_name()),
                     "Correction not saved")

    def undo_selected(self) -> None:
        sid, row = self.selected_session_id(), self.attendance.selected_row()
        if sid is not None and row is not None:
            self._change(lambda: self._backend.undo_correction(sid, row.person_id,
                                                               operator_name()),
                         "Nothing undone")

    def _change(self, action: Callable[[], Any], title: str) -> None:
        try:
            action()
        except Exception as exc:
            self._errors.present(title, exc)
            return
        self._show_selected()
        self.records_changed.emit()

    # --- export ---
    def export_selected(self) -> None:
        sid = self.selected_session_id()
        if sid is None or self._backend is None or not admin_allowed(self, "exporting a report"):
            return
        session = self._sessions[sid]
        path = self.choose_path(f"{session.name} {session.started_at:%Y-%m-%d}.csv")
        if path is None:
            return
        try:
            table = self._backend.session_report_by_id(sid)
        except Exception as exc:
            self._errors.present("Report not built", exc)
            return
        fmt = path.suffix.lower().lstrip(".") or "csv"
        backend = self._backend
        self.export_button.setEnabled(False)
        self._runner.submit(
            "export session", lambda ctx: backend.export_report([table], fmt, path),
            on_success=lambda p: self.status_message.emit(f"Saved {p}"),
            on_error=lambda e: self._errors.present("Export failed", e),
            on_finished=lambda: self.export_button.setEnabled(True))

    def _choose_path(self, suggested: str) -> Path | None:
        text, _ = QFileDialog.getSaveFileName(self, "Export the session", suggested,
                                              EXPORT_FILTER)
        return Path(text) if text else None


def _label(session: Session) -> str:
    roster = f" – {session.roster_group}" if session.roster_group else ""
    return f"{session.started_at:%Y-%m-%d %H:%M}  {session.name}{roster}"
