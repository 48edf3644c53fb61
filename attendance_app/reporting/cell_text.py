"""Turning typed cells into text: the machine form (CSV) and the human form (PDF, widths).

Also the one guard against spreadsheet formula injection for text written to CSV.
"""

from __future__ import annotations

from datetime import date, datetime

from attendance_app.reporting.report_table import CellValue, ColumnKind, SummaryValue

# OWASP "CSV injection": a cell starting with one of these may run as a formula in Excel,
# LibreOffice or Google Sheets; a leading single quote makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(text: str) -> str:
    """Prefix text that a spreadsheet could read as a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def machine_text(value: CellValue, kind: ColumnKind) -> str:
    """CSV form: ISO 8601 datetimes and dates, percentages as fractions (0.8734), text made
    formula-safe. None is the empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(round(value, 6), "g") if kind == "percent" else repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralize_formula(str(value))


def human_text(value: CellValue, kind: ColumnKind) -> str:
    """Display form: minutes for datetimes, 87.3% for percentages, text unchanged."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if kind == "percent" and isinstance(value, (int, float)):
        return percent_text(float(value))
    return str(value)


def summary_text(value: SummaryValue) -> str:
    """Summary figures: ints are counts, floats are fractions shown as percentages."""
    if isinstance(value, float):
        return percent_text(value)
    return str(value)


def percent_text(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"
