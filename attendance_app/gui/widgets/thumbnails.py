"""Small helpers turning stored PNG bytes or RGB arrays into pixmaps for table cells."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from attendance_app.gui.widgets.video_view import numpy_to_qimage


def pixmap_from_png(data: bytes | None, size: int) -> QPixmap | None:
    """A square-fitted pixmap from PNG bytes, or None when there are none or they do not decode."""
    if not data:
        return None
    pix = QPixmap()
    if not pix.loadFromData(data, "PNG"):
        return None
    return pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                      Qt.TransformationMode.SmoothTransformation)


def pixmap_from_rgb(rgb: np.ndarray, size: int) -> QPixmap:
    return QPixmap.fromImage(numpy_to_qimage(rgb)).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def png_from_rgb(rgb: np.ndarray) -> bytes:
    """PNG bytes of an RGB array, encoded with Qt (the GUI does not import the vision layer)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    numpy_to_qimage(rgb).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
