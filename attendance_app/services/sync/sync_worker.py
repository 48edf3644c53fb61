"""SyncWorker: the background thread that keeps a kiosk in sync while it runs.

Connected, it LISTENs for the server's change notifications (a push: pulled within a fraction
of a second) and delivers the outbox as soon as rows wait in it (checked every `poll_s`); every
`pull_every_s` it also pulls by version, in case a notification was missed. When the server goes
away it says so in `status()` and retries with back-off (1 s doubling to `max_backoff_s`); on
reconnecting the first round pulls everything after the last version seen, so a kiosk that was
offline catches up, deletions first. Nothing here blocks recognition: the thread has its own
SQLite connection and the recogniser only reads the file.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from attendance_app.domain.errors import AttendanceAppError
from attendance_app.services.sync.sync_engine import RoundReport, SyncEngine
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.sync_local import LocalSyncStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and `sync status` show."""

    configured: bool
    connected: bool
    pending_records: int
    pending_total: int
    last_error: str | None = None
    last_sync: datetime | None = None
    server: str = ""

    @property
    def text(self) -> str:
        if not self.configured:
            return "no server (this kiosk works alone)"
        if self.connected:
            return f"connected to {self.server}" + (
                f", {self.pending_records} record(s) being sent" if self.pending_records else "")
        return f"offline, {self.pending_records} record(s) waiting" + (
            f" ({self.last_error})" if self.last_error else "")

    def to_dict(self) -> dict[str, object]:
        return {"configured": self.configured, "connected": self.connected,
                "server": self.server, "pending_records": self.pending_records,
                "pending_total": self.pending_total, "last_error": self.last_error,
                "last_sync": self.last_sync.isoformat() if self.last_sync else None,
                "text": self.text}


class SyncWorker:
    """Runs SyncEngine rounds on its own thread until `stop()`."""

    def __init__(self, engine: SyncEngine, open_db: Callable[[], AppDatabase], *,
                 on_changed: Callable[[RoundReport], None] = lambda r: None,
                 server_label: str = "", poll_s: float = 0.25, pull_every_s: float = 30.0,
                 max_backoff_s: float = 5.0) -> None:
        self._engine = engine
        self._open_db = open_db
        self._on_changed = on_changed
        self._label = server_label
        self._poll_s = poll_s
        self._pull_every_s = pull_every_s
        self._max_backoff_s = max_backoff_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = False
        self._last_error: str | None = None
        self._last_sync: datetime | None = None
        self._pending = (0, 0)
        self._was_connected = False

    def start(self) -> "SyncWorker":
        self._thread = threading.Thread(target=self._main, name="attendance-sync", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def status(self) -> SyncStatus:
        return SyncStatus(True, self._connected, self._pending[0], self._pending[1],
                          self._last_error, self._last_sync, self._label)

    # ---------------------------------------------------------------- thread
    def _main(self) -> None:
        db = self._open_db()
        backoff = 1.0
        try:
            while not self._stop.is_set():
                self._count_pending(db)
                try:
                    self._connected_loop(db)
                except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                    self._connected, self._last_error = False, str(exc) or type(exc).__name__
                    log.info("sync offline: %s", self._last_error)
                self._count_pending(db)
                if self._was_connected:  # a drop after a good connection: retry soon
                    backoff, self._was_connected = 1.0, False
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self._max_backoff_s)
        finally:
            db.close()

    def _connected_loop(self, db: AppDatabase) -> None:
        server = self._engine.connect()
        try:
            server.listen()
            self._after_round(self._engine.round(server, db))
            self._connected, self._last_error, self._was_connected = True, None, True
            last_pull = time.monotonic()
            while not self._stop.is_set():
                notified = server.wait_for_change(self._poll_s)
                if notified:
                    log.info("change notified")
                report = RoundReport()
                if LocalSyncStore(db).pending_count():
                    report.delivered = self._engine.push(server, db)
                if notified or time.monotonic() - last_pull >= self._pull_every_s:
                    self._engine.pull(server, db, report)
                    last_pull = time.monotonic()
                self._after_round(report)
                self._count_pending(db)
        finally:
            self._connected = False
            server.close()

    def _after_round(self, report: RoundReport) -> None:
        self._last_sync = datetime.now()
        if report.delivered or report.changed_locally:
            log.info("sync round: %s", report.to_dict())
        if report.changed_locally:
            self._on_changed(report)

    def _count_pending(self, db: AppDatabase) -> None:
        try:
            store = LocalSyncStore(db)
            self._pending = (store.pending_records(), store.pending_count())
        except AttendanceAppError:
            pass
