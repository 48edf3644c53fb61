"""Attendance from two kiosk processes reaches the server exactly once, across a server outage
and a SIGKILL between the local commit and the delivery."""

from __future__ import annotations

import signal
import time

import psycopg
import pytest

from kiosks import app, local, make_kiosk, start_kiosk, stop_kiosk, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def dsn(server_db, tmp_path) -> str:
    result = app(make_kiosk(tmp_path, "admin"), None, "server", "init", "--server", server_db,
                 timeout=60)
    assert result.returncode == 0, result.stderr
    assert "schema version 1" in result.stdout
    return server_db


def _server_uids(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute("SELECT uid::text FROM attendance_records")]


def _local_uids(kiosk) -> set[str]:
    return {r[0] for r in local(kiosk, "SELECT uid FROM attendance_records")}


def test_both_kiosks_keep_recording_while_the_server_is_down_and_every_record_arrives_once(
        dsn, pg_cluster, tmp_path) -> None:
    a, b = make_kiosk(tmp_path, "kiosk-a"), make_kiosk(tmp_path, "kiosk-b")
    procs = [start_kiosk(a, dsn, people=30, interval=0.1),
             start_kiosk(b, dsn, people=30, interval=0.1)]
    try:
        assert wait_for(lambda: len(_server_uids(dsn)) >= 6, 20), "nothing delivered while up"
        pg_cluster.stop()
        down_at = [len(_local_uids(k)) for k in (a, b)]
        time.sleep(1.5)
        # Both kiosks went on recording locally while the server was gone.
        assert all(len(_local_uids(k)) > n for k, n in zip((a, b), down_at))
        assert all(p.poll() is None for p in procs)
    finally:
        pg_cluster.start()
    assert wait_for(lambda: len(_server_uids(dsn)) >= 60, 30)
    for proc in procs:
        assert stop_kiosk(proc).strip().endswith("done")
    server = _server_uids(dsn)
    assert len(server) == 60 == len(set(server))  # none lost, none twice
    assert set(server) == _local_uids(a) | _local_uids(b)
    assert all(local(k, "SELECT count(*) FROM sync_outbox")[0][0] == 0 for k in (a, b))


def test_a_record_committed_locally_then_sigkilled_is_delivered_once_after_restart(
        dsn, pg_cluster, tmp_path) -> None:
    a = make_kiosk(tmp_path, "kiosk-a")
    pg_cluster.stop()
    try:
        proc = start_kiosk(a, dsn, people=3, interval=0.05)
        assert wait_for(lambda: len(_local_uids(a)) == 3, 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        pg_cluster.start()
    waiting = local(a, "SELECT count(*) FROM sync_outbox WHERE kind = 'record'")[0][0]
    assert waiting == 3  # committed with its outbox row, not yet delivered
    for _ in range(2):  # the restarted kiosk delivers; a second round sends nothing twice
        result = app(a, dsn, "sync", "now", "--json")
        assert result.returncode == 0, result.stderr
    assert sorted(_server_uids(dsn)) == sorted(_local_uids(a))
    assert len(_server_uids(dsn)) == 3
