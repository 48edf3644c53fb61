"""Which server a kiosk syncs with: ATTENDANCE_APP_SERVER, else the `server` setting.

The connection string must not hold a password: the app refuses to store or use one written
in clear (settings.json is a plain file). libpq reads the password itself from PGPASSWORD
or its passfile (~/.pgpass, mode 0600, or the file PGPASSFILE names).
"""

from __future__ import annotations

import os

from attendance_app.config import Settings
from attendance_app.domain.errors import SyncServerError

SERVER_ENV = "ATTENDANCE_APP_SERVER"


def sync_configured(settings: Settings) -> bool:
    """True when a server is set (cheap: psycopg is not imported by a kiosk that works alone)."""
    return bool(os.environ.get(SERVER_ENV, "").strip() or (settings.server or "").strip())


def server_dsn(settings: Settings) -> str | None:
    """The configured connection string, or None when this kiosk works alone. Raises
    SyncServerError for a string that cannot be parsed or that carries a password."""
    dsn = os.environ.get(SERVER_ENV, "").strip() or (settings.server or "").strip()
    if not dsn:
        return None
    check_dsn(dsn)
    return dsn


def check_dsn(dsn: str) -> dict[str, str]:
    """The parsed parts of `dsn`; SyncServerError when it is invalid or holds a password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception as exc:  # noqa: BLE001 - psycopg raises ProgrammingError with libpq's text
        first = (str(exc).strip().splitlines() or ["unreadable"])[0]
        raise SyncServerError(f"the server connection string is not valid ({first}); expected "
                              "e.g. 'host=server.local dbname=attendance user=kiosk'") from None
    if parts.get("password"):
        raise SyncServerError(
            "the server connection string contains a password; remove it and give the password "
            "through PGPASSWORD or the libpq passfile (~/.pgpass) instead")
    return {k: str(v) for k, v in parts.items()}


def describe(dsn: str) -> str:
    """`user@host:port/dbname` for messages (never a password)."""
    parts = check_dsn(dsn)
    return (f"{parts.get('user', os.environ.get('PGUSER', ''))}@{parts.get('host', 'localhost')}"
            f":{parts.get('port', '5432')}/{parts.get('dbname', '')}")
