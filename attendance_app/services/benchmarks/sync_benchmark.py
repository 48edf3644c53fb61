"""`benchmark sync`: many simulated kiosks against one PostgreSQL server.

Each simulated kiosk is a real data dir (real SQLite file, the real outbox triggers) with a
real SyncWorker thread (LISTEN/NOTIFY, outbox delivery); only the camera is replaced: producer
threads write attendance records at a fixed total rate (`rate` per second, spread over the
kiosks) through AttendanceRepository, as SessionRun does. Before that, one kiosk enrols
`people` x `templates` random unit vectors (the seeding push is timed), and after the run a
fresh kiosk pulls every template (timed).

Measured: events/s delivered (events / time from the first local write to the last server
receipt), lag from a record's local commit to the server's receipt (p50/p95/max, same clock:
one machine), server rows of this run = events written. Run it against a throw-away database:
it adds people, templates and records.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, RecordSource
from attendance_app.domain.errors import DatabaseError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.services.sync.sync_engine import SyncEngine
from attendance_app.services.sync.sync_worker import SyncWorker
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.pg_server import connect_for_init
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.sync_local import LocalSyncStore
from attendance_app.storage.template_repository import NewTemplate, TemplateRepository

Progress = Callable[[int, int, str], bool]


def run_sync_benchmark(dsn: str, *, kiosks: int = 20, people: int = 5000, templates: int = 5,
                       events: int = 20000, rate: float = 500.0, seed: int = 0,
                       progress: Progress | None = None) -> dict[str, object]:
    """Run the scenario; a JSON-able dict of the measurements (see the module docstring)."""
    if kiosks < 1 or people < 0 or templates < 1 or events < 0 or rate <= 0:
        raise ValidationError("kiosks >= 1, people >= 0, templates >= 1, events >= 0, rate > 0")
    init = connect_for_init(dsn)
    try:
        init.init_schema()
    finally:
        init.close()
    model_key = f"benchmark-{uuid.uuid4()}"  # this run's templates only
    engine = SyncEngine(dsn, lambda db, key: _model_id(db, key), push_batch=2000)
    with tempfile.TemporaryDirectory(prefix="attendance-sync-bench-") as folder:
        base = Path(folder)
        seed_s = _seed(engine, _kiosk(base / "enrol", model_key), people, templates, seed)
        _tick(progress, 1, 3, "people seeded")
        kiosk_ids, lags, first_write, last_receipt = _events(engine, base, model_key, kiosks,
                                                             events, rate)
        _tick(progress, 2, 3, "events delivered")
        fresh = _kiosk(base / "new-kiosk", model_key)
        started = time.perf_counter()
        engine.run_once(fresh)
        pull_s = time.perf_counter() - started
        pulled = TemplateRepository(fresh).count_for_model(_model_id(fresh, model_key) or 0)
        fresh.close()
        _tick(progress, 3, 3, "new kiosk pulled")
    rows = _server_rows(dsn, kiosk_ids)
    span = max((last_receipt - first_write), 1e-9) if events else 0.0
    return {
        "kiosks": kiosks, "people": people, "templates": people * templates,
        "events": events, "rate_target_per_s": rate,
        "seed_push_s": round(seed_s, 2),
        "events_per_s_delivered": round(events / span, 1) if events else None,
        "lag_ms_p50": _pct(lags, 50), "lag_ms_p95": _pct(lags, 95), "lag_ms_max": _pct(lags, 100),
        "new_kiosk_pull_s": round(pull_s, 2), "new_kiosk_templates": pulled,
        "server_rows": rows, "server_rows_equal_events": rows == events,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _model_id(db: AppDatabase, key: str) -> int | None:
    found = ModelRepository(db).find_by_sha256(key)
    return None if found is None else found.id


def _kiosk(folder: Path, model_key: str) -> AppDatabase:
    db = open_database(folder / "attendance.db")
    model = ModelRepository(db).register("benchmark", "imported", "/dev/null", model_key)
    ModelRepository(db).set_active(model.id)
    return db


def _seed(engine: SyncEngine, db: AppDatabase, people: int, per_person: int, seed: int) -> float:
    """Enrol random people locally, then time the push of them and their templates."""
    rng = np.random.default_rng(seed)
    repo, model_id = PeopleRepository(db), _model_id(db, ModelRepository(db).active().sha256)
    with db.transaction():
        for i in range(people):
            person = repo.add(f"Person {i:05d}", external_id=f"B{uuid.uuid4().hex[:12]}",
                              group=f"Group {i % 40:02d}")
            vectors = rng.standard_normal((per_person, 512)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            TemplateRepository(db).add_many(model_id, [NewTemplate(person.id, v) for v in vectors])
    started = time.perf_counter()
    server = engine.connect()
    try:
        engine.push(server, db)
    finally:
        server.close()
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def _events(engine: SyncEngine, base: Path, model_key: str, kiosks: int, events: int,
            rate: float) -> tuple[list[str], list[float], float, float]:
    """N kiosks with workers; producers at `rate`/s in total. Returns kiosk ids, lags (ms),
    first write and last receipt (epoch s)."""
    # The event kiosks run another model: they pull the 5,000 people, not the templates (the
    # new kiosk below times that), so the run measures attendance delivery.
    dbs = [_kiosk(base / f"kiosk-{k:02d}", f"other-{model_key}") for k in range(kiosks)]
    ids = [LocalSyncStore(db).kiosk_id() for db in dbs]
    paths = [db.path for db in dbs]
    for db in dbs:
        db.close()
    workers = [SyncWorker(engine, (lambda p=p: open_database(p, check=False)),
                          poll_s=0.1).start() for p in paths]
    share = [events // kiosks + (1 if k < events % kiosks else 0) for k in range(kiosks)]
    first_write = time.time()
    threads = [threading.Thread(target=_produce, args=(p, n, rate / kiosks))
               for p, n in zip(paths, share)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _server_rows(engine.dsn, ids) < events:
        time.sleep(0.2)
    for w in workers:
        w.stop()
    lags, last = _lags(engine.dsn, ids)
    return ids, lags, first_write, last


def _produce(path: Path, count: int, per_second: float) -> None:
    """Write `count` records at `per_second` into one kiosk's file (its own connection)."""
    db = open_database(path, check=False)
    try:
        session = SessionRepository(db).create(Session(None, "benchmark", datetime.now()))
        records = AttendanceRepository(db)
        started = time.perf_counter()
        for i in range(count):
            wait = started + i / per_second - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            while True:  # as SessionRun does: a record the file refuses now is retried
                try:
                    records.add(AttendanceRecord(session.id, None, AttendanceStatus.PRESENT,
                                                 datetime.now(), 0.9, RecordSource.RECOGNIZED,
                                                 person_name=f"Visitor {i}"))
                    break
                except DatabaseError:
                    time.sleep(0.05)
    finally:
        db.close()


def _server_rows(dsn: str, kiosk_ids: list[str]) -> int:
    server = connect_for_init(dsn)
    try:
        return int(server.fetch_rows("SELECT count(*) AS n FROM attendance_records WHERE "
                                     "kiosk_id = ANY(%s)", [kiosk_ids])[0]["n"])
    finally:
        server.close()


def _lags(dsn: str, kiosk_ids: list[str]) -> tuple[list[float], float]:
    """Lag (ms) of every record of these kiosks, and the last receipt (epoch seconds)."""
    server = connect_for_init(dsn)
    try:
        rows = server.fetch_rows(
            "SELECT created_at, extract(epoch FROM received_at) AS received FROM "
            "attendance_records WHERE kiosk_id = ANY(%s)", [kiosk_ids])
    finally:
        server.close()
    lags = [(float(r["received"]) - datetime.fromisoformat(r["created_at"]).timestamp()) * 1000
            for r in rows]
    last = max((float(r["received"]) for r in rows), default=time.time())
    return lags, last


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def _tick(progress: Progress | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)
