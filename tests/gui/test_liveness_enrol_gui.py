"""Webcam enrolment asks for a blink or a head turn before any shot is taken (issue 15), with
the real ServicesBackend and the real models (MTCNN, FaceMesh) on a real photo held still in
front of the "camera": the request shows over the preview, the photo never answers it, the
shots stay refused. Photo files are not challenged."""

from __future__ import annotations

import cv2
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.enrol_tab import EnrolTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices

pytestmark = [pytest.mark.slow]


@pytest.fixture
def tab(qtbot, tmp_path, recorded_errors):
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    backend = ServicesBackend(services)
    runner = TaskRunner()
    tab = EnrolTab(CameraController(parent=None), runner, ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab
    runner.wait_for_done()
    backend.close()


def test_a_photo_held_up_to_the_enrolment_camera_is_asked_to_respond_and_never_enrolled(
        qtbot, tab, dataset, recorded_errors):
    photo_path = dataset("face_recognition_video") / "lin-manuel-miranda.png"
    photo = cv2.cvtColor(cv2.imread(str(photo_path)), cv2.COLOR_BGR2RGB)
    tab._on_frame(photo, None)
    tab.capture_shot()  # the first press starts the challenge instead of taking a shot
    assert tab.challenge_running and tab.challenge_banner.isVisibleTo(tab)
    assert tab.challenge_banner.text().startswith("Please ")
    assert tab.guidance.crops == []

    def feed() -> bool:
        tab._on_frame(photo, None)
        return not tab.challenge_running

    qtbot.waitUntil(feed, timeout=60_000)  # the challenge's 6 s, at the checker's pace
    assert not tab.live_shown and tab.guidance.crops == []
    assert "seen in time" in tab.guidance.reason_label.text()
    assert any(w in tab.guidance.reason_label.text() for w in ("No blink", "No head turn"))
    assert not recorded_errors.messages
    # pressing Capture shot again starts a new challenge, it does not take a shot
    tab.capture_shot()
    assert tab.challenge_running and tab.guidance.crops == []
    tab.start_over()
    # a photo file is a photo by design: accepted without a challenge
    tab.add_photos([photo_path])
    qtbot.waitUntil(lambda: len(tab.guidance.crops) == 1 or bool(tab.guidance.reason_label.text()),
                    timeout=60_000)
    assert len(tab.guidance.crops) == 1
