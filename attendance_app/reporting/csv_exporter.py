"""CSV export: one header row, then one row per record (a table's `csv_context` columns, e.g.
the session's name and start, come first on every row).

Encoding is UTF-8 *with* a byte-order mark: Excel, which most users open CSV files with, reads
BOM-less UTF-8 as a legacy code page and garbles 'Zoë' or 'Дмитрий'; Python (utf-8-sig),
LibreOffice and pandas all accept the BOM. Times are ISO 8601, percentages are fractions, and
text that could run as a formula is prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from attendance_app.reporting.cell_text import machine_text
from attendance_app.reporting.report_table import NO_RECORDS, ReportTable

CSV_ENCODING = "utf-8-sig"


def table_to_csv_bytes(table: ReportTable) -> bytes:
    """Render one table as CSV bytes. An empty table still has its header, followed by one row
    whose first cell says 'no records' so that the file itself states it is empty."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    context = [(name, value) for name, value in table.csv_context]
    lead = [machine_text(value, "datetime" if isinstance(value, datetime) else "text")
            for _name, value in context]
    writer.writerow([machine_text(name, "text") for name, _ in context]
                    + [machine_text(c.name, "text") for c in table.columns])
    for row in table.rows:
        writer.writerow(lead + [machine_text(v, c.kind) for v, c in zip(row, table.columns)])
    if table.is_empty:
        writer.writerow(lead + [f"({NO_RECORDS})"] + [""] * (len(table.columns) - 1))
    return buffer.getvalue().encode(CSV_ENCODING)
