"""RefiningDetector: the benchmarks' detector with the photo path's landmark refinement.

The app refines the landmarks of small faces in photos it imports or identifies
(vision/landmark_refinement.py); the photo benchmarks (oneshot, lfw) must measure the same
path. Wrapping the detector (a CachedDetector too: its cached detections are refined after
reading, by the real detector) keeps the benchmarks' code unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from attendance_app.domain.detection import Detection


class RefiningDetector:
    """detect() = the inner detector's faces, each passed through `refiner.refine(rgb,
    detection)` (an MtcnnFaceDetector: small faces get their landmarks found again)."""

    def __init__(self, detector, refiner) -> None:
        self._detector = detector
        self._refiner = refiner
        self.margin = detector.margin
        self.crop_size = detector.crop_size

    def for_path(self, path: Path) -> None:
        if hasattr(self._detector, "for_path"):
            self._detector.for_path(path)

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        return [self._refiner.refine(rgb, d) for d in self._detector.detect(rgb)]

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        return self._detector.crop(rgb, detection)

    def save(self) -> None:
        if hasattr(self._detector, "save"):
            self._detector.save()
