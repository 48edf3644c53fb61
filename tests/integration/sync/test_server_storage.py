"""The PostgreSQL adapter and the kiosk's outbox against a real server (in-process, fast)."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.domain.errors import SyncServerError
from attendance_app.storage import pg_schema
from attendance_app.storage.database import open_database
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.pg_server import connect, connect_for_init
from attendance_app.storage.sync_local import LocalSyncStore
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.services.sync.sync_engine import SyncEngine

pytestmark = pytest.mark.integration


@pytest.fixture
def server(server_db):
    init = connect_for_init(server_db)
    assert init.init_schema() == [1]
    assert init.init_schema() == []  # idempotent
    init.close()
    return server_db


def _kiosk(tmp_path, name):
    db = open_database(tmp_path / name / "attendance.db")
    model = ModelRepository(db).register("m", "converted", "/x", "sha-1")
    ModelRepository(db).set_active(model.id)
    return db, model.id


def _engine(dsn):
    return SyncEngine(dsn, lambda db, key: (m.id if (m := ModelRepository(db).find_by_sha256(key))
                                            else None))


def test_people_templates_and_deletions_flow_between_two_kiosks(server, tmp_path) -> None:
    a, model_a = _kiosk(tmp_path, "a")
    b, _ = _kiosk(tmp_path, "b")
    person = PeopleRepository(a).add("Ann Lee", external_id="S1", group="7B")
    vector = np.arange(512, dtype=np.float32) / 512
    TemplateRepository(a).add(person.id, model_a, vector)
    engine = _engine(server)
    assert engine.run_once(a).delivered == 2
    assert LocalSyncStore(a).pending_count() == 0
    report = engine.run_once(b)
    assert (report.people, report.templates) == (1, 1)
    pulled = PeopleRepository(b).find_by_external_id("S1")
    assert pulled is not None and pulled.group == "7B"
    embeddings, ids = TemplateRepository(b).load_gallery(ModelRepository(b).active().id)
    assert np.array_equal(embeddings[0], vector) and list(ids) == [pulled.id]
    assert LocalSyncStore(b).pending_count() == 0  # applying did not echo into the outbox

    # Last writer wins per field: B renames, then A (later) regroups; both edits survive.
    PeopleRepository(b).update(pulled.id, name="Ann Lee-Smith")
    PeopleRepository(a).update(person.id, group="8A")
    engine.run_once(b), engine.run_once(a), engine.run_once(b)
    for db, pid in ((a, person.id), (b, pulled.id)):
        got = PeopleRepository(db).get(pid)
        assert (got.name, got.group) == ("Ann Lee-Smith", "8A")

    PeopleRepository(a).delete(person.id)
    engine.run_once(a)
    assert engine.run_once(b).deleted == 1
    assert PeopleRepository(b).find_by_external_id("S1") is None
    assert TemplateRepository(b).count_for_model(ModelRepository(b).active().id) == 0
    pg = connect(server)
    assert pg.fetch_rows("SELECT count(*) AS n FROM people")[0]["n"] == 0
    assert pg.fetch_rows("SELECT count(*) AS n FROM templates")[0]["n"] == 0
    assert pg.fetch_rows("SELECT count(*) AS n FROM deletions")[0]["n"] == 1
    pg.close()


def test_a_schema_newer_than_the_app_is_refused_and_init_leaves_it_alone(server) -> None:
    pg = connect(server)
    pg.conn.execute("UPDATE app_schema SET version = %s", [pg_schema.SCHEMA_VERSION + 1])
    pg.close()
    with pytest.raises(SyncServerError, match="newer than this app"):
        connect(server)
    init = connect_for_init(server)
    with pytest.raises(SyncServerError, match="refusing to touch it"):
        init.init_schema()
    init.close()


def test_a_database_without_the_schema_says_to_run_server_init(server_db) -> None:
    with pytest.raises(SyncServerError, match="server init"):
        connect(server_db)


def test_the_background_worker_receives_each_push_and_reports_offline(server, tmp_path,
                                                                      pg_cluster) -> None:
    import time

    from attendance_app.services.sync.sync_worker import SyncWorker

    a, _ = _kiosk(tmp_path, "a")
    b, _ = _kiosk(tmp_path, "b")
    engine = _engine(server)
    worker = SyncWorker(engine, lambda: open_database(b.path, check=False), poll_s=0.1).start()
    try:
        for i in range(3):
            PeopleRepository(a).add(f"P{i}")
            engine.run_once(a)
            deadline = time.monotonic() + 5
            while len(PeopleRepository(b).list_all()) < i + 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(PeopleRepository(b).list_all()) == i + 1, worker.status().text
        assert worker.status().connected
    finally:
        worker.stop()


def test_reports_read_from_the_server_span_kiosks_and_keep_corrections(server, tmp_path) -> None:
    from datetime import date, datetime

    from attendance_app.domain.attendance import (AttendanceRecord, AttendanceStatus,
                                                  Correction, RecordSource)
    from attendance_app.domain.session import Session
    from attendance_app.services.sync.server_reports import server_report_service
    from attendance_app.storage.attendance_repository import AttendanceRepository
    from attendance_app.storage.session_repository import SessionRepository

    engine = _engine(server)
    for name in ("a", "b"):
        db, _ = _kiosk(tmp_path, name)
        person = PeopleRepository(db).add(f"Pupil {name}", group="7B")
        session = SessionRepository(db).create(Session(None, f"Room {name}", datetime.now(),
                                                       roster_group="7B"))
        record = AttendanceRepository(db).add(AttendanceRecord(
            session.id, person.id, AttendanceStatus.LATE, datetime.now(), 0.8,
            RecordSource.RECOGNIZED))
        AttendanceRepository(db).add_correction(Correction(
            record.id, "excuse", AttendanceStatus.EXCUSED, "teacher", datetime.now(), "bus"))
        engine.run_once(db)
    with server_report_service(server) as reports:
        table = reports.group_report("7B", date.today(), date.today())
    text = repr(table)
    assert "Room a" in text and "Room b" in text and "Pupil a" in text and "Pupil b" in text
