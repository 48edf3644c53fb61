"""Widgets render what they are given: boxes in the right colours, rows, counters, refusals."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtGui import QColor

from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.person import Person
from attendance_app.gui.widgets.attendance_list import AttendanceList, AttendanceRow
from attendance_app.gui.widgets.capture_guidance import CaptureGuidance
from attendance_app.gui.widgets.people_table import PeopleTable
from attendance_app.gui.widgets.threshold_histogram import ThresholdHistogram
from attendance_app.gui.widgets.unknown_review_strip import UnknownReviewStrip
from attendance_app.gui.widgets.video_view import (STATE_COLOURS, FaceOverlay, VideoView)


def _close(c1: QColor, c2: QColor, tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1.getRgb()[:3], c2.getRgb()[:3]))


def _grab(widget) -> "QImage":  # noqa: F821
    return widget.grab().toImage()


def test_confirmed_face_is_drawn_with_a_green_box_and_unknown_with_red(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 360)  # same aspect as the frame: scale 1, no letterbox
    frame = np.full((360, 640, 3), 128, np.uint8)
    view.set_frame(frame, [
        FaceOverlay(FaceBox(100, 100, 200, 220), "confirmed", "Lin-Manuel Miranda 87%"),
        FaceOverlay(FaceBox(400, 100, 500, 220), "unknown", "Unknown"),
    ])
    img = _grab(view)
    left_edge_green = img.pixelColor(100, 160)
    left_edge_red = img.pixelColor(400, 160)
    inside = img.pixelColor(150, 160)
    assert _close(left_edge_green, STATE_COLOURS["confirmed"])
    assert _close(left_edge_red, STATE_COLOURS["unknown"])
    assert _close(inside, QColor(128, 128, 128), tol=4)


def test_a_caption_at_the_right_edge_is_moved_left_to_stay_whole(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 360)
    view.set_frame(np.full((360, 640, 3), 128, np.uint8),
                   [FaceOverlay(FaceBox(590, 100, 638, 160), "confirmed", "Lin-Manuel Miranda 48%")])
    img = _grab(view)
    # The label sits above the box and ends at the widget's edge, so it starts well left of
    # the box: the pixel 60 px left of the box, just above it, is the label, not the frame.
    label_row = 100 - 6
    assert not _close(img.pixelColor(530, label_row), QColor(128, 128, 128), tol=10)
    assert not _close(img.pixelColor(638, label_row), QColor(128, 128, 128), tol=10)


def test_video_view_keeps_the_aspect_ratio_and_letterboxes(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 640)
    view.set_frame(np.full((360, 640, 3), 200, np.uint8), [])
    rect = view.image_rect()
    assert abs(rect.width() / rect.height() - 640 / 360) < 0.01
    img = _grab(view)
    assert img.pixelColor(320, 5).lightness() < 60       # black bar above the picture
    assert img.pixelColor(320, 320).lightness() > 180    # the picture itself


def test_video_view_without_a_frame_explains_why(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.clear("No camera found.")
    assert view.overlays == []


def test_attendance_counter_reads_n_of_m_present_and_one_row_per_person(qtbot):
    widget = AttendanceList()
    qtbot.addWidget(widget)
    widget.start(expected=24)
    t = datetime(2026, 11, 26, 9, 0)
    widget.upsert(AttendanceRow(1, "Ada", t, "present"))
    widget.upsert(AttendanceRow(2, "Bob", t.replace(minute=15), "late"))
    widget.upsert(AttendanceRow(1, "Ada", t, "present"))
    assert widget.counter.text() == "2 of 24 present"
    assert widget.table.rowCount() == 2
    assert widget.names() == ["Bob", "Ada"]  # newest first
    assert widget.table.item(0, 3).text() == "late"


def test_unknown_strip_dismiss_removes_the_card_and_emits(qtbot):
    strip = UnknownReviewStrip()
    qtbot.addWidget(strip)
    crop = np.zeros((160, 160, 3), np.uint8)
    strip.add_unknown(7, crop)
    strip.add_unknown(8, crop)
    with qtbot.waitSignal(strip.dismissed) as blocker:
        strip.card(7).dismiss_button.click()
    assert blocker.args == [7]
    assert strip.keys() == [8]
    with qtbot.waitSignal(strip.enrol_requested) as blocker:
        strip.card(8).enrol_button.click()
    assert blocker.args[0] == 8


def test_capture_guidance_counts_shots_and_shows_the_refusal_reason(qtbot):
    guide = CaptureGuidance(shots=2)
    qtbot.addWidget(guide)
    assert guide.step_label.text() == "Shot 1 of 2"
    assert "straight" in guide.prompt_label.text()
    guide.refuse("two faces in the picture")
    assert "two faces" in guide.reason_label.text()
    guide.accept(np.zeros((160, 160, 3), np.uint8))
    assert guide.step_label.text() == "Shot 2 of 2"
    assert guide.reason_label.text() == ""
    assert "left" in guide.prompt_label.text()
    guide.accept(np.zeros((160, 160, 3), np.uint8))
    assert guide.complete and len(guide.crops) == 2


def test_people_table_search_filters_by_name_id_and_group(qtbot):
    table = PeopleTable()
    qtbot.addWidget(table)
    table.set_people([Person(1, "Ada Lovelace", "S1", "7B", template_count=5),
                      Person(2, "Bob Marley", "S2", "8A", template_count=3)])
    assert sorted(table.visible_names()) == ["Ada Lovelace", "Bob Marley"]
    table.search.setText("8a")
    assert table.visible_names() == ["Bob Marley"]
    table.search.setText("s1")
    assert table.visible_names() == ["Ada Lovelace"]
    table.search.clear()
    table.select_person(2)
    assert table.selected_person_id() == 2


def test_threshold_histogram_reports_what_the_threshold_accepts(qtbot):
    hist = ThresholdHistogram()
    qtbot.addWidget(hist)
    hist.resize(400, 200)
    hist.set_scores(np.array([0.7, 0.8, 0.9, 0.4]), np.array([0.1, 0.2, 0.6, 0.0]))
    hist.set_threshold(0.5)
    assert hist.rates() == (0.75, 0.25)
    img = _grab(hist)
    x = int(round(hist.x_for(0.5)))
    assert any(_close(img.pixelColor(x + dx, 100), QColor(30, 100, 230), tol=60)
               for dx in (-1, 0, 1))
