"""Reports are written whole or not at all."""

from __future__ import annotations

import os

import pytest

from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.reporting import atomic_write
from attendance_app.reporting.atomic_write import ReportWriteError, write_atomically
from attendance_app.reporting.export import export_report

from .views import all_views


def test_writing_replaces_an_existing_file_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "r.csv"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_missing_folder_is_a_clear_error_and_no_file(tmp_path, fmt):
    target = tmp_path / "missing" / f"r.{fmt}"
    with pytest.raises(ReportWriteError, match="does not exist"):
        export_report(all_views()["session"], fmt, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_folder_as_target_is_refused(tmp_path):
    with pytest.raises(ReportWriteError, match="it is a folder"):
        write_atomically(tmp_path, b"x")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_read_only_folder_is_a_clear_error_and_no_file(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ReportWriteError, match="cannot write the report"):
            write_atomically(folder / "r.pdf", b"x")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_failure_while_replacing_removes_the_temp_file_and_keeps_the_old_report(
        tmp_path, monkeypatch):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old report")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_write.os, "replace", broken_replace)
    with pytest.raises(ReportWriteError, match="No space left"):
        write_atomically(target, b"new report")
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_write_errors_are_app_errors_the_cli_can_print():
    assert issubclass(ReportWriteError, AttendanceAppError)


def test_unknown_format_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValidationError, match="unknown report format"):
        export_report(all_views()["session"], "docx", tmp_path / "r.docx")
    assert list(tmp_path.iterdir()) == []
