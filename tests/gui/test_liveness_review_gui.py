"""Issue 15 in the window, through the real ServicesBackend over a real SQLite file: the Settings
tab's Liveness group, flagged records ("liveness not shown") in the Live list, the Sessions tab
and the exported report with Confirm / Reject, and suspect faces (policy require) in the review
strip with Confirm / Reject.

Faked at the edge only: the camera (the recogniser's output is handed to the Live tab as the
camera worker would, so no face model runs; liveness evidence is absent, which is what a
held-up photo gives)."""

from __future__ import annotations

import csv
from datetime import datetime
from types import SimpleNamespace

import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings, load_settings
from attendance_app.domain.attendance import LivenessCheck
from attendance_app.gui.camera_controller import CameraController
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.live_tab import LiveTab
from attendance_app.gui.tabs.sessions_tab import SessionsTab
from attendance_app.gui.tabs.settings_tab import SettingsTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository


def _backend(tmp_path, settings: Settings) -> ServicesBackend:
    paths = AppPaths.resolve(str(tmp_path / "data"))
    services = AppServices.open(paths, settings)
    created = datetime(2026, 1, 1, 8, 0)
    backend = ServicesBackend(services)
    backend.ids = {name: services.people_repository.add(name, created_at=created).id
                   for name in ("Ada Lovelace", "Bob Smith")}
    backend.live_processor = lambda paced=True: (lambda frame: None)  # the camera edge
    return backend


@pytest.fixture
def backend(tmp_path):
    backend = _backend(tmp_path, Settings())
    yield backend
    backend.stop_session()
    backend.close()


@pytest.fixture
def live(qtbot, backend, recorded_errors):
    tab = LiveTab(CameraController(parent=None), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    tab.show_summary = lambda title, text: None
    return tab


def _frame(tab, t: float, sightings=()) -> None:
    """A recogniser result shaped like vision.live_types.FrameResult, no liveness evidence."""
    result = SimpleNamespace(tracks=[], unknowns=[], timestamp_s=t, frame_index=int(t * 30),
                             sightings=[SimpleNamespace(
                                 track_id=pid, person_id=pid, similarity=0.9, time_s=t,
                                 first_seen_s=t, frame_index=0,
                                 crop=np.full((32, 32, 3), 120, np.uint8))
                                 for pid in sightings])
    tab._on_frame(np.zeros((48, 64, 3), np.uint8), result)


def _start(tab, name: str = "Maths") -> None:
    tab.controls.name_edit.setText(name)
    tab.controls.start_button.click()
    assert tab.session_running


def _status_cell(attendance, name: str) -> str:
    table = attendance.table
    for i in range(table.rowCount()):
        if table.item(i, 1).text() == name:
            return table.item(i, 3).text()
    raise AssertionError(f"{name} not listed")


def test_the_liveness_setting_is_explained_saved_validated_and_used_at_the_next_start(
        qtbot, backend, live, recorded_errors):
    tab = SettingsTab(backend.services.paths.data_dir, ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    group = tab.liveness
    assert group.policy_combo.currentData() == "flag"  # the default
    assert "liveness not shown" in group.explanation.text()
    group.policy_combo.setCurrentIndex(group.policy_combo.findData("require"))
    assert "Nobody is recorded" in group.explanation.text()
    assert "Nobody is recorded" in group.policy_combo.toolTip()
    assert "will ask" in group.challenge_state.text()  # auto: on under require
    group.wait_spin.setValue(8)
    tab.save()
    assert not recorded_errors.messages
    saved = load_settings(backend.services.paths)
    assert (saved.liveness, saved.liveness_wait_s, saved.liveness_challenge) == \
        ("require", 8.0, "auto")
    # the next session start applies it: no record until live, a challenge is set up
    _start(live)
    assert backend._gate.mode == "require" and backend._kiosk is not None
    _frame(live, 0.0, [backend.ids["Ada Lovelace"]])
    assert backend.services.attendance.records(live.session.id) == []
    group.policy_combo.setCurrentIndex(group.policy_combo.findData("off"))
    assert not group.wait_spin.isEnabled() and not group.challenge_combo.isEnabled()


def test_a_bad_liveness_value_is_refused_by_the_settings_validation(qtbot, backend,
                                                                    recorded_errors):
    tab = SettingsTab(backend.services.paths.data_dir, ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    tab.liveness.policy_combo.addItem("bogus", "maybe")
    tab.liveness.policy_combo.setCurrentIndex(tab.liveness.policy_combo.count() - 1)
    tab.save()
    assert recorded_errors.messages and "liveness" in recorded_errors.messages[-1][1]
    assert load_settings(backend.services.paths).liveness == "flag"  # nothing written


def test_a_flagged_record_is_shown_and_confirmed_or_rejected_in_live_and_sessions(
        qtbot, backend, live, recorded_errors, tmp_path):
    _start(live)
    ada, bob = backend.ids["Ada Lovelace"], backend.ids["Bob Smith"]
    _frame(live, 0.0, [ada, bob])  # flag: both recorded at once, neither showed life
    assert _status_cell(live.attendance, "Ada Lovelace") == "present · possible photo/screen"
    live.attendance.select_person(ada)
    assert live.corrections.confirm_live_button.isVisibleTo(live)
    live.corrections.confirm_live_button.click()
    records = {r.person_id: r for r in backend.services.attendance.records(live.session.id)}
    assert records[ada].liveness is LivenessCheck.CONFIRMED
    assert _status_cell(live.attendance, "Ada Lovelace") == "present · confirmed"
    live.attendance.select_person(ada)
    assert not live.corrections.confirm_live_button.isVisibleTo(live)  # nothing left to do
    # the Sessions tab shows the same and rejects Bob's: absent, who and why kept
    sessions = SessionsTab(TaskRunner(), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(sessions)
    sessions.set_backend(backend)
    sessions.select_session(live.session.id)
    assert _status_cell(sessions.attendance, "Bob Smith") == "present · possible photo/screen"
    sessions.attendance.select_person(bob)
    sessions.corrections.reject_live_button.click()
    assert not recorded_errors.messages
    bob_row = next(r for r in backend.session_rows(live.session.id) if r.person_id == bob)
    assert bob_row.status == "absent" and "photo/screen" in bob_row.corrections
    assert bob_row.can_undo  # a correction like any other
    # the exported session report carries the liveness column
    out = tmp_path / "report.csv"
    backend.export_report([backend.session_report_by_id(live.session.id)], "csv", out)
    rows = {r["Name"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows["Ada Lovelace"]["Liveness"] == "confirmed by teacher"
    assert rows["Bob Smith"]["Liveness"] == "liveness not shown"
    assert rows["Bob Smith"]["Status"] == "absent"


def test_confirming_a_record_that_is_not_flagged_is_refused(qtbot, backend, live,
                                                            recorded_errors):
    _start(live)
    ada = backend.ids["Ada Lovelace"]
    _frame(live, 0.0, [ada])
    backend.confirm_liveness(live.session.id, ada, "teacher")
    with pytest.raises(Exception, match="not flagged"):
        backend.confirm_liveness(live.session.id, ada, "teacher")


@pytest.fixture
def require_backend(tmp_path):
    backend = _backend(tmp_path, Settings(liveness="require", liveness_wait_s=2.0,
                                          liveness_challenge="off"))
    yield backend
    backend.stop_session()
    backend.close()


def test_suspect_faces_join_the_review_strip_and_are_confirmed_or_rejected(
        qtbot, require_backend, recorded_errors):
    backend = require_backend
    tab = LiveTab(CameraController(parent=None), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    tab.show_summary = lambda title, text: None
    _start(tab)
    ada, bob = backend.ids["Ada Lovelace"], backend.ids["Bob Smith"]
    _frame(tab, 0.0, [ada, bob])
    assert tab.unknowns.suspect_keys() == []  # still waiting for liveness
    _frame(tab, 3.0)  # the wait (2 s) ran out: both go to the review queue, no record
    keys = tab.unknowns.suspect_keys()
    assert len(keys) == 2 and backend.services.attendance.records(tab.session.id) == []
    cards = {tab.unknowns.card(k).caption.text().split("?")[0]: k for k in keys}
    assert set(cards) == {"Ada Lovelace", "Bob Smith"}
    assert "possible photo/screen" in tab.unknowns.card(cards["Ada Lovelace"]).caption.text()
    tab.unknowns.card(cards["Ada Lovelace"]).confirm_button.click()
    tab.unknowns.card(cards["Bob Smith"]).reject_button.click()
    assert not recorded_errors.messages and tab.unknowns.suspect_keys() == []
    records = backend.services.attendance.records(tab.session.id)
    assert [(r.person_id, r.liveness) for r in records] == [(ada, LivenessCheck.CONFIRMED)]
    assert records[0].effective_status.value in ("present", "late")
    assert "confirmed" in records[0].corrections[-1].reason
    assert _status_cell(tab.attendance, "Ada Lovelace").endswith("· confirmed")
    faces = {f.best_person_id: f for f in
             UnknownFaceRepository(backend.services.db).list_for_session(tab.session.id)}
    assert faces[ada].status == "enrolled" and faces[bob].status == "dismissed"
    assert faces[bob].snapshot_png is None  # a rejected snapshot is erased
    with pytest.raises(Exception, match="not a suspect"):
        backend.confirm_suspect(faces[bob].id, "teacher")  # reviewed already



def test_a_closed_sessions_suspects_are_reviewed_in_the_sessions_tab(
        qtbot, require_backend, recorded_errors):
    backend = require_backend
    tab = LiveTab(CameraController(parent=None), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    tab.show_summary = lambda title, text: None
    _start(tab, "Physics")
    ada = backend.ids["Ada Lovelace"]
    _frame(tab, 0.0, [ada])
    _frame(tab, 3.0)
    tab.stop_session()  # nobody reviewed it during the lesson
    sessions = SessionsTab(TaskRunner(), ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(sessions)
    sessions.set_backend(backend)
    sessions.select_session(tab.session.id)
    assert sessions.suspects.isVisibleTo(sessions)
    (key,) = sessions.suspects.suspect_keys()
    assert sessions.attendance.names() == []  # no record: the photo was held back
    sessions.suspects.card(key).confirm_button.click()
    assert not recorded_errors.messages
    assert sessions.suspects.suspect_keys() == [] and not sessions.suspects.isVisibleTo(sessions)
    assert _status_cell(sessions.attendance, "Ada Lovelace") == "present · confirmed"
