"""PDF export with fpdf2: printable A4 reports.

Each table starts on a new page: title, period, generated-at, the summary figures, the bar
chart, then the table with its header row repeated on every page. Wide tables turn the page
to landscape; tables wider than that are split into column blocks that repeat the first
column. A footer numbers the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from attendance_app.reporting.cell_text import human_text, summary_text
from attendance_app.reporting.pdf_chart import draw_bar_chart
from attendance_app.reporting.pdf_fonts import MISSING_GLYPH, PdfFonts, load_fonts
from attendance_app.reporting.report_table import NO_RECORDS, ReportTable

TABLE_FONT_SIZE = 8
CELL_PADDING = 2.0  # mm of left + right padding inside a cell
MIN_COL, MAX_COL = 9.0, 60.0  # mm
HEADER_FILL = (221, 230, 241)
# fpdf2 2.8 converts RGB tuples for FontFace but not for Table(cell_fill_color=...): a raw
# tuple there silently reuses the last fill colour, so convert it through FontFace once.
STRIPE_FILL = FontFace(fill_color=(245, 246, 248)).fill_color
RIGHT_ALIGNED = ("percent", "int")


class _ReportPdf(FPDF):
    """FPDF with a footer naming the report and the page number."""

    footer_text = ""
    family = "helvetica"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def tables_to_pdf_bytes(tables: Sequence[ReportTable],
                        font_dirs: Sequence[Path] | None = None) -> bytes:
    """Render the tables as one A4 PDF. `font_dirs` overrides where the TTF font is looked
    for (tests use it to check the Helvetica fallback)."""
    pdf = _ReportPdf(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(10, 12, 10)
    fonts = load_fonts(pdf, font_dirs)
    pdf.family = fonts.family
    for table in tables:
        _render_table(pdf, fonts, table)
    if fonts.replaced_characters:
        _missing_glyph_note(pdf, fonts)
    return bytes(pdf.output())


def _render_table(pdf: _ReportPdf, fonts: PdfFonts, table: ReportTable) -> None:
    clean = fonts.clean
    header = [clean(c.name) for c in table.columns]
    body = [[clean(human_text(v, c.kind)) for v, c in zip(row, table.columns)]
            for row in table.rows]
    pdf.set_font(fonts.family, "", TABLE_FONT_SIZE)
    widths = [_natural_width(pdf, fonts.family, header[i], [r[i] for r in body])
              for i in range(len(header))]
    portrait = 210 - pdf.l_margin - pdf.r_margin
    pdf.footer_text = clean(f"{table.title} - generated {table.generated_at:%Y-%m-%d %H:%M}")
    pdf.add_page(orientation="P" if sum(widths) <= portrait else "L")
    _title_block(pdf, fonts, table)
    _summary_block(pdf, fonts, table)
    if table.chart is not None:
        draw_bar_chart(pdf, table.chart, fonts.family, clean)
    if table.is_empty:
        pdf.set_font(fonts.family, "B", 11)
        pdf.cell(0, 8, f"No records for this report ({NO_RECORDS}).", new_x="LMARGIN", new_y="NEXT")
        return
    blocks = _column_blocks(widths, pdf.epw)
    for block in blocks:
        _draw_table(pdf, fonts, table, block, header, body, widths, stretch=len(blocks) == 1)


def _title_block(pdf: _ReportPdf, fonts: PdfFonts, table: ReportTable) -> None:
    pdf.set_font(fonts.family, "B", 16)
    pdf.multi_cell(0, 8, fonts.clean(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 10)
    pdf.multi_cell(0, 5, fonts.clean(table.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, f"Generated {table.generated_at:%Y-%m-%d %H:%M}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _summary_block(pdf: _ReportPdf, fonts: PdfFonts, table: ReportTable) -> None:
    """Summary figures as label/value pairs, several pairs per line."""
    items = [(fonts.clean(k), fonts.clean(summary_text(v))) for k, v in table.summary.items()]
    if not items:
        return
    pairs_per_line = 3 if pdf.epw > 200 else 2
    pdf.set_font(fonts.family, "B", 10)
    pdf.cell(0, 6, "Summary", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 9)
    fractions = (3, 2) * pairs_per_line
    # about 75 mm per pair keeps each value next to its label instead of across the page
    with pdf.table(col_widths=fractions, width=min(pdf.epw, 75.0 * pairs_per_line),
                   first_row_as_headings=False,
                   borders_layout="NONE", line_height=4.5, padding=(0.6, 1),
                   text_align=("LEFT", "RIGHT") * pairs_per_line, align="LEFT") as grid:
        for start in range(0, len(items), pairs_per_line):
            row = grid.row()
            chunk = items[start:start + pairs_per_line]
            for label, value in chunk + [("", "")] * (pairs_per_line - len(chunk)):
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value)
    pdf.ln(4)


def _draw_table(pdf: _ReportPdf, fonts: PdfFonts, table: ReportTable, block: list[int],
                header: list[str], body: list[list[str]], widths: list[float],
                stretch: bool) -> None:
    block_widths = [widths[i] for i in block]
    # stretch narrow tables to the full width; min() guards fpdf2's exact width check
    # against float rounding
    scale = pdf.epw / sum(block_widths) if stretch and sum(block_widths) < pdf.epw else 1.0
    total = min(pdf.epw, sum(block_widths) * scale)
    aligns = tuple("RIGHT" if table.columns[i].kind in RIGHT_ALIGNED else "LEFT" for i in block)
    pdf.set_font(fonts.family, "", TABLE_FONT_SIZE)
    # fpdf2 fills striped cells' text boxes with the current fill colour: reset it
    # (the chart leaves its bar colour behind)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=tuple(w * scale for w in block_widths),
                   width=total, align="LEFT", text_align=aligns,
                   line_height=TABLE_FONT_SIZE * 0.5, padding=(0.8, CELL_PADDING / 2),
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL),
                   cell_fill_color=STRIPE_FILL, cell_fill_mode="ROWS", repeat_headings=1,
                   v_align="TOP") as grid:
        heading = grid.row()
        for i in block:
            heading.cell(header[i])
        for cells in body:
            row = grid.row()
            for i in block:
                row.cell(cells[i])
    pdf.ln(4)


def _natural_width(pdf: FPDF, family: str, heading: str, cells: list[str]) -> float:
    """Wide enough for the longest cell, and for the longest heading word (headings wrap)."""
    cell_width = max((pdf.get_string_width(c) for c in cells), default=0.0)
    pdf.set_font(family, "B", TABLE_FONT_SIZE)
    word_width = max((pdf.get_string_width(w) for w in heading.split()), default=0.0)
    pdf.set_font(family, "", TABLE_FONT_SIZE)
    return max(MIN_COL, min(MAX_COL, max(cell_width, word_width) + CELL_PADDING + 0.5))


def _column_blocks(widths: list[float], page_width: float) -> list[list[int]]:
    """Split column indexes into blocks that fit the page; every block after the first
    starts with column 0 (the name) so each printed block can be read on its own."""
    if sum(widths) <= page_width or len(widths) < 2:
        return [list(range(len(widths)))]
    blocks: list[list[int]] = []
    current = [0]
    for i in range(1, len(widths)):
        if len(current) > 1 and sum(widths[j] for j in current) + widths[i] > page_width:
            blocks.append(current)
            current = [0]
        current.append(i)
    blocks.append(current)
    return blocks


def _missing_glyph_note(pdf: _ReportPdf, fonts: PdfFonts) -> None:
    pdf.set_font(fonts.family, "", 8)
    pdf.ln(2)
    pdf.multi_cell(0, 4, f"Note: some characters could not be printed with the fonts on this "
                         f"computer and are shown as '{MISSING_GLYPH}' "
                         f"({len(fonts.replaced_characters)} distinct). Installing a font such as "
                         f"Noto Sans CJK makes them printable.", new_x="LMARGIN", new_y="NEXT")
