"""Excel workbooks read back with openpyxl: sheets, values, types and formats."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from attendance_app.reporting.export import export_report

from .sample_data import FORMULA_NAME, TRICKY_NAMES
from .views import all_views, empty_table


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    views = all_views()
    path = export_report(list(views.values()), "xlsx", tmp_path_factory.mktemp("x") / "all.xlsx")
    return openpyxl.load_workbook(path), views


def _column(sheet, heading):
    headings = [c.value for c in sheet[1]]
    return [row[headings.index(heading)] for row in sheet.iter_rows(min_row=2)]


def test_workbook_has_a_summary_sheet_and_one_sheet_per_view(workbook):
    book, _ = workbook
    assert book.sheetnames == ["Summary", "Session", "Person", "Group", "Unknown faces"]


def test_data_sheets_hold_every_row_with_a_bold_frozen_header(workbook):
    book, views = workbook
    for name, table in zip(book.sheetnames[1:], views.values()):
        sheet = book[name]
        assert [c.value for c in sheet[1]] == [c.name for c in table.columns]
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == len(table.rows) + 1
        assert sheet.column_dimensions["A"].width >= len(max(
            (str(r[0]) for r in table.rows), key=len, default=""))


def test_times_are_real_datetimes_and_similarities_numbers_with_percent_format(workbook):
    book, _ = workbook
    sheet = book["Session"]
    times = [c for c in _column(sheet, "Time") if c.value is not None]
    assert times and all(isinstance(c.value, datetime) for c in times)
    assert datetime(2026, 11, 26, 9, 15) in {c.value for c in times}
    sims = [c for c in _column(sheet, "Similarity") if c.value is not None]
    assert all(isinstance(c.value, float) and "%" in c.number_format for c in sims)
    dates = [c.value for c in _column(book["Person"], "Date")]
    assert dates[0].date() == date(2026, 11, 3)
    assert _column(book["Person"], "Date")[0].number_format == "yyyy-mm-dd"


def test_formula_like_names_are_stored_as_text_not_formulas(workbook):
    book, _ = workbook
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = [c.value for c in _column(book["Session"], "Name")]
    assert FORMULA_NAME in names
    assert all(name in names for name in TRICKY_NAMES)


def test_summary_sheet_holds_the_rates_as_percent_numbers(workbook):
    book, views = workbook
    rows = list(book["Summary"].iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == views["session"].title)
    pairs = {}
    for row in reversed(rows[start:]):  # the session block's values win over later blocks
        if row[0].value:
            pairs[row[0].value] = row[1]
    rate = pairs["Attendance rate"]
    assert rate.value == pytest.approx(views["session"].summary["Attendance rate"])
    assert rate.number_format == "0.0%"
    assert pairs["Overall attendance rate"].value == pytest.approx(
        views["group"].summary["Overall attendance rate"])
    assert "Session report: Math 101" in pairs


def test_empty_table_exports_a_sheet_that_says_no_records(tmp_path):
    book = openpyxl.load_workbook(export_report(empty_table(), "xlsx", tmp_path / "e.xlsx"))
    assert book["Unknown faces"]["A2"].value == "(no records)"
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row[0].value}
    assert summary["Result"] == "no records"
