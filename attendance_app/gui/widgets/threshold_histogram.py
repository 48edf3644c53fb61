"""ThresholdHistogram: the similarity distribution of genuine and impostor pairs, and the threshold.

Genuine pairs (two templates of the same person) should sit right of the threshold, impostor
pairs (templates of different people) left of it; the user sees at a glance what moving the
threshold slider would accept or refuse.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GENUINE = QColor(0, 170, 90, 170)
IMPOSTOR = QColor(200, 60, 60, 170)
LINE = QColor(30, 100, 230)
LOW, HIGH, BINS = -0.2, 1.0, 48


class ThresholdHistogram(QWidget):
    """`set_scores(genuine, impostor)` (cosine similarities) and `set_threshold(t)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._genuine = np.zeros(0, np.float32)
        self._impostor = np.zeros(0, np.float32)
        self._threshold = 0.55
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(480, 200)

    def set_scores(self, genuine: np.ndarray, impostor: np.ndarray) -> None:
        self._genuine = np.asarray(genuine, np.float32).ravel()
        self._impostor = np.asarray(impostor, np.float32).ravel()
        self.update()

    def set_threshold(self, threshold: float) -> None:
        self._threshold = float(threshold)
        self.update()

    def rates(self) -> tuple[float, float]:
        """(share of genuine pairs accepted, share of impostor pairs accepted) at the threshold."""
        g = float(np.mean(self._genuine >= self._threshold)) if self._genuine.size else 0.0
        i = float(np.mean(self._impostor >= self._threshold)) if self._impostor.size else 0.0
        return g, i

    def x_for(self, similarity: float) -> float:
        plot = self._plot_rect()
        return plot.left() + (similarity - LOW) / (HIGH - LOW) * plot.width()

    def _plot_rect(self) -> QRectF:
        return QRectF(8, 24, max(1, self.width() - 16), max(1, self.height() - 48))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        plot = self._plot_rect()
        p.setPen(self.palette().text().color())
        if not (self._genuine.size or self._impostor.size):
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "Enrol at least two people to see the similarity distribution.")
        else:
            edges = np.linspace(LOW, HIGH, BINS + 1)
            hg = np.histogram(np.clip(self._genuine, LOW, HIGH), edges)[0].astype(float)
            hi = np.histogram(np.clip(self._impostor, LOW, HIGH), edges)[0].astype(float)
            # Each distribution normalised on its own: impostor pairs outnumber genuine ones.
            for hist, colour in ((hi, IMPOSTOR), (hg, GENUINE)):
                if hist.max() > 0:
                    self._draw_bars(p, plot, hist / hist.max(), colour)
            gen, imp = self.rates()
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(8, 2, self.width() - 16, 20), Qt.AlignmentFlag.AlignLeft,
                       f"same person (green) accepted: {gen:.0%}   "
                       f"different people (red) accepted: {imp:.0%}")
        self._draw_axis(p, plot)
        x = self.x_for(self._threshold)
        p.setPen(QPen(LINE, 2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))

    def _draw_bars(self, p: QPainter, plot: QRectF, heights: np.ndarray, colour: QColor) -> None:
        w = plot.width() / len(heights)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        for k, h in enumerate(heights):
            if h > 0:
                bh = h * plot.height()
                p.drawRect(QRectF(plot.left() + k * w, plot.bottom() - bh, w - 1, bh))

    def _draw_axis(self, p: QPainter, plot: QRectF) -> None:
        p.setPen(self.palette().text().color())
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        for v in (0.0, 0.25, 0.5, 0.75, 1.0):
            x = min(max(self.x_for(v), 24.0), self.width() - 24.0)  # keep end labels inside
            p.drawText(QRectF(x - 20, plot.bottom() + 2, 40, 18), Qt.AlignmentFlag.AlignCenter,
                       f"{v:.2f}")
