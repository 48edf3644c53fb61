"""KioskChallenge between the recogniser and the LivenessGate, over a real SQLite file: a track
that stays inconclusive is asked; turning the head makes it live (recorded, marked live), a
still face times out (review queue). The landmarker is the edge: it replays the synthetic 3-D
face of the cue tests (a head turning in depth, or the same face held still)."""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from attendance_app.config import Settings, challenge_enabled
from attendance_app.domain.attendance import LivenessCheck
from attendance_app.domain.face_box import FaceBox
from attendance_app.services.attendance_service import AttendanceService
from attendance_app.services.liveness_challenges import KioskChallenge
from attendance_app.services.liveness_gate import LivenessGate
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.unknown_face_repository import UnknownFaceRepository
from attendance_app.vision.face_mesh import FaceMesh
from attendance_app.vision.live_recognizer import ConfirmedSighting, FrameResult, TrackView
from attendance_app.vision.liveness.challenge import NOSE_TIP
from attendance_app.vision.liveness.liveness_state import LivenessState

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "vision" / "liveness"))
from liveness_synthetic_face import face_points, rotate, to_frame  # noqa: E402

CROP = np.full((160, 160, 3), 120, np.uint8)
UNKNOWN = LivenessState("unknown", "watching for a blink or head motion", 1.0, {})
FRAME = np.full((480, 640, 3), 128, np.uint8)  # mid-grey with texture below: usable luma
FRAME[::2, ::2] = 40
BOX = FaceBox(250, 160, 390, 330)


class _ReplayMesh:
    """Returns the face turned by `yaw(t)` degrees, t counted in calls / 10 per second."""

    def __init__(self, yaw) -> None:
        self._yaw = yaw
        self.calls = 0

    def landmarks(self, rgb, box, eyes=None):
        pts = face_points()
        pts[NOSE_TIP] = (0.0, 5.0, -45.0)
        xyz = to_frame(rotate(pts, self._yaw(self.calls / 10.0)))
        self.calls += 1
        return FaceMesh(xyz, 0.99, 200.0)


@pytest.fixture
def env(tmp_path: Path):
    db = open_database(tmp_path / "attendance.db")
    people = PeopleRepository(db)
    ada = people.add("Ada", created_at=datetime(2026, 1, 1))
    service = AttendanceService(db, people, Settings(), clock=lambda: datetime(2026, 12, 1, 9))
    run = service.start_session("Math", None)
    yield db, run, ada
    db.close()


def _frame(t: float, person_id: int, sighting: bool = False) -> FrameResult:
    views = [TrackView(1, BOX, "confirmed", person_id, 0.8, "Ada", UNKNOWN)]
    sightings = [ConfirmedSighting(1, person_id, 0.8, t, 0.0, int(t * 30), CROP)] \
        if sighting else []
    return FrameResult(int(t * 30), t, views, sightings, [], {}, 1)


def _session(run, ada, mesh, seconds: float = 9.0, kind_seed: int = 0):
    kiosk = KioskChallenge(mesh, after_s=2.0, timeout_s=5.0, rng=random.Random(kind_seed))
    gate = LivenessGate(run, "require", wait_s=2.0 + kiosk.timeout_s)
    prompts = []
    for k, t in enumerate(np.arange(0.0, seconds, 0.1)):
        result, prompt = kiosk.step(FRAME, _frame(float(t), ada.id, sighting=k == 0))
        gate.process(result)
        prompts.append(prompt.text if prompt else "")
    return kiosk, prompts


def _seed_for(kind: str) -> int:
    from attendance_app.vision.liveness.challenge import pick_kind

    return next(s for s in range(50) if pick_kind(random.Random(s)) == kind)


def test_turning_the_head_when_asked_makes_the_track_live_and_records_it(env) -> None:
    db, run, ada = env
    # still until asked (the challenge starts at 2 s), then a turn to 25 degrees
    mesh = _ReplayMesh(lambda s: 0.0 if s < 0.5 else min(25.0, (s - 0.5) * 40))
    kiosk, prompts = _session(run, ada, mesh, kind_seed=_seed_for("turn"))
    asked = [p for p in prompts if p]
    assert prompts[19] == "" and asked[0] == "Ada: Please turn your head to one side — 5 s"
    assert "Ada: Thank you" in prompts and kiosk.passed == 1
    records = run.records()
    assert [(r.person_id, r.liveness) for r in records] == [(ada.id, LivenessCheck.LIVE)]
    assert UnknownFaceRepository(db).list_pending(run.session.id) == []


def test_a_face_that_does_not_respond_times_out_and_goes_to_the_review_queue(env) -> None:
    db, run, ada = env
    kiosk, prompts = _session(run, ada, _ReplayMesh(lambda s: 0.0), seconds=8.0,
                              kind_seed=_seed_for("turn"))
    assert kiosk.failed == 1 and kiosk.passed == 0
    assert any(p.endswith("not seen in time") for p in prompts)
    assert run.records() == []
    suspects = UnknownFaceRepository(db).list_pending(run.session.id)
    assert [s.best_person_id for s in suspects] == [ada.id] and suspects[0].is_suspect


def test_a_track_is_asked_once(env) -> None:
    db, run, ada = env
    kiosk, prompts = _session(run, ada, _ReplayMesh(lambda s: 0.0), seconds=15.0,
                              kind_seed=_seed_for("blink"))
    starts = sum(1 for a, b in zip(prompts, prompts[1:]) if not a and b.endswith("— 5 s"))
    assert starts == 1 and kiosk.failed == 1


@pytest.mark.parametrize(("settings", "on"), [
    (Settings(), False),  # flag + auto
    (Settings(liveness="require"), True),
    (Settings(liveness="flag", liveness_challenge="on"), True),
    (Settings(liveness="require", liveness_challenge="off"), False),
    (Settings(liveness="off", liveness_challenge="on"), False),
])
def test_the_challenge_setting_defaults_to_on_only_under_require(settings, on) -> None:
    assert challenge_enabled(settings) is on
