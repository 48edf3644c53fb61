"""Attendance from two kiosk processes reaches the server exactly once, across a server outage
and a SIGKILL between the local commit and the delivery."""

from __future__ import annotations

import signal
import time
from datetime import date

import psycopg
import pytest

from kiosks import app, go_kiosk, local, make_kiosk, start_kiosk, stop_kiosk, wait_for

pytestmark = pytest.mark.integration


def _server_uids(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute("SELECT uid::text FROM attendance_records")]


def _local_uids(kiosk) -> set[str]:
    return {r[0] for r in local(kiosk, "SELECT uid FROM attendance_records")}


def test_both_kiosks_keep_recording_while_the_server_is_down_and_every_record_arrives_once(
        dsn, pg_cluster, tmp_path) -> None:
    a, b = make_kiosk(tmp_path, "kiosk-a"), make_kiosk(tmp_path, "kiosk-b")
    procs = [start_kiosk(a, dsn, people=40, interval=0.25, group="Cast", go=False),
             start_kiosk(b, dsn, people=40, interval=0.25, group="Cast", go=False)]
    for proc in procs:
        go_kiosk(proc)
    try:
        assert wait_for(lambda: len(_server_uids(dsn)) >= 6, 20), "nothing delivered while up"
        pg_cluster.stop()
        down_at = [len(_local_uids(k)) for k in (a, b)]
        time.sleep(1.5)
        # Both kiosks went on recording locally while the server was gone.
        now = [len(_local_uids(k)) for k in (a, b)]
        assert all(n > before for n, before in zip(now, down_at)), (down_at, now)
        assert all(p.poll() is None for p in procs)
    finally:
        pg_cluster.start()
    assert wait_for(lambda: len(_server_uids(dsn)) >= 80, 40)
    for proc in procs:
        assert "\ndone\n" in stop_kiosk(proc)
    server = _server_uids(dsn)
    assert len(server) == 80 == len(set(server))  # none lost, none twice
    assert set(server) == _local_uids(a) | _local_uids(b)
    assert all(local(k, "SELECT count(*) FROM sync_outbox")[0][0] == 0 for k in (a, b))

    # A group's report read from the server spans both rooms; the local one only this kiosk.
    today = date.today().isoformat()
    for source, expected_b in ((["--server"], True), ([], False)):
        out = tmp_path / f"cast{len(source)}.csv"
        report = app(a, dsn, "report", "group", "Cast", "--from", today, "--to", today, "-o",
                     str(out), *source)
        assert report.returncode == 0, report.stderr
        text = out.read_text(encoding="utf-8")
        assert "kiosk-a session" in text and ("kiosk-b session" in text) == expected_b


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
