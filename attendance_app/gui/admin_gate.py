"""AdminGate: the administrator password in the window (issue 7).

When a password is set, the tabs' sensitive actions (enrolling, folder import, deleting a person,
exporting a report, training / activating / discarding a model, saving settings) first call
`admin_allowed(self, "what they do")`; taking attendance never does. The gate asks for the
password with a masked dialog and lets the backend's guard (services.admin_guard: scrypt hash,
growing pause after repeated failures) decide. Cancel: the action silently does nothing. Wrong
or paused: the guard's message is shown and the action does nothing. A correct password is
remembered in memory (not the password itself, only until when it was given) for
`REMEMBER_S`, so a teacher is not asked on every click.

`AdminSection` is the administrator row of the Settings tab: set or change the password.
A tab used on its own (tests, screenshots) has no gate above it: `admin_allowed` is then True.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from attendance_app.domain.errors import AccessDeniedError
from attendance_app.gui.dialogs.admin_password_dialog import (ask_admin_password,
                                                              ask_new_admin_password)
from attendance_app.gui.error_presenter import ErrorPresenter

log = logging.getLogger(__name__)

REMEMBER_S = 300.0
DENIED_TITLE = "Administrator password needed"


class AdminGate:
    """`ask_password(action) -> str | None` and `ask_new_password(changing) -> str | None` are
    the dialogs (the edge: tests replace them); `clock` is monotonic seconds."""

    def __init__(self, parent: QWidget | None, errors: ErrorPresenter,
                 remember_s: float = REMEMBER_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._errors = errors
        self._backend: Any = None
        self.clock = clock
        self.remember_s = remember_s
        self._until: float | None = None
        minutes = max(1, round(remember_s / 60))
        self.ask_password: Callable[[str], str | None] = (
            lambda action: ask_admin_password(parent, action, minutes))
        self.ask_new_password: Callable[[bool], str | None] = (
            lambda changing: ask_new_admin_password(parent, changing))
        self.asked: list[str] = []  # the actions a password was asked for (tests, logs)

    def set_backend(self, backend: Any) -> None:
        self._backend = backend
        self._until = None

    @property
    def backend(self) -> Any:
        return self._backend

    def password_set(self) -> bool:
        """Whether a password protects the sensitive actions. Fails closed: when the database
        cannot say (a transient error), the answer is True, so nothing skips the password."""
        if self._backend is None:
            return False
        try:
            return bool(self._backend.admin_password_set())
        except Exception:
            log.warning("could not read whether an administrator password is set; "
                        "assuming it is", exc_info=True)
            return True

    @property
    def remembered(self) -> bool:
        return self._until is not None and self.clock() < self._until

    def remember(self) -> None:
        self._until = self.clock() + self.remember_s

    def forget(self) -> None:
        self._until = None

    def allow(self, action: str) -> bool:
        """True when `action` may go ahead: no password set, one given recently, or the right
        one typed now. False (nothing to do) otherwise; a refusal other than cancel is shown."""
        backend = self._backend
        if backend is None:
            return False  # nothing is loaded yet: no action can run anyway
        cancelled = False

        def provider() -> str | None:
            nonlocal cancelled
            self.asked.append(action)
            password = self.ask_password(action)
            cancelled = password is None
            return password

        try:
            if not backend.admin_password_set() or self.remembered:
                return True
            backend.require_admin(provider)
        except AccessDeniedError as exc:
            if not cancelled:
                self._errors.present(DENIED_TITLE, exc)
            return False
        except Exception as exc:
            self._errors.present(DENIED_TITLE, exc)
            return False
        self.remember()
        return True


def admin_allowed(widget: QWidget, action: str) -> bool:
    """The tabs' one-line check: the window's AdminGate decides; no window gate -> True."""
    gate = getattr(widget.window(), "admin_gate", None)
    return True if gate is None else gate.allow(action)


class AdminSection(QWidget):
    """Settings > Administrator, one compact row: whether a password protects the sensitive
    actions, and a button to set or change it. `on_changed()` runs after a new one is stored."""

    PROTECTS = ("enrolling and deleting people, exporting reports, training or switching face "
                "models and changing settings; taking attendance never asks for it")

    def __init__(self, gate: AdminGate, errors: ErrorPresenter,
                 on_changed: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gate = gate
        self._errors = errors
        self._on_changed = on_changed
        self.status_label = QLabel()
        self.set_button = QPushButton("Set admin password…")
        self.lock_button = QPushButton("Ask again")
        self.lock_button.setToolTip("Forget the remembered administrator password: the next "
                                    "protected action asks for it")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status_label)
        row.addWidget(self.set_button)
        row.addWidget(self.lock_button)
        self.set_button.clicked.connect(self.set_password)
        self.lock_button.clicked.connect(self._forget)
        self.refresh()

    def refresh(self) -> None:
        is_set = self._gate.password_set()
        self.status_label.setText("Administrator password: set" if is_set else
                                  "Administrator password: not set")
        tip = (f"The administrator password protects {self.PROTECTS}." if is_set else
               f"Without an administrator password anyone at this computer can do everything. "
               f"Once set, it protects {self.PROTECTS}.")
        self.status_label.setToolTip(tip)
        self.set_button.setToolTip(tip)
        self.set_button.setText("Change admin password…" if is_set else "Set admin password…")
        self.lock_button.setVisible(is_set)

    def set_password(self) -> bool:
        """Ask for the current password (when one is set), then the new one; True when stored."""
        changing = self._gate.password_set()
        if changing and not self._gate.allow("changing the administrator password"):
            return False
        new = self._gate.ask_new_password(changing)
        if new is None:
            return False
        try:
            self._gate.backend.set_admin_password(new)
        except Exception as exc:
            self._errors.present("Administrator password not set", exc)
            return False
        self._gate.remember()  # it was just typed
        self.refresh()
        self._errors.info("Administrator password",
                          "Administrator password changed." if changing else
                          "Administrator password set: enrolling, deleting, exporting, model "
                          "changes and settings now ask for it.")
        if self._on_changed is not None:
            self._on_changed()
        return True

    def _forget(self) -> None:
        self._gate.forget()

