"""NoticeBar: non-modal notices above the tabs (start-up warnings, housekeeping, offers).

Each notice has a key (adding the same key again replaces its text), an optional action button
and a "Dismiss" button. The bar hides itself when it holds no notice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class _Notice(QFrame):
    def __init__(self, text: str, action_text: str | None, dismiss_text: str) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.setStyleSheet("#notice { background: #fff4ce; border: 1px solid #e0c060; "
                           "border-radius: 4px; }")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.action_button = QPushButton(action_text or "")
        self.action_button.setVisible(bool(action_text))
        self.dismiss_button = QPushButton(dismiss_text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss_button)


class NoticeBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notices: dict[str, _Notice] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 6, 6, 0)
        self.setVisible(False)

    def add(self, key: str, text: str, action_text: str | None = None,
            on_action: Callable[[], None] | None = None,
            on_dismiss: Callable[[], None] | None = None,
            dismiss_text: str = "Dismiss") -> None:
        self.remove(key)
        notice = _Notice(text, action_text, dismiss_text)
        if on_action is not None:
            notice.action_button.clicked.connect(on_action)
        notice.dismiss_button.clicked.connect(lambda: self._dismissed(key, on_dismiss))
        self._notices[key] = notice
        self._layout.addWidget(notice)
        self.setVisible(True)

    def remove(self, key: str) -> None:
        notice = self._notices.pop(key, None)
        if notice is not None:
            self._layout.removeWidget(notice)
            notice.deleteLater()
        self.setVisible(bool(self._notices))

    def has(self, key: str) -> bool:
        return key in self._notices

    def text(self, key: str) -> str:
        return self._notices[key].label.text() if key in self._notices else ""

    def notice(self, key: str) -> _Notice | None:
        return self._notices.get(key)

    def keys(self) -> list[str]:
        return list(self._notices)

    def _dismissed(self, key: str, on_dismiss: Callable[[], None] | None) -> None:
        self.remove(key)
        if on_dismiss is not None:
            on_dismiss()
