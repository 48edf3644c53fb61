"""A server the kiosk cannot use (bad string, wrong password, PostgreSQL < 15, a newer schema)
gets a clear message, and the kiosk keeps working on its own SQLite file."""

from __future__ import annotations

import psycopg
import pytest

from kiosks import KIOSK_PASSWORD, app, local, make_kiosk, start_kiosk, stop_kiosk

pytestmark = pytest.mark.integration


def _dbname(dsn: str) -> str:
    return dsn.split("dbname=")[1].split()[0]


def _refused_but_working_locally(kiosk, server: str, message: str, **env: str) -> None:
    now = app(kiosk, server, "sync", "now", **env)
    assert now.returncode == 2 and message in now.stderr, now.stderr
    listed = app(kiosk, server, "people", "list", **env)
    assert listed.returncode == 0, listed.stderr
    assert message in listed.stderr and "keeps working" in listed.stderr


def test_a_bad_string_or_a_wrong_password_is_named_and_the_kiosk_records_locally(
        server_db, pg_cluster, tmp_path) -> None:
    kiosk = make_kiosk(tmp_path, "kiosk")
    tcp = pg_cluster.tcp_dsn(_dbname(server_db))
    # The schema made over TCP by the kiosk role, with the right password from PGPASSWORD.
    init = app(kiosk, None, "server", "init", "--server", tcp, PGPASSWORD=KIOSK_PASSWORD)
    assert init.returncode == 0, init.stderr
    _refused_but_working_locally(kiosk, "this is not a connection string", "is not valid")
    _refused_but_working_locally(kiosk, tcp + " password=x", "contains a password")
    _refused_but_working_locally(kiosk, tcp, "refused the password", PGPASSWORD="wrong")

    proc = start_kiosk(kiosk, tcp, people=2, interval=0.01)  # no PGPASSWORD: refused
    assert "offline" in stop_kiosk(proc)
    assert local(kiosk, "SELECT count(*) FROM attendance_records")[0][0] == 2
    assert local(kiosk, "SELECT count(*) FROM sync_outbox WHERE kind = 'record'")[0][0] == 2

    done = app(kiosk, tcp, "sync", "now", "--json", PGPASSWORD=KIOSK_PASSWORD)
    assert done.returncode == 0, done.stderr
    with psycopg.connect(server_db) as conn:
        assert conn.execute("SELECT count(*) FROM attendance_records").fetchone()[0] == 2


def test_an_old_server_or_a_newer_schema_is_refused_with_the_reason(dsn, pg_cluster,
                                                                    tmp_path) -> None:
    kiosk = make_kiosk(tmp_path, "kiosk")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE app_schema SET version = version + 1")
    _refused_but_working_locally(kiosk, dsn, "newer than this app understands")
    refused = app(kiosk, None, "server", "init", "--server", dsn)
    assert refused.returncode == 2 and "refusing to touch it" in refused.stderr

    # PostgreSQL 14 stood in: the version the app reads comes from current_setting().
    name = _dbname(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA fake")
        conn.execute("CREATE FUNCTION fake.current_setting(text) RETURNS text LANGUAGE sql "
                     "AS $$ SELECT '140010' $$")
        conn.execute(f'ALTER DATABASE "{name}" SET search_path = fake, pg_catalog, public')
    _refused_but_working_locally(kiosk, dsn, "PostgreSQL 14.10; this app needs PostgreSQL 15")
    refused = app(kiosk, None, "server", "init", "--server", dsn)
    assert refused.returncode == 2 and "needs PostgreSQL 15" in refused.stderr
