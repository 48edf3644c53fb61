"""Status bar, menu bar and the enrol tab's saved message (issue 13 items 7, 8 and 11)."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app import __version__
from attendance_app.gui.app import create_window, ensure_application
from tests.gui.fake_backend import FakeBackend, install


@pytest.fixture
def window(qtbot, recorded_errors, tmp_path):
    ensure_application()
    backend = FakeBackend(camera_available=False)
    w = create_window(str(tmp_path / "data"), backend_module=install(backend),
                      error_sink=recorded_errors)
    qtbot.addWidget(w)
    w.show()
    w.start_loading()
    qtbot.waitUntil(lambda: w.models_ready, timeout=5000)
    yield w
    w.camera.stop()


def test_a_camera_failure_is_replaced_once_a_video_plays_and_has_the_warning_icon(qtbot, window):
    qtbot.waitUntil(lambda: "could not be opened" in window.status_label.text(), timeout=5000)
    assert window.status_line.kind == "warning" and not window.status_line.icon.isHidden()
    window.camera.opened.emit("clip.mp4")  # what the controller says when a source plays
    assert window.status_label.text().startswith("Ready")
    assert "could not be opened" not in window.status_label.text()
    assert window.status_line.icon.isHidden()


def test_a_success_message_expires_into_the_state_and_has_no_warning_icon(qtbot, window):
    window.camera.opened.emit("clip.mp4")
    window.status_line.flash("Saved Ada Lovelace (1 face)", "success", ms=50)
    assert window.status_label.text() == "Saved Ada Lovelace (1 face)"
    assert window.status_line.icon.isHidden()
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Ready"), timeout=2000)


def test_a_new_state_replaces_an_old_success_note_but_not_a_warning(qtbot, window):
    line = window.status_line
    window.camera.opened.emit("clip.mp4")
    line.flash("3 people enrolled from 3 photos.", "success")  # 8 s by default
    line.set_state("Ready · Session 'Math 101' running")       # Start was pressed
    assert window.status_label.text() == "Ready · Session 'Math 101' running"
    line.flash("The record could not be written yet", "warning")
    line.set_state("Ready")
    assert window.status_label.text() == "The record could not be written yet"


def test_saving_a_person_says_so_and_photo_guidance_says_one_photo_is_enough(qtbot, window):
    tab = window.enrol_tab
    tab.guidance.accept(np.zeros((160, 160, 3), np.uint8), from_photo=True)
    assert "One good photo is enough" in tab.guidance.prompt_label.text()
    assert "turn" not in tab.guidance.prompt_label.text().lower()
    tab.form.name_edit.setText("Ada Lovelace")
    tab.form.consent_box.setChecked(True)
    tab.save_button.click()
    assert window.status_label.text().startswith("Saved Ada Lovelace")


def test_the_menu_bar_has_quit_on_ctrl_q_and_f1_about_with_version_model_and_folder(
        qtbot, window, tmp_path):
    actions = window.menu_actions
    assert actions["quit"].shortcut().toString() == "Ctrl+Q"
    assert actions["about"].shortcut().toString() == "F1"
    shown = []
    window.show_about = lambda title, html: shown.append(html)
    actions["about"].trigger()
    assert __version__ in shown[0] and "fake model" in shown[0]
    assert str(tmp_path / "data") in shown[0] and "attendance-app.log" in shown[0]
    actions["quit"].trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_the_camera_picker_offers_a_stream_url_and_an_image_folder(qtbot, window, tmp_path):
    tab = window.settings_tab
    labels = [tab.camera_combo.itemText(i) for i in range(tab.camera_combo.count())]
    assert "Stream URL (rtsp/http)…" in labels and "Folder of images…" in labels
    tab.ask_source = lambda kind: "rtsp://10.0.0.5:554/stream1"
    index = labels.index("Stream URL (rtsp/http)…")
    tab.camera_combo.setCurrentIndex(index)
    tab.camera_combo.activated.emit(index)
    assert tab.chosen_settings().camera == "rtsp://10.0.0.5:554/stream1"
    folder = tmp_path / "frames"
    folder.mkdir()
    tab.ask_source = lambda kind: str(folder)
    index = [tab.camera_combo.itemText(i) for i in range(tab.camera_combo.count())].index(
        "Folder of images…")
    tab.camera_combo.setCurrentIndex(index)
    tab.camera_combo.activated.emit(index)
    assert tab.chosen_settings().camera == str(folder)
