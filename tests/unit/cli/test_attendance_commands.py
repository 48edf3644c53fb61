"""`attendance sessions|show|mark|undo`, `people remove` without a terminal and `report
session` defaulting to today, over a real SQLite data dir (issue 13 items 2 and 12)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from attendance_app.cli import main
from attendance_app.config import AppPaths, Settings
from attendance_app.services.app_services import AppServices


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    services = AppServices.open(AppPaths.resolve(str(data)), Settings())
    try:
        people = services.people_repository
        created = datetime.now() - timedelta(days=30)
        ada = people.add("Ada Lovelace", external_id="S1", group="7B", created_at=created)
        people.add("Bob Smith", external_id="S2", group="7B", created_at=created)
        run = services.attendance.start_session("Math 101", "7B")
        run.on_sighting(ada.id, 0.9)
        run.close()
    finally:
        services.close()
    return data


def cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def test_mark_excused_with_a_reason_then_undo_is_shown_and_kept(data_dir, capsys):
    assert cli(data_dir, "attendance", "mark", "Math 101", "S2", "--status", "excused",
               "--reason", "doctor's note", "--by", "ms jones") == 0
    assert "excused" in capsys.readouterr().out
    assert cli(data_dir, "attendance", "show", "Math 101", "--json") == 0
    shown = capsys.readouterr().out
    assert "excused" in shown and "ms jones" in shown and "doctor's note" in shown
    assert cli(data_dir, "attendance", "undo", "Math 101", "Bob Smith") == 0
    assert "back to absent" in capsys.readouterr().out
    assert cli(data_dir, "attendance", "undo", "Math 101", "Bob Smith") == 2
    assert "no correction to undo" in capsys.readouterr().err


def test_a_correction_appears_in_the_session_csv_of_today_without_date(data_dir, tmp_path,
                                                                        capsys):
    assert cli(data_dir, "attendance", "mark", "1", "S1", "--status", "late",
               "--reason", "bus") == 0
    out = tmp_path / "today.csv"
    assert cli(data_dir, "report", "session", "Math 101", "-o", str(out)) == 0  # no --date
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    ada = next(r for r in rows if "Ada Lovelace" in r)
    assert "late" in ada and any("bus" in c for c in ada)
    assert ada[0] == "Math 101" and ada[1].startswith(date.today().isoformat())


def test_a_bad_status_or_unknown_session_is_exit_2_with_a_message(data_dir, capsys):
    with pytest.raises(SystemExit) as bad:
        cli(data_dir, "attendance", "mark", "Math 101", "S1", "--status", "gone")
    assert bad.value.code == 2
    assert cli(data_dir, "attendance", "mark", "Art", "S1", "--status", "late") == 2
    assert "no session called 'Art'" in capsys.readouterr().err


def test_people_remove_without_a_terminal_is_refused_with_exit_2_not_a_traceback(
        data_dir, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, nothing to read
    assert cli(data_dir, "people", "remove", "S1") == 2
    assert "--yes" in capsys.readouterr().err
    assert cli(data_dir, "people", "show", "S1") == 0
