"""FaceChallenge: a LivenessChallenge run on camera frames.

Per frame: the face (a given box, or the largest face a detector finds, found again every
0.4 s), the observation gate
(too small / dark / at the edge: a hint, never evidence), FaceMesh, then the pure checker in
challenge.py. Used by webcam enrolment (with the MTCNN detector) and the kiosk challenge of the
Live view (with the track's box). Not thread-safe: one caller at a time.
"""

from __future__ import annotations

import random
from typing import Protocol

import cv2
import numpy as np

from attendance_app.domain.detection import Detection, Point
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.liveness.challenge import (ChallengeKind, ChallengeStatus,
                                                      LivenessChallenge, pick_kind)
from attendance_app.vision.liveness.liveness_monitor import LandmarkerLike
from attendance_app.vision.liveness.liveness_state import LivenessConfig
from attendance_app.vision.liveness.observation_gate import rejection_reason



REDETECT_S = 0.4
DETECT_MAX_SIDE = 640  # as the live view's detect_max_side


class DetectorLike(Protocol):
    def detect(self, rgb: np.ndarray, scale: float = 1.0,
               with_quality: bool = True) -> list[Detection]: ...


class FaceChallenge:
    """One challenge over a stream of frames; `kind` None picks blink or turn at random."""

    def __init__(self, landmarker: LandmarkerLike, started_s: float,
                 kind: ChallengeKind | None = None, timeout_s: float = 5.0,
                 detector: DetectorLike | None = None, config: LivenessConfig | None = None,
                 rng: random.Random | None = None) -> None:
        self._landmarker = landmarker
        self._detector = detector
        self._cfg = config or LivenessConfig()
        self.challenge = LivenessChallenge(kind or pick_kind(rng), started_s, timeout_s,
                                           self._cfg)
        self.samples = 0  # usable samples fed to the checker
        # (time, box, eyes) of the last detection: MTCNN runs every REDETECT_S, FaceMesh on
        # every frame in between (the detector is 10x the mesh's cost)
        self._found: tuple[float, FaceBox, tuple[Point, Point] | None] | None = None

    @property
    def kind(self) -> ChallengeKind:
        return self.challenge.kind

    def step(self, rgb: np.ndarray, time_s: float, box: FaceBox | None = None,
             eyes: tuple[Point, Point] | None = None) -> ChallengeStatus:
        """Feed one (H, W, 3) uint8 RGB frame taken at `time_s` seconds. Without `box` the
        detector finds the face (the largest; several faces: a hint, no evidence)."""
        if box is None and self._found is not None and time_s - self._found[0] < REDETECT_S:
            _, box, eyes = self._found  # FaceMesh's 1.5x crop follows a head that moves a bit
        if box is None:
            if self._detector is None:
                raise ValueError("a FaceChallenge without a detector needs the face box")
            # MTCNN on a frame shrunk to 640 px is several times cheaper on an HD webcam; a
            # face too small to be found there is too small to judge anyway ("come closer")
            scale = min(1.0, DETECT_MAX_SIDE / max(rgb.shape[:2]))
            faces = self._detector.detect(rgb, scale=scale, with_quality=False)
            if not faces:  # in a dark room MTCNN finds nothing: say what would help
                dark = float(rgb.mean()) < self._cfg.min_luma
                return self.challenge.update(time_s, None,
                                             "too dark to judge" if dark else "no face found")
            if len(faces) > 1 and faces[1].box.area > 0.5 * faces[0].box.area:
                return self.challenge.update(time_s, None, "only one face in the picture, please")
            box, eyes = faces[0].box, (faces[0].landmarks[0], faces[0].landmarks[1])
            self._found = (time_s, box, eyes)
        grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
        reason = rejection_reason(grey, box, self._cfg)
        mesh = None if reason else self._landmarker.landmarks(rgb, box, eyes)
        if reason is None and mesh is None:
            reason = "no face landmarks found"
        if mesh is None:
            self._found = None  # look for the face again on the next frame
            return self.challenge.update(time_s, None, reason)
        self.samples += 1
        return self.challenge.update(time_s, mesh.xy, None)
