"""CSV files read back with the csv module."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from attendance_app.domain.errors import ValidationError
from attendance_app.reporting.cell_text import neutralize_formula
from attendance_app.reporting.export import export_report

from .sample_data import COMMA_NAME, FORMULA_NAME, TRICKY_NAMES
from .views import all_views, empty_table


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("view", ["session", "person", "group", "unknown"])
def test_every_view_exports_a_header_and_one_row_per_table_row(tmp_path, view):
    table = all_views()[view]
    rows = _read(export_report(table, "csv", tmp_path / f"{view}.csv"))
    context = [name for name, _value in table.csv_context]  # session: its name and start
    assert rows[0] == context + [c.name for c in table.columns]
    assert len(rows) == len(table.rows) + 1
    assert (view == "session") == (context == ["Session", "Session start"])


def test_csv_starts_with_a_utf8_bom_so_excel_reads_non_latin_names(tmp_path):
    path = export_report(all_views()["session"], "csv", tmp_path / "s.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_names_with_commas_quotes_and_other_scripts_round_trip(tmp_path):
    rows = _read(export_report(all_views()["session"], "csv", tmp_path / "s.csv"))
    names = {row[rows[0].index("Name")] for row in rows[1:]}
    for name in TRICKY_NAMES:
        expected = neutralize_formula(name)
        assert expected in names
    assert COMMA_NAME in names


def test_formula_like_text_is_prefixed_with_a_quote(tmp_path):
    rows = _read(export_report(all_views()["session"], "csv", tmp_path / "s.csv"))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA_NAME in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_trigger_is_neutralized(text):
    assert neutralize_formula(text) == "'" + text
    assert neutralize_formula("Ada " + text) == "Ada " + text


def test_times_are_iso_8601_and_percentages_fractions(tmp_path):
    table = all_views()["session"]
    rows = _read(export_report(table, "csv", tmp_path / "s.csv"))
    header = rows[0]
    zoe = next(row for row in rows if row[header.index("Name")] == "Zoë Ångström")
    assert datetime.fromisoformat(zoe[header.index("Time")]) == datetime(2026, 11, 26, 9, 15)
    assert float(zoe[header.index("Similarity")]) == pytest.approx(0.78)


def test_empty_table_gives_a_header_and_a_row_saying_no_records(tmp_path):
    table = empty_table()
    rows = _read(export_report(table, "csv", tmp_path / "e.csv"))
    assert rows[0] == [c.name for c in table.columns]
    assert rows[1][0] == "(no records)" and len(rows) == 2


def test_several_tables_cannot_share_one_csv_and_no_file_is_made(tmp_path):
    views = all_views()
    with pytest.raises(ValidationError, match="one table"):
        export_report([views["session"], views["group"]], "csv", tmp_path / "two.csv")
    assert list(tmp_path.iterdir()) == []
