"""ReportTable: the one shape every report view produces and every exporter consumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Union

from attendance_app.domain.errors import ValidationError

ColumnKind = Literal["text", "datetime", "date", "percent", "int"]
COLUMN_KINDS: tuple[str, ...] = ("text", "datetime", "date", "percent", "int")

# A cell holds a plain Python value; None means "empty". Percent cells hold a fraction
# (0.873 means 87.3 %) so spreadsheets keep the exact number and only format it.
CellValue = Union[str, int, float, datetime, date, None]

# Summary values: int = a count, float = a fraction shown as a percentage, str = text.
SummaryValue = Union[str, int, float]

NO_RECORDS = "no records"


@dataclass(frozen=True)
class Column:
    """A table column: its heading and how its cells are typed (see ColumnKind)."""

    name: str
    kind: ColumnKind = "text"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; use one of {COLUMN_KINDS}")


@dataclass(frozen=True)
class ChartData:
    """A bar chart: one bar per label. `value_kind` 'percent' means values are fractions in
    [0, 1] drawn on a 0-100 % axis; 'int' means counts drawn on a 0-max axis."""

    labels: tuple[str, ...]
    values: tuple[float, ...]
    title: str
    value_kind: Literal["percent", "int"] = "percent"

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError("a chart needs exactly one value per label")


@dataclass(frozen=True)
class ReportTable:
    """A finished report: title, period text, generation time, typed columns, rows, summary
    figures (ordered) and an optional chart. Rows must have one cell per column; an empty
    `rows` is valid and its summary says 'no records'."""

    title: str
    subtitle: str
    generated_at: datetime
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    summary: Mapping[str, SummaryValue] = field(default_factory=dict)
    chart: ChartData | None = None
    sheet_name: str = ""
    # (column name, value) pairs a CSV file repeats on every row, because a CSV has no title
    # (issue 13: a session's CSV names the session and its start)
    csv_context: tuple[tuple[str, CellValue], ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"row {index} has {len(row)} cells for {width} columns")

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def short_name(self) -> str:
        """A name for a sheet or a file part: `sheet_name` when set, else the title."""
        return self.sheet_name or self.title


def as_table_list(table_or_tables: ReportTable | Sequence[ReportTable]) -> list[ReportTable]:
    """Accept one table or several and always return a non-empty list of tables."""
    tables = [table_or_tables] if isinstance(table_or_tables, ReportTable) else list(table_or_tables)
    if not tables:
        raise ValidationError("nothing to export: no report tables were given")
    return tables
