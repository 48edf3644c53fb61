"""SyncEngine: one sync round between a kiosk's SQLite file and the shared server.

A round delivers the outbox (attendance, corrections, people, templates, deletions; batches of
`push_batch`, each acknowledged locally only after the server committed it), then pulls every
change after the last version seen (deletions first) and applies it locally. The local file
stays the working store: recognition reads it only, so it never waits on the network.

Threads: a round uses the AppDatabase it is given (the caller's thread owns it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from attendance_app.storage.database import AppDatabase
from attendance_app.storage.pg_server import PgServer, PullPage, connect
from attendance_app.storage.sync_local import LocalSyncStore

ModelForKey = Callable[[AppDatabase, str], "int | None"]


@dataclass
class RoundReport:
    """What one round moved."""

    delivered: int = 0
    deleted: int = 0
    people: int = 0
    templates: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def changed_locally(self) -> bool:
        return bool(self.deleted or self.people or self.templates)

    def to_dict(self) -> dict[str, object]:
        return {"delivered": self.delivered, "deleted_here": self.deleted,
                "people_pulled": self.people, "templates_pulled": self.templates,
                "skipped": self.skipped[:20]}


class SyncEngine:
    """Push-then-pull rounds for one data dir and one server."""

    def __init__(self, dsn: str, model_for_key: ModelForKey, *, timeout_s: float = 3.0,
                 push_batch: int = 1000, apply_chunk: int = 500) -> None:
        self.dsn = dsn
        self.apply_chunk = apply_chunk
        self._model_for_key = model_for_key
        self.timeout_s = timeout_s
        self.push_batch = push_batch

    def connect(self) -> PgServer:
        """A checked server connection (SyncServerError when unusable)."""
        return connect(self.dsn, timeout_s=self.timeout_s)

    def push(self, server: PgServer, db: AppDatabase) -> int:
        """Deliver the whole outbox; returns how many outbox rows went."""
        store = LocalSyncStore(db)
        kiosk_id, delivered = store.kiosk_id(), 0
        while True:
            batch = store.next_batch(self.push_batch)
            if not batch.ids:
                return delivered
            if len(batch.batch):
                server.push(batch.batch, kiosk_id)
            store.acknowledge(batch.ids)  # after the server's commit: a crash re-sends
            delivered += len(batch.ids)
            if len(batch.ids) < self.push_batch:
                return delivered

    def pull(self, server: PgServer, db: AppDatabase, report: RoundReport) -> None:
        """Apply every server change after the version this kiosk saw last."""
        store = LocalSyncStore(db)
        while True:
            since = store.pulled_version()
            page = server.pull(since)
            for part in split_page(page, since, self.apply_chunk):
                applied = store.apply(part, lambda key: self._model_for_key(db, key))
                report.deleted += applied.deleted
                report.people += applied.people
                report.templates += applied.templates
                report.skipped.extend(s for s in applied.skipped if s not in report.skipped)
                if store.pending_records():  # records keep flowing during a long catch-up
                    report.delivered += self.push(server, db)
            if not page.more:
                return

    def round(self, server: PgServer, db: AppDatabase) -> RoundReport:
        """Push, then pull (so a local edit is on the server before its state comes back)."""
        report = RoundReport()
        report.delivered = self.push(server, db)
        self.pull(server, db, report)
        return report

    def run_once(self, db: AppDatabase, *, full: bool = False) -> RoundReport:
        """Connect, run one round, disconnect. `full`: pull everything again from version 0
        (e.g. after this kiosk got a model whose templates it skipped)."""
        server = self.connect()
        try:
            if full:
                LocalSyncStore(db).set_pulled_version(0)
            return self.round(server, db)
        finally:
            server.close()


def split_page(page: PullPage, since: int, size: int) -> list[PullPage]:
    """A pulled page as several local transactions of at most `size` rows each, deletions
    first, so a big catch-up never holds the kiosk's write lock for long (a record being
    taken waits at most one chunk). Only the last part moves the pulled version; re-applying
    a part after a crash changes nothing."""
    parts = [PullPage(page.deletions, [], [], since, True)] if page.deletions else []
    for start in range(0, len(page.people), size):
        parts.append(PullPage([], page.people[start:start + size], [], since, True))
    for start in range(0, len(page.templates), size):
        parts.append(PullPage([], [], page.templates[start:start + size], since, True))
    if not parts:
        parts.append(PullPage([], [], [], since, True))
    last = parts[-1]
    parts[-1] = PullPage(last.deletions, last.people, last.templates, page.up_to, page.more)
    return parts
