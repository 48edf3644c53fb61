"""People enrolled on one kiosk are recognised on another; a deletion reaches the server and
every kiosk's raw SQLite files, also a kiosk that was offline when it happened. Real MTCNN, real
converted FaceNet weights, real photos, real `attendance-app` processes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import pytest

from kiosks import app, local, make_kiosk, raw_bytes, start_kiosk, stop_kiosk, wait_for

pytestmark = pytest.mark.integration

LIN, ALEX = "Lin-Manuel Miranda", "Alex Lacamoire"


def _identify(kiosk: Path, dsn: str | None, photo: Path) -> dict:
    result = app(kiosk, dsn, "identify", "--json", str(photo))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[0])


def _template_blob(kiosk: Path, name: str) -> bytes:
    rows = local(kiosk, "SELECT t.embedding FROM templates t JOIN people p ON p.id = t.person_id "
                        "WHERE p.name = ?", (name,))
    assert len(rows) == 1
    return bytes(rows[0][0])


def _server_people(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM people ORDER BY name")]


def test_enrolled_on_a_recognised_on_b_and_deleted_everywhere(
        dsn, dataset, converted_weights, tmp_path) -> None:
    photos = dataset("face_recognition_video")
    weights = Path(converted_weights.path)
    a, b = make_kiosk(tmp_path, "kiosk-a", weights), make_kiosk(tmp_path, "kiosk-b", weights)
    kiosk_b = start_kiosk(b, dsn)  # running, syncing in the background
    try:
        enrolled = app(a, dsn, "enroll", LIN, str(photos / "lin-manuel-miranda.png"),
                       "--consent")
        assert enrolled.returncode == 0, enrolled.stderr
        done = time.monotonic()
        arrived = wait_for(lambda: local(b, "SELECT count(*) FROM templates")[0][0] == 1, 5.0,
                           0.05)
        lag = time.monotonic() - done
        assert arrived, "kiosk B did not receive the template within 5 s"
        print(f"enrolment on A reached B's SQLite {lag:.2f} s after `enroll` exited")
        # B recognises from its own file (no server given to this process).
        face = _identify(b, None, photos / "lin-manuel-miranda.png")
        assert face["name"] == LIN and face["known"] is True

        assert app(a, dsn, "enroll", ALEX, str(photos / "alex-lacamoire.png"),
                   "--consent").returncode == 0
        assert wait_for(lambda: local(b, "SELECT count(*) FROM templates")[0][0] == 2, 5.0)
        lin_blob, alex_blob = _template_blob(b, LIN), _template_blob(b, ALEX)

        # Online: deleted on A -> gone from the server and from B while B runs.
        assert app(a, dsn, "people", "remove", LIN, "--yes").returncode == 0
        assert wait_for(lambda: not local(b, "SELECT 1 FROM people WHERE name = ?", (LIN,)), 5.0)
    finally:
        stop_kiosk(kiosk_b)
    assert LIN not in _server_people(dsn)
    data = raw_bytes(b)
    assert lin_blob not in data and LIN.encode() not in data

    # Offline: B is not running while A deletes; B applies it before it recognises anyone.
    assert app(a, dsn, "people", "remove", ALEX, "--yes").returncode == 0
    assert _server_people(dsn) == []
    face = _identify(b, dsn, photos / "alex-lacamoire.png")
    assert face["known"] is False
    data = raw_bytes(b)
    assert alex_blob not in data and ALEX.encode() not in data
    assert local(b, "SELECT count(*) FROM people")[0][0] == 0
