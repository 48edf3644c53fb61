"""LivenessGate over a real SQLite file: off / flag / require applied to confirmed sightings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from attendance_app.config import Settings
from attendance_app.domain.attendance import LivenessCheck
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.face_box import FaceBox
from attendance_app.services.attendance_service import AttendanceService
from attendance_app.services.liveness_gate import LivenessGate
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from attendance_app.vision.live_recognizer import ConfirmedSighting, FrameResult, TrackView
from attendance_app.vision.liveness.liveness_state import LivenessState

CROP = np.full((160, 160, 3), 120, np.uint8)
UNKNOWN = LivenessState("unknown", "watching for a blink or head motion", 1.0, {})
LIVE = LivenessState("live", "showed rotation", 1.0, {"rotation": 2})


@pytest.fixture
def env(tmp_path: Path):
    db = open_database(tmp_path / "attendance.db")
    people = PeopleRepository(db)
    ada = people.add("Ada", group="7B")
    service = AttendanceService(db, people, Settings(), clock=lambda: datetime(2026, 12, 1, 9))
    run = service.start_session("Math", None)
    yield db, run, ada
    db.close()


def _frame(t: float, state: LivenessState | None, sighting_of: int | None = None) -> FrameResult:
    views = [] if state is None else [TrackView(1, FaceBox(0, 0, 80, 80), "confirmed", 1, 0.8,
                                                "Ada", state)]
    sightings = ([] if sighting_of is None else
                 [ConfirmedSighting(1, sighting_of, 0.8, t, 0.0, int(t * 30), CROP)])
    return FrameResult(int(t * 30), t, views, sightings, [], {}, 1)


def test_require_writes_no_record_until_the_track_is_live(env) -> None:
    db, run, ada = env
    gate = LivenessGate(run, "require", wait_s=5.0)
    assert gate.process(_frame(0.3, UNKNOWN, ada.id)).records == []
    assert gate.process(_frame(1.0, UNKNOWN)).records == [] and run.records() == []
    out = gate.process(_frame(1.4, LIVE))
    assert [r.person_id for r in out.records] == [ada.id]
    assert run.records()[0].liveness is LivenessCheck.LIVE


def test_require_sends_a_face_never_live_to_the_review_queue_as_suspect(env) -> None:
    db, run, ada = env
    gate = LivenessGate(run, "require", wait_s=2.0)
    gate.process(_frame(0.3, UNKNOWN, ada.id))
    gate.process(_frame(2.0, UNKNOWN))
    out = gate.process(_frame(2.4, None))  # the track left the picture; time is up
    assert out.suspects == 1 and out.records == [] and run.records() == []
    (face,) = UnknownFaceRepository(db).list_pending(run.session.id)
    assert face.is_suspect and face.best_person_id == ada.id and "watching" in face.liveness_reason
    assert gate.waiting == 0


def test_flag_records_at_once_marked_not_shown_and_upgrades_when_the_track_shows_life(env) -> None:
    db, run, ada = env
    gate = LivenessGate(run, "flag", wait_s=5.0)
    (record,) = gate.process(_frame(0.3, UNKNOWN, ada.id)).records
    assert record.liveness is LivenessCheck.NOT_SHOWN and record.needs_liveness_review
    assert gate.process(_frame(1.0, LIVE)).upgraded == 1
    assert run.records()[0].liveness is LivenessCheck.LIVE


def test_flag_keeps_the_mark_when_the_track_never_shows_life(env) -> None:
    db, run, ada = env
    gate = LivenessGate(run, "flag", wait_s=1.0)
    gate.process(_frame(0.3, UNKNOWN, ada.id))
    gate.process(_frame(2.0, UNKNOWN))
    assert gate.close().records == []
    assert run.records()[0].liveness is LivenessCheck.NOT_SHOWN
    assert UnknownFaceRepository(db).list_pending(run.session.id) == []


def test_off_records_unmarked(env) -> None:
    db, run, ada = env
    (record,) = LivenessGate(run, "off").process(_frame(0.3, UNKNOWN, ada.id)).records
    assert record.liveness is None


def test_a_live_track_is_recorded_at_once_under_require(env) -> None:
    db, run, ada = env
    (record,) = LivenessGate(run, "require").process(_frame(0.3, LIVE, ada.id)).records
    assert record.liveness is LivenessCheck.LIVE


def test_closing_the_session_turns_waiting_sightings_into_suspects(env) -> None:
    db, run, ada = env
    gate = LivenessGate(run, "require", wait_s=5.0)
    gate.process(_frame(0.3, UNKNOWN, ada.id))
    assert gate.close().suspects == 1 and run.records() == []


def test_an_unknown_mode_or_wait_is_refused() -> None:
    with pytest.raises(ValidationError, match="off, flag, require"):
        LivenessGate(None, "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        LivenessGate(None, "flag", wait_s=0)  # type: ignore[arg-type]
