"""A throw-away PostgreSQL 15 cluster for the sync tests, started once per test session.

initdb runs as the `postgres` user when the tests run as root (the server refuses root), in a
temporary folder that user owns; the server listens on a Unix socket in that folder and on
127.0.0.1 with a free port (password-checked, for the wrong-password test). Skipped when
PostgreSQL is not installed, except under CI=true where that is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosks import KIOSK_PASSWORD


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    """One running cluster; `dsn(db)` connects over the socket as the superuser (trust)."""

    bin_dir: Path
    base: Path
    port: int
    as_user: list[str]

    @property
    def data(self) -> Path:
        return self.base / "data"

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.base / "log.txt"), "-o",
                  f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1", "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host={self.base} port={self.port} user={user} dbname={dbname}"

    def tcp_dsn(self, dbname: str, user: str = "kiosk") -> str:
        return f"host=127.0.0.1 port={self.port} user={user} dbname={dbname} connect_timeout=3"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(sql)
            return "" if cur.description is None else repr(cur.fetchall())

    def fresh_database(self, name: str) -> str:
        """A new empty database owned by the kiosk role; returns its socket DSN."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}" OWNER kiosk')
        return self.dsn(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = "PostgreSQL is not installed (scripts/install_postgresql.sh installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("psycopg")
    base = Path(tempfile.mkdtemp(prefix="attendance-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(base, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = PgCluster(bin_dir, base, _free_port(), as_user)
    cluster._run(str(bin_dir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U",
                 "postgres", "--no-sync")
    # Socket: trust (the test superuser); TCP: passwords checked (the wrong-password test).
    (cluster.data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
    cluster.start()
    cluster.psql(f"CREATE ROLE kiosk LOGIN PASSWORD '{KIOSK_PASSWORD}'")
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def server_db(pg_cluster: PgCluster, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database for one test (the cluster is shared); its socket DSN."""
    name = "t_" + "".join(c for c in request.node.name.lower() if c.isalnum())[:40]
    return pg_cluster.fresh_database(name)



@pytest.fixture
def dsn(server_db: str, tmp_path: Path) -> str:
    """A fresh database with the app's schema made by `attendance-app server init`."""
    from kiosks import app, make_kiosk

    result = app(make_kiosk(tmp_path, "admin"), None, "server", "init", "--server", server_db,
                 timeout=60)
    assert result.returncode == 0, result.stderr
    assert "schema version 1" in result.stdout
    return server_db
