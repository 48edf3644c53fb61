"""Issue 14 item 9: a damaged settings.json is never a silent reset (warning on stderr and in
the window's start-up notices, the file kept), settings are validated naming the field, and
both the CLI and the window log to a rotating file in the data folder without secrets."""

from __future__ import annotations

import json
import logging
import logging.handlers
from pathlib import Path

import numpy as np
import pytest

from attendance_app.cli import main
from attendance_app.config import AppPaths, Settings, load_settings, save_settings
from attendance_app.domain.errors import ValidationError
from attendance_app.services.app_services import AppServices
from attendance_app.services.log_setup import LOG_NAME, configure_logging


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data").ensure()


def test_a_damaged_settings_file_is_kept_and_said_on_stderr(paths, capsys) -> None:
    paths.settings_path.write_text('{"match_threshold": 0.7, "confirm_fr', encoding="utf-8")
    assert main(["--data-dir", str(paths.data_dir), "people", "list"]) == 0
    err = capsys.readouterr().err
    assert "settings.json had problems" in err and "default" in err
    (kept,) = paths.data_dir.glob("settings.json.damaged-*")
    assert kept.read_text(encoding="utf-8") == '{"match_threshold": 0.7, "confirm_fr'
    assert json.loads(paths.settings_path.read_text())["match_threshold"] == Settings().match_threshold


def test_invalid_values_name_the_field_keep_the_good_ones_and_reach_the_window(paths) -> None:
    paths.settings_path.write_text(json.dumps(
        {"match_threshold": 3.5, "confirm_frames": "three", "late_after_minutes": 20}))
    settings = load_settings(paths)
    assert settings.late_after_minutes == 20  # what could be read is kept
    assert settings.match_threshold == Settings().match_threshold
    assert settings.confirm_frames == Settings().confirm_frames
    services = AppServices.open(paths, settings)  # what the window's backend does
    try:
        (warning,) = [w for w in services.startup_warnings if "settings.json" in w]
    finally:
        services.close()
    assert "match_threshold must be between -1.0 and 1.0" in warning
    assert "confirm_frames must be int" in warning
    assert list(paths.data_dir.glob("settings.json.damaged-*"))


@pytest.mark.parametrize("change, field", [({"match_threshold": 1.5}, "match_threshold"),
                                           ({"backups_keep": 0}, "backups_keep"),
                                           ({"keep_crops": "yes"}, "keep_crops"),
                                           ({"camera": " "}, "camera")])
def test_saving_an_invalid_setting_is_refused_naming_the_field(paths, change, field) -> None:
    save_settings(paths, Settings())
    before = paths.settings_path.read_text()
    with pytest.raises(ValidationError, match=field):
        save_settings(paths, Settings().with_changes(**change))
    assert paths.settings_path.read_text() == before


def test_commands_log_to_a_rotating_file_in_the_data_folder_without_secrets(
        paths, monkeypatch) -> None:
    monkeypatch.setenv("ATTENDANCE_APP_PASSPHRASE", "my secret passphrase")
    assert main(["--data-dir", str(paths.data_dir), "people", "show", "nobody"]) == 2
    log_file = paths.logs_dir / LOG_NAME
    logging.getLogger("attendance_app.test").warning(
        "unlocking with %s failed for %s", "my secret passphrase", b"\x89PNG face bytes")
    logging.getLogger("attendance_app.test").warning("template %s", np.ones(512))
    text = log_file.read_text(encoding="utf-8")
    assert "people failed" in text and "nobody" in text
    assert "my secret passphrase" not in text and "face bytes" not in text
    assert "<15 bytes>" in text and "<array (512,)>" in text
    handler = next(h for h in logging.getLogger("attendance_app").handlers
                   if h.get_name() == "attendance_app.file")
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes > 0 and handler.backupCount > 0
    assert (log_file.stat().st_mode & 0o777) == 0o600


def test_configuring_twice_keeps_one_file_handler(paths) -> None:
    configure_logging(paths.logs_dir)
    configure_logging(paths.logs_dir)
    names = [h.get_name() for h in logging.getLogger("attendance_app").handlers]
    assert names.count("attendance_app.file") == 1
