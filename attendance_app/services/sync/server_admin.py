"""Server administration: `server init`, checking a server before saving it, probing it."""

from __future__ import annotations

from attendance_app.config import Settings
from attendance_app.domain.errors import SyncServerError
from attendance_app.services.sync.server_address import check_dsn, describe, server_dsn
from attendance_app.storage import pg_schema
from attendance_app.storage.pg_server import connect, connect_for_init


def init_server(dsn: str | None, settings: Settings) -> dict[str, object]:
    """Create or migrate the schema on an existing database; what was done. Raises
    SyncServerError (unreachable, PostgreSQL < 15, schema newer than this app)."""
    dsn = dsn or server_dsn(settings)
    if not dsn:
        raise SyncServerError("give --server 'host=... dbname=... user=...' or set "
                              "ATTENDANCE_APP_SERVER")
    check_dsn(dsn)
    server = connect_for_init(dsn)
    try:
        applied = server.init_schema()
        version = server.schema_version()
    finally:
        server.close()
    return {"server": describe(dsn), "schema_version": version, "applied": applied,
            "app_schema_version": pg_schema.SCHEMA_VERSION}


def check_server(dsn: str) -> str:
    """Connect once with every check a kiosk makes; the server's label. SyncServerError."""
    check_dsn(dsn)
    connect(dsn).close()
    return describe(dsn)


def probe(dsn: str | None) -> tuple[bool, str | None]:
    """(usable, problem) without raising."""
    if not dsn:
        return False, "no server configured"
    try:
        connect(dsn).close()
    except SyncServerError as exc:
        return False, str(exc)
    return True, None
