"""Helpers of the multi-kiosk tests: data dirs, `attendance-app` subprocesses, raw SQLite reads."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
KIOSK_SCRIPT = Path(__file__).with_name("kiosk_process.py")
KIOSK_PASSWORD = "kiosk-secret"  # the test cluster's kiosk role (TCP, scram-sha-256)


def make_kiosk(base: Path, name: str, weights_path: Path | None = None) -> Path:
    """A data dir (optionally with the cached converted weights, so no process converts)."""
    directory = base / name
    (directory / "models").mkdir(parents=True)
    if weights_path is not None:
        for source in weights_path.parent.glob(weights_path.name + "*"):
            shutil.copy2(source, directory / "models" / source.name)
    return directory


def env_for(dsn: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ATTENDANCE_APP_SERVER",
                                                             "ATTENDANCE_APP_DATA_DIR")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if dsn is not None:
        env["ATTENDANCE_APP_SERVER"] = dsn
    env.update(extra)
    return env


def app(kiosk: Path, dsn: str | None, *args: str, timeout: float = 180,
        **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run `attendance-app --data-dir KIOSK ARGS...` as a real process."""
    return subprocess.run([sys.executable, "-m", "attendance_app", "--data-dir", str(kiosk),
                           *args], env=env_for(dsn, **extra_env), capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def start_kiosk(kiosk: Path, dsn: str | None, people: int = 0, interval: float = 0.1,
                group: str | None = None, go: bool = True) -> subprocess.Popen[str]:
    """A long-running kiosk process (background sync on); it starts recording on `go_kiosk`
    (at once with `go`); stop it with `stop_kiosk`."""
    proc = subprocess.Popen([sys.executable, str(KIOSK_SCRIPT), str(kiosk), "--people",
                             str(people), "--interval", str(interval),
                             *(["--group", group] if group else [])], env=env_for(dsn),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"kiosk did not start: {line!r}"
    if go:
        go_kiosk(proc)
    return proc


def go_kiosk(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def stop_kiosk(proc: subprocess.Popen[str]) -> str:
    """Close the kiosk's stdin (a clean stop) and return the rest of its output."""
    out, _ = proc.communicate("", timeout=60)
    assert proc.returncode == 0, f"kiosk exited with {proc.returncode}"
    return out


def local(kiosk: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of a read-only query on a kiosk's SQLite file (another process may be writing)."""
    conn = sqlite3.connect(kiosk / "attendance.db", timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def raw_bytes(kiosk: Path) -> bytes:
    """Every byte of the kiosk's database files (main file, -wal, -shm)."""
    return b"".join(p.read_bytes() for p in sorted(kiosk.glob("attendance.db*")) if p.is_file())


def wait_for(condition, timeout: float, interval: float = 0.1):
    """Poll `condition()` until truthy (returned) or `timeout` seconds pass (returns last)."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    return value
