"""SyncService: what the app (CLI, GUI) calls to sync a data dir with the shared server.

- `startup()`: one bounded round when the app opens, so a kiosk that was offline applies the
  deletions made meanwhile *before it recognises anyone*; a failure is a warning, the kiosk
  works locally.
- `start_background()` / `stop()`: the SyncWorker while a session runs (`attendance-app run`,
  the window).
- `flush()`: a last delivery when a one-shot command closes (an enrolment or a deletion reaches
  the server at once rather than with the next long-running session).
- `status()`, `run_once()`: for `attendance-app sync status|now`.
"""

from __future__ import annotations

from collections.abc import Callable

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import AttendanceAppError, SyncServerError
from attendance_app.services.sync.server_address import describe, server_dsn
from attendance_app.services.sync.sync_engine import RoundReport, SyncEngine
from attendance_app.services.sync.sync_worker import SyncStatus, SyncWorker
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.sync_local import LocalSyncStore


class SyncService:
    """Sync for one data dir; inert (configured False) when no server is set."""

    def __init__(self, paths: AppPaths, settings: Settings,
                 ensure_default_model_key: Callable[[], str | None],
                 on_changed: Callable[[], None] = lambda: None) -> None:
        self._paths = paths
        self.config_error: str | None = None
        try:
            self.dsn = server_dsn(settings)
        except SyncServerError as exc:  # a bad string: say so, keep working locally
            self.dsn, self.config_error = None, str(exc)
        self._ensure_default_model_key = ensure_default_model_key
        self._on_changed = on_changed
        self._worker: SyncWorker | None = None
        self.engine = None if self.dsn is None else SyncEngine(self.dsn, self._model_for_key)

    @property
    def configured(self) -> bool:
        return self.engine is not None

    def _model_for_key(self, db: AppDatabase, key: str) -> int | None:
        """The local model whose weights have this sha256; registers the default model first
        when none is registered yet (a fresh kiosk), so its templates can be stored."""
        repo = ModelRepository(db)
        found = repo.find_by_sha256(key)
        if found is None and repo.active() is None and self._ensure_default_model_key() == key:
            found = repo.find_by_sha256(key)
        return None if found is None else found.id

    def run_once(self, db: AppDatabase, *, full: bool = False) -> RoundReport:
        """One round now; SyncServerError when the server cannot be used."""
        assert self.engine is not None, "no server configured"
        report = self.engine.run_once(db, full=full)
        if report.changed_locally:
            self._on_changed()
        return report

    def startup(self, db: AppDatabase) -> str | None:
        """A round at start-up; returns a warning instead of raising."""
        if self.config_error:
            return f"sync: {self.config_error} (this kiosk keeps working on its own data)"
        if self.engine is None:
            return None
        try:
            if ModelRepository(db).active() is None:
                # Register the model now (it loads the weights: seconds), not when the first
                # pushed templates arrive, so they are stored the moment they are announced.
                self._ensure_default_model_key()
            self.run_once(db)
        except AttendanceAppError as exc:
            return f"sync: {exc} (this kiosk keeps working on its own data)"
        return None

    def flush(self, db: AppDatabase) -> None:
        """Deliver what waits in the outbox, quietly (best effort at close)."""
        if self.engine is None or not LocalSyncStore(db).pending_count():
            return
        try:
            server = self.engine.connect()
            try:
                self.engine.push(server, db)
            finally:
                server.close()
        except AttendanceAppError:
            pass  # stays in the outbox; the next round delivers it

    def start_background(self) -> SyncWorker | None:
        if self.engine is None or self._worker is not None:
            return self._worker
        path = self._paths.db_path
        self._worker = SyncWorker(self.engine, lambda: open_database(path, check=False),
                                  on_changed=lambda report: self._on_changed(),
                                  server_label=describe(self.engine.dsn)).start()
        return self._worker

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def status(self, db: AppDatabase) -> SyncStatus:
        """The worker's view when it runs, else the local outbox (connection not tried)."""
        if self._worker is not None:
            return self._worker.status()
        store = LocalSyncStore(db)
        label = describe(self.engine.dsn) if self.engine is not None else ""
        return SyncStatus(self.configured, False, store.pending_records(), store.pending_count(),
                          None, None, label)
