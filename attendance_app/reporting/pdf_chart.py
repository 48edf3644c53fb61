"""A horizontal bar chart drawn with fpdf2 primitives (no plotting library needed)."""

from __future__ import annotations

import math
from collections.abc import Callable

from fpdf import FPDF

from attendance_app.reporting.cell_text import percent_text
from attendance_app.reporting.report_table import ChartData

BAR_HEIGHT = 4.5  # mm
BAR_GAP = 1.5
BAR_COLOR = (52, 101, 164)
GRID_COLOR = (200, 200, 200)
TEXT_SIZE = 8


def draw_bar_chart(pdf: FPDF, chart: ChartData, family: str, clean: Callable[[str], str]) -> None:
    """Draw `chart` at the current position across the page width, breaking onto a new page
    when the bars do not fit. Percent charts use a 0-100 % axis, count charts 0-max."""
    left, width = pdf.l_margin, pdf.epw
    pdf.set_font(family, "B", 10)
    _ensure_room(pdf, 8 + 2 * (BAR_HEIGHT + BAR_GAP))
    pdf.cell(0, 7, clean(chart.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", TEXT_SIZE)
    labels = [clean(label) for label in chart.labels]
    label_width = min(width * 0.4, max([pdf.get_string_width(t) for t in labels] + [10]) + 3)
    value_texts = [_value_text(v, chart.value_kind) for v in chart.values]
    value_width = max(pdf.get_string_width(t) for t in value_texts) + 3 if value_texts else 10
    bar_left = left + label_width
    bar_span = width - label_width - value_width
    top = max(chart.values, default=0.0)
    scale_max, steps = (1.0, 4) if chart.value_kind == "percent" else count_scale(top)
    _axis(pdf, bar_left, bar_span, scale_max, chart.value_kind, steps)
    for label, value, value_text in zip(labels, chart.values, value_texts):
        if _ensure_room(pdf, BAR_HEIGHT + BAR_GAP):
            pdf.set_font(family, "", TEXT_SIZE)
            _axis(pdf, bar_left, bar_span, scale_max, chart.value_kind, steps)
        y = pdf.get_y()
        _grid(pdf, bar_left, bar_span, y, y + BAR_HEIGHT + BAR_GAP, steps)
        pdf.set_xy(left, y)
        pdf.cell(label_width - 2, BAR_HEIGHT, _fit(pdf, label, label_width - 2), align="R")
        length = bar_span * max(0.0, min(value, scale_max)) / scale_max
        if length > 0:
            pdf.set_fill_color(*BAR_COLOR)
            pdf.rect(bar_left, y + 0.5, length, BAR_HEIGHT - 1, style="F")
        pdf.set_xy(bar_left + length + 1, y)
        pdf.cell(value_width, BAR_HEIGHT, value_text)
        pdf.set_xy(left, y + BAR_HEIGHT + BAR_GAP)
    pdf.ln(3)


def count_scale(top: float) -> tuple[float, int]:
    """(axis maximum, number of steps) for counts: whole-number ticks only. Up to 4 the axis
    ends at the largest count with a tick per unit (1 -> 0, 1); above, 4 equal whole steps."""
    top = max(1, math.ceil(top))
    if top <= 4:
        return float(top), int(top)
    step = math.ceil(top / 4)
    return float(4 * step), 4


def _axis(pdf: FPDF, bar_left: float, bar_span: float, scale_max: float, kind: str,
          steps: int = 4) -> None:
    """Tick labels above the bars at `steps` equal parts of the scale."""
    y = pdf.get_y()
    for step in range(steps + 1):
        fraction = step / steps
        x = bar_left + bar_span * fraction
        value = scale_max * fraction
        text = f"{value * 100:.0f}%" if kind == "percent" else _count_text(value)
        pdf.set_xy(x - 10, y)
        pdf.cell(20, 4, text, align="C")
    pdf.set_xy(pdf.l_margin, y + 5)


def _grid(pdf: FPDF, bar_left: float, bar_span: float, y_from: float, y_to: float,
          steps: int = 4) -> None:
    """Light vertical grid lines at the ticks, drawn row by row so page breaks stay clean."""
    pdf.set_draw_color(*GRID_COLOR)
    pdf.set_line_width(0.1)
    for step in range(steps + 1):
        x = bar_left + bar_span * step / steps
        pdf.line(x, y_from, x, y_to)


def _ensure_room(pdf: FPDF, height: float) -> bool:
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page(same=True)  # keep the table's orientation (landscape for wide ones)
        return True
    return False


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten a label with an ellipsis so that it fits `width` mm."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _value_text(value: float, kind: str) -> str:
    return percent_text(value) if kind == "percent" else _count_text(value)


def _count_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
