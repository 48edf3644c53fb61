"""LinePlot: a small QPainter line chart of one value per training step (loss, active share).

Points are appended from GUI-thread slots; the widget repaints on its own timer at most every
`REPAINT_MS`, so a fast run does not repaint once per step. NaN values (a step without a
semi-hard triplet) leave a gap in the line.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

REPAINT_MS = 150


class LinePlot(QWidget):
    """`y_range` fixes the axis (e.g. (0, 1) for a share); None scales to the data (from 0).
    `percent` labels the axis in per cent."""

    def __init__(self, title: str, color: str, y_range: tuple[float, float] | None = None,
                 percent: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = "no value yet"
        self._color = QColor(color)
        self._y_range = y_range
        self._percent = percent
        self._values: list[float] = []
        self._epoch_starts: list[int] = []
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self._repaint_if_dirty)
        self.setMinimumSize(150, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # ------------------------------------------------------------------ data
    def clear(self) -> None:
        self._values.clear()
        self._epoch_starts.clear()
        self.update()

    def append(self, value: float | None, new_epoch: bool = False) -> None:
        if new_epoch and self._values:
            self._epoch_starts.append(len(self._values))
        self._values.append(math.nan if value is None else float(value))
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def values(self) -> list[float]:
        return list(self._values)

    def _repaint_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            self.update()
        else:
            self._timer.stop()

    # ------------------------------------------------------------------ drawing
    def _bounds(self) -> tuple[float, float]:
        if self._y_range is not None:
            return self._y_range
        finite = [v for v in self._values if math.isfinite(v)]
        top = max(finite) if finite else 1.0
        return 0.0, (top * 1.1 if top > 0 else 1.0)

    def _label(self, value: float) -> str:
        if self._percent:
            return f"{value * 100:.0f}%"
        return f"{value:.2f}" if value < 10 else f"{value:.0f}"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.base())
        metrics = painter.fontMetrics()
        line_h = metrics.height()
        left = metrics.horizontalAdvance("100%") + 10
        plot = QRectF(left, line_h + 8, max(10, self.width() - left - 10),
                      max(10, self.height() - 2 * line_h - 14))
        text_pen = QPen(pal.text().color())
        painter.setPen(text_pen)
        painter.drawText(QRectF(4, 2, self.width() - 8, line_h + 4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        low, high = self._bounds()
        grid = QColor(pal.mid().color())
        grid.setAlpha(90)
        for k in range(3):  # low, middle, high
            value = low + (high - low) * k / 2
            y = plot.bottom() - plot.height() * k / 2
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_pen)
            painter.drawText(QRectF(0, y - line_h / 2, left - 6, line_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self._label(value))
        n = len(self._values)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line_h + 2),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{n} steps" if n else "no steps yet")
        if n == 0:
            painter.end()
            return
        span = max(1, n - 1)

        def point(i: int, v: float) -> QPointF:
            frac = 0.0 if high == low else (min(max(v, low), high) - low) / (high - low)
            return QPointF(plot.left() + plot.width() * i / span,
                           plot.bottom() - plot.height() * frac)

        painter.setPen(QPen(grid, 1, Qt.PenStyle.DashLine))
        for start in self._epoch_starts:  # epoch boundaries
            x = plot.left() + plot.width() * start / span
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        path = QPainterPath()
        pen_down = False
        for i, v in enumerate(self._values):
            if not math.isfinite(v):
                pen_down = False
                continue
            if pen_down:
                path.lineTo(point(i, v))
            else:
                path.moveTo(point(i, v))
                pen_down = True
        painter.setPen(QPen(self._color, 1.6))
        painter.drawPath(path)
        if n <= 80:  # few steps: mark each value, so one between two gaps still shows
            painter.setBrush(self._color)
            for i, v in enumerate(self._values):
                if math.isfinite(v):
                    painter.drawEllipse(point(i, v), 2.2, 2.2)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        if path.isEmpty():
            painter.setPen(text_pen)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.empty_text)
        last = next((v for v in reversed(self._values) if math.isfinite(v)), None)
        if last is not None:
            painter.setPen(QPen(self._color))
            painter.drawText(QRectF(4, 2, self.width() - 8, line_h + 4),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"last {self._label(last)}")
        painter.end()
