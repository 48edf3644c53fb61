"""UnknownReviewStrip: snapshots of unrecognised faces, each with Enrol and Dismiss buttons,
and suspect faces (issue 15: matched someone but never showed life, "possible photo/screen")
with Confirm and Reject."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from attendance_app.gui.widgets.thumbnails import pixmap_from_png, pixmap_from_rgb

THUMB = 72


def _lay_out_card(card: QFrame, image: QLabel, caption: QLabel, first: QPushButton,
                  second: QPushButton) -> None:
    """Both kinds of card: the face, its caption, and two buttons side by side."""
    buttons = QHBoxLayout()
    buttons.setSpacing(2)
    buttons.addWidget(first)
    buttons.addWidget(second)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(image)
    layout.addWidget(caption)
    layout.addLayout(buttons)


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
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _lay_out_card(self, image, label, enrol, dismiss)
        self.enrol_button, self.dismiss_button = enrol, dismiss


class _SuspectCard(QFrame):
    """A suspect face: who it looked like, why it was held back, Confirm / Reject."""

    def __init__(self, key: Any, png: bytes | None, name: str, reason: str,
                 strip: "UnknownReviewStrip"):
        super().__init__()
        self.setObjectName("suspectCard")
        self.key = key
        image = QLabel()
        pix = pixmap_from_png(png, THUMB)
        if pix is not None:
            image.setPixmap(pix)
        image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label = QLabel(f"{name}?\npossible photo/screen")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tip = (f"Recognised as {name}, but the face never showed life ({reason}), so no "
               "record was written. Confirm if it really was them (they are marked present, "
               "with your name), or reject it.")
        self.setToolTip(tip)
        self.reason = reason
        confirm, reject = QPushButton("Confirm"), QPushButton("Reject")
        confirm.setToolTip(tip)
        confirm.clicked.connect(lambda: strip.suspect_confirmed.emit(key))
        reject.clicked.connect(lambda: strip.suspect_rejected.emit(key))
        _lay_out_card(self, image, label, confirm, reject)
        self.caption = label
        self.confirm_button, self.reject_button = confirm, reject


class UnknownReviewStrip(QWidget):
    """A horizontal, scrollable row of unknown faces. Emits `enrol_requested(key, crop)` and
    `dismissed(key)`; keeps at most `max_cards` (oldest dropped) so a crowd cannot flood it.
    Suspect faces (`add_suspect`) emit `suspect_confirmed(key)` / `suspect_rejected(key)`;
    the owner removes their card (`remove`) once the review is saved; they are never dropped
    for room (they are stored and wait for a teacher)."""

    enrol_requested = Signal(object, object)
    dismissed = Signal(object)
    suspect_confirmed = Signal(object)
    suspect_rejected = Signal(object)

    def __init__(self, parent: QWidget | None = None, max_cards: int = 12) -> None:
        super().__init__(parent)
        self._max_cards = max_cards
        self._cards: dict[Any, QFrame] = {}
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
        unknown = [k for k, c in self._cards.items() if isinstance(c, _UnknownCard)]
        while len(unknown) >= self._max_cards:
            self._remove(unknown.pop(0))
        card = _UnknownCard(key, crop, caption, self)
        self._cards[key] = card
        self._row.insertWidget(self._row.count() - 1, card)
        self._update_title()

    def add_suspect(self, key: Any, png: bytes | None, name: str, reason: str) -> None:
        if key in self._cards:
            return
        card = _SuspectCard(key, png, name, reason, self)
        self._cards[key] = card
        self._row.insertWidget(0, card)  # suspects first: they are someone's attendance
        self._update_title()

    def remove(self, key: Any) -> None:
        if key in self._cards:
            self._remove(key)

    def suspect_keys(self) -> list[Any]:
        return [k for k, c in self._cards.items() if isinstance(c, _SuspectCard)]

    def dismiss(self, key: Any) -> None:
        if key in self._cards:
            self._remove(key)
            self.dismissed.emit(key)

    def clear(self) -> None:
        for key in list(self._cards):
            self._remove(key)

    def keys(self) -> list[Any]:
        return list(self._cards)

    def card(self, key: Any) -> Any:
        return self._cards[key]

    def _remove(self, key: Any) -> None:
        card = self._cards.pop(key)
        self._row.removeWidget(card)
        card.deleteLater()
        self._update_title()

    def _update_title(self) -> None:
        n = len(self._cards)
        suspects = len(self.suspect_keys())
        self._scroll.setVisible(n > 0)
        text = f"Unknown faces to review: {n - suspects}" if n - suspects else \
            "Unknown faces: none"
        if suspects:
            text = f"Possible photo/screen to review: {suspects}   ·   " + text
        self._title.setText(text)
