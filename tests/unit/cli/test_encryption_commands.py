"""`attendance-app encryption ...` and the passphrase at CLI start-up, in-process through
`cli.main` on a temporary data dir (no model is loaded; stdin is not a terminal)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from attendance_app.cli import main
from attendance_app.config import AppPaths
from attendance_app.services import encryption_service
from attendance_app.storage.backup import list_backups
from attendance_app.storage.biometric_columns import PASSPHRASE_ENV, forget_all_ciphers
from attendance_app.storage.database import open_database
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository

PASSPHRASE = "correct horse battery staple"
CROP = b"\x89PNG\r\n\x1a\n" + np.random.default_rng(5).integers(0, 256, 5000,
                                                               dtype=np.uint8).tobytes()


@pytest.fixture(autouse=True)
def empty_keyring() -> Iterator[None]:
    forget_all_ciphers()
    yield
    forget_all_ciphers()  # each `main` call is a new process in real life


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    paths = AppPaths(tmp_path / "data")
    with open_database(paths.db_path) as app_db:
        ada = PeopleRepository(app_db).add("Ada", external_id="S1")
        FaceCropRepository(app_db).add(ada.id, CROP)
    return paths


def _cli(paths: AppPaths, *argv: str) -> int:
    forget_all_ciphers()
    return main(["--data-dir", str(paths.data_dir), *argv])


def test_status_says_when_the_face_data_is_not_encrypted(
        paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(paths, "encryption", "status") == 0
    out = capsys.readouterr().out
    assert "NOT encrypted" in out and "face_crops.png: 0 encrypted, 1 clear text" in out


def test_enable_with_the_environment_passphrase_encrypts_and_warns_about_old_backups(
        paths: AppPaths, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert _cli(paths, "encryption", "enable") == 0
    out = capsys.readouterr().out
    assert "encrypted 1 stored value(s)" in out
    assert "clear text" in out and "--delete-old-backups" in out  # start-up made a backup
    assert _cli(paths, "encryption", "status") == 0
    assert "face_crops.png: 1 encrypted, 0 clear text" in capsys.readouterr().out


def test_without_the_passphrase_people_are_listed_but_face_data_is_refused_saying_how(
        paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert _cli(paths, "encryption", "enable") == 0
    monkeypatch.delenv(PASSPHRASE_ENV)
    capsys.readouterr()

    assert _cli(paths, "people", "list") == 0
    assert "Ada" in capsys.readouterr().out
    assert _cli(paths, "people", "export-data", "S1", "-o", str(tmp_path / "ada.zip")) == 2
    assert PASSPHRASE_ENV in capsys.readouterr().err
    assert not (tmp_path / "ada.zip").exists()

    monkeypatch.setenv(PASSPHRASE_ENV, "a wrong passphrase")
    assert _cli(paths, "people", "list") == 2
    assert "wrong passphrase" in capsys.readouterr().err

    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert _cli(paths, "people", "export-data", "S1", "-o", str(tmp_path / "ada.zip")) == 0
    assert (tmp_path / "ada.zip").exists()


def test_delete_old_backups_replaces_the_clear_text_backups_with_an_encrypted_one(
        paths: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert _cli(paths, "encryption", "enable", "--delete-old-backups") == 0
    [backup] = list_backups(paths.backups_dir)
    with open_database(backup, check=False) as copy:
        counts = encryption_service.status(copy).columns
    assert all(c.clear == 0 for c in counts) and counts[0].encrypted == 1
