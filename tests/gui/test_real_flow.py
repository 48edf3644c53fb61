"""End to end through the real widgets and the real services: enrol from photo files, take
attendance from the Hamilton clip, refuse a two-face photo, delete a person's biometric data.

Uses the real MTCNN and FaceNet models (slow: one model load per test); skips without data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attendance_app.gui.app import create_window, ensure_application

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def ready_window(qtbot, recorded_errors, tmp_path):
    ensure_application()
    window = create_window(str(tmp_path / "data"), error_sink=recorded_errors,
                           camera_spec="no-camera-in-tests")
    qtbot.addWidget(window)
    window.show()
    window.start_loading()
    qtbot.waitUntil(lambda: window.models_ready or bool(recorded_errors.messages),
                    timeout=180_000)
    assert window.models_ready, recorded_errors.messages
    yield window
    window.close()


def _enrol_from_files(qtbot, window, name: str, photos: list[Path]) -> None:
    tab = window.enrol_tab
    tab.guidance.reset()
    tab.add_photos(photos)
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    assert tab.guidance.crops, tab.guidance.reason_label.text()
    tab.form.name_edit.setText(name)
    tab.form.consent_box.setChecked(True)
    tab.confirm = lambda title, text: True
    tab.save_button.click()


def test_enrolled_photos_are_recognised_in_the_clip_and_strangers_are_not_recorded(
        qtbot, ready_window, dataset, recorded_errors):
    video_dir = dataset("face_recognition_video")
    window = ready_window
    _enrol_from_files(qtbot, window, "Lin-Manuel Miranda", [video_dir / "lin-manuel-miranda.png"])
    _enrol_from_files(qtbot, window, "Alex Lacamoire", [video_dir / "alex-lacamoire.png"])
    assert sorted(window.people_tab.table.visible_names()) == ["Alex Lacamoire",
                                                               "Lin-Manuel Miranda"]
    live = window.live_tab
    window.camera.realtime = False  # every frame, however loaded the test machine is
    live.start_source(str(video_dir / "short_hamilton_clip.mp4"))
    live.controls.name_edit.setText("Rehearsal")
    live.controls.start_button.click()
    assert live.session_running, recorded_errors.messages
    ended = []
    window.camera.ended.connect(lambda: ended.append(True))
    window.camera.failed.connect(lambda message: ended.append(message))
    qtbot.waitUntil(lambda: bool(ended) or "Lin-Manuel Miranda" in live.attendance.names(),
                    timeout=400_000)
    assert ended in ([], [True]), ended
    names = live.attendance.names()
    assert "Lin-Manuel Miranda" in names
    assert set(names) <= {"Lin-Manuel Miranda", "Alex Lacamoire"}
    assert not any(m for m in recorded_errors.messages if "attendance" in m[0].lower())


def test_a_two_face_photo_is_refused_with_the_reason(qtbot, ready_window, dataset):
    multi = dataset("face_recognition_examples") / "_multi_face" / "obama_and_biden.jpg"
    tab = ready_window.enrol_tab
    tab.add_photos([multi])
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    assert tab.guidance.crops == []
    assert "faces found" in tab.guidance.reason_label.text()


def test_deleting_a_person_removes_their_templates_and_crops(qtbot, ready_window, dataset):
    video_dir = dataset("face_recognition_video")
    window = ready_window
    _enrol_from_files(qtbot, window, "Alex Lacamoire", [video_dir / "alex-lacamoire.png"])
    services = window.backend.services
    person = services.people.list_people()[0]
    assert person.template_count == 1 and services.people.thumbnail_png(person.id)
    tab = window.people_tab
    tab.table.select_person(person.id)
    tab.confirm = lambda title, text: True
    tab.delete_button.click()
    assert services.people.list_people() == []
    assert services.people.thumbnail_png(person.id) is None
    from attendance_app.storage.template_repository import TemplateRepository

    assert TemplateRepository(services.db).embeddings_for_person(person.id).shape[0] == 0
    assert np.asarray(tab.table.visible_names()).size == 0
