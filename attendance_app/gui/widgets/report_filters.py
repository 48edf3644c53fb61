"""ReportFilters: the view picker and its filters, turned into a ReportRequest.

Session view: session name (from the database, or typed), its date, and its start time when
several sessions of that name share the day. Person and group views: who, and a from/to date
range. Unknown faces: the date range only. The combo boxes are filled by the tab from the
database; what the user types is passed on as typed, so an unknown name gets the service's
clear "not found" message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from attendance_app.domain.person import Person
from attendance_app.domain.session import Session

VIEWS: tuple[tuple[str, str], ...] = (
    ("session", "Session"),
    ("person", "Person"),
    ("group", "Group"),
    ("unknown", "Unknown faces"),
)
DATE_FORMAT = "yyyy-MM-dd"


@dataclass(frozen=True)
class ReportRequest:
    """What to build. `session_time` None means every session of that name on that day;
    `person` is a person id (picked from the list) or the text the user typed."""

    view: str
    session_name: str = ""
    session_date: date | None = None
    session_time: time | None = None
    person: int | str = ""
    person_label: str = ""
    group: str = ""
    start: date | None = None
    end: date | None = None


def _date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def _as_date(edit: QDateEdit) -> date:
    q = edit.date()
    return date(q.year(), q.month(), q.day())


def set_date(edit: QDateEdit, value: date) -> None:
    edit.setDate(QDate(value.year, value.month, value.day))


class ReportFilters(QWidget):
    """Emits `view_changed(view)`; `request()` reads the current choice."""

    view_changed = Signal(str)

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = today or date.today()
        self._sessions: list[Session] = []
        self.view_combo = QComboBox()
        for key, label in VIEWS:
            self.view_combo.addItem(label, key)
        # --- per-view pages
        self.session_combo = self._editable_combo("Session name")
        self.session_date = _date_edit(today)
        self.time_label = QLabel("Time")
        self.time_combo = QComboBox()
        self.person_combo = self._editable_combo("Name, id or external id")
        self.group_combo = self._editable_combo("Group")
        # One page per view; only the current one is shown (a QStackedWidget would be as
        # wide as its widest page and make the whole window wider than it needs to be).
        self.pages = [
            self._page(QLabel("Session"), self.session_combo, QLabel("Date"),
                       self.session_date, self.time_label, self.time_combo),
            self._page(QLabel("Person"), self.person_combo),
            self._page(QLabel("Group"), self.group_combo),
            self._page(),
        ]
        # --- shared date range
        self.from_date = _date_edit(today.replace(day=1))
        self.to_date = _date_edit(today)
        self.range_widget = self._page(QLabel("From"), self.from_date, QLabel("To"),
                                       self.to_date)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("View"))
        layout.addWidget(self.view_combo)
        layout.addSpacing(8)
        for page in self.pages:
            layout.addWidget(page)
        layout.addWidget(self.range_widget)
        self.view_combo.currentIndexChanged.connect(self._on_view_changed)
        self.session_combo.activated.connect(lambda _i: self._on_session_picked())
        self.session_combo.lineEdit().editingFinished.connect(self._refresh_times)
        self.session_date.dateChanged.connect(lambda _d: self._refresh_times())
        self._refresh_times()
        self._on_view_changed()

    # ------------------------------------------------------------------ building
    @staticmethod
    def _editable_combo(placeholder: str) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setPlaceholderText(placeholder)
        combo.setMinimumContentsLength(12)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    @staticmethod
    def _page(*widgets: QWidget) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w)
        return page

    # ------------------------------------------------------------------ choices
    def view(self) -> str:
        return self.view_combo.currentData()

    def set_view(self, view: str) -> None:
        self.view_combo.setCurrentIndex([k for k, _ in VIEWS].index(view))

    def set_sessions(self, sessions: Sequence[Session]) -> None:
        """Fill the session names, most recent first; keeps what the user had typed/picked.
        With nothing picked yet, the most recent session is preselected with its date."""
        self._sessions = sorted(sessions, key=lambda s: s.started_at, reverse=True)
        names: list[str] = []
        for s in self._sessions:
            if s.name not in names:
                names.append(s.name)
        current = self.session_combo.currentText()
        self.session_combo.blockSignals(True)
        self.session_combo.clear()
        self.session_combo.addItems(names)
        self.session_combo.blockSignals(False)
        if current:
            self.session_combo.setEditText(current)
            self._refresh_times()
        elif names:
            self.session_combo.setCurrentIndex(0)
            self._on_session_picked()
        else:
            self.session_combo.setEditText("")
            self._refresh_times()

    def set_people(self, people: Sequence[Person]) -> None:
        current = self.person_combo.currentText()
        self.person_combo.blockSignals(True)
        self.person_combo.clear()
        for p in sorted(people, key=lambda p: p.name.casefold()):
            label = p.name + (f" ({p.external_id})" if p.external_id else "")
            self.person_combo.addItem(label, p.id)
        self.person_combo.blockSignals(False)
        if current:
            self.person_combo.setEditText(current)

    def set_groups(self, groups: Sequence[str]) -> None:
        current = self.group_combo.currentText()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItems(list(groups))
        self.group_combo.blockSignals(False)
        if current:
            self.group_combo.setEditText(current)

    def set_range(self, start: date, end: date) -> None:
        set_date(self.from_date, start)
        set_date(self.to_date, end)

    def sessions_on_day(self) -> list[Session]:
        """Sessions with the chosen name (any case) on the chosen date, oldest first."""
        name = self.session_combo.currentText().strip().casefold()
        day = _as_date(self.session_date)
        return sorted((s for s in self._sessions
                       if s.name.casefold() == name and s.started_at.date() == day),
                      key=lambda s: s.started_at)

    def request(self) -> ReportRequest:
        view = self.view()
        start, end = _as_date(self.from_date), _as_date(self.to_date)
        if view == "session":
            return ReportRequest(view, session_name=self.session_combo.currentText().strip(),
                                 session_date=_as_date(self.session_date),
                                 session_time=self.time_combo.currentData())
        if view == "person":
            text = self.person_combo.currentText().strip()
            index = self.person_combo.currentIndex()
            picked = index >= 0 and self.person_combo.itemText(index) == text
            who = self.person_combo.itemData(index) if picked else text
            return ReportRequest(view, person=who, person_label=text, start=start, end=end)
        if view == "group":
            return ReportRequest(view, group=self.group_combo.currentText().strip(),
                                 start=start, end=end)
        return ReportRequest(view, start=start, end=end)

    # ------------------------------------------------------------------ slots
    def _on_view_changed(self) -> None:
        view = self.view()
        current = [k for k, _ in VIEWS].index(view)
        for k, page in enumerate(self.pages):
            page.setVisible(k == current)
        self.range_widget.setVisible(view != "session")
        self.view_changed.emit(view)

    def _on_session_picked(self) -> None:
        """A name picked from the list: jump to the date of its latest session."""
        name = self.session_combo.currentText().strip().casefold()
        latest = next((s for s in self._sessions if s.name.casefold() == name), None)
        if latest is not None:
            self.session_date.blockSignals(True)
            set_date(self.session_date, latest.started_at.date())
            self.session_date.blockSignals(False)
        self._refresh_times()

    def _refresh_times(self) -> None:
        """The time picker appears only when several sessions share the name and the day."""
        day_sessions = self.sessions_on_day()
        previous = self.time_combo.currentData()
        self.time_combo.clear()
        if len(day_sessions) > 1:
            self.time_combo.addItem(f"All {len(day_sessions)} sessions", None)
            for s in day_sessions:
                self.time_combo.addItem(f"{s.started_at:%H:%M}",
                                        time(s.started_at.hour, s.started_at.minute))
            index = next((k for k in range(1, self.time_combo.count())
                          if self.time_combo.itemData(k) == previous), 0)
            self.time_combo.setCurrentIndex(index)
        self.time_label.setVisible(len(day_sessions) > 1)
        self.time_combo.setVisible(len(day_sessions) > 1)
