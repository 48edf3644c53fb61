"""Excel export with openpyxl: a Summary sheet, then one sheet per report table.

Data sheets have a bold, frozen header row with filters; datetimes and dates are real Excel
dates, percentages real numbers with a % format. Text is always stored as text, so a name like
"=cmd|' /C calc'!A0" can never become a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from attendance_app.reporting.cell_text import human_text, summary_text
from attendance_app.reporting.report_table import (
    NO_RECORDS, CellValue, ColumnKind, ReportTable, SummaryValue)

NUMBER_FORMATS: dict[str, str] = {
    "datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd", "percent": "0.0%", "int": "0",
}
MIN_WIDTH, MAX_WIDTH = 8, 60
BOLD = Font(bold=True)
SUMMARY_SHEET = "Summary"


def tables_to_xlsx_bytes(tables: Sequence[ReportTable]) -> bytes:
    """Render the tables as one workbook; sheet names are unique and Excel-safe."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    used = {SUMMARY_SHEET.casefold()}
    _write_summary(summary, tables)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.short_name, used))
        _write_table(sheet, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_table(sheet: Worksheet, table: ReportTable) -> None:
    for col, column in enumerate(table.columns, start=1):
        _put(sheet.cell(row=1, column=col), column.name, "text").font = BOLD
    for r, row in enumerate(table.rows, start=2):
        for col, (value, column) in enumerate(zip(row, table.columns), start=1):
            _put(sheet.cell(row=r, column=col), value, column.kind)
    if table.is_empty:
        _put(sheet.cell(row=2, column=1), f"({NO_RECORDS})", "text")
    sheet.freeze_panes = "A2"
    if table.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(1, len(table.rows) + 1)}"
    for col, column in enumerate(table.columns, start=1):
        texts = [column.name] + [human_text(row[col - 1], column.kind) for row in table.rows]
        width = max(len(t) for t in texts) + 2
        if column.kind == "datetime":  # Excel shows seconds too: yyyy-mm-dd hh:mm:ss
            width = max(width, len("2026-01-01 00:00:00") + 2)
        sheet.column_dimensions[get_column_letter(col)].width = max(MIN_WIDTH, min(MAX_WIDTH, width))


def _write_summary(sheet: Worksheet, tables: Sequence[ReportTable]) -> None:
    row = 1
    for table in tables:
        _put(sheet.cell(row=row, column=1), table.title, "text").font = Font(bold=True, size=13)
        row += 1
        items: list[tuple[str, SummaryValue | datetime]] = [
            ("Period", table.subtitle), ("Generated at", table.generated_at),
            *table.summary.items()]
        for label, value in items:
            _put(sheet.cell(row=row, column=1), label, "text").font = BOLD
            kind: ColumnKind = ("datetime" if isinstance(value, datetime)
                                else "percent" if isinstance(value, float)
                                else "int" if isinstance(value, int) else "text")
            _put(sheet.cell(row=row, column=2), value, kind).alignment = Alignment(horizontal="left")
            row += 1
        row += 1
    labels = [len(label) for t in tables for label in t.summary] + [len("Generated at")]
    values = [len(summary_text(v)) for t in tables for v in t.summary.values()]
    sheet.column_dimensions["A"].width = min(MAX_WIDTH, max(labels) + 2)
    sheet.column_dimensions["B"].width = min(MAX_WIDTH, max(values + [20]) + 2)


def _put(cell: Cell, value: CellValue, kind: ColumnKind) -> Cell:
    """Store a value with its proper Excel type and number format."""
    if value is None:
        return cell
    if isinstance(value, datetime):
        # Excel has no time zones: show an aware time in local time, as everywhere else
        cell.value = value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, (date, int, float)) and not isinstance(value, bool):
        cell.value = value
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        # openpyxl turns any string starting with '=' into a formula; force plain text
        cell.data_type = "s"
    if kind in NUMBER_FORMATS and not isinstance(cell.value, str):
        cell.number_format = NUMBER_FORMATS["date" if _is_plain_date(value) else kind] \
            if kind in ("date", "datetime") else NUMBER_FORMATS[kind]
    return cell


def _is_plain_date(value: CellValue) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip().strip("'")[:31] or "Report"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title.casefold())
    return title
