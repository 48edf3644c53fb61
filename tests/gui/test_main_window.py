"""The main window: opens fast with every tab, loads in the background, stops the camera on close,
remembers its geometry per data dir, and explains a missing camera."""

from __future__ import annotations

import time

import numpy as np
import pytest

from attendance_app.gui.app import create_window, ensure_application
from tests.gui.fake_backend import FakeBackend, install


@pytest.fixture
def open_window(qtbot, recorded_errors, tmp_path):
    windows = []

    def _open(backend: FakeBackend):
        ensure_application()
        window = create_window(str(tmp_path / "data"), backend_module=install(backend),
                               error_sink=recorded_errors)
        qtbot.addWidget(window)
        window.show()
        window.start_loading()
        windows.append(window)
        return window

    yield _open
    for w in windows:
        w.camera.stop()


def test_window_shows_all_tabs_quickly_and_becomes_ready(qtbot, open_window):
    started = time.perf_counter()
    window = open_window(FakeBackend())
    assert time.perf_counter() - started < 3.0
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Live", "Sessions", "Enrol", "People", "Training", "Reports", "Settings"]
    qtbot.waitUntil(lambda: window.models_ready, timeout=5000)
    assert window.status_label.text().startswith("Ready")


def test_closing_the_window_stops_the_camera_worker_and_closes_the_device(qtbot, open_window):
    backend = FakeBackend()
    window = open_window(backend)
    qtbot.waitUntil(lambda: window.camera.running and bool(backend.cameras), timeout=5000)
    worker = window.camera._worker
    window.close()
    assert worker.isFinished()
    assert not window.camera.running
    assert backend.cameras[0].closed and backend.closed


def test_window_geometry_is_remembered_in_the_data_dir(qtbot, open_window, tmp_path):
    window = open_window(FakeBackend())
    window.resize(796, 580)  # inside the 800x600 offscreen screen, above the minimum
    window.tabs.setCurrentIndex(2)
    window.close()
    assert (tmp_path / "data" / "window.ini").is_file()
    again = open_window(FakeBackend())
    assert (again.width(), again.height()) == (796, 580)
    assert again.tabs.currentIndex() == 2


def test_a_missing_camera_is_explained_and_a_video_file_or_retry_is_offered(qtbot, open_window):
    window = open_window(FakeBackend(camera_available=False))
    qtbot.waitUntil(lambda: window.live_tab.source_label.text() == "Source: none", timeout=5000)
    assert "could not be opened" in window.status_label.text()
    assert window.live_tab.video_file_button.isVisible()
    assert window.live_tab.retry_button.isVisible()


def test_a_running_session_fills_the_attendance_list_and_draws_boxes(qtbot, open_window):
    window = open_window(FakeBackend())
    qtbot.waitUntil(lambda: window.camera.running, timeout=5000)
    window.live_tab.controls.name_edit.setText("Math 101")
    window.live_tab.controls.start_button.click()
    qtbot.waitUntil(lambda: window.live_tab.attendance.names() == ["Ada"], timeout=5000)
    assert window.live_tab.video.overlays[0].state == "confirmed"
    assert window.live_tab.controls.stop_button.isEnabled()
    window.live_tab.controls.stop_button.click()
    assert not window.live_tab.session_running


def test_the_enrol_tab_refuses_to_save_without_consent(qtbot, open_window, recorded_errors):
    backend = FakeBackend()
    window = open_window(backend)
    qtbot.waitUntil(lambda: window.backend is not None, timeout=5000)
    tab = window.enrol_tab
    tab.form.name_edit.setText("Ada Lovelace")
    tab.guidance.accept(np.zeros((160, 160, 3), np.uint8))
    tab.save_button.click()
    assert backend.people() == []
    assert "consent" in recorded_errors.messages[-1][1].lower()
    tab.form.consent_box.setChecked(True)
    tab.save_button.click()
    assert [p.name for p in backend.people()] == ["Ada Lovelace"]
    assert window.people_tab.table.visible_names() == ["Ada Lovelace"]


def test_deleting_a_person_asks_first_and_removes_them(qtbot, open_window):
    backend = FakeBackend()
    window = open_window(backend)
    qtbot.waitUntil(lambda: window.backend is not None, timeout=5000)
    person = backend.enrol("Bob", "S2", "7B", [np.zeros((160, 160, 3), np.uint8)], "me")
    tab = window.people_tab
    tab.refresh()
    tab.table.select_person(person.id)
    asked = []
    tab.confirm = lambda title, text: asked.append(text) or False
    tab.delete_button.click()
    assert backend.people() and "cannot be undone" in asked[0]
    tab.confirm = lambda title, text: True
    tab.delete_button.click()
    assert backend.people() == [] and tab.table.visible_names() == []


class _EndingCamera:
    """A recording of a few frames: read() returns None at its end, as a video file does."""

    is_live = False

    def __init__(self, frames: int = 3) -> None:
        self.left = frames

    def read(self):
        self.left -= 1
        return np.full((120, 160, 3), 90, np.uint8) if self.left >= 0 else None

    def close(self) -> None:
        pass


def test_starting_a_session_after_the_video_ended_plays_it_again(qtbot, open_window):
    backend = FakeBackend()
    opened: list[str] = []
    backend.open_frame_source = lambda spec: opened.append(spec) or _EndingCamera()
    window = open_window(backend)
    qtbot.waitUntil(lambda: window.models_ready, timeout=5000)
    live = window.live_tab
    live.start_source("clip.mp4")
    qtbot.waitUntil(lambda: "End of video" in live.fps_label.text(), timeout=5000)
    assert "Start plays it again" in live.fps_label.text()
    before = len(opened)
    live.controls.name_edit.setText("Math 101")
    live.controls.start_button.click()
    assert live.session_running
    qtbot.waitUntil(lambda: len(opened) > before, timeout=5000)
    assert opened[-1] == "clip.mp4"
