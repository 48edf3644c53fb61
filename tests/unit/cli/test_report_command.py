"""`attendance-app report ...` end to end: a real database in, files read back with the csv
module, openpyxl and pypdf, figures checked against the hand-worked story of report_fixtures."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from attendance_app.cli import main

# The database story is shared with the service tests; tests here are not packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from report_fixtures import (  # noqa: E402
    COMMA_NAME, DMITRY, FORMULA_NAME, GRACE, GROUP, GROUP_MATRIX, GROUP_OVERALL_RATE,
    SESSION_MORNING, ZOE, ZOE_NOVEMBER_STATUSES, ReportDatabase, build_report_database)

REPO_ROOT = Path(__file__).resolve().parents[3]
NOV = ["--from", "2026-11-01", "--to", "2026-11-30"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> ReportDatabase:
    return build_report_database(tmp_path_factory.mktemp("cli_reports") / "data")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def run(stored: ReportDatabase, *args: str) -> int:
    return main(["--data-dir", str(stored.data_dir), "report", *args])


def test_group_report_to_xlsx_holds_the_matrix_rates_and_summary_of_the_database(
        stored: ReportDatabase, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = out / "nov.xlsx"
    assert run(stored, "group", GROUP, *NOV, "--format", "xlsx", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == str(target)
    book = load_workbook(target)
    assert book.sheetnames == ["Summary", "Group"]
    sheet = book["Group"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Name", "External ID"] and header[-1] == "Attendance rate"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(GROUP_MATRIX)
    for name, (*codes, rate) in GROUP_MATRIX.items():
        assert [c.value or "" for c in rows[name][2:5]] == codes, name
        assert rows[name][5].value == (pytest.approx(rate) if rate is not None else None)
    formula = rows[FORMULA_NAME][0]
    assert formula.data_type == "s" and formula.value == FORMULA_NAME  # text, not a formula
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows() if r[0].value}
    assert summary["Overall attendance rate"] == pytest.approx(GROUP_OVERALL_RATE)


def test_session_report_to_xlsx_stores_times_as_real_datetimes(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "s.xlsx"
    assert run(stored, "session", "Math 101", "--date", "2026-11-26", "--time", "09:00",
               "-o", str(target)) == 0
    sheet = load_workbook(target)["Session"]
    names = [c.value for c in sheet["A"][1:]]
    assert dict(zip(names, [c.value for c in sheet["D"][1:]])) == SESSION_MORNING
    times = {n: c.value for n, c in zip(names, sheet["E"][1:])}
    assert times[ZOE] == datetime(2026, 11, 26, 9, 1)
    assert times["Newcomer"] is None


def test_session_report_to_pdf_shows_both_sessions_of_the_day_with_names_and_rates(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "math.pdf"
    assert run(stored, "session", "Math 101", "--date", "2026-11-26", "--format", "pdf",
               "-o", str(target)) == 0
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in (ZOE, DMITRY, f"{GRACE} (deleted)", "Newcomer"):
        assert name in text, name
    assert "42.9%" in text and "16.7%" in text  # 3/7 in the morning, 1/6 in the afternoon
    assert len(reader.pages) == 2  # each session starts a page and fits on it


def test_person_report_to_csv_has_one_row_per_session_with_iso_dates(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "p.csv"
    assert run(stored, "person", "S2", *NOV, "-o", str(target)) == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Status"] for r in rows] == ZOE_NOVEMBER_STATUSES
    assert [r["Date"] for r in rows] == ["2026-11-03", "2026-11-10", "2026-11-26",
                                         "2026-11-26"]
    assert rows[0]["Time"] == "2026-11-03T09:15:00"


def test_group_csv_quotes_commas_and_neutralises_formula_like_names(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "g.csv"
    assert run(stored, "group", GROUP, *NOV, "-o", str(target)) == 0
    raw = target.read_text(encoding="utf-8-sig")
    assert '"Smith, John ""Jack"""' in raw
    names = [row[0] for row in csv.reader(raw.splitlines())][1:]
    assert COMMA_NAME in names and "'" + FORMULA_NAME in names and DMITRY in names


def test_unknown_faces_report_to_csv_lists_the_november_events(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "u.csv"
    assert run(stored, "unknown", *NOV, "-o", str(target)) == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Time"], r["Status"]) for r in rows] == [
        ("2026-11-03T09:20:00", "dismissed"), ("2026-11-15T12:00:00", "open"),
        ("2026-11-26T09:30:00", "open")]


def test_a_period_without_sessions_still_writes_a_file_that_says_no_records(
        stored: ReportDatabase, out: Path) -> None:
    target = out / "empty.csv"
    assert run(stored, "person", "S1", "--from", "2027-01-01", "--to", "2027-01-31",
               "-o", str(target)) == 0
    assert "(no records)" in target.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args, message", [
    (["person", "S1", "--from", "2026-11-30", "--to", "2026-11-01"], "after it ends"),
    (["group", GROUP, "--from", "2026-11-30", "--to", "2026-11-01"], "after it ends"),
    (["group", "Class 9Z", *NOV], "no group called 'Class 9Z'"),
    (["person", "S99", *NOV], "no person"),
    (["session", "Chemistry", "--date", "2026-11-26"], "sessions that day: 'Math 101'"),
    (["session", "Math 101", "--date", "2026-11-26", "--format", "csv"], "09:00, 14:00"),
])
def test_bad_input_exits_2_with_a_message_and_writes_no_file(
        stored: ReportDatabase, out: Path, capsys: pytest.CaptureFixture[str],
        args: list[str], message: str) -> None:
    assert run(stored, *args, "-o", str(out / "report.csv")) == 2
    assert message in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_an_output_without_a_known_suffix_needs_format(
        stored: ReportDatabase, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(stored, "group", GROUP, *NOV, "-o", str(out / "report.txt")) == 2
    assert "--format" in capsys.readouterr().err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("where", ["missing/report.pdf", "a_folder", "a_file/report.pdf"])
def test_an_unwritable_output_path_exits_2_and_leaves_nothing(
        stored: ReportDatabase, out: Path, capsys: pytest.CaptureFixture[str],
        where: str) -> None:
    (out / "a_folder").mkdir()
    (out / "a_file").write_text("not a folder")
    before = sorted(out.rglob("*"))
    assert run(stored, "group", GROUP, *NOV, "--format", "pdf", "-o", str(out / where)) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert sorted(out.rglob("*")) == before


def test_a_disk_that_refuses_the_write_leaves_no_partial_file(
        stored: ReportDatabase, out: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert run(stored, "group", GROUP, *NOV, "-o", str(out / "nov.xlsx")) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_report_runs_without_importing_torch_or_qt(stored: ReportDatabase, out: Path) -> None:
    # a fresh interpreter: other tests in this process may have loaded torch or Qt already
    code = ("import sys; from attendance_app.cli import main; "
            f"rc = main(['--data-dir', {str(stored.data_dir)!r}, 'report', 'group', {GROUP!r}, "
            f"'--from', '2026-11-01', '--to', '2026-11-30', '-o', {str(out / 'g.pdf')!r}]); "
            "print(rc, sorted(m for m in ('torch', 'PySide6', 'cv2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stderr
    assert (out / "g.pdf").stat().st_size > 0


def test_dates_are_checked_by_the_parser(stored: ReportDatabase, out: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(stored, "person", "S1", "--from", "26/11/2026", "--to", "2026-11-30",
            "-o", str(out / "p.csv"))
    assert exit_info.value.code == 2
    assert "not a date like 2026-11-26" in capsys.readouterr().err
    assert list(out.iterdir()) == []
