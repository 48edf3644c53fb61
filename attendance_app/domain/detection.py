"""Detection and FaceQuality: what the detector says about one face in one frame."""

from __future__ import annotations

from dataclasses import dataclass

from attendance_app.domain.face_box import FaceBox

Point = tuple[float, float]


@dataclass(frozen=True)
class FaceQuality:
    """Quality figures of one face: used by enrolment gates and by track re-embedding.

    size_px: the shorter side of the detected box, in frame pixels.
    sharpness: variance of the Laplacian of the grey face crop (higher is sharper).
    yaw_degrees: rough head yaw from the 5 landmarks; 0 is frontal, sign = turn direction
    (positive: the subject turned towards the image's left side).
    """

    size_px: float
    sharpness: float
    yaw_degrees: float


@dataclass(frozen=True)
class Detection:
    """One detected face: box, detector probability in [0, 1], five landmarks
    (left eye, right eye, nose, left mouth corner, right mouth corner, image coordinates)."""

    box: FaceBox
    probability: float
    landmarks: tuple[Point, Point, Point, Point, Point]
    quality: FaceQuality | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0 + 1e-6:
            raise ValueError(f"probability out of range: {self.probability}")
        if len(self.landmarks) != 5:
            raise ValueError("a detection has exactly 5 landmarks")
