"""SIGKILL in the middle of a live session loses no printed record and leaves a sound database.

The real headless `attendance-app run` takes attendance from the Hamilton clip (looped, as a
simulated webcam) in a subprocess. To keep each run short on a loaded 2-core CPU, the clip is
cut to frames 120-199 (Lin-Manuel Miranda on stage, confirmed within a few frames; at full
length he first appears near frame 90, minutes into a run under load). Once it has printed a record (JSON line) it is killed with
SIGKILL, at a different moment in each run: at once, a little later while it keeps writing
unknown-face snapshots, and later still. Then every printed record must be in the database, the
file must pass `PRAGMA integrity_check`, and the app must open it again. Finally `run` with the
name of the first killed session resumes it (issue 14: a crashed session used to stay open for
ever) and closes it: still one session, one record per roster member, nothing recorded or
printed twice. Skips without the data.

Figures for the README come from the summary this module prints (`pytest -s`).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from attendance_app.storage.database import open_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

APP = [sys.executable, "-m", "attendance_app"]
# Seconds between the first printed record and the SIGKILL, one run each.
KILL_DELAYS_S = (0.0, 1.5, 4.0)
FIRST_RECORD_TIMEOUT_S = 240.0
ROSTER = "stage"


@dataclass
class KillRun:
    delay_s: float
    printed: list[dict]
    stored_ids: set[int]
    integrity: list[str]

    @property
    def lost(self) -> int:
        return sum(1 for r in self.printed if r["record_id"] not in self.stored_ids)


def _cli(data_dir: Path, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*APP, "--data-dir", str(data_dir), *argv], capture_output=True,
                          text=True, timeout=timeout, env=_env())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ATTENDANCE_APP_ADMIN_PASSWORD", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="module")
def enrolled_data_dir(dataset, tmp_path_factory) -> tuple[Path, Path]:
    """A data dir with Lin-Manuel Miranda and Alex Lacamoire enrolled through the CLI."""
    folder = dataset("face_recognition_video")
    data_dir = tmp_path_factory.mktemp("kill") / "data"
    for name, photo in (("Lin-Manuel Miranda", "lin-manuel-miranda.png"),
                        ("Alex Lacamoire", "alex-lacamoire.png")):
        done = _cli(data_dir, "enroll", name, str(folder / photo), "--consent",
                    "--group", ROSTER)
        assert done.returncode == 0, done.stderr
    return data_dir, _clip_segment(folder / "short_hamilton_clip.mp4", data_dir.parent / "seg.mp4")


def _clip_segment(clip: Path, dest: Path, first: int = 120, stop: int = 200) -> Path:
    """Frames [first, stop) of the clip as a new MP4 (the frames themselves are unchanged)."""
    import cv2  # test-side only: the app reads the result through its own frame source

    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(dest), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    index = 0
    try:
        while index < stop:
            ok, frame = cap.read()
            if not ok:
                break
            if index >= first:
                writer.write(frame)
            index += 1
    finally:
        writer.release()
        cap.release()
    assert dest.stat().st_size > 0, "could not write the clip segment"
    return dest


class _LineReader:
    """Collects the JSON record lines of a child's stdout on a thread, so the test can wait
    for the first one with a deadline instead of blocking on readline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.records: list[dict] = []
        self.first = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "record_id" in obj:
                self.records.append(obj)
                self.first.set()

    def join(self) -> None:
        self._thread.join(timeout=10)


def _kill_run(data_dir: Path, clip: Path, index: int, delay_s: float) -> KillRun:
    proc = subprocess.Popen(
        [*APP, "--data-dir", str(data_dir), "run", "--source", str(clip), "--loop",
         "--session", f"kill run {index}", "--roster", ROSTER, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env())
    reader = _LineReader(proc)
    try:
        if not reader.first.wait(FIRST_RECORD_TIMEOUT_S):
            pytest.fail(f"run {index}: no record printed within {FIRST_RECORD_TIMEOUT_S:.0f} s")
        time.sleep(delay_s)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join()
    assert proc.returncode == -signal.SIGKILL
    # Read with plain sqlite3 first: nothing of the app's own recovery is involved.
    conn = sqlite3.connect(data_dir / "attendance.db")
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        stored = {r[0] for r in conn.execute("SELECT id FROM attendance_records")}
    finally:
        conn.close()
    return KillRun(delay_s, list(reader.records), stored, integrity)


@pytest.fixture(scope="module")
def kill_runs(enrolled_data_dir) -> list[KillRun]:
    data_dir, clip = enrolled_data_dir
    runs = [_kill_run(data_dir, clip, i, delay) for i, delay in enumerate(KILL_DELAYS_S, 1)]
    printed = sum(len(r.printed) for r in runs)
    print(f"\nSIGKILL runs: {len(runs)}, records printed: {printed}, "
          f"records lost: {sum(r.lost for r in runs)}, kill delays after the first record: "
          f"{[r.delay_s for r in runs]} s")
    return runs


@pytest.mark.timeout(1200)
def test_every_printed_record_survives_a_sigkill(kill_runs: list[KillRun]) -> None:
    assert all(run.printed for run in kill_runs)
    assert [run.lost for run in kill_runs] == [0] * len(kill_runs)


@pytest.mark.timeout(1200)
def test_the_database_passes_integrity_check_after_each_sigkill(kill_runs: list[KillRun]) -> None:
    assert [run.integrity for run in kill_runs] == [["ok"]] * len(kill_runs)


@pytest.mark.timeout(1200)
def test_the_app_opens_the_database_again_after_the_kills(enrolled_data_dir,
                                                          kill_runs: list[KillRun]) -> None:
    data_dir, _ = enrolled_data_dir
    with open_database(data_dir / "attendance.db") as app_db:  # quick_check + migrations
        assert app_db.integrity_check() == []
    listed = _cli(data_dir, "db", "check")
    assert listed.returncode == 0, listed.stderr
    sessions = _cli(data_dir, "people", "list", "--json")
    assert {p["name"] for p in json.loads(sessions.stdout)} == {"Lin-Manuel Miranda",
                                                               "Alex Lacamoire"}


@pytest.mark.timeout(1200)
def test_run_with_the_same_name_resumes_the_killed_session_and_closes_it(
        enrolled_data_dir, kill_runs: list[KillRun]) -> None:
    data_dir, clip = enrolled_data_dir
    done = _cli(data_dir, "run", "--source", str(clip), "--session", "kill run 1", "--roster",
                ROSTER, "--json", timeout=900)  # the clip once, not looped: it ends by itself
    assert done.returncode == 0, done.stderr
    assert "resuming session 'kill run 1'" in done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()
               if line.startswith("{") and "record_id" in line]
    conn = sqlite3.connect(data_dir / "attendance.db")
    try:
        sessions = conn.execute(
            "SELECT id, ended_at FROM sessions WHERE name = 'kill run 1'").fetchall()
        records = conn.execute(
            "SELECT id, person_name, status FROM attendance_records WHERE session_id = ?",
            [sessions[0][0]]).fetchall()
    finally:
        conn.close()
    assert len(sessions) == 1 and sessions[0][1] is not None  # resumed, then closed
    names = sorted(r[1] for r in records)
    assert names == ["Alex Lacamoire", "Lin-Manuel Miranda"]  # each roster member once
    before = {r["record_id"] for r in kill_runs[0].printed}
    assert not before & {r["record_id"] for r in printed}  # nothing printed a second time
    assert {r[0] for r in records} == before | {r["record_id"] for r in printed}
    print(f"\nresumed 'kill run 1' after SIGKILL: 1 session, {len(before)} record(s) before the "
          f"kill, {len(printed)} printed on resume ({[r['status'] for r in printed]}), "
          f"{len(records)} stored, 0 duplicates, session closed")
