"""How the CLI gets the passphrase of the encrypted face data: the ATTENDANCE_APP_PASSPHRASE
environment variable (scripts), else a no-echo prompt when stdin is a terminal, else nothing
(the command then runs locked: biometric operations are refused with a message saying this)."""

from __future__ import annotations

import getpass
import os
import sys

from attendance_app.domain.errors import ValidationError
from attendance_app.storage.biometric_columns import PASSPHRASE_ENV

NEW_PASSPHRASE_ENV = "ATTENDANCE_APP_NEW_PASSPHRASE"


def current_passphrase() -> str | None:
    """The passphrase to unlock with; None when none was given (Enter at the prompt skips)."""
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("Passphrase of the encrypted face data (Enter to skip): ") or None
    return None


def new_passphrase(env_var: str) -> str:
    """A new passphrase from `env_var`, else asked twice on a terminal. ValidationError when
    neither is possible or the two entries differ."""
    from_env = os.environ.get(env_var)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise ValidationError(f"no terminal to ask for the new passphrase: set {env_var}")
    passphrase = getpass.getpass("New passphrase for the face data: ")
    if getpass.getpass("Repeat it: ") != passphrase:
        raise ValidationError("the two passphrases differ; nothing changed")
    return passphrase
