"""operator_name: who is at the computer, for consent and corrections ("who made it")."""

from __future__ import annotations

import getpass


def operator_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some sandboxes
        return "operator"
