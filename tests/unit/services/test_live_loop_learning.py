"""The live loop with the learn-camera-templates setting (issue 12), over a real SQLite file:
a clear confirmed sighting is recorded AND kept as a camera template of the active model; a
look-alike's sighting is recorded but never learned; with the setting off nothing is learned.
The recognizer is a scripted stand-in (its frames carry the sightings); the session, the
repositories and the gallery are real."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.services.app_services import AppServices
from attendance_app.services.live_session_loop import run_live_loop
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.live_recognizer import ConfirmedSighting, FrameResult, LiveRecognizerConfig

CROP = np.zeros((160, 160, 3), np.uint8)


class _Frames:
    is_live, fps, corrupted_frames, description = False, 30.0, 0, "scripted"

    def __init__(self, n: int) -> None:
        self._left = n

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read(self) -> Frame | None:
        self._left -= 1
        return Frame(9 - self._left, (9 - self._left) / 30, CROP) if self._left >= 0 else None


class _Recognizer:
    config = LiveRecognizerConfig()

    def __init__(self, sightings: dict[int, ConfirmedSighting]) -> None:
        self._sightings = sightings

    def process(self, frame: Frame, upcoming: tuple[Frame, ...] = ()) -> FrameResult:
        s = self._sightings.get(frame.index)
        return FrameResult(frame.index, frame.timestamp_s, [], [s] if s else [], [], {}, 0)


def _vector(i: int) -> np.ndarray:
    v = np.zeros(512, np.float32)
    v[i] = 1.0
    return v


@pytest.mark.parametrize("learn", [True, False])
def test_a_clear_sighting_is_recorded_and_learned_a_look_alike_only_recorded(tmp_path,
                                                                              learn) -> None:
    settings = Settings(learn_camera_templates=learn, liveness="off")
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), settings)
    try:
        ada = services.people_repository.add("Ada")
        bob = services.people_repository.add("Bob")
        model = ModelRepository(services.db).register("casia", "converted", "/m.pt", "ab" * 32,
                                                      activate=True)
        run, _ = services.attendance.start_or_resume("maths")
        sightings = {2: ConfirmedSighting(1, ada.id, 0.8, 2 / 30, 0.0, 2, CROP, _vector(3),
                                          0.4, 90.0),
                     5: ConfirmedSighting(2, bob.id, 0.7, 5 / 30, 0.0, 5, CROP, _vector(4),
                                          0.06, 90.0)}  # Bob only just beat a look-alike
        summary = run_live_loop(_Frames(10), _Recognizer(sightings), run,
                                learner=services.camera_learner(liveness_checked=False))
        assert sorted(r.person_id for r in summary.records) == [ada.id, bob.id]
        templates = TemplateRepository(services.db)
        assert summary.camera_templates == (1 if learn else 0)
        assert [t.source for t in templates.list_for_person(ada.id, model.id)] == (
            ["camera"] if learn else [])
        assert templates.list_for_person(bob.id) == []
        run.close()
    finally:
        services.close()
