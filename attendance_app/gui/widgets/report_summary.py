"""ReportSummary: a report's title, period and summary figures, shown above its table."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from attendance_app.reporting.cell_text import summary_text
from attendance_app.reporting.report_table import ReportTable


class ReportSummary(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel("No report shown yet")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
        self.subtitle_label = QLabel("Pick a view and its filters, then press Show.")
        self.subtitle_label.setWordWrap(True)
        self.figures_label = QLabel("")
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextFormat(Qt.TextFormat.RichText)
        self.figures_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for label in (self.title_label, self.subtitle_label, self.figures_label):
            layout.addWidget(label)
        self._figures: dict[str, str] = {}

    def set_table(self, table: ReportTable | None) -> None:
        if table is None:
            self.title_label.setText("No report shown yet")
            self.subtitle_label.setText("Pick a view and its filters, then press Show.")
            self._figures = {}
        else:
            self.title_label.setText(table.title)
            self.subtitle_label.setText(
                f"{table.subtitle}  ·  generated {table.generated_at:%Y-%m-%d %H:%M}")
            self._figures = {k: summary_text(v) for k, v in table.summary.items()}
        self.figures_label.setText("&nbsp;&nbsp;·&nbsp; ".join(  # breaks only here
            _nowrap(f"{html.escape(k)}: <b>{html.escape(v)}</b>")
            for k, v in self._figures.items()))

    def figures(self) -> dict[str, str]:
        """The summary figures as shown (e.g. {'Attendance rate': '42.9%'})."""
        return dict(self._figures)


def _nowrap(text: str) -> str:
    """Keep one figure on one line; lines break only between figures."""
    return text.replace(" ", "&nbsp;")
