"""Issue 14 item 2: after `people remove`, no file under the data folder holds the person's face
bytes (database, WAL, daily backups, pre-restore and damaged copies), with encryption at rest off
or on; and restoring an older backup does not bring them back (the erasure log).

The scan reads every file under the data folder and first proves it can see the bytes in each
copy before the delete, so it cannot pass by looking in the wrong place."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from attendance_app.cli import main
from attendance_app.config import AppPaths, Settings
from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, RecordSource
from attendance_app.domain.session import Session
from attendance_app.services import encryption_service
from attendance_app.services.app_services import AppServices
from attendance_app.services.erasure_service import recorded_erasures
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.backup import backup_database, daily_backup_name
from attendance_app.storage.biometric_columns import PASSPHRASE_ENV
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.session_repository import SessionRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository

PASSPHRASE = "correct horse battery staple"
T0 = datetime(2026, 11, 26, 9, 0, 0)
pytestmark = pytest.mark.usefixtures("empty_keyring")


def _png(seed: int, size: int) -> bytes:
    rng = np.random.default_rng(seed)
    return b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, size, dtype=np.uint8).tobytes()


def _vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
    return v / np.linalg.norm(v)


def _enrol_with_everything(services: AppServices, name: str, seed: int) -> int:
    """A person with a crop, a template, a linked unknown-face snapshot and a thumbnail."""
    db = services.db
    model = ModelRepository(db).active() or ModelRepository(db).register(
        "casia", "converted", "/m.pt", "ab" * 32, activate=True)
    person = PeopleRepository(db).add(name, created_at=T0)
    crop = FaceCropRepository(db).add(person.id, _png(seed, 20000))
    TemplateRepository(db).add(person.id, model.id, _vector(seed), crop_id=crop.id)
    session = SessionRepository(db).create(Session(None, f"s{seed}", T0))
    UnknownFaceRepository(db).add(T0, _png(seed + 1, 6000), session_id=session.id,
                                  best_person_id=person.id, best_similarity=0.5)
    AttendanceRepository(db).add(AttendanceRecord(
        session.id, person.id, AttendanceStatus.PRESENT, T0, 0.9, RecordSource.RECOGNIZED,
        thumbnail_png=_png(seed + 2, 5000)))
    return person.id


def _stored_blobs(services: AppServices, person_id: int) -> list[bytes]:
    """The person's biometric values exactly as stored (clear or sealed)."""
    conn = services.db.conn
    queries = [("SELECT png FROM face_crops WHERE person_id = ?"),
               ("SELECT embedding FROM templates WHERE person_id = ?"),
               ("SELECT snapshot_png FROM unknown_faces WHERE best_person_id = ?"),
               ("SELECT thumbnail_png FROM attendance_records WHERE person_id = ?")]
    blobs = [bytes(row[0]) for sql in queries for row in conn.execute(sql, [person_id])]
    assert len(blobs) == 4
    return blobs


def _chunks(blob: bytes, size: int = 48) -> list[bytes]:
    return [blob[i:i + size] for i in range(8, len(blob) - size, 97)]


def _holds(raw: bytes, blob: bytes) -> bool:
    return any(chunk in raw for chunk in _chunks(blob))


def _every_file(data_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}


def _damaged_raw_copy(db_path: Path, dest: Path) -> None:
    """A byte copy whose header is wrecked: SQLite cannot open it, the bytes are still there."""
    raw = bytearray(db_path.read_bytes())
    raw[16:100] = b"\xff" * 84
    dest.write_bytes(bytes(raw))


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "encrypted"])
def test_people_remove_leaves_no_face_bytes_in_any_file_under_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, encrypted: bool) -> None:
    data_dir = tmp_path / "data"
    paths = AppPaths(data_dir).ensure()
    services = AppServices.open(paths, Settings())
    if encrypted:
        encryption_service.enable(services.db, PASSPHRASE)
        monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    ada = _enrol_with_everything(services, "Ada", 1)
    _enrol_with_everything(services, "Grace", 11)
    secrets = _stored_blobs(services, ada)
    grace_blob = _stored_blobs(services, ada + 1)[0]
    services.db.checkpoint()
    db_path = paths.db_path
    backups = paths.backups_dir
    copies = [backup_database(db_path, backups / daily_backup_name(date(2026, 11, 30))),
              backup_database(db_path, backups / "pre-restore-20261130-101500.db"),
              backup_database(db_path, data_dir / "attendance.db.damaged-20261130-101600")]
    _damaged_raw_copy(db_path, backups / "damaged-20261130-101700.db")
    outside = backup_database(db_path, tmp_path / "usb-stick" / "old-backup.db")
    services.close()

    before = _every_file(data_dir)
    for path in [db_path, *copies, backups / "damaged-20261130-101700.db"]:
        assert all(_holds(before[path], blob) for blob in secrets), f"cannot see them in {path}"

    assert main(["--data-dir", str(data_dir), "people", "remove", "Ada", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "removed 1 damaged copy" in out

    after = _every_file(data_dir)
    assert len(after) >= 4
    for path, raw in after.items():
        for blob in secrets:
            assert not _holds(raw, blob), f"Ada's face bytes are still in {path}"
    assert _holds(after[db_path], grace_blob)  # the scan still sees the others' data

    # Restoring a backup made before the delete (kept outside) does not bring Ada back.
    assert main(["--data-dir", str(data_dir), "db", "restore", str(outside), "--yes"]) == 0
    capsys.readouterr()
    restored = AppServices.open(paths, Settings())
    try:
        assert [p.name for p in restored.people.list_people()] == ["Grace"]
    finally:
        restored.close()
    for path, raw in _every_file(data_dir).items():
        for blob in secrets:
            assert not _holds(raw, blob), f"after the restore Ada's bytes are in {path}"
    assert len(recorded_erasures(paths)) == 1


def test_a_database_copied_back_by_hand_is_erased_again_at_the_next_start(tmp_path) -> None:
    paths = AppPaths(tmp_path / "data").ensure()
    services = AppServices.open(paths, Settings())
    ada = _enrol_with_everything(services, "Ada", 3)
    services.close()
    old = tmp_path / "old.db"
    backup_database(paths.db_path, old)
    services = AppServices.open(paths, Settings())
    services.people.delete(ada)
    services.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(old, paths.db_path)  # not through `db restore`
    services = AppServices.open(paths, Settings())
    try:
        assert services.people.list_people() == []
        assert any("erased again" in w for w in services.startup_warnings)
    finally:
        services.close()


def test_a_person_enrolled_later_under_a_reused_id_is_not_erased(tmp_path) -> None:
    paths = AppPaths(tmp_path / "data").ensure()
    services = AppServices.open(paths, Settings())
    try:
        ada = _enrol_with_everything(services, "Ada", 5)
        services.people.delete(ada)
        newcomer = PeopleRepository(services.db).add("Newcomer")  # SQLite reuses the id
        assert newcomer.id == ada
    finally:
        services.close()
    services = AppServices.open(paths, Settings())
    try:
        assert [p.name for p in services.people.list_people()] == ["Newcomer"]
    finally:
        services.close()
