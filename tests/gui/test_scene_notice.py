"""The Live tab says when the picture is black, frozen or changed size (issue 11, bad input),
from the real recogniser's scene checks on real frames of the Hamilton clip, through the real
ServicesBackend; the notice goes away once the picture is normal again."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.services.scene_notice import SceneNoticeLog, scene_notice
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs import live_tab as live_tab_module
from attendance_app.gui.tabs.live_tab import LiveTab
from attendance_app.services.app_services import AppServices
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig


class _NoFaces:
    """Detector and embedder stand-in: the picture checks under test need no face model."""

    def detect(self, rgb, scale=1.0):
        return []

    def crop(self, rgb, detection):  # pragma: no cover - never called without detections
        raise AssertionError

    def embed(self, crops):  # pragma: no cover
        raise AssertionError


@pytest.fixture
def clip_frames(dataset):
    capture = cv2.VideoCapture(str(dataset("face_recognition_video") / "short_hamilton_clip.mp4"))
    frames = []
    while len(frames) < 40:
        ok, bgr = capture.read()
        assert ok
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


@pytest.fixture
def live(qtbot, tmp_path, recorded_errors):
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    backend = ServicesBackend(services)
    tab = LiveTab(CameraController(parent=None), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    tab.show()
    yield tab
    backend.close()


def test_black_frozen_and_resized_pictures_are_said_and_the_notice_clears(live, clip_frames,
                                                                          monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(live_tab_module.time, "monotonic", lambda: clock[0])
    stand_in = _NoFaces()
    recognizer = LiveRecognizer(stand_in, stand_in, lambda: None, LiveRecognizerConfig())
    index = 0

    def show(rgb: np.ndarray) -> None:
        nonlocal index
        result = recognizer.process(Frame(index, index / 30.0, rgb))
        live._on_frame(rgb, result)
        index += 1
        clock[0] += 1 / 30

    for rgb in clip_frames:  # a moving picture: nothing to say
        show(rgb)
    assert live.scene_label.isHidden()
    for _ in range(31):  # the same frame again and again: a frozen camera
        show(clip_frames[-1])
    assert not live.scene_label.isHidden()
    assert "not changed for 1 s" in live.scene_label.text()
    for rgb in clip_frames[:10]:
        show(rgb)
    clock[0] += live_tab_module.NOTICE_HOLD_S
    show(clip_frames[10])
    assert live.scene_label.isHidden()
    for _ in range(3):
        show(np.zeros_like(clip_frames[0]))
    assert "black" in live.scene_label.text() and not live.scene_label.isHidden()
    show(cv2.resize(clip_frames[0], (848, 480)))  # the camera renegotiated its mode
    assert "picture size" in live.scene_label.text()


def test_normal_events_say_nothing() -> None:
    assert scene_notice(["shot cut", "stale detection dropped"]) is None
    assert scene_notice([]) is None
    assert scene_notice(["picture unchanged for 90 frames"], fps=30.0).startswith(
        "The picture has not changed for 3 s")


def test_the_terminal_log_says_each_change_once() -> None:
    log = SceneNoticeLog(hold_frames=3)
    frames = ([[]] + [["black frame"]] * 5 + [[]] * 3
              + [["picture unchanged for 30 frames"]] + [[]] * 2
              + [["picture unchanged for 60 frames"]] + [[]] * 3)
    said = [line for line in map(log.observe, frames) if line]
    assert said[0].startswith("The picture is black")
    assert said[1] == "picture normal again"
    assert said[2].startswith("The picture has not changed for 1 s")
    assert said[3] == "picture normal again"
    assert len(said) == 4  # the frozen picture went on across the quiet frames: said once
