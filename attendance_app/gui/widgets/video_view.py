"""VideoView: paints the newest camera frame, scaled with its aspect ratio, and one box per face."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from attendance_app.domain.face_box import FaceBox

CONFIRMED = "confirmed"
CHECKING = "checking"
UNKNOWN = "unknown"

STATE_COLOURS: dict[str, QColor] = {
    CONFIRMED: QColor(0, 200, 83),    # green: a recognised, confirmed person
    CHECKING: QColor(255, 171, 0),    # amber: still collecting evidence
    UNKNOWN: QColor(229, 57, 53),     # red: below the threshold
}


@dataclass(frozen=True)
class FaceOverlay:
    """One face to draw: its box in frame pixels, its track state and the caption to show."""

    box: FaceBox
    state: str
    caption: str


def numpy_to_qimage(rgb: np.ndarray) -> QImage:
    """A deep-copied QImage of an (H, W, 3) uint8 RGB array (QImage must not alias numpy memory
    that the worker thread may reuse)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class VideoView(QWidget):
    """Shows the frame letterboxed in the widget, with coloured face boxes and captions.
    When there is no frame it shows `placeholder` text (e.g. why the camera is missing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._overlays: list[FaceOverlay] = []
        self._placeholder = "No camera picture yet."
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def set_frame(self, rgb: np.ndarray, overlays: list[FaceOverlay] | None = None) -> None:
        self._image = numpy_to_qimage(rgb)
        self._overlays = list(overlays or [])
        self.update()

    def set_still(self, image: QImage) -> None:
        """Show a still picture (e.g. an enrolment photo) without boxes."""
        self._image = image.convertToFormat(QImage.Format.Format_RGB888)
        self._overlays = []
        self.update()

    def clear(self, placeholder: str) -> None:
        self._image = None
        self._overlays = []
        self._placeholder = placeholder
        self.update()

    @property
    def overlays(self) -> list[FaceOverlay]:
        return list(self._overlays)

    def image_rect(self) -> QRectF:
        """Where the frame is drawn inside the widget (aspect ratio kept, centred)."""
        if self._image is None:
            return QRectF()
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(24, 24, 28))
        if self._image is None:
            p.setPen(QColor(220, 220, 220))
            p.drawText(self.rect().adjusted(20, 20, -20, -20),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            return
        target = self.image_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(target, self._image)
        scale = target.width() / self._image.width()
        for overlay in self._overlays:
            self._draw_overlay(p, overlay, target, scale)

    def _draw_overlay(self, p: QPainter, o: FaceOverlay, target: QRectF, scale: float) -> None:
        colour = STATE_COLOURS.get(o.state, STATE_COLOURS[UNKNOWN])
        box = QRectF(target.x() + o.box.x1 * scale, target.y() + o.box.y1 * scale,
                     o.box.width * scale, o.box.height * scale)
        p.setPen(QPen(colour, 3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(box)
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, min(14.0, box.width() / 10)))
        font.setBold(True)
        p.setFont(font)
        metrics = p.fontMetrics()
        text_w = metrics.horizontalAdvance(o.caption) + 10
        text_h = metrics.height() + 4
        label = place_caption(box, text_w, text_h, target, QRectF(self.rect()))
        p.fillRect(label, colour)
        p.setPen(QColor(0, 0, 0) if o.state == CHECKING else QColor(255, 255, 255))
        p.drawText(label, Qt.AlignmentFlag.AlignCenter, o.caption)


def place_caption(box: QRectF, text_w: float, text_h: float, frame: QRectF,
                  widget: QRectF) -> QRectF:
    """Where a face's caption goes: above its box (inside the box's top when the box touches
    the frame's top edge), starting at the box's left edge but moved left as far as needed to
    stay inside the widget, so a face at the right edge keeps its whole name and percentage."""
    y = box.top() - text_h if box.top() - text_h >= frame.top() else box.top()
    x = min(box.left() - 1.5, widget.right() - text_w)
    return QRectF(max(x, widget.left()), y, text_w, text_h)
