"""CameraTemplateLearner: confirmed sightings of the live loop -> camera templates.

Fed every FrameResult after the sightings were recorded. A sighting that passes the domain
CameraTemplatePolicy is handed to a CameraTemplateStore (the template repository in the app, an
in-memory set in benchmarks), which keeps at most `max_per_person` camera templates per person
and replaces the oldest. With liveness checked, a sighting waits up to `wait_s` seconds (frame
time) for its track to show life and is dropped if it does not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from attendance_app.domain.camera_template_policy import CameraTemplatePolicy


def policy_from_settings(settings: Any, *, min_margin: float | None = None,
                         max_per_person: int | None = None,
                         min_quality: float | None = None) -> CameraTemplatePolicy:
    """The policy the Settings describe (keyword arguments override them when not None); the
    quality floor is the enrolment gate's minimum face size."""
    return CameraTemplatePolicy(
        min_margin=settings.camera_template_min_margin if min_margin is None else min_margin,
        min_quality=float(settings.enroll_min_face_px) if min_quality is None else min_quality,
        max_per_person=(settings.camera_templates_per_person if max_per_person is None
                        else max_per_person))


class CameraTemplateStore(Protocol):
    def add_camera_template(self, person_id: int, embedding: np.ndarray, crop: np.ndarray,
                            max_per_person: int) -> None: ...


@dataclass(frozen=True)
class LearnedTemplate:
    person_id: int
    track_id: int
    frame_index: int
    similarity: float
    margin: float


class CameraTemplateLearner:
    """Applies `policy` to each frame's sightings and stores the accepted ones in `store`."""

    def __init__(self, policy: CameraTemplatePolicy, store: CameraTemplateStore, *,
                 liveness_checked: bool = False, wait_s: float = 5.0) -> None:
        self.policy = policy
        self._store = store
        self._liveness_checked = liveness_checked
        self._wait_s = wait_s
        self._waiting: dict[int, tuple[Any, float]] = {}  # track id -> (sighting, deadline)
        self.learned: list[LearnedTemplate] = []
        self.refused: Counter[str] = Counter()
        self.last_error: str | None = None

    def process(self, result: Any) -> list[LearnedTemplate]:
        """One FrameResult (its sightings and track views); the templates learned now."""
        learned = []
        for s in result.sightings:
            if s.embedding is None:
                continue
            if not self._liveness_checked:
                learned += self._consider(s, None)
            else:
                self._waiting[s.track_id] = (s, s.time_s + self._wait_s)
        if self._waiting:
            live = {t.track_id for t in result.tracks
                    if t.liveness is not None and t.liveness.is_live}
            for track_id, (s, deadline) in list(self._waiting.items()):
                if track_id in live:
                    del self._waiting[track_id]
                    learned += self._consider(s, True)
                elif result.timestamp_s > deadline:
                    del self._waiting[track_id]
                    self._consider(s, False)
        return learned

    def _consider(self, s: Any, live: bool | None) -> list[LearnedTemplate]:
        reasons = self.policy.reasons_against(s.similarity, s.margin, s.quality, live)
        if reasons:
            self.refused[reasons[0].split(" (")[0]] += 1
            return []
        try:
            self._store.add_camera_template(s.person_id, s.embedding, s.crop,
                                            self.policy.max_per_person)
        except Exception as exc:  # a refused write loses a template, never the session
            self.last_error = f"could not keep a camera template: {exc}"
            return []
        self.last_error = None
        done = LearnedTemplate(s.person_id, s.track_id, s.frame_index, s.similarity, s.margin)
        self.learned.append(done)
        return [done]
