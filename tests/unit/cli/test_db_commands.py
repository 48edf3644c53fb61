"""`db backup|restore|check`, start-up checks and daily backups, `admin` and the guarded commands.

Everything runs in-process through `cli.main` on a temporary data dir; no model is loaded.
"""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from attendance_app.cli import main
from attendance_app.cli.admin_commands import ADMIN_PASSWORD_ENV
from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import DatabaseError
from attendance_app.services.app_services import AppServices
from attendance_app.services.startup_checks import (
    backup_daily_at_startup,
    check_database_at_startup,
)
from attendance_app.storage.backup import daily_backup_name, list_backups
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository

PASSWORD = "a long admin password"


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data")


def _cli(paths: AppPaths, *argv: str) -> int:
    return main(["--data-dir", str(paths.data_dir), *argv])


def _add_person(paths: AppPaths, name: str) -> None:
    with open_database(paths.db_path) as app_db:
        PeopleRepository(app_db).add(name)


def _names(paths: AppPaths) -> list[str]:
    with open_database(paths.db_path) as app_db:
        return [p.name for p in PeopleRepository(app_db).list_all()]


def _damage(db_path: Path) -> None:
    """Overwrite the middle of the file with junk (the header stays, so it still looks like
    SQLite): the kind of damage a failing disk leaves."""
    data = bytearray(db_path.read_bytes())
    data[4096:12288] = b"\xde\xad\xbe\xef" * 2048
    db_path.write_bytes(bytes(data))


@pytest.fixture
def populated(paths: AppPaths) -> AppPaths:
    paths.ensure()
    with open_database(paths.db_path) as app_db:
        people = PeopleRepository(app_db)
        with app_db.transaction():
            people.add("Ada")
            for i in range(40):  # enough rows to span several pages, so damage hits real data
                people.add(f"Person {i:02d} " + "x" * 200)
        app_db.checkpoint()
    return paths


# ---------------------------------------------------------------- db backup / restore
def test_backup_then_restore_brings_the_data_back(populated: AppPaths, tmp_path: Path,
                                                   capsys) -> None:
    backup = tmp_path / "copy.db"
    assert _cli(populated, "db", "backup", str(backup)) == 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    _add_person(populated, "Added after the backup")
    assert _cli(populated, "db", "restore", str(backup), "--yes") == 0
    assert "Added after the backup" not in _names(populated)
    assert "Ada" in _names(populated)


def test_restore_keeps_the_replaced_database_as_a_pre_restore_backup(
        populated: AppPaths, tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    _cli(populated, "db", "backup", str(backup))
    _add_person(populated, "Only in the replaced one")
    _cli(populated, "db", "restore", str(backup), "--yes")
    kept = list(populated.backups_dir.glob("pre-restore-*.db"))
    assert len(kept) == 1
    with open_database(kept[0]) as app_db:
        assert "Only in the replaced one" in [p.name for p in PeopleRepository(app_db).list_all()]


def test_restoring_a_file_that_is_not_a_database_changes_nothing(
        populated: AppPaths, tmp_path: Path, capsys) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    before = _names(populated)
    assert _cli(populated, "db", "restore", str(junk), "--yes") == 2
    assert "not an SQLite database" in capsys.readouterr().err
    assert _names(populated) == before


def test_restore_of_a_missing_file_is_a_clear_error(populated: AppPaths, tmp_path: Path,
                                                    capsys) -> None:
    assert _cli(populated, "db", "restore", str(tmp_path / "nope.db"), "--yes") == 2
    assert "no backup file" in capsys.readouterr().err


def test_restore_repairs_a_damaged_database_from_a_backup(populated: AppPaths,
                                                           tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    _cli(populated, "db", "backup", str(backup))
    _damage(populated.db_path)
    assert _cli(populated, "db", "restore", str(backup), "--yes") == 0
    assert check_database_at_startup(populated).ok
    assert "Ada" in _names(populated)


# ------------------------------------------------------------------------- db check
def test_db_check_passes_a_sound_database(populated: AppPaths, capsys) -> None:
    assert _cli(populated, "db", "check") == 0
    assert "is sound" in capsys.readouterr().out


def test_db_check_names_the_damage_and_the_latest_backup(populated: AppPaths, capsys) -> None:
    backup_daily_at_startup(populated, Settings(), today=date(2030, 1, 1))
    backup_daily_at_startup(populated, Settings(), today=date(2030, 1, 2))
    _damage(populated.db_path)
    assert _cli(populated, "db", "check") == 2
    err = capsys.readouterr().err
    assert "damaged" in err
    assert str(populated.backups_dir / daily_backup_name(date(2030, 1, 2))) in err
    assert "attendance-app db restore" in err


def test_start_up_check_of_a_damaged_database_reports_instead_of_raising(
        populated: AppPaths) -> None:
    _damage(populated.db_path)
    report = check_database_at_startup(populated)
    assert not report.ok
    assert report.problems
    assert "No automatic backup exists yet" in report.message()


def test_start_up_check_of_a_first_run_is_sound_and_creates_nothing(paths: AppPaths) -> None:
    report = check_database_at_startup(paths)
    assert report.ok
    assert not paths.db_path.exists()


def test_opening_the_services_on_a_damaged_database_names_the_latest_backup(
        populated: AppPaths) -> None:
    backup_daily_at_startup(populated, Settings(), today=date(2030, 1, 1))
    _damage(populated.db_path)
    with pytest.raises(DatabaseError, match="attendance-2030-01-01.db"):
        AppServices.open(populated, Settings())


# --------------------------------------------------------------------- daily backups
def test_opening_the_services_makes_todays_backup_once(populated: AppPaths) -> None:
    for _ in range(2):
        AppServices.open(populated, Settings()).close()
    assert [p.name for p in list_backups(populated.backups_dir)] == [
        daily_backup_name(date.today())]


def test_daily_backups_keep_only_the_newest_n(populated: AppPaths) -> None:
    settings = Settings(backups_keep=3)
    for day in range(1, 7):
        assert backup_daily_at_startup(populated, settings, today=date(2030, 1, day)) is None
    assert [p.name for p in list_backups(populated.backups_dir)] == [
        daily_backup_name(date(2030, 1, d)) for d in (6, 5, 4)]


def test_a_failed_daily_backup_is_a_warning_not_an_error(populated: AppPaths,
                                                       monkeypatch) -> None:
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    # Simulated at the edge: the file copy itself fails (tests run as root, so a read-only
    # folder would not stop the write).
    monkeypatch.setattr("attendance_app.storage.backup._fsync", disk_full)
    warning = backup_daily_at_startup(populated, Settings())
    assert warning is not None and "backup failed" in warning
    services = AppServices.open(populated, Settings())  # still starts
    assert services.startup_warnings
    services.close()
    assert list_backups(populated.backups_dir) == []  # no half-written backup left behind


def test_the_data_dir_is_private_to_the_user(paths: AppPaths) -> None:
    AppServices.open(paths, Settings()).close()
    for folder in (paths.data_dir, paths.backups_dir, paths.models_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.db_path.stat().st_mode) == 0o600
    for backup in list_backups(paths.backups_dir):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600


# ------------------------------------------------------------------ admin password
def _set_password(paths: AppPaths, monkeypatch, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", _Lines(password))
    return _cli(paths, "admin", "set-password", "--password-stdin")


class _Lines:
    """A non-tty stdin holding one line."""

    def __init__(self, text: str) -> None:
        self._text = text + "\n"

    def readline(self) -> str:
        text, self._text = self._text, ""
        return text

    def isatty(self) -> bool:
        return False


def test_admin_set_password_then_status_says_so(paths: AppPaths, monkeypatch, capsys) -> None:
    assert _set_password(paths, monkeypatch) == 0
    capsys.readouterr()
    assert _cli(paths, "admin", "status") == 0
    assert "is set" in capsys.readouterr().out


def test_guarded_commands_refuse_without_the_password(populated: AppPaths, monkeypatch,
                                                      tmp_path: Path, capsys) -> None:
    _set_password(populated, monkeypatch)
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    photo = tmp_path / "face.png"
    photo.write_bytes(b"never read: the guard comes first")
    for argv in (["db", "backup", str(tmp_path / "b.db")],
                 ["people", "remove", "Ada", "--yes"],
                 ["enroll", "Eve", str(photo), "--consent"],
                 ["admin", "clear-password"]):
        assert _cli(populated, *argv) == 2, argv
        assert "administrator password" in capsys.readouterr().err
    assert "Ada" in _names(populated)
    assert not (tmp_path / "b.db").exists()


def test_a_wrong_password_from_the_environment_is_refused(populated: AppPaths, monkeypatch,
                                                          tmp_path: Path, capsys) -> None:
    _set_password(populated, monkeypatch)
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "not the password")
    assert _cli(populated, "db", "backup", str(tmp_path / "b.db")) == 2
    assert "wrong administrator password" in capsys.readouterr().err


def test_the_right_password_from_the_environment_unlocks_guarded_commands(
        populated: AppPaths, monkeypatch, tmp_path: Path) -> None:
    _set_password(populated, monkeypatch)
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
    assert _cli(populated, "db", "backup", str(tmp_path / "b.db")) == 0
    assert _cli(populated, "admin", "clear-password") == 0
    monkeypatch.delenv(ADMIN_PASSWORD_ENV)
    assert _cli(populated, "db", "backup", str(tmp_path / "c.db")) == 0


def test_reading_and_checking_need_no_password(populated: AppPaths, monkeypatch,
                                               capsys) -> None:
    _set_password(populated, monkeypatch)
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    assert _cli(populated, "db", "check") == 0
    assert _cli(populated, "admin", "status") == 0


def test_changing_the_password_needs_the_current_one(paths: AppPaths, monkeypatch) -> None:
    _set_password(paths, monkeypatch)
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    assert _set_password(paths, monkeypatch, "a different password") == 2
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
    assert _set_password(paths, monkeypatch, "a different password") == 0
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "a different password")
    assert _cli(paths, "admin", "status") == 0


def test_a_restore_needs_the_password_of_the_current_database(
        populated: AppPaths, monkeypatch, tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    _cli(populated, "db", "backup", str(backup))
    _set_password(populated, monkeypatch)
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    assert _cli(populated, "db", "restore", str(backup), "--yes") == 2
