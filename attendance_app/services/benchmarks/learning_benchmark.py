"""Two-day simulation of camera templates (issue 12): day-1 and day-2 'ID photo -> camera'
videos show the same enrolled people in different photos (plus each day's strangers). Both
days run through the real live pipeline (fast pass: every frame, deterministic) twice: without
learning, and with CameraTemplateLearner adding confirmed views to an in-memory gallery that
carries over to day 2. Reported per condition and day: recorded / enrolled, strangers recorded,
wrong-person records, and the templates learned (`wrong_learned`: learned from a frame on which
that person was not shown, which must stay 0).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.domain.camera_template_policy import CameraTemplatePolicy
from attendance_app.services.benchmarks.idphoto_video import (IdPhotoVideo, read_truth,
                                                              score_sightings)
from attendance_app.services.benchmarks.live_benchmark import (Enrolment, enrolment_embeddings,
                                                               policy_overrides)
from attendance_app.services.benchmarks.background_load import load_average
from attendance_app.services.camera_template_learner import CameraTemplateLearner
from attendance_app.vision.frame_source import VideoFileSource
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig

Progress = Callable[[int, int, str], bool]


class InMemoryTemplates:
    """Enrolment templates plus capped per-person camera templates (oldest out first)."""

    def __init__(self, embeddings: np.ndarray, ids: np.ndarray) -> None:
        self._embeddings, self._ids = embeddings, ids
        self._camera: dict[int, deque[np.ndarray]] = {}
        self._gallery: Gallery | None = None

    def add_camera_template(self, person_id: int, embedding: np.ndarray, crop: np.ndarray,
                            max_per_person: int) -> None:
        kept = self._camera.setdefault(person_id, deque(maxlen=max_per_person))
        kept.append(np.asarray(embedding, np.float32))
        self._gallery = None

    def camera_count(self) -> int:
        return sum(len(d) for d in self._camera.values())

    def gallery(self) -> Gallery:
        if self._gallery is None:
            extra = [(e, pid) for pid, d in self._camera.items() for e in d]
            rows = np.vstack([self._embeddings] + [e[None] for e, _ in extra])
            ids = np.concatenate([self._ids, np.asarray([p for _, p in extra], np.int64)])
            self._gallery = Gallery.from_arrays(rows, ids)
        return self._gallery


def run_two_day_benchmark(days: Sequence[IdPhotoVideo], detector: Any, embedder: Any,
                          settings: Any, match_policy: tuple[float, float] | None,
                          policy: CameraTemplatePolicy,
                          progress: Progress | None = None) -> dict[str, Any]:
    """Both conditions over `days` (same enrolments); see the module docstring."""
    enrolments = [Enrolment(n, p) for n, p in days[0].enrolments.items()]
    base, ids = enrolment_embeddings(enrolments, detector, embedder)
    names = {int(i): e.name for i, e in zip(ids, enrolments)}
    config = LiveRecognizerConfig.from_settings(settings, **policy_overrides(settings,
                                                                             match_policy))
    out: dict[str, Any] = {"load_average": {"start": load_average()},
                           "match_threshold": config.match_threshold,
                           "policy": {"min_margin": policy.min_margin,
                                      "min_quality": policy.min_quality,
                                      "max_per_person": policy.max_per_person}}
    for condition, learn in (("without_learning", False), ("with_learning", True)):
        store = InMemoryTemplates(base, ids)
        learner = CameraTemplateLearner(policy, store) if learn else None
        per_day = []
        for d, day in enumerate(days, start=1):
            per_day.append(_one_day(day, detector, embedder, config, store, learner, names,
                                    progress, f"{condition} day {d}"))
        out[condition] = per_day
    out["load_average"]["end"] = load_average()
    return out


def _one_day(day: IdPhotoVideo, detector: Any, embedder: Any, config: LiveRecognizerConfig,
             store: InMemoryTemplates, learner: CameraTemplateLearner | None,
             names: dict[int, str], progress: Progress | None, label: str) -> dict[str, Any]:
    recognizer = LiveRecognizer(detector, embedder, store.gallery,
                                replace(config, async_detection=False), name_of=names.get)
    truth = read_truth(day.truth)
    sightings: dict[str, list[int]] = {}
    wrong_learned = learned = 0
    source = VideoFileSource(day.video)
    source.open()
    try:
        while (frame := source.read()) is not None:
            result = recognizer.process(frame)
            for s in result.sightings:
                sightings.setdefault(names[s.person_id], []).append(s.frame_index)
            if learner is not None:
                for t in learner.process(result):
                    learned += 1
                    shown = {f["identity"] for f in truth.get(t.frame_index, [])}
                    wrong_learned += names[t.person_id] not in shown
            if progress is not None:
                progress(frame.index + 1, max(day.frames, frame.index + 1), label)
    finally:
        source.close()
        recognizer.close()
    return {"day": day.day, "video": str(day.video),
            **score_sightings(sightings, truth),
            "templates_learned": learned, "wrong_learned": wrong_learned,
            "camera_templates_kept": store.camera_count(),
            "refused": dict(learner.refused) if learner is not None else {}}
