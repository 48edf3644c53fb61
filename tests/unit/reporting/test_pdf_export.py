"""PDF files read back with pypdf: text, numbers and pages."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from attendance_app.reporting.cell_text import percent_text
from attendance_app.reporting.export import export_report
from attendance_app.reporting.pdf_exporter import tables_to_pdf_bytes
from attendance_app.reporting.pdf_fonts import BUNDLED_FONT_DIR

from attendance_app.reporting.group_report import build_group_report
from attendance_app.reporting.report_inputs import GroupAttendance

from .sample_data import GENERATED_AT, GROUP, ROSTER, math_session
from .views import NOVEMBER, all_views, empty_table, long_session_table


def _pages(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    views = all_views()
    return {name: (table, _pages(export_report(table, "pdf", folder / f"{name}.pdf")))
            for name, table in views.items()}


@pytest.mark.parametrize("view", ["session", "person", "group", "unknown"])
def test_every_view_prints_title_period_and_summary_figures(exported, view):
    table, pages = exported[view]
    text = " ".join(" ".join(pages).split())  # table cells wrap: compare word by word
    assert table.title.split(":")[0] in text and table.subtitle.split(",")[0] in text
    assert "Generated 2026-11-30 18:00" in text
    for value in table.summary.values():
        shown = percent_text(value) if isinstance(value, float) else str(value)
        assert shown in text


def test_session_pdf_shows_names_in_latin_cyrillic_and_with_punctuation(exported):
    _, pages = exported["session"]
    text = "\n".join(pages)
    for name in ("Zoë Ångström", "Дмитрий", 'Smith, John "Jack"', "Grace Hopper",
                 "=cmd|' /C calc'!A0", "doctor's note"):
        assert name in text


def test_long_table_breaks_pages_and_repeats_the_header_row(tmp_path):
    table = long_session_table(80)
    pages = _pages(export_report(table, "pdf", tmp_path / "long.pdf"))
    assert len(pages) > 1
    assert all("Similarity" in page and "Corrections" in page for page in pages)
    text = "\n".join(pages)
    assert all(row[0] in text for row in table.rows)


def test_wide_group_matrix_turns_landscape_and_splits_into_blocks_repeating_names(tmp_path):
    sessions = [math_session(day, session_id=day) for day in range(1, 29)]
    table = build_group_report(GroupAttendance(GROUP, NOVEMBER, ROSTER, sessions), GENERATED_AT)
    pdf = pypdf.PdfReader(export_report(table, "pdf", tmp_path / "g.pdf"))
    first = pdf.pages[0]
    assert first.mediabox.width > first.mediabox.height
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert text.count("Ada Lovelace") >= 2  # once per column block
    assert "2026-11-01" in text and "2026-11-28" in text


def test_empty_report_is_a_valid_pdf_that_says_no_records(tmp_path):
    pages = _pages(export_report(empty_table(), "pdf", tmp_path / "e.pdf"))
    assert len(pages) == 1 and "No records" in pages[0]


def test_without_a_unicode_font_helvetica_prints_names_without_accents(tmp_path):
    data = tables_to_pdf_bytes([all_views()["session"]], font_dirs=[tmp_path / "no-fonts"])
    path = Path(tmp_path / "core.pdf")
    path.write_bytes(data)
    text = "\n".join(_pages(path))
    assert "Zoe Angstrom" in text and "Ada Lovelace" in text
    assert "could not be printed" in text


def test_characters_no_font_has_become_question_marks_with_a_note(tmp_path, monkeypatch):
    # Only the bundled font and no CJK fallback, whatever fonts this machine has installed
    # (with fonts-droid-fallback present the CJK names used to print, failing this test).
    monkeypatch.setattr("attendance_app.reporting.pdf_fonts.CJK_FALLBACKS", ())
    data = tables_to_pdf_bytes([all_views()["session"]], font_dirs=[BUNDLED_FONT_DIR])
    path = Path(tmp_path / "no-cjk.pdf")
    path.write_bytes(data)
    text = "\n".join(_pages(path))
    assert "Дмитрий" in text and "could not be printed" in text


def test_a_count_chart_axis_has_whole_ticks_and_ends_at_a_small_count():
    from attendance_app.reporting.pdf_chart import count_scale

    assert count_scale(1) == (1.0, 1)        # counts of 1: the axis is 0, 1 (not 0..4)
    assert count_scale(3) == (3.0, 3)
    assert count_scale(0) == (1.0, 1)
    assert count_scale(9) == (12.0, 4)       # 0, 3, 6, 9, 12
    for top in range(1, 40):
        scale, steps = count_scale(top)
        assert scale >= top and (scale / steps).is_integer()
