"""Live benchmark arithmetic on a generated 10 fps clip with a fake detector and embedder: the
paced fps counts frame intervals (N frames span N - 1), detection passes are reported."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from attendance_app.config import Settings
from attendance_app.domain.detection import Detection, FaceQuality
from attendance_app.domain.face_box import FaceBox
from attendance_app.services.benchmarks.live_benchmark import Enrolment, run_live_benchmark

FPS, FRAMES = 10.0, 20


class OneFaceDetector:
    def __init__(self) -> None:
        self.calls = 0

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        self.calls += 1
        time.sleep(0.02)
        marks = ((30, 40), (50, 40), (40, 50), (32, 60), (48, 60))
        return [Detection(FaceBox(20, 20, 60, 70), 0.99, marks, FaceQuality(50, 100, 0))]

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        return np.zeros((160, 160, 3), np.uint8)

    def detect_and_crop(self, rgb: np.ndarray, scale: float = 1.0, refine_small: bool = False):
        return [(d, self.crop(rgb, d)) for d in self.detect(rgb)]


class StrangerEmbedder:
    """The enrolment photo embeds as e0; every frame's face as a stranger at cosine 0.3."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, crops: np.ndarray) -> np.ndarray:
        self.calls += 1
        if self.calls == 1:
            return np.eye(512, dtype=np.float32)[[0] * len(crops)]
        v = np.zeros(512, np.float32)
        v[0], v[1] = 0.3, np.sqrt(1 - 0.09)
        return np.repeat(v[None], len(crops), 0)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (96, 96))
    for i in range(FRAMES):
        writer.write(np.full((96, 96, 3), 10 * i % 255, np.uint8))
    writer.release()
    return path


def test_paced_fps_counts_intervals_and_detection_passes_are_reported(clip, tmp_path) -> None:
    photo = tmp_path / "ada.png"
    cv2.imwrite(str(photo), np.full((96, 96, 3), 128, np.uint8))
    result = run_live_benchmark(clip, [Enrolment("Ada", photo)], OneFaceDetector(),
                                StrangerEmbedder(), Settings())  # type: ignore[arg-type]
    assert result["frames"] == FRAMES and result["realtime_dropped_frames"] == 0
    # 20 frames at 10 fps span 1.9 s: 10 fps. Dividing 20 frames by 1.9 s would say 10.5.
    assert 9.6 <= result["realtime_fps"] <= 10.25
    passes = result["realtime_detect_passes"]
    assert 1 <= passes <= FRAMES
    assert result["realtime_faces_embedded_by_worker"] == passes  # one face per pass
    assert result["realtime_detect_passes_per_s"] == pytest.approx(passes / 1.9, rel=0.1)
    # The one track is a stranger at cosine 0.3 to Ada: never recorded, its best score reported.
    assert result["people"] == [] and result["unknown_best_similarity"] == [0.3]
