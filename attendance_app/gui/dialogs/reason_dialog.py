"""ask_reason: the reason for a correction ("doctor's note"), or None when cancelled."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget


def ask_reason(parent: QWidget | None, name: str, status: str) -> str | None:
    text, ok = QInputDialog.getText(parent, "Reason for the correction",
                                    f"Why is {name} {status}? (kept in the reports)")
    return text.strip() if ok else None
