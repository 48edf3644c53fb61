"""UnknownReviewStrip: snapshots of unrecognised faces, each with Enrol and Dismiss buttons."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from attendance_app.gui.widgets.thumbnails import pixmap_from_rgb

THUMB = 72


class _UnknownCard(QFrame):
    def __init__(self, key: Any, crop: np.ndarray, caption: str, strip: "UnknownReviewStrip"):
        super().__init__()
        self.setObjectName("unknownCard")
        self.key = key
        image = QLabel()
        image.setPixmap(pixmap_from_rgb(crop, THUMB))
        image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        enrol = QPushButton("Enrol…")
        dismiss = QPushButton("Dismiss")
        enrol.clicked.connect(lambda: strip.enrol_requested.emit(key, crop))
        dismiss.clicked.connect(lambda: strip.dismiss(key))
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(enrol)
        buttons.addWidget(dismiss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(image)
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        layout.addLayout(buttons)
        self.enrol_button, self.dismiss_button = enrol, dismiss


class UnknownReviewStrip(QWidget):
    """A horizontal, scrollable row of unknown faces. Emits `enrol_requested(key, crop)` and
    `dismissed(key)`; keeps at most `max_cards` (oldest dropped) so a crowd cannot flood it."""

    enrol_requested = Signal(object, object)
    dismissed = Signal(object)

    def __init__(self, parent: QWidget | None = None, max_cards: int = 12) -> None:
        super().__init__(parent)
        self._max_cards = max_cards
        self._cards: dict[Any, _UnknownCard] = {}
        self._title = QLabel("Unknown faces: none")
        inner = QWidget()
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(THUMB + 90)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(scroll)
        self._scroll = scroll
        scroll.setVisible(False)  # no empty grey box until there is something to review

    def add_unknown(self, key: Any, crop: np.ndarray, caption: str = "") -> None:
        if key in self._cards:
            return
        while len(self._cards) >= self._max_cards:
            self._remove(next(iter(self._cards)))
        card = _UnknownCard(key, crop, caption, self)
        self._cards[key] = card
        self._row.insertWidget(self._row.count() - 1, card)
        self._update_title()

    def dismiss(self, key: Any) -> None:
        if key in self._cards:
            self._remove(key)
            self.dismissed.emit(key)

    def clear(self) -> None:
        for key in list(self._cards):
            self._remove(key)

    def keys(self) -> list[Any]:
        return list(self._cards)

    def card(self, key: Any) -> _UnknownCard:
        return self._cards[key]

    def _remove(self, key: Any) -> None:
        card = self._cards.pop(key)
        self._row.removeWidget(card)
        card.deleteLater()
        self._update_title()

    def _update_title(self) -> None:
        n = len(self._cards)
        self._scroll.setVisible(n > 0)
        self._title.setText(f"Unknown faces to review: {n}" if n else "Unknown faces: none")
