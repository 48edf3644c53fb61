"""The one entry point to write reports: export_report(tables, 'csv'|'xlsx'|'pdf', path)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from attendance_app.domain.errors import ValidationError
from attendance_app.reporting.atomic_write import check_target, write_atomically
from attendance_app.reporting.csv_exporter import table_to_csv_bytes
from attendance_app.reporting.pdf_exporter import tables_to_pdf_bytes
from attendance_app.reporting.report_table import ReportTable, as_table_list
from attendance_app.reporting.xlsx_exporter import tables_to_xlsx_bytes

ExportFormat = Literal["csv", "xlsx", "pdf"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "pdf")


def export_report(table_or_tables: ReportTable | Sequence[ReportTable], fmt: str,
                  path: str | os.PathLike[str]) -> Path:
    """Render the table(s) in `fmt` and write them atomically to `path`; returns the path.

    CSV holds exactly one table; XLSX and PDF hold any number. Raises ValidationError for an
    unknown format or several tables to CSV, ReportWriteError when the file cannot be written;
    in every error case no file (not even a partial one) is left at `path`.
    """
    tables = as_table_list(table_or_tables)
    fmt = fmt.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"unknown report format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    check_target(path)
    if fmt == "csv":
        if len(tables) != 1:
            raise ValidationError(
                f"a CSV file holds one table but {len(tables)} were given; use xlsx or pdf")
        data = table_to_csv_bytes(tables[0])
    elif fmt == "xlsx":
        data = tables_to_xlsx_bytes(tables)
    else:
        data = tables_to_pdf_bytes(tables)
    return write_atomically(path, data)
