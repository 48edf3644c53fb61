"""ReportChart: a plain QPainter bar chart of a report's ChartData.

'percent' charts (attendance rate per session or per person) use a fixed 0-100 % axis so two
reports compare at a glance; 'int' charts (people by status, unknown faces per session) use
0..max. Each bar carries its value; labels sit under the bars and are elided when crowded.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from attendance_app.reporting.report_table import ChartData

BAR = QColor(46, 112, 200)
BAR_LOW = QColor(214, 96, 77)      # rate under 50 %: drawn in red to stand out
GRID = QColor(0, 0, 0, 40)
LOW_RATE = 0.5


class ReportChart(QWidget):
    """`set_chart(chart_or_None)`; `bar_rects()` exposes the geometry for tests."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart: ChartData | None = None
        self._empty_text = "Show a report to see its chart."
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(600, 240)

    @property
    def chart(self) -> ChartData | None:
        return self._chart

    def set_chart(self, chart: ChartData | None,
                  empty_text: str = "No chart for this report.") -> None:
        self._chart = chart
        self._empty_text = empty_text
        self.update()

    # ------------------------------------------------------------------ geometry
    def _ticks(self) -> list[float]:
        """Axis tick values from 0 to the axis maximum: quarters of 100 %, or whole counts."""
        chart = self._chart
        if chart is None or chart.value_kind == "percent":
            return [0.0, 0.25, 0.5, 0.75, 1.0]
        top = max(1, math.ceil(max(chart.values, default=0.0)))
        step = max(1, math.ceil(top / 4))
        return [float(v) for v in range(0, step * math.ceil(top / step) + 1, step)]

    def _axis_max(self) -> float:
        return self._ticks()[-1]

    def _plot_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("100%") + 12
        top = fm.height() * 2 + 10  # the title, then room for the tallest bar's value
        bottom = fm.height() * 2 + 8
        return QRectF(left, top, max(1.0, self.width() - left - 12),
                      max(1.0, self.height() - top - bottom))

    def bar_rects(self) -> list[QRectF]:
        chart = self._chart
        if chart is None or not chart.values:
            return []
        plot = self._plot_rect()
        n = len(chart.values)
        slot = plot.width() / n
        width = max(2.0, min(slot * 0.7, 90.0))
        top = self._axis_max()
        rects = []
        for k, value in enumerate(chart.values):
            share = max(0.0, min(1.0, value / top)) if top else 0.0
            h = share * plot.height()
            x = plot.left() + k * slot + (slot - width) / 2
            rects.append(QRectF(x, plot.bottom() - h, width, h))
        return rects

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        chart = self._chart
        if chart is None or not chart.values:
            p.setPen(text)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        fm = QFontMetrics(self.font())
        plot = self._plot_rect()
        p.setPen(text)
        bold = self.font()
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(plot.left(), 2, plot.width(), fm.height() + 4),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, chart.title)
        p.setFont(self.font())
        self._draw_axis(p, plot, fm, text)
        percent = chart.value_kind == "percent"
        slot = plot.width() / len(chart.values)
        for rect, label, value in zip(self.bar_rects(), chart.labels, chart.values):
            colour = BAR_LOW if percent and value < LOW_RATE else BAR
            p.fillRect(rect, colour)
            shown = f"{value * 100:.0f}%" if percent else f"{value:g}"
            if fm.horizontalAdvance(shown) <= slot:
                p.setPen(text)
                p.drawText(QRectF(rect.center().x() - slot / 2, rect.top() - fm.height() - 2,
                                  slot, fm.height()), Qt.AlignmentFlag.AlignCenter, shown)
            centre = rect.center().x()
            elided = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(max(8, slot - 4)))
            p.setPen(text)
            p.drawText(QRectF(centre - slot / 2, plot.bottom() + 4, slot, fm.height()),
                       Qt.AlignmentFlag.AlignCenter, elided)
        p.end()

    def _draw_axis(self, p: QPainter, plot: QRectF, fm: QFontMetrics, text: QColor) -> None:
        ticks = self._ticks()
        top = ticks[-1]
        percent = self._chart is not None and self._chart.value_kind == "percent"
        for value in ticks:
            y = plot.bottom() - value / top * plot.height()
            p.setPen(QPen(GRID, 1))
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            label = f"{value * 100:.0f}%" if percent else f"{value:g}"
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        p.setPen(QPen(text, 1))
        p.drawLine(int(plot.left()), int(plot.bottom()), int(plot.right()), int(plot.bottom()))
