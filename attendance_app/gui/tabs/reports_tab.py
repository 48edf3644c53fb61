"""ReportsTab: attendance views and CSV/Excel/PDF export (issue 6). A placeholder for now."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from attendance_app.gui.tabs.placeholder_tab import PlaceholderTab


class ReportsTab(PlaceholderTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Reports",
            "Session, person and group reports with export to CSV, Excel and PDF arrive in a "
            "later version. Until then use the command line: attendance-app report --help.",
            parent)
